using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Xc;

/// <summary>
/// KSR-LSDA: the local KSR network of both spin densities. At every grid point an MLP 2-16-16-1 (SiLU, biases, negativity
/// transform -SiLU) reads the density n = n_up + n_down and the squared polarisation zeta^2 = ((n_up - n_down)/n)^2
/// (symmetric under exchanging the spins; 0 where n vanishes), followed by the self-interaction gate of
/// <see cref="KsrGlobal"/> (exact for one electron). For equal spin densities it is a local functional of n.
/// Parameters: W1 (1,2,16), b1 (16), W2 (1,16,16), b2 (16), W3 (1,16,1), b3 (1), w (); weights He-normal, biases zero.
/// </summary>
public sealed class KsrLsda : ISpinXcFunctional
{
    /// <summary>Hidden width.</summary>
    public const int Hidden = 16;

    /// <inheritdoc />
    public string Name => "ksr-lsda";

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key)
    {
        var keys = key.Split(3);
        Tensor He(RngKey k, int cin, int cout) => k.CreateGenerator().HeNormalTensor([1, cin, cout], cin);
        return new ParameterSet(
        [
            new NamedTensor("W1", He(keys[0], 2, Hidden)), new NamedTensor("b1", Tensor.Zeros(Hidden)),
            new NamedTensor("W2", He(keys[1], Hidden, Hidden)), new NamedTensor("b2", Tensor.Zeros(Hidden)),
            new NamedTensor("W3", He(keys[2], Hidden, 1)), new NamedTensor("b3", Tensor.Zeros(1)),
            new NamedTensor("w", Tensor.Scalar(1.0)),
        ]);
    }

    /// <summary>The unpolarised form: equal spin densities n/2 each.</summary>
    public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context)
    {
        ArgumentNullException.ThrowIfNull(density);
        var half = density * 0.5;
        return SpinEnergyDensity(half, half, parameters, context);
    }

    /// <inheritdoc />
    public Var SpinEnergyDensity(Var up, Var down, IReadOnlyList<Var> parameters, XcContext context)
    {
        ArgumentNullException.ThrowIfNull(up);
        ArgumentNullException.ThrowIfNull(down);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(context);
        if (parameters.Count != 7) throw new ArgumentException($"{Name} takes 7 parameter tensors (W1, b1, W2, b2, W3, b3, w); got {parameters.Count}.");
        int l = up.Length;
        var n = up + down;
        var empty = TensorMath.Map(n.Value, v => v <= 1e-300 ? 1 : 0);
        var ns = Op.Where(empty, Var.Constant(1.0), n);
        var zeta2 = Op.Where(empty, Var.Constant(0.0), Op.Square((up - down) / ns));
        var x = Op.Concat([Op.Reshape(n, l, 1), Op.Reshape(zeta2, l, 1)], 1);
        var z = Op.Silu(Op.Conv1d(x, parameters[0]) + parameters[1]);
        z = Op.Silu(Op.Conv1d(z, parameters[2]) + parameters[3]);
        var epsNn = Op.Neg(Op.Silu(Op.Reshape(Op.Conv1d(z, parameters[4]) + parameters[5], l)));
        return SelfInteractionGate.Apply(n, epsNn, parameters[6], context);
    }
}
