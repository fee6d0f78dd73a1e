using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>LU factorisation with partial pivoting, <c>P A = L U</c>, for general square systems.</summary>
public sealed class LuDecomposition
{
    private readonly double[] _lu;
    private readonly int[] _perm;
    private readonly int _sign;

    /// <summary>Order of the matrix.</summary>
    public int Order { get; }

    private LuDecomposition(double[] lu, int[] perm, int sign, int n)
    {
        _lu = lu; _perm = perm; _sign = sign; Order = n;
    }

    /// <summary>Factorises <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">Not square, or exactly singular (names the zero pivot).</exception>
    public static LuDecomposition Decompose(Tensor a)
    {
        int n = ShapeUtil.RequireSquare(a, "LU");
        var lu = a.ToArray();
        var perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        int sign = 1;
        for (int k = 0; k < n; k++)
        {
            int p = k; double best = Math.Abs(lu[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(lu[i * n + k]);
                if (v > best) { best = v; p = i; }
            }
            if (best == 0 || !double.IsFinite(best))
                throw new ArgumentException($"LU: the matrix is singular or not finite (pivot column {k}).");
            if (p != k)
            {
                var rk = lu.AsSpan(k * n, n);
                var rp = lu.AsSpan(p * n, n);
                for (int j = 0; j < n; j++) (rk[j], rp[j]) = (rp[j], rk[j]);
                (perm[k], perm[p]) = (perm[p], perm[k]);
                sign = -sign;
            }
            double inv = 1 / lu[k * n + k];
            var rowk = lu.AsSpan(k * n + k + 1, n - k - 1);
            for (int i = k + 1; i < n; i++)
            {
                double f = lu[i * n + k] *= inv;
                if (f == 0) continue;
                var rowi = lu.AsSpan(i * n + k + 1, n - k - 1);
                for (int j = 0; j < rowi.Length; j++) rowi[j] -= f * rowk[j];
            }
        }
        return new LuDecomposition(lu, perm, sign, n);
    }

    /// <summary>Solves <c>A X = B</c> (or <c>A^T X = B</c>) for a vector or matrix right-hand side.</summary>
    public Tensor Solve(Tensor b, bool transpose = false)
    {
        var (x0, m) = Cholesky.RhsCopy(b, Order, "LU.Solve");
        int n = Order;
        if (!transpose)
        {
            // P A = L U  =>  x = U^-1 L^-1 P b
            var x = new double[x0.Length];
            for (int i = 0; i < n; i++) Array.Copy(x0, _perm[i] * m, x, i * m, m);
            Triangular.SolveLower(_lu, n, x, m, unitDiagonal: true, transpose: false);
            Triangular.SolveUpper(_lu, n, x, m, transpose: false);
            return Tensor.Wrap(x, b.ShapeArray());
        }
        // A^T = U^T L^T P  =>  x = P^T L^-T U^-T b
        Triangular.SolveUpper(_lu, n, x0, m, transpose: true);
        Triangular.SolveLower(_lu, n, x0, m, unitDiagonal: true, transpose: true);
        var res = new double[x0.Length];
        for (int i = 0; i < n; i++) Array.Copy(x0, i * m, res, _perm[i] * m, m);
        return Tensor.Wrap(res, b.ShapeArray());
    }

    /// <summary>The determinant of A.</summary>
    public double Determinant()
    {
        double d = _sign;
        for (int i = 0; i < Order; i++) d *= _lu[i * Order + i];
        return d;
    }
}
