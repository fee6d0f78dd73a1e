namespace Qex.Autodiff.Optimisers;

/// <summary>Settings of <see cref="Adam"/>.</summary>
/// <param name="LearningRate">Step size.</param>
/// <param name="Beta1">Decay of the first-moment estimate.</param>
/// <param name="Beta2">Decay of the second-moment estimate.</param>
/// <param name="Epsilon">Added to the root of the second moment.</param>
public sealed record AdamOptions(double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);

/// <summary>The state of <see cref="Adam"/>, for checkpoints.</summary>
/// <param name="M">First-moment estimates.</param>
/// <param name="V">Second-moment estimates.</param>
/// <param name="Step">Number of steps taken.</param>
public sealed record AdamState(double[] M, double[] V, int Step);

/// <summary>The Adam optimiser (Kingma and Ba, 2015) on a flat parameter vector, with bias correction.</summary>
public sealed class Adam
{
    private readonly double[] _m, _v;
    private int _t;

    /// <summary>A fresh optimiser for <paramref name="size"/> parameters.</summary>
    public Adam(int size, AdamOptions? options = null)
    {
        Options = options ?? new AdamOptions();
        if (!(Options.LearningRate > 0)) throw new ArgumentException($"Adam: learning rate must be positive, got {Options.LearningRate}.");
        _m = new double[size];
        _v = new double[size];
    }

    /// <summary>Resumes from a saved state.</summary>
    public Adam(AdamState state, AdamOptions? options = null) : this(state.M.Length, options)
    {
        if (state.V.Length != state.M.Length) throw new ArgumentException("Adam state: M and V lengths differ.");
        state.M.CopyTo(_m, 0);
        state.V.CopyTo(_v, 0);
        _t = state.Step;
    }

    /// <summary>The settings.</summary>
    public AdamOptions Options { get; }

    /// <summary>A copy of the current state.</summary>
    public AdamState State => new((double[])_m.Clone(), (double[])_v.Clone(), _t);

    /// <summary>Updates <paramref name="x"/> in place from the gradient <paramref name="g"/>.</summary>
    /// <exception cref="ArgumentException">Wrong lengths, or a non-finite gradient (nothing is changed then).</exception>
    public void Step(Span<double> x, ReadOnlySpan<double> g)
    {
        if (x.Length != _m.Length || g.Length != _m.Length)
            throw new ArgumentException($"Adam: expected {_m.Length} parameters and gradients, got {x.Length} and {g.Length}.");
        for (int i = 0; i < g.Length; i++)
            if (!double.IsFinite(g[i])) throw new ArgumentException($"Adam: gradient component {i} is {g[i]}.");
        _t++;
        var o = Options;
        double c1 = 1 - Math.Pow(o.Beta1, _t), c2 = 1 - Math.Pow(o.Beta2, _t);
        for (int i = 0; i < x.Length; i++)
        {
            _m[i] = o.Beta1 * _m[i] + (1 - o.Beta1) * g[i];
            _v[i] = o.Beta2 * _v[i] + (1 - o.Beta2) * g[i] * g[i];
            x[i] -= o.LearningRate * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + o.Epsilon);
        }
    }
}
