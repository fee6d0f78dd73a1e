namespace Qex.Core.LinearAlgebra;

/// <summary>
/// In-place triangular solves on row-major n x n factors for a right-hand side of <c>cols</c> columns (row-major
/// n x cols). Every variant walks rows of the factor, so the inner loops are contiguous.
/// </summary>
internal static class Triangular
{
    /// <summary>Solves L x = b (or L^T x = b) with L the lower triangle of <paramref name="m"/>.</summary>
    public static void SolveLower(ReadOnlySpan<double> m, int n, Span<double> x, int cols, bool unitDiagonal, bool transpose)
    {
        if (!transpose)
        {
            for (int i = 0; i < n; i++)
            {
                var xi = x.Slice(i * cols, cols);
                for (int p = 0; p < i; p++) Axpy(-m[i * n + p], x.Slice(p * cols, cols), xi);
                if (!unitDiagonal) Scale(1 / m[i * n + i], xi);
            }
        }
        else
        {
            for (int i = n - 1; i >= 0; i--)
            {
                var xi = x.Slice(i * cols, cols);
                if (!unitDiagonal) Scale(1 / m[i * n + i], xi);
                for (int p = 0; p < i; p++) Axpy(-m[i * n + p], xi, x.Slice(p * cols, cols));
            }
        }
    }

    /// <summary>Solves U x = b (or U^T x = b) with U the upper triangle of <paramref name="m"/>.</summary>
    public static void SolveUpper(ReadOnlySpan<double> m, int n, Span<double> x, int cols, bool transpose)
    {
        if (!transpose)
        {
            for (int i = n - 1; i >= 0; i--)
            {
                var xi = x.Slice(i * cols, cols);
                for (int p = i + 1; p < n; p++) Axpy(-m[i * n + p], x.Slice(p * cols, cols), xi);
                Scale(1 / m[i * n + i], xi);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                var xi = x.Slice(i * cols, cols);
                Scale(1 / m[i * n + i], xi);
                for (int p = i + 1; p < n; p++) Axpy(-m[i * n + p], xi, x.Slice(p * cols, cols));
            }
        }
    }

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        if (a == 0) return;
        for (int c = 0; c < y.Length; c++) y[c] += a * x[c];
    }

    private static void Scale(double a, Span<double> x)
    {
        for (int c = 0; c < x.Length; c++) x[c] *= a;
    }
}
