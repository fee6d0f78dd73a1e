using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

internal static class TestMatrices
{
    public static Tensor Random(int m, int n, long seed) => new Rng(seed).NormalTensor([m, n]);

    public static Tensor RandomSymmetric(int n, long seed)
    {
        var a = Random(n, n, seed).Span;
        var s = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return Tensor.Wrap(s, n, n);
    }

    public static Tensor RandomSpd(int n, long seed)
    {
        var a = Random(n, n, seed);
        var s = NaiveMatMul(a, a, transB: true).ToArray();
        for (int i = 0; i < n; i++) s[i * n + i] += n;
        return Tensor.Wrap(s, n, n);
    }

    /// <summary>Q diag(values) Q^T with a random orthogonal Q (Gram–Schmidt of a Gaussian matrix).</summary>
    public static Tensor WithSpectrum(double[] values, long seed)
    {
        int n = values.Length;
        var q = Orthogonal(n, seed);
        var r = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < n; p++) s += q[i * n + p] * values[p] * q[j * n + p];
                r[i * n + j] = s;
            }
        return Tensor.Wrap(r, n, n);
    }

    public static double[] Orthogonal(int n, long seed)
    {
        var a = Random(n, n, seed).ToArray();
        for (int j = 0; j < n; j++)
        {
            for (int p = 0; p < j; p++)
            {
                double d = 0;
                for (int i = 0; i < n; i++) d += a[i * n + j] * a[i * n + p];
                for (int i = 0; i < n; i++) a[i * n + j] -= d * a[i * n + p];
            }
            double nr = 0;
            for (int i = 0; i < n; i++) nr += a[i * n + j] * a[i * n + j];
            nr = Math.Sqrt(nr);
            for (int i = 0; i < n; i++) a[i * n + j] /= nr;
        }
        return a;
    }

    public static Tensor NaiveMatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        int m = transA ? a.Dim(1) : a.Dim(0), k = transA ? a.Dim(0) : a.Dim(1);
        int n = transB ? b.Dim(0) : b.Dim(1);
        var c = new double[m * n];
        var x = a.Span; var y = b.Span;
        int lda = a.Dim(1), ldb = b.Dim(1);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (transA ? x[p * lda + i] : x[i * lda + p]) * (transB ? y[j * ldb + p] : y[p * ldb + j]);
                c[i * n + j] = s;
            }
        return Tensor.Wrap(c, m, n);
    }
}
