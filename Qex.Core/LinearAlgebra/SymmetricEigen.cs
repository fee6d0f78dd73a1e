using System.Numerics;
using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>
/// Eigenpairs of real symmetric matrices: all of them, or the lowest k.
/// </summary>
/// <remarks>
/// Householder reduction to tridiagonal form (only the lower triangle is read), eigenvalues by implicit QL (all) or
/// Sturm bisection (lowest k), eigenvectors of the tridiagonal matrix by inverse iteration with re-orthogonalisation
/// inside clusters of close eigenvalues (as LAPACK's dstein), then back-transformation by the Householder reflectors.
/// Each eigenvector's sign is fixed so that its component of largest magnitude is positive.
/// </remarks>
public static class SymmetricEigen
{
    /// <summary>All eigenpairs of the symmetric matrix <paramref name="a"/> (its lower triangle is used).</summary>
    /// <exception cref="ArgumentException">The matrix is not square or contains NaN or infinity.</exception>
    public static EigenDecomposition Decompose(Tensor a)
    {
        int n = ShapeUtil.RequireSquare(a, "SymmetricEigen.Decompose");
        return Solve(a, n, n);
    }

    /// <summary>The <paramref name="k"/> lowest eigenpairs of the symmetric matrix <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is not square, k is out of range, or values are not finite.</exception>
    public static EigenDecomposition Lowest(Tensor a, int k)
    {
        int n = ShapeUtil.RequireSquare(a, "SymmetricEigen.Lowest");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"Asked for the lowest {k} eigenpairs of a {n}x{n} matrix.");
        return Solve(a, n, k);
    }

    /// <summary>Only the eigenvalues (ascending) of the symmetric matrix <paramref name="a"/>.</summary>
    public static Tensor Eigenvalues(Tensor a)
    {
        int n = ShapeUtil.RequireSquare(a, "SymmetricEigen.Eigenvalues");
        var work = CopyChecked(a);
        var d = new double[n];
        var e = new double[n];
        var tau = new double[n];
        Tridiagonal.Reduce(work, n, d, e, tau);
        var ev = Tridiagonal.AllEigenvalues(d, e);
        return Tensor.Wrap(ev, n);
    }

    private static double[] CopyChecked(Tensor a)
    {
        var w = a.ToArray();
        foreach (double x in w)
            if (!double.IsFinite(x)) throw new ArgumentException("Symmetric eigendecomposition: the matrix contains NaN or infinity.");
        return w;
    }

    private static EigenDecomposition Solve(Tensor a, int n, int k)
    {
        var work = CopyChecked(a);
        var d = new double[n];
        var e = new double[n];
        var tau = new double[n];
        Tridiagonal.Reduce(work, n, d, e, tau);
        double[] values = k == n || k > n / 3
            ? Tridiagonal.AllEigenvalues(d, e)[..k]
            : Tridiagonal.LowestEigenvalues(d, e, k);
        // z: n x k row-major, column j = eigenvector j of T.
        var z = Tridiagonal.InverseIteration(d, e, values);
        Tridiagonal.BackTransform(work, n, tau, z, k);
        EigenvectorKernels.FixSigns(z, n, k);
        return new EigenDecomposition(Tensor.Wrap(values, k), Tensor.Wrap(z, n, k));
    }
}

/// <summary>Kernels on symmetric tridiagonal matrices (diagonal d, off-diagonal e[0..n-2]).</summary>
internal static class Tridiagonal
{
    /// <summary>
    /// Householder reduction of the symmetric matrix in <paramref name="a"/> (row-major n x n, lower triangle read)
    /// to tridiagonal form. On exit row k of <paramref name="a"/> holds the reflector v_k in columns k+1..n-1
    /// (v_k[k+1] = 1), with H_k = I - tau_k v_k v_k^T and A = Q T Q^T, Q = H_0 H_1 ... H_{n-3}.
    /// </summary>
    public static void Reduce(double[] a, int n, double[] d, double[] e, double[] tau)
    {
        // Work on the lower triangle: row i, columns 0..i. Reflector for column k: x = A[k+1..n-1, k].
        var p = new double[n];
        var v = new double[n];
        for (int k = 0; k < n - 2; k++)
        {
            int l = n - k - 1; // length of x
            // x_i = A[k+1+i, k]
            double alpha = a[(k + 1) * n + k];
            double xnorm2 = 0;
            for (int i = 1; i < l; i++) { double xi = a[(k + 1 + i) * n + k]; xnorm2 += xi * xi; }
            if (xnorm2 == 0)
            {
                tau[k] = 0;
                e[k] = alpha;
                for (int i = 0; i < l; i++) a[k * n + k + 1 + i] = i == 0 ? 1 : 0;
                continue;
            }
            double beta = -Math.CopySign(Math.Sqrt(alpha * alpha + xnorm2), alpha);
            double t = (beta - alpha) / beta;
            double scal = 1.0 / (alpha - beta);
            v[0] = 1;
            for (int i = 1; i < l; i++) v[i] = a[(k + 1 + i) * n + k] * scal;
            tau[k] = t;
            e[k] = beta;
            // p = t * A22 v, using the lower triangle of A22 (rows/cols k+1..n-1).
            var ps = p.AsSpan(0, l);
            ps.Clear();
            var vs = v.AsSpan(0, l);
            for (int i = 0; i < l; i++)
            {
                var row = a.AsSpan((k + 1 + i) * n + k + 1, i + 1); // A22[i, 0..i]
                double vi = vs[i];
                // strictly lower part contributes to p_i (dot) and p_j (axpy)
                p[i] += Dot(row[..i], vs[..i]) + row[i] * vi;
                Axpy(vi, row[..i], ps[..i]);
            }
            double pv = 0;
            for (int i = 0; i < l; i++) { p[i] *= t; pv += p[i] * vs[i]; }
            double half = 0.5 * t * pv;
            for (int i = 0; i < l; i++) p[i] -= half * vs[i]; // w
            // A22 -= v w^T + w v^T (lower triangle)
            for (int i = 0; i < l; i++)
            {
                var row = a.AsSpan((k + 1 + i) * n + k + 1, i + 1);
                Axpy(-vs[i], ps[..(i + 1)], row);
                Axpy(-p[i], vs[..(i + 1)], row);
            }
            // store reflector in row k (upper part, which is no longer read)
            for (int i = 0; i < l; i++) a[k * n + k + 1 + i] = vs[i];
        }
        if (n >= 2)
        {
            e[n - 2] = a[(n - 1) * n + n - 2];
            tau[n - 2] = 0;
        }
        for (int i = 0; i < n; i++) d[i] = a[i * n + i];
        e[n - 1] = 0;
        if (n >= 1) tau[n - 1] = 0;
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int n = x.Length, i = 0;
        double s = 0;
        if (Vector.IsHardwareAccelerated && n >= 2 * Vector<double>.Count)
        {
            var acc0 = Vector<double>.Zero; var acc1 = Vector<double>.Zero;
            int w = Vector<double>.Count;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                acc0 += new Vector<double>(x[i..]) * new Vector<double>(y[i..]);
                acc1 += new Vector<double>(x[(i + w)..]) * new Vector<double>(y[(i + w)..]);
            }
            s = Vector.Sum(acc0 + acc1);
        }
        for (; i < n; i++) s += x[i] * y[i];
        return s;
    }

    private static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int n = x.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            int w = Vector<double>.Count;
            for (; i <= n - w; i += w)
                (new Vector<double>(y[i..]) + va * new Vector<double>(x[i..])).CopyTo(y[i..]);
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    /// <summary>All eigenvalues of the tridiagonal matrix by implicit QL with Wilkinson shifts, ascending.</summary>
    public static double[] AllEigenvalues(double[] d0, double[] e0)
    {
        int n = d0.Length;
        var d = (double[])d0.Clone();
        var e = new double[n];
        Array.Copy(e0, e, n);
        // an off-diagonal element deflates when it is negligible next to its diagonal neighbours or to the whole matrix:
        // QL's eigenvalues are accurate to eps ||T|| anyway, and without the absolute test a cluster of eigenvalues near
        // zero (a rank-deficient matrix such as a density) has to shrink its couplings far below round-off and never does
        double tiny = 1e-16 * Norm1(d, e);
        for (int l = 0; l < n; l++)
        {
            int iter = 0;
            while (true)
            {
                int m;
                for (m = l; m < n - 1; m++)
                {
                    double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                    if (Math.Abs(e[m]) <= tiny || Math.Abs(e[m]) <= 1e-16 * dd) break;
                }
                if (m == l) break;
                if (++iter > 60) throw new InvalidOperationException("Tridiagonal QL did not converge in 60 iterations.");
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                double r = Hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + Math.CopySign(r, g));
                double s = 1, c = 1, p = 0;
                int i;
                bool underflow = false;
                for (i = m - 1; i >= l; i--)
                {
                    double f = s * e[i], b = c * e[i];
                    e[i + 1] = r = Hypot(f, g);
                    if (r == 0)
                    {
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r; c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                }
                if (underflow) continue;
                d[l] -= p; e[l] = g; e[m] = 0;
            }
        }
        Array.Sort(d);
        return d;
    }

    private static double Hypot(double a, double b)
    {
        a = Math.Abs(a); b = Math.Abs(b);
        if (a < b) (a, b) = (b, a);
        if (a == 0) return 0;
        double r = b / a;
        return a * Math.Sqrt(1 + r * r);
    }

    private static double Norm1(double[] d, double[] e)
    {
        int n = d.Length;
        double nrm = 0;
        for (int i = 0; i < n; i++)
        {
            double s = Math.Abs(d[i]) + (i > 0 ? Math.Abs(e[i - 1]) : 0) + (i < n - 1 ? Math.Abs(e[i]) : 0);
            nrm = Math.Max(nrm, s);
        }
        return nrm;
    }

    /// <summary>Number of eigenvalues strictly below <paramref name="x"/> (Sturm sequence).</summary>
    private static int CountBelow(double[] d, double[] e2, double x, double pivmin)
    {
        int n = d.Length, count = 0;
        double q = d[0] - x;
        if (Math.Abs(q) < pivmin) q = -pivmin;
        if (q < 0) count++;
        for (int i = 1; i < n; i++)
        {
            q = d[i] - x - e2[i - 1] / q;
            if (Math.Abs(q) < pivmin) q = -pivmin;
            if (q < 0) count++;
        }
        return count;
    }

    /// <summary>The k lowest eigenvalues by bisection on Sturm counts, ascending.</summary>
    public static double[] LowestEigenvalues(double[] d, double[] e, int k)
    {
        int n = d.Length;
        var e2 = new double[Math.Max(n - 1, 1)];
        double gl = double.PositiveInfinity, gu = double.NegativeInfinity, emax2 = 0;
        for (int i = 0; i < n; i++)
        {
            double r = (i > 0 ? Math.Abs(e[i - 1]) : 0) + (i < n - 1 ? Math.Abs(e[i]) : 0);
            gl = Math.Min(gl, d[i] - r); gu = Math.Max(gu, d[i] + r);
            if (i < n - 1) { e2[i] = e[i] * e[i]; emax2 = Math.Max(emax2, e2[i]); }
        }
        double tnorm = Math.Max(Math.Abs(gl), Math.Abs(gu));
        double pivmin = double.Epsilon * 1e10 * Math.Max(1.0, emax2) + 1e-300;
        double widen = 2 * double.Epsilon + 4 * 1.1102230246251565e-16 * tnorm + 2 * pivmin;
        gl -= widen; gu += widen;
        var vals = new double[k];
        double atol = 2 * 1.1102230246251565e-16 * Math.Max(tnorm, 1e-300);
        double lo = gl;
        for (int j = 0; j < k; j++)
        {
            // find the (j+1)-th smallest: smallest x with CountBelow(x) >= j+1
            double a = lo, b = gu;
            for (int it = 0; it < 200 && b - a > Math.Max(atol, 4 * 1.1102230246251565e-16 * Math.Max(Math.Abs(a), Math.Abs(b))); it++)
            {
                double mid = 0.5 * (a + b);
                if (CountBelow(d, e2, mid, pivmin) >= j + 1) b = mid; else a = mid;
            }
            vals[j] = 0.5 * (a + b);
            lo = a;
        }
        return vals;
    }

    /// <summary>
    /// Eigenvectors of the tridiagonal matrix for the given ascending eigenvalues, by inverse iteration with
    /// modified Gram–Schmidt against earlier vectors of the same cluster (gap below 1e-3 ||T||_1).
    /// Returns an n x k row-major matrix (column j is the vector of <paramref name="w"/>[j]).
    /// </summary>
    public static double[] InverseIteration(double[] d, double[] e, double[] w)
    {
        int n = d.Length, k = w.Length;
        var z = new double[n * k];
        if (n == 1) { z[0] = 1; return z; }
        double onenrm = Math.Max(Norm1(d, e), 1e-300);
        double eps = 1.1102230246251565e-16;
        double ortol = 1e-3 * onenrm;
        double pertol = 10 * eps * onenrm;
        // LU of (T - lambda I) with partial pivoting: rows i and i+1 may swap. Storage as in LAPACK dlagtf.
        var a = new double[n]; var b = new double[n]; var c = new double[n]; var d2 = new double[n];
        var piv = new bool[n];
        var x = new double[n];
        var cols = new double[k][];
        int clusterStart = 0;
        ulong seed = 0x9E3779B97F4A7C15UL;
        double prev = double.NegativeInfinity;
        for (int j = 0; j < k; j++)
        {
            double lam = w[j];
            if (j > 0 && lam - prev < pertol) lam = prev + pertol; // separate (near-)equal shifts
            if (j == 0 || lam - w[j - 1] > ortol) clusterStart = j;
            prev = lam;
            Factor(d, e, lam, a, b, c, d2, piv, onenrm * eps);
            // deterministic pseudo-random start
            for (int i = 0; i < n; i++)
            {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                x[i] = ((seed >> 11) * (1.0 / (1UL << 53))) - 0.5;
            }
            for (int iter = 0; iter < 5; iter++)
            {
                EigenvectorKernels.Orthogonalize(x, cols, clusterStart, j);
                EigenvectorKernels.Normalize(x);
                SolveFactored(a, b, c, d2, piv, x);
                EigenvectorKernels.Orthogonalize(x, cols, clusterStart, j);
                double growth = EigenvectorKernels.Normalize(x);
                if (iter >= 1 && growth > 1.0 / (Math.Sqrt(n) * eps * 1e3)) break;
            }
            cols[j] = (double[])x.Clone();
        }
        for (int j = 0; j < k; j++)
            for (int i = 0; i < n; i++) z[i * k + j] = cols[j][i];
        return z;
    }

    // Row i of U: diagonal a[i], super b[i], second super c[i] (fill-in from pivoting); d2[i] multiplier.
    private static void Factor(double[] d, double[] e, double lam, double[] a, double[] b, double[] c, double[] l,
        bool[] piv, double tiny)
    {
        int n = d.Length;
        // current row i being eliminated: (ai, bi) at columns (i, i+1); next row (e[i], d[i+1]-lam, e[i+1])
        double ai = d[0] - lam, bi = n > 1 ? e[0] : 0;
        for (int i = 0; i < n - 1; i++)
        {
            double sub = e[i];           // T[i+1, i]
            double dn = d[i + 1] - lam;  // T[i+1, i+1]
            double en = i + 1 < n - 1 ? e[i + 1] : 0; // T[i+1, i+2]
            if (Math.Abs(ai) >= Math.Abs(sub))
            {
                piv[i] = false;
                if (ai == 0) ai = tiny;
                double m = sub / ai;
                l[i] = m;
                a[i] = ai; b[i] = bi; c[i] = 0;
                ai = dn - m * bi; bi = en;
            }
            else
            {
                piv[i] = true;
                double m = ai / sub;
                l[i] = m;
                a[i] = sub; b[i] = dn; c[i] = en;
                ai = bi - m * dn; bi = -m * en;
            }
        }
        a[n - 1] = ai == 0 ? tiny : ai;
        b[n - 1] = 0; c[n - 1] = 0; piv[n - 1] = false;
        for (int i = 0; i < n; i++) if (Math.Abs(a[i]) < tiny) a[i] = Math.CopySign(tiny, a[i] == 0 ? 1 : a[i]);
    }

    private static void SolveFactored(double[] a, double[] b, double[] c, double[] l, bool[] piv, double[] x)
    {
        int n = x.Length;
        // forward: apply row swaps and eliminations
        for (int i = 0; i < n - 1; i++)
        {
            if (!piv[i]) x[i + 1] -= l[i] * x[i];
            else
            {
                double t = x[i];
                x[i] = x[i + 1];
                x[i + 1] = t - l[i] * x[i];
            }
        }
        // back substitution with U (diag a, super b, second super c)
        double big = 0;
        x[n - 1] /= a[n - 1];
        for (int i = n - 2; i >= 0; i--)
        {
            double s = x[i] - b[i] * x[i + 1] - (i + 2 < n ? c[i] * x[i + 2] : 0);
            x[i] = s / a[i];
            big = Math.Max(big, Math.Abs(x[i]));
            if (big > 1e250)
            {
                for (int q = 0; q < n; q++) x[q] *= 1e-250;
                big *= 1e-250;
            }
        }
    }

    /// <summary>
    /// z (n x k, row-major) &lt;- Q z with Q = H_0 ... H_{n-3}, reflectors stored in rows of <paramref name="a"/>.
    /// </summary>
    public static void BackTransform(double[] a, int n, double[] tau, double[] z, int k)
    {
        var w = new double[k];
        for (int r = n - 3; r >= 0; r--)
        {
            double t = tau[r];
            if (t == 0) continue;
            // rows r+1..n-1 of z; v_i = a[r*n + r+1+i]
            Array.Clear(w);
            var ws = w.AsSpan();
            for (int i = r + 1; i < n; i++)
            {
                double vi = a[r * n + i];
                if (vi != 0) Axpy(vi, z.AsSpan(i * k, k), ws);
            }
            for (int i = r + 1; i < n; i++)
            {
                double vi = a[r * n + i];
                if (vi != 0) Axpy(-t * vi, ws, z.AsSpan(i * k, k));
            }
        }
    }
}
