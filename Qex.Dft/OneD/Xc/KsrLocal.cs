using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Xc;

/// <summary>
/// KSR-LDA and KSR-GGA (Li et al. 2021): an MLP 16-16-1 (SiLU, biases, negativity transform -SiLU) applied at every
/// grid point to the density in a window of <see cref="Window"/> points (1: local, KSR-LDA; 3: the density and its
/// neighbours, KSR-GGA), followed by the same self-interaction gate as <see cref="KsrGlobal"/>. Transferable across
/// grid sizes. Parameters: W1 (window,1,16), b1 (16), W2 (1,16,16), b2 (16), W3 (1,16,1), b3 (1), w (); weights He-normal, biases zero.
/// </summary>
public sealed class KsrLocal : IXcFunctional
{
    /// <summary>Hidden width.</summary>
    public const int Hidden = 16;

    /// <summary>A local (window 1) or semi-local (window 3, ...) network.</summary>
    /// <exception cref="ArgumentException">The window is not a positive odd number.</exception>
    public KsrLocal(int window)
    {
        if (window < 1 || window % 2 == 0) throw new ArgumentException($"The window must be a positive odd number of points; got {window}.");
        Window = window;
    }

    /// <summary>Points seen by each evaluation.</summary>
    public int Window { get; }

    /// <inheritdoc />
    public string Name => Window == 1 ? "ksr-lda" : Window == 3 ? "ksr-gga" : $"ksr-window{Window}";

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key)
    {
        var keys = key.Split(3);
        Tensor He(RngKey k, int width, int cin, int cout) => k.CreateGenerator().HeNormalTensor([width, cin, cout], width * cin);
        return new ParameterSet(
        [
            new NamedTensor("W1", He(keys[0], Window, 1, Hidden)), new NamedTensor("b1", Tensor.Zeros(Hidden)),
            new NamedTensor("W2", He(keys[1], 1, Hidden, Hidden)), new NamedTensor("b2", Tensor.Zeros(Hidden)),
            new NamedTensor("W3", He(keys[2], 1, Hidden, 1)), new NamedTensor("b3", Tensor.Zeros(1)),
            new NamedTensor("w", Tensor.Scalar(1.0)),
        ]);
    }

    /// <inheritdoc />
    public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context)
    {
        if (parameters.Count != 7) throw new ArgumentException($"{Name} takes 7 parameter tensors (W1, b1, W2, b2, W3, b3, w); got {parameters.Count}.");
        int l = density.Length;
        double h = context.H;
        var x = Op.Reshape(density, l, 1);
        var z = Op.Silu(Op.Conv1d(x, parameters[0]) + parameters[1]);
        z = Op.Silu(Op.Conv1d(z, parameters[2]) + parameters[3]);
        var epsNn = Op.Neg(Op.Silu(Op.Reshape(Op.Conv1d(z, parameters[4]) + parameters[5], l)));
        return SelfInteractionGate.Apply(density, epsNn, parameters[6], context);
    }
}

/// <summary>
/// The KSR self-interaction gate: <c>eps = beta (-v_H/2) + (1 - beta) eps_NN</c>, <c>beta = exp(-((h sum n - 1)/w)^2)</c>,
/// exact for one electron (where exchange cancels the Hartree self-interaction).
/// </summary>
public static class SelfInteractionGate
{
    /// <summary>Applies the gate.</summary>
    public static Var Apply(Var density, Var epsNn, Var width, XcContext context)
    {
        double h = context.H;
        var electrons = Op.Sum(density) * h;
        var beta = Op.Exp(Op.Neg(Op.Square((electrons - 1.0) / width)));
        var selfInteraction = Hartree.Potential(density, context.InteractionMatrix, h) * -0.5;
        return selfInteraction * beta + epsNn * (1.0 - beta);
    }
}
