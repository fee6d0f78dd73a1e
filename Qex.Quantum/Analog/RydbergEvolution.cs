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

    /// <summary>
    /// One segment for a batch of states (Re, Im each (B, d)) under a batch of Hamiltonians (B, d, d) for the same
    /// <paramref name="duration"/> (us, a scalar): <c>exp(-i t H)</c> by scaling and squaring, with the cosine and
    /// sine series of <c>A = t H / 2^s</c> (||A|| &lt;= 1/2, so the series to order 15 leave less than 1e-18) and
    /// <c>(C - iS)^2 = (C^2 - S^2) - 2i CS</c> per squaring. Every step is a batched product, so the autodiff graph
    /// does not grow with the batch and its derivatives of every order are those of the polynomial; s is the same for
    /// the whole batch and follows the largest norm.
    /// </summary>
    public static (Var Re, Var Im) StepBatch((Var Re, Var Im) states, Var hamiltonians, Var duration)
    {
        ArgumentNullException.ThrowIfNull(states.Re);
        ArgumentNullException.ThrowIfNull(states.Im);
        ArgumentNullException.ThrowIfNull(hamiltonians);
        ArgumentNullException.ThrowIfNull(duration);
        if (hamiltonians.Value.Rank != 3 || hamiltonians.Dim(1) != hamiltonians.Dim(2)) throw new ArgumentException($"The Hamiltonians must have shape (B, d, d); got ({string.Join(", ", hamiltonians.Value.ShapeArray())}).");
        int batch = hamiltonians.Dim(0), d = hamiltonians.Dim(1);
        foreach (var part in new[] { states.Re, states.Im })
            if (part.Value.Rank != 2 || part.Dim(0) != batch || part.Dim(1) != d)
                throw new ArgumentException($"The states must have shape ({batch}, {d}) to match the Hamiltonians; got ({string.Join(", ", part.Value.ShapeArray())}).");
        if (duration.Length != 1) throw new ArgumentException("A segment has one duration.");
        double t = duration.Value.Span[0];
        if (!double.IsFinite(t)) throw new ArgumentException($"The segment duration is not finite ({t}).");

        // s from the largest infinity norm of t H in the batch, so that ||t H / 2^s|| <= 1/2.
        double norm = 0;
        var hv = hamiltonians.Value.Span;
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < d; i++)
            {
                double row = 0;
                for (int j = 0; j < d; j++) row += Math.Abs(hv[(b * d + i) * d + j]);
                norm = Math.Max(norm, row * Math.Abs(t));
            }
        // a non-finite Hamiltonian (a training step into overflow) is passed on as non-finite amplitudes, which the
        // trainer treats as a failed step, rather than stopping the run
        int squarings = !double.IsFinite(norm) || norm <= 0.5 ? 0 : (int)Math.Ceiling(Math.Log2(norm / 0.5));
        if (squarings > 60) throw new ArgumentException($"|t H| = {norm:G3} is too large to evolve.");

        var a = hamiltonians * Op.Reshape(duration * Math.Pow(2, -squarings), 1, 1, 1);
        var a2 = Op.BatchedMatMul(a, a);
        var identity = new double[d * d];
        for (int i = 0; i < d; i++) identity[i * d + i] = 1;
        var eye = Var.Constant(Tensor.Wrap(identity, d, d));
        const int terms = 8;  // C to A^14, S to A^15
        Var Series(int offset)
        {
            // sum_j (-1)^j y^j / (2j + offset)!, y = A^2, by Horner
            double Coefficient(int j) { double f = 1; for (int k = 2; k <= 2 * j + offset; k++) f *= k; return (j % 2 == 0 ? 1 : -1) / f; }
            var acc = a2 * Coefficient(terms - 1) + eye * Coefficient(terms - 2);
            for (int j = terms - 3; j >= 0; j--) acc = Op.BatchedMatMul(a2, acc) + eye * Coefficient(j);
            return acc;
        }
        var c = Series(0);
        var s = Op.BatchedMatMul(a, Series(1));
        for (int k = 0; k < squarings; k++)
        {
            var cs = Op.BatchedMatMul(c, s);
            (c, s) = (Op.BatchedMatMul(c, c) - Op.BatchedMatMul(s, s), cs * 2.0);
        }
        var re = Op.Reshape(states.Re, batch, d, 1);
        var im = Op.Reshape(states.Im, batch, d, 1);
        return (Op.Reshape(Op.BatchedMatMul(c, re) + Op.BatchedMatMul(s, im), batch, d),
                Op.Reshape(Op.BatchedMatMul(c, im) - Op.BatchedMatMul(s, re), batch, d));
    }

    /// <summary>The ground state |0...0&gt; for a batch of B registers, as (Re, Im) each (B, d).</summary>
    public static (Var Re, Var Im) GroundStates(RydbergRegister register, int batch)
    {
        ArgumentNullException.ThrowIfNull(register);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "A batch holds at least one register.");
        int d = register.Dimension;
        var re = new double[batch * d];
        for (int b = 0; b < batch; b++) re[b * d] = 1;
        return (Var.Constant(Tensor.Wrap(re, batch, d)), Var.Constant(Tensor.Zeros(batch, d)));
    }

    /// <summary>&lt;psi_b| O |psi_b&gt; for each state of a batch (Re, Im each (B, d)) and a diagonal observable: shape (B).</summary>
    public static Var Expectations((Var Re, Var Im) states, Tensor diagonal)
    {
        ArgumentNullException.ThrowIfNull(diagonal);
        if (states.Re.Value.Rank != 2 || diagonal.Length != states.Re.Dim(1)) throw new ArgumentException($"The observable has {diagonal.Length} diagonal entries; the states have shape ({string.Join(", ", states.Re.Value.ShapeArray())}).");
        var p = Op.Square(states.Re) + Op.Square(states.Im);
        return Op.Reshape(Op.MatMul(p, Var.Constant(Tensor.Wrap(diagonal.ToArray(), diagonal.Length, 1))), states.Re.Dim(0));
    }

    /// <summary>&lt;psi| O |psi&gt; for a diagonal observable (its diagonal, length d).</summary>
    public static Var Expectation((Var Re, Var Im) state, Tensor diagonal)
    {
        ArgumentNullException.ThrowIfNull(diagonal);
        if (diagonal.Length != state.Re.Length) throw new ArgumentException($"The observable has {diagonal.Length} diagonal entries; the state {state.Re.Length} amplitudes.");
        return Op.Sum((Op.Square(state.Re) + Op.Square(state.Im)) * Var.Constant(diagonal));
    }
}
