using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>
/// The kinetic operator <c>T = -1/2 L / h^2</c> with the 5-point 4th-order Laplacian
/// (-1/12, 4/3, -5/2, 4/3, -1/12), truncated at the edges (zero boundary). T's bands are
/// (1.25, -2/3, 1/24) / h^2 on the diagonal and the first and second off-diagonals.
/// </summary>
public static class KineticOperator
{
    /// <summary>The three distinct band values (diagonal, first, second off-diagonal) for spacing h.</summary>
    public static (double Diagonal, double First, double Second) Bands(double h) =>
        (1.25 / (h * h), -2.0 / 3.0 / (h * h), 1.0 / 24.0 / (h * h));

    /// <summary>The dense kinetic matrix on a grid.</summary>
    public static Tensor Matrix(Grid1D grid)
    {
        int n = grid.Count;
        var (d0, d1, d2) = Bands(grid.Spacing);
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            m[i * n + i] = d0;
            if (i + 1 < n) { m[i * n + i + 1] = d1; m[(i + 1) * n + i] = d1; }
            if (i + 2 < n) { m[i * n + i + 2] = d2; m[(i + 2) * n + i] = d2; }
        }
        return Tensor.Wrap(m, n, n);
    }
}
