using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Xc;

/// <summary>
/// The KSR-global neural XC functional of Li et al. (PRL 126, 036401, 2021), 1568 parameters:
/// channel 0 is n, channels 1..15 are exponential global convolutions
/// <c>G_p[n](x) = h sum_x' n(x') exp(-|x - x'| / xi_p) / (2 xi_p)</c>, <c>xi_p = 0.1 + (2.385345 - 0.1) sigmoid(eta_p)</c>;
/// then Conv(3, 16-&gt;16) - SiLU - Conv(3, 16-&gt;16) - SiLU - Conv(1, 16-&gt;1) - (-SiLU), and the self-interaction
/// gate <c>eps = beta (-v_H/2) + (1 - beta) eps_NN</c>, <c>beta = exp(-((h sum n - 1)/w)^2)</c>.
/// Parameters in order: eta (15), W1 (3,16,16), W2 (3,16,16), W3 (1,16,1), w ().
/// </summary>
public sealed class KsrGlobal : IXcFunctional
{
    /// <summary>Number of global-convolution channels.</summary>
    public const int GlobalChannels = 15;

    /// <summary>Width of the hidden layers.</summary>
    public const int Hidden = 16;

    /// <summary>Smallest and largest decay length of the global convolutions.</summary>
    public const double MinLength = 0.1, MaxLength = 2.385345;

    /// <summary>The parameter names, in order.</summary>
    public static readonly string[] ParameterNames = ["eta", "W1", "W2", "W3", "w"];

    /// <inheritdoc />
    public string Name => "ksr-global";

    /// <summary>
    /// Fresh parameters: eta ~ N(0, 0.01^2), convolution weights He-normal (truncated at 2 sigma, variance 2 / (width x input channels)), as in JAX-DFT, w = 1.
    /// </summary>
    public ParameterSet InitialParameters(RngKey key)
    {
        var keys = key.Split(4);
        Tensor He(RngKey k, int width, int cin, int cout) => k.CreateGenerator().HeNormalTensor([width, cin, cout], width * cin);
        return new ParameterSet(
        [
            new NamedTensor("eta", keys[0].CreateGenerator().NormalTensor([GlobalChannels], 0, 0.01)),
            new NamedTensor("W1", He(keys[1], 3, Hidden, Hidden)),
            new NamedTensor("W2", He(keys[2], 3, Hidden, Hidden)),
            new NamedTensor("W3", He(keys[3], 1, Hidden, 1)),
            new NamedTensor("w", Tensor.Scalar(1.0)),
        ]);
    }

    /// <summary>Reads published parameters from a folder of eta.npy, W1.npy, W2.npy, W3.npy and w.npy.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file has the wrong shape.</exception>
    public static ParameterSet LoadNpyDirectory(string directory)
    {
        var expected = new Dictionary<string, int[]>
        {
            ["eta"] = [GlobalChannels], ["W1"] = [3, Hidden, Hidden], ["W2"] = [3, Hidden, Hidden], ["W3"] = [1, Hidden, 1], ["w"] = [],
        };
        var items = new List<NamedTensor>();
        foreach (string name in ParameterNames)
        {
            string path = Path.Combine(directory, name + ".npy");
            if (!File.Exists(path)) throw new FileNotFoundException($"KSR-global parameters: '{path}' is missing.", path);
            var t = Npy.ReadTensor(path);
            if (!t.Shape.SequenceEqual(expected[name]))
                throw new InvalidDataException($"KSR-global parameter {name} in '{path}' has shape {ShapeUtil.Format(t.Shape)}, expected {ShapeUtil.Format(expected[name])}.");
            items.Add(new NamedTensor(name, t));
        }
        return new ParameterSet(items);
    }

    /// <inheritdoc />
    public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context)
    {
        if (parameters.Count != 5) throw new ArgumentException($"KSR-global takes 5 parameter tensors (eta, W1, W2, W3, w); got {parameters.Count}.");
        var (eta, w1, w2, w3, w) = (parameters[0], parameters[1], parameters[2], parameters[3], parameters[4]);
        int l = density.Length;
        double h = context.H;
        var xi = Op.Sigmoid(eta) * (MaxLength - MinLength) + MinLength;                 // (15)
        var xiCol = Op.Reshape(xi, GlobalChannels, 1);
        var offsets = Var.Constant(Tensor.Create([1, 2 * l - 1], d => { for (int t = 0; t < d.Length; t++) d[t] = Math.Abs(t - (l - 1)) * h; }));
        var kernels = Op.Exp(Op.Neg(offsets / xiCol)) / xiCol * (0.5 * h);           // (15, 2L-1)
        var global = Op.GlobalConv(density, kernels);                                  // (L, 15)
        var features = Op.Concat([Op.Reshape(density, l, 1), global], 1);             // (L, 16)
        var z = Op.Silu(Op.Conv1d(features, w1));
        z = Op.Silu(Op.Conv1d(z, w2));
        var epsNn = Op.Neg(Op.Silu(Op.Reshape(Op.Conv1d(z, w3), l)));
        return SelfInteractionGate.Apply(density, epsNn, w, context);
    }
}
