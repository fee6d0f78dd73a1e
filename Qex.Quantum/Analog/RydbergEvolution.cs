using Qex.Autodiff;
using Qex.Core.Tensors;

namespace Qex.Quantum.Analog;

/// <summary>
/// Exact evolution under piecewise-constant Rydberg Hamiltonians, differentiable twice: each segment applies
/// <c>exp(-i t H) = cos(t H) - i sin(t H)</c> with the spectral matrix functions of <see cref="Op.MatrixFunction"/>
/// (Daleckii–Krein derivatives with divided differences, exact at degenerate levels, which symmetric registers
/// have). The state is a pair of real vectors (Re, Im). Gradients and the Hessian-vector products that training
/// through an XC potential needs come from the autodiff; third derivatives are not available.
/// </summary>
public static class RydbergEvolution
{
    private static readonly SpectralFunction Cos = SpectralFunction.Of("cos", Math.Cos, x => -Math.Sin(x), x => -Math.Cos(x));
    private static readonly SpectralFunction Sin = SpectralFunction.Of("sin", Math.Sin, Math.Cos, x => -Math.Sin(x));

    /// <summary>The ground state |0...0&gt; of a register (all atoms in the ground state), as (Re, Im).</summary>
    public static (Var Re, Var Im) GroundState(RydbergRegister register)
    {
        ArgumentNullException.ThrowIfNull(register);
        var re = new double[register.Dimension];
        re[0] = 1;
        return (Var.Constant(Tensor.Wrap(re, re.Length)), Var.Constant(Tensor.Zeros(re.Length)));
    }

    /// <summary>One segment: the state after <paramref name="duration"/> (us, a scalar) under <paramref name="hamiltonian"/> (d x d, rad/us).</summary>
    public static (Var Re, Var Im) Step((Var Re, Var Im) state, Var hamiltonian, Var duration)
    {
        ArgumentNullException.ThrowIfNull(hamiltonian);
        ArgumentNullException.ThrowIfNull(duration);
        int d = hamiltonian.Dim(0);
        if (hamiltonian.Value.Rank != 2 || hamiltonian.Dim(1) != d) throw new ArgumentException("The Hamiltonian must be a square matrix.");
        if (state.Re.Length != d || state.Im.Length != d) throw new ArgumentException($"The state has {state.Re.Length} amplitudes; the Hamiltonian acts on {d}.");
        var a = hamiltonian * Op.Reshape(duration, 1, 1);
        var c = Op.MatrixFunction(a, Cos);
        var s = Op.MatrixFunction(a, Sin);
        var re = Op.Reshape(state.Re, d, 1);
        var im = Op.Reshape(state.Im, d, 1);
        // (cos A - i sin A)(re + i im) = (cos A re + sin A im) + i (cos A im - sin A re)
        return (Op.Reshape(Op.MatMul(c, re) + Op.MatMul(s, im), d), Op.Reshape(Op.MatMul(c, im) - Op.MatMul(s, re), d));
    }

    /// <summary>&lt;psi| O |psi&gt; for a diagonal observable (its diagonal, length d).</summary>
    public static Var Expectation((Var Re, Var Im) state, Tensor diagonal)
    {
        ArgumentNullException.ThrowIfNull(diagonal);
        if (diagonal.Length != state.Re.Length) throw new ArgumentException($"The observable has {diagonal.Length} diagonal entries; the state {state.Re.Length} amplitudes.");
        return Op.Sum((Op.Square(state.Re) + Op.Square(state.Im)) * Var.Constant(diagonal));
    }
}
