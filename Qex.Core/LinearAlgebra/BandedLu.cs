namespace Qex.Core.LinearAlgebra;

/// <summary>
/// LU factorisation with partial pivoting of a general band matrix (kl sub-, ku super-diagonals), as LAPACK's
/// gbtrf: row interchanges widen U to kl + ku super-diagonals. Storage is one window of columns per row.
/// </summary>
public sealed class BandedLu
{
    private readonly int _n, _kl, _ku, _w;
    private readonly double[] _ab;      // row i holds columns i-kl .. i+ku+kl at offsets 0 .. w-1
    private readonly double[] _mult;    // multipliers, kl per column
    private readonly int[] _piv;
    private int _tinyPivots;

    private BandedLu(int n, int kl, int ku)
    {
        _n = n; _kl = kl; _ku = ku; _w = 2 * kl + ku + 1;
        _ab = new double[n * _w];
        _mult = new double[Math.Max(1, n * kl)];
        _piv = new int[n];
    }

    /// <summary>Number of pivots that were exactly zero and replaced by a tiny value (near-singular systems).</summary>
    public int TinyPivots => _tinyPivots;

    /// <summary>Factorises an n x n band matrix given by an element function that is zero outside the band.</summary>
    /// <param name="n">Order.</param>
    /// <param name="kl">Number of sub-diagonals.</param>
    /// <param name="ku">Number of super-diagonals.</param>
    /// <param name="element">A[i, j] for |i - j| inside the band.</param>
    /// <param name="tinyPivot">Replacement for exactly zero pivots (0: throw instead).</param>
    /// <exception cref="ArgumentException">A zero pivot with <paramref name="tinyPivot"/> = 0.</exception>
    public static BandedLu Factor(int n, int kl, int ku, Func<int, int, double> element, double tinyPivot = 0)
    {
        var lu = new BandedLu(n, kl, ku);
        for (int i = 0; i < n; i++)
            for (int j = Math.Max(0, i - kl); j <= Math.Min(n - 1, i + ku); j++)
                lu._ab[i * lu._w + j - i + kl] = element(i, j);
        lu.Decompose(tinyPivot);
        return lu;
    }

    private ref double At(int i, int j) => ref _ab[i * _w + j - i + _kl];

    private void Decompose(double tinyPivot)
    {
        int n = _n, kl = _kl, span = _ku + _kl;
        for (int k = 0; k < n; k++)
        {
            int last = Math.Min(n - 1, k + kl);
            int p = k;
            double best = Math.Abs(At(k, k));
            for (int r = k + 1; r <= last; r++)
            {
                double v = Math.Abs(At(r, k));
                if (v > best) { best = v; p = r; }
            }
            _piv[k] = p;
            int jEnd = Math.Min(n - 1, k + span);
            if (p != k)
                for (int j = k; j <= jEnd; j++) (At(k, j), At(p, j)) = (At(p, j), At(k, j));
            double pivot = At(k, k);
            if (pivot == 0)
            {
                if (tinyPivot == 0) throw new ArgumentException($"Banded LU: the matrix is singular (zero pivot in column {k}).");
                At(k, k) = pivot = tinyPivot;
                _tinyPivots++;
            }
            for (int r = k + 1; r <= last; r++)
            {
                double l = At(r, k) / pivot;
                _mult[k * kl + (r - k - 1)] = l;
                At(r, k) = 0;
                if (l == 0) continue;
                for (int j = k + 1; j <= jEnd; j++) At(r, j) -= l * At(k, j);
            }
        }
    }

    /// <summary>Solves A x = b in place.</summary>
    public void Solve(Span<double> x)
    {
        int n = _n, kl = _kl, span = _ku + _kl;
        if (x.Length != n) throw new ArgumentException($"Banded LU: right-hand side of length {x.Length} for order {n}.");
        for (int k = 0; k < n; k++)
        {
            int p = _piv[k];
            if (p != k) (x[k], x[p]) = (x[p], x[k]);
            int last = Math.Min(n - 1, k + kl);
            for (int r = k + 1; r <= last; r++) x[r] -= _mult[k * kl + (r - k - 1)] * x[k];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            int jEnd = Math.Min(n - 1, i + span);
            for (int j = i + 1; j <= jEnd; j++) s -= At(i, j) * x[j];
            x[i] = s / At(i, i);
        }
    }
}
