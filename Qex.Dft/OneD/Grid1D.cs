using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>
/// A uniform one-dimensional grid in Bohr. The spacing is <c>(x_max - x_min) / (M - 1)</c>, as in the reference data.
/// </summary>
public sealed record Grid1D
{
    /// <summary>Creates a grid from its points, which must be uniformly spaced and increasing.</summary>
    /// <exception cref="ArgumentException">Fewer than 5 points, or the points are not uniform.</exception>
    public Grid1D(Tensor points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Rank != 1 || points.Length < 5)
            throw new ArgumentException($"A 1D grid needs a vector of at least 5 points; got shape {ShapeUtil.Format(points.Shape)}.");
        var x = points.Span;
        Spacing = (x[^1] - x[0]) / (x.Length - 1);
        if (!(Spacing > 0)) throw new ArgumentException("Grid points must increase.");
        for (int i = 0; i < x.Length; i++)
            if (Math.Abs(x[i] - (x[0] + i * Spacing)) > 1e-6 * Spacing)
                throw new ArgumentException($"Grid point {i} ({x[i]}) is off the uniform spacing {Spacing}.");
        Points = points;
    }

    /// <summary>The grid points.</summary>
    public Tensor Points { get; }

    /// <summary>The spacing h.</summary>
    public double Spacing { get; }

    /// <summary>The number of points.</summary>
    public int Count => Points.Length;

    /// <summary><c>count</c> points from <paramref name="min"/> to <paramref name="max"/> inclusive.</summary>
    public static Grid1D Linspace(double min, double max, int count)
    {
        if (count < 5) throw new ArgumentException($"A 1D grid needs at least 5 points; got {count}.");
        double h = (max - min) / (count - 1);
        return new Grid1D(Tensor.Create([count], d => { for (int i = 0; i < count; i++) d[i] = min + i * h; }));
    }

    /// <summary>The grid of the reference data: 513 points, h = 0.08, from -20.48 to 20.48.</summary>
    public static Grid1D Standard() => Linspace(-20.48, 20.48, 513);

    /// <summary>Index of the grid point at <paramref name="x"/>, or -1 when x is not on the grid.</summary>
    public int IndexOf(double x)
    {
        double t = (x - Points[0]) / Spacing;
        int i = (int)Math.Round(t);
        return i >= 0 && i < Count && Math.Abs(t - i) < 1e-6 ? i : -1;
    }

    /// <summary>h * sum f (the quadrature of the reference code).</summary>
    public double Integrate(ReadOnlySpan<double> f)
    {
        double s = 0;
        foreach (double v in f) s += v;
        return s * Spacing;
    }
}
