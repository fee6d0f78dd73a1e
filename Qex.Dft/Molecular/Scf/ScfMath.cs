using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Scf;

/// <summary>The matrix steps of an SCF iteration (dense n x n matrices, row-major).</summary>
internal static class ScfMath
{
    /// <summary>A B for A m x k, B k x n (row-major).</summary>
    internal static double[] Multiply(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        Qex.Core.LinearAlgebra.Gemm.Multiply(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
        return c;
    }

    /// <summary>A B^T for A m x k, B n x k.</summary>
    internal static double[] MultiplyTransposeB(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        Qex.Core.LinearAlgebra.Gemm.Multiply(false, true, m, n, k, 1, a, k, b, k, 0, c, n);
        return c;
    }

    /// <summary>A^T B for A k x m, B k x n.</summary>
    internal static double[] MultiplyTransposeA(double[] a, double[] b, int k, int m, int n)
    {
        var c = new double[m * n];
        Qex.Core.LinearAlgebra.Gemm.Multiply(true, false, m, n, k, 1, a, m, b, n, 0, c, n);
        return c;
    }

    /// <summary>Columns [from, to) of a row-major matrix with <paramref name="columns"/> columns (MO coefficients: the occupied or virtual block).</summary>
    internal static double[] Columns(double[] c, int columns, int from, int to)
    {
        int rows = c.Length / columns, w = to - from;
        var r = new double[rows * w];
        for (int p = 0; p < rows; p++)
            for (int q = 0; q < w; q++) r[p * w + q] = c[p * columns + from + q];
        return r;
    }

    internal static double[] Add(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] + b[i];
        return r;
    }

    /// <summary>Tr(A B) for symmetric A, B: the elementwise sum of products.</summary>
    internal static double Trace(double[] a, double[] b, int n)
    {
        double t = 0;
        for (int i = 0; i < n * n; i++) t += a[i] * b[i];
        return t;
    }

    /// <summary>Orbital energies and coefficients (n x m) of F in the orthogonal basis X.</summary>
    internal static (double[] Eps, double[] C) Diagonalise(double[] f, double[] x, int n, int m)
    {
        var fp = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(x, n, m), Tensor.Wrap(f, n, n), transA: true), Tensor.Wrap(x, n, m));
        var sym = fp.ToArray();
        for (int i = 0; i < m; i++) for (int j = 0; j < i; j++) sym[i * m + j] = sym[j * m + i] = 0.5 * (sym[i * m + j] + sym[j * m + i]);
        var e = SymmetricEigen.Decompose(Tensor.Wrap(sym, m, m));
        var eps = e.Values.ToArray();
        var c = Gemm.MatMul(Tensor.Wrap(x, n, m), e.Vectors).ToArray();
        CanonicaliseDegenerate(eps, c, n, m);
        return (eps, c);
    }

    /// <summary>Eigenvalues closer than this (relative to max(1, |eps|)) form a degenerate set.</summary>
    internal const double DegeneracyTolerance = 1e-10;

    /// <summary>Whether two ascending eigenvalues are degenerate (within <see cref="DegeneracyTolerance"/>).</summary>
    internal static bool Degenerate(double lower, double upper) => upper - lower < DegeneracyTolerance * Math.Max(1, Math.Abs(lower));

    /// <summary>
    /// Within each set of degenerate orbitals, the eigensolver's basis is arbitrary: it turns with the last bits of F (the
    /// pi_x / pi_y pair of a linear molecule comes out at any angle), and an SCF that occupies part of such a set then
    /// depends on rounding. The set is rotated to a fixed basis instead: the eigenvectors, within the set, of the
    /// function-index weighting diag(1, 2, ..., n) (orbitals on different basis functions, such as pi_x and pi_y, come out
    /// unmixed, ordered by where they sit in the basis). Orbital energies become the diagonal of F in the rotated set.
    /// </summary>
    internal static void CanonicaliseDegenerate(double[] eps, double[] c, int n, int m)
    {
        for (int start = 0; start < m;)
        {
            int end = start + 1;
            while (end < m && Degenerate(eps[start], eps[end])) end++;
            int k = end - start;
            if (k > 1)
            {
                // M = C_set^T diag(1..n) C_set (k x k), its eigenvectors U: C_set <- C_set U, eps_set <- diag(U^T diag(eps_set) U)
                var mk = new double[k * k];
                for (int a = 0; a < k; a++)
                    for (int b = 0; b <= a; b++)
                    {
                        double v = 0;
                        for (int i = 0; i < n; i++) v += (i + 1) * c[i * m + start + a] * c[i * m + start + b];
                        mk[a * k + b] = mk[b * k + a] = v;
                    }
                var u = SymmetricEigen.Decompose(Tensor.Wrap(mk, k, k)).Vectors.ToArray();
                var rotated = new double[n * k];
                for (int i = 0; i < n; i++)
                    for (int b = 0; b < k; b++)
                    {
                        double v = 0;
                        for (int a = 0; a < k; a++) v += c[i * m + start + a] * u[a * k + b];
                        rotated[i * k + b] = v;
                    }
                var energies = new double[k];
                for (int b = 0; b < k; b++)
                {
                    double v = 0;
                    for (int a = 0; a < k; a++) v += u[a * k + b] * u[a * k + b] * eps[start + a];
                    energies[b] = v;
                }
                // a fixed sign: the largest coefficient of each orbital positive
                for (int b = 0; b < k; b++)
                {
                    int top = 0;
                    for (int i = 1; i < n; i++) if (Math.Abs(rotated[i * k + b]) > Math.Abs(rotated[top * k + b]) + 1e-12) top = i;
                    double sign = rotated[top * k + b] < 0 ? -1 : 1;
                    for (int i = 0; i < n; i++) c[i * m + start + b] = sign * rotated[i * k + b];
                    eps[start + b] = energies[b];
                }
            }
            start = end;
        }
    }

    /// <summary>F + shift (S - f S D S): raises the virtual space (D S f is the projector on the occupied space, f = 1/occupation).</summary>
    internal static double[] LevelShifted(double[] f, double[] s, double[] d, double perElectron, double shift, int n)
    {
        var sds = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(s, n, n), Tensor.Wrap(d, n, n)), Tensor.Wrap(s, n, n)).ToArray();
        var r = new double[n * n];
        for (int i = 0; i < r.Length; i++) r[i] = f[i] + shift * (s[i] - perElectron * sds[i]);
        return r;
    }

    /// <summary>The occ orbitals of C (n x m) with the largest projection sum_i |(C_prev^T S C)_ij|^2 on the previous occupied space.</summary>
    internal static int[] MaximumOverlap(double[] previous, double[] c, double[] s, int n, int m, int occ)
    {
        var o = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(previous, n, occ), Tensor.Wrap(s, n, n), transA: true), Tensor.Wrap(c, n, m)).ToArray();
        var p = new double[m];
        for (int i = 0; i < occ; i++)
            for (int j = 0; j < m; j++) p[j] += o[i * m + j] * o[i * m + j];
        return [.. Enumerable.Range(0, m).OrderByDescending(j => p[j]).ThenBy(j => j).Take(occ).Order()];
    }

    /// <summary>Reorders orbitals so that the occupied ones come first (each group in ascending energy).</summary>
    internal static (double[] Eps, double[] C) OccupiedFirst(double[] eps, double[] c, int[] occupied, int n, int m)
    {
        var order = occupied.Concat(Enumerable.Range(0, m).Except(occupied)).ToArray();
        var e2 = order.Select(k => eps[k]).ToArray();
        var c2 = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < m; k++) c2[i * m + k] = c[i * m + order[k]];
        return (e2, c2);
    }

    /// <summary>The size of an SCF error vector in the chosen norm.</summary>
    internal static double ErrorSize(double[] err, ScfErrorNorm norm) =>
        norm == ScfErrorNorm.RootMeanSquare ? Math.Sqrt(err.Sum(v => v * v) / err.Length) : err.Max(Math.Abs);

    /// <summary>X^T (FDS - SDF) X, flattened (m x m).</summary>
    internal static double[] Commutator(double[] f, double[] d, double[] s, double[] x, int n, int m)
    {
        var F = Tensor.Wrap(f, n, n);
        var D = Tensor.Wrap(d, n, n);
        var S = Tensor.Wrap(s, n, n);
        var fds = Gemm.MatMul(Gemm.MatMul(F, D), S).ToArray();
        var comm = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) comm[i * n + j] = fds[i * n + j] - fds[j * n + i]; // SDF = (FDS)^T
        var X = Tensor.Wrap(x, n, m);
        return Gemm.MatMul(Gemm.MatMul(X, Tensor.Wrap(comm, n, n), transA: true), X).ToArray();
    }
}
