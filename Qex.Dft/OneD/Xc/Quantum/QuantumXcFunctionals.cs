using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.Models;

namespace Qex.Dft.OneD.Xc.Quantum;

/// <summary>
/// The global windowed model of the quantum-XC paper: the density (times the input scale) is cut into
/// non-overlapping windows of k points; one shared window model (a circuit, or the MLP control) gives one number per
/// window; a linear head (one weight per window, plus a bias) and the negativity transform -SiLU give E_xc.
/// With 513 points, k = 3, a 6-qubit 8-layer circuit: 144 + 171 + 1 = 316 parameters.
/// As an <see cref="IXcFunctional"/> it returns the uniform eps_xc = E_xc / (h sum n), so h sum eps n = E_xc.
/// Parameters: the window model's, then "W" (windows), "b" ().
/// </summary>
public sealed class GlobalWindowXc : IXcFunctional
{
    /// <summary>Creates the model for grids of <paramref name="gridPoints"/> points.</summary>
    /// <exception cref="ArgumentException">The grid size is not a multiple of the window size.</exception>
    public GlobalWindowXc(string name, IWindowModel model, int gridPoints = 513)
    {
        Name = name;
        Model = model ?? throw new ArgumentNullException(nameof(model));
        if (gridPoints % model.WindowSize != 0)
            throw new ArgumentException($"The global windowed model cuts the density into windows of {model.WindowSize}: the grid size {gridPoints} is not a multiple.");
        GridPoints = gridPoints;
        Windows = gridPoints / model.WindowSize;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The shared window model.</summary>
    public IWindowModel Model { get; }

    /// <summary>Grid points.</summary>
    public int GridPoints { get; }

    /// <summary>Number of windows (head weights).</summary>
    public int Windows { get; }

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key)
    {
        var (a, b) = key.Split();
        var items = Model.InitialParameters(a).ToList();
        items.Add(new NamedTensor("W", b.CreateGenerator().NormalTensor([Windows], 0, 1.0 / (6 * Math.Sqrt(Windows)))));
        items.Add(new NamedTensor("b", Tensor.Scalar(0.5)));
        return new ParameterSet(items);
    }

    /// <inheritdoc />
    public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context)
    {
        int m = Model.ParameterTensors;
        if (parameters.Count != m + 2) throw new ArgumentException($"{Name} takes {m + 2} parameter tensors; got {parameters.Count}.");
        if (density.Length != GridPoints) throw new ArgumentException($"{Name} was built for {GridPoints} grid points; the density has {density.Length}.");
        var windows = Op.Reshape(density, Windows, Model.WindowSize);
        var z = Model.Evaluate(windows, parameters.Take(m).ToList());                         // (windows)
        var head = Op.Sum(z * parameters[m]) + parameters[m + 1];
        var exc = Op.Neg(Op.Silu(head));                                                      // E_xc
        var count = Op.Sum(density) * context.H;
        return Op.BroadcastTo(Op.Reshape(exc / count, 1), [density.Length]);
    }
}

/// <summary>
/// A local model (window 1, LDA-like) or a stride-1 sliding-window model (window w, zero-padded at the edges,
/// GGA-like): one window per grid point, <c>eps_xc(x_i) = -SiLU(a f(window_i) + c)</c>. The same parameters work on
/// any grid size. Parameters: the window model's, then "a" (), "c" ().
/// </summary>
public sealed class SlidingWindowXc : IXcFunctional
{
    /// <summary>Creates the model.</summary>
    public SlidingWindowXc(string name, IWindowModel model)
    {
        Name = name;
        Model = model ?? throw new ArgumentNullException(nameof(model));
        if (model.WindowSize % 2 == 0) throw new ArgumentException($"A sliding window is centred on its grid point: odd sizes only (got {model.WindowSize}).");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The window model.</summary>
    public IWindowModel Model { get; }

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key)
    {
        var items = Model.InitialParameters(key).ToList();
        items.Add(new NamedTensor("a", Tensor.Scalar(0.1)));
        items.Add(new NamedTensor("c", Tensor.Scalar(0.0)));
        return new ParameterSet(items);
    }

    /// <inheritdoc />
    public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context)
    {
        int m = Model.ParameterTensors, w = Model.WindowSize, half = w / 2, l = density.Length;
        if (parameters.Count != m + 2) throw new ArgumentException($"{Name} takes {m + 2} parameter tensors; got {parameters.Count}.");
        var padded = Op.Pad(density, 0, half, half);
        var columns = new List<Var>(w);
        for (int j = 0; j < w; j++) columns.Add(Op.Reshape(Op.Slice(padded, 0, j, l), l, 1));
        var windows = w == 1 ? Op.Reshape(density, l, 1) : Op.Concat(columns, 1);
        var f = Model.Evaluate(windows, parameters.Take(m).ToList());
        return Op.Neg(Op.Silu(f * parameters[m] + parameters[m + 1]));
    }
}
