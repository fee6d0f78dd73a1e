using Qex.Autodiff;

namespace Qex.Dft.OneD;

/// <summary>
/// Averaging with the mirror image about the molecule centre c, over the largest symmetric window inside the grid:
/// about the grid point at c, or, when c lies between two points, about their midpoint. Points outside the window
/// are left unchanged. The operator is linear and idempotent.
/// </summary>
public sealed class ReflectionSymmetry
{
    private readonly int[] _mirror;

    /// <summary>The reflection about <paramref name="centre"/> on <paramref name="grid"/>.</summary>
    /// <exception cref="ArgumentException">The centre is neither on a grid point nor midway between two.</exception>
    public ReflectionSymmetry(Grid1D grid, double centre)
    {
        double t = (centre - grid.Points[0]) / grid.Spacing;
        double twice = Math.Round(2 * t);
        if (Math.Abs(2 * t - twice) > 1e-6)
            throw new ArgumentException($"The molecule centre {centre} is neither on a grid point nor midway between two.");
        int sum = (int)twice; // mirror of index j is sum - j
        int n = grid.Count;
        _mirror = new int[n];
        for (int j = 0; j < n; j++)
        {
            int m = sum - j;
            _mirror[j] = m >= 0 && m < n ? m : j;
        }
        Centre = centre;
    }

    /// <summary>The centre of reflection.</summary>
    public double Centre { get; }

    /// <summary>(f + f o mirror) / 2.</summary>
    public Var Apply(Var f) => (f + Op.Gather(f, 0, _mirror)) * 0.5;
}
