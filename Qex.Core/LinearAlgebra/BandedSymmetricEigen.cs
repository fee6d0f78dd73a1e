using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>
/// The lowest eigenpairs of a symmetric band matrix in O(n b^2) per eigenpair: eigenvalues by bisection on
/// Sturm counts (the inertia of the LDL^T factorisation of A - sigma I), eigenvectors by inverse iteration with a
/// banded LU, re-orthogonalised within clusters of close eigenvalues. Every result is verified (residual and
/// orthogonality); a result that fails is recomputed with the dense solver, so the answer is always as accurate as
/// <see cref="SymmetricEigen"/>.
/// </summary>
public static class BandedSymmetricEigen
{
    /// <summary>The <paramref name="k"/> lowest eigenpairs, ascending, vectors as columns (n, k).</summary>
    /// <exception cref="ArgumentException">k out of range or non-finite entries.</exception>
    public static EigenDecomposition Lowest(SymmetricBandMatrix a, int k)
    {
        ArgumentNullException.ThrowIfNull(a);
        int n = a.Order;
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"Asked for the lowest {k} eigenpairs of an order-{n} matrix.");
        foreach (var band in a.Bands)
            foreach (double v in band)
                if (!double.IsFinite(v)) throw new ArgumentException("Banded eigensolver: the matrix contains NaN or infinity.");
        if (n <= 8 || 3 * k > n) return SymmetricEigen.Lowest(a.ToDense(), k);
        return TryBanded(a, k) ?? SymmetricEigen.Lowest(a.ToDense(), k);
    }

    /// <summary>The banded algorithm alone: null when its result fails verification.</summary>
    internal static EigenDecomposition? TryBanded(SymmetricBandMatrix a, int k)
    {
        int n = a.Order;
        var values = Bisection(a, k);
        var vectors = InverseIteration(a, values);
        if (!Verify(a, values, vectors)) return null;
        EigenvectorKernels.FixSigns(vectors, n, k);
        return new EigenDecomposition(Tensor.Wrap(values, k), Tensor.Wrap(vectors, n, k));
    }

    private const double Eps = 1.1102230246251565e-16;

    /// <summary>Number of eigenvalues below sigma: negative pivots of LDL^T of A - sigma I (zero pivots perturbed).</summary>
    internal static int CountBelow(SymmetricBandMatrix a, double sigma, double pivmin, double[] d, double[] l)
    {
        int n = a.Order, b = a.Bandwidth, count = 0;
        // l: row-major window, l[i * b + (j - (i - b))] for j in [i-b, i-1]
        for (int i = 0; i < n; i++)
        {
            int j0 = Math.Max(0, i - b);
            for (int j = j0; j < i; j++)
            {
                double s = a.Bands[i - j][j];
                for (int p = Math.Max(j0, j - b); p < j; p++)
                    s -= l[i * b + p - (i - b)] * d[p] * l[j * b + p - (j - b)];
                l[i * b + j - (i - b)] = s / d[j];
            }
            double di = a.Bands[0][i] - sigma;
            for (int p = j0; p < i; p++)
            {
                double lip = l[i * b + p - (i - b)];
                di -= lip * lip * d[p];
            }
            if (Math.Abs(di) < pivmin) di = -pivmin;
            d[i] = di;
            if (di < 0) count++;
        }
        return count;
    }

    private static double[] Bisection(SymmetricBandMatrix a, int k)
    {
        int n = a.Order, b = a.Bandwidth;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double r = 0;
            for (int q = 1; q <= b; q++)
            {
                if (i + q < n) r += Math.Abs(a.Bands[q][i]);
                if (i - q >= 0) r += Math.Abs(a.Bands[q][i - q]);
            }
            lo = Math.Min(lo, a.Bands[0][i] - r);
            hi = Math.Max(hi, a.Bands[0][i] + r);
        }
        double norm = Math.Max(Math.Abs(lo), Math.Abs(hi));
        double pivmin = Math.Max(norm, 1e-300) * 1e-290 + double.Epsilon;
        lo -= 4 * Eps * norm + pivmin; hi += 4 * Eps * norm + pivmin;
        var d = new double[n];
        var l = new double[n * Math.Max(b, 1)];
        var w = new double[k];
        double atol = 2 * Eps * norm;
        double start = lo;
        for (int j = 0; j < k; j++)
        {
            double x0 = start, x1 = hi;
            for (int it = 0; it < 200 && x1 - x0 > Math.Max(atol, 4 * Eps * Math.Max(Math.Abs(x0), Math.Abs(x1))); it++)
            {
                double mid = 0.5 * (x0 + x1);
                if (CountBelow(a, mid, pivmin, d, l) >= j + 1) x1 = mid; else x0 = mid;
            }
            w[j] = 0.5 * (x0 + x1);
            start = x0;
        }
        return w;
    }

    private static double[] InverseIteration(SymmetricBandMatrix a, double[] w)
    {
        int n = a.Order, k = w.Length, b = a.Bandwidth;
        double norm = Math.Max(a.NormInf(), 1e-300);
        double ortol = 1e-3 * norm, pertol = 10 * Eps * norm;
        var z = new double[n * k];
        var cols = new double[k][];
        var x = new double[n];
        ulong seed = 0x9E3779B97F4A7C15UL;
        int clusterStart = 0;
        double prev = double.NegativeInfinity;
        for (int j = 0; j < k; j++)
        {
            double lam = w[j];
            if (j > 0 && lam - prev < pertol) lam = prev + pertol;
            if (j == 0 || w[j] - w[j - 1] > ortol) clusterStart = j;
            prev = lam;
            double shift = lam;
            var lu = BandedLu.Factor(n, b, b, (r, c) => a[r, c] - (r == c ? shift : 0), tinyPivot: Eps * norm);
            for (int i = 0; i < n; i++)
            {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                x[i] = ((seed >> 11) * (1.0 / (1UL << 53))) - 0.5;
            }
            for (int iter = 0; iter < 4; iter++)
            {
                EigenvectorKernels.Orthogonalize(x, cols, clusterStart, j);
                EigenvectorKernels.Normalize(x);
                lu.Solve(x);
                EigenvectorKernels.Orthogonalize(x, cols, clusterStart, j);
                EigenvectorKernels.Normalize(x);
            }
            cols[j] = (double[])x.Clone();
            for (int i = 0; i < n; i++) z[i * k + j] = x[i];
        }
        return z;
    }

    /// <summary>Residuals |A v - l v| and |V^T V - I| within a few hundred ulps of the norm.</summary>
    private static bool Verify(SymmetricBandMatrix a, double[] w, double[] z)
    {
        int n = a.Order, k = w.Length;
        double norm = Math.Max(a.NormInf(), 1e-300);
        var v = new double[n];
        var av = new double[n];
        var all = new double[k][];
        for (int j = 0; j < k; j++)
        {
            for (int i = 0; i < n; i++) v[i] = z[i * k + j];
            a.Multiply(v, av);
            for (int i = 0; i < n; i++)
                if (!(Math.Abs(av[i] - w[j] * v[i]) <= 1e3 * Eps * norm)) return false;
            all[j] = (double[])v.Clone();
        }
        for (int p = 0; p < k; p++)
            for (int q = 0; q <= p; q++)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += all[p][i] * all[q][i];
                if (!(Math.Abs(s - (p == q ? 1 : 0)) <= 1e-10)) return false;
            }
        return true;
    }
}
