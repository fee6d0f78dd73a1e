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
        var c = Gemm.MatMul(Tensor.Wrap(x, n, m), e.Vectors);
        return (e.Values.ToArray(), c.ToArray());
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
