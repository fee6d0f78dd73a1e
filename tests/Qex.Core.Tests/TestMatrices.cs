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

    public static Tensor WithSpectrum(double[] values, long seed) => Qex.Tests.Common.RandomMatrices.WithSpectrum(values, seed);

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
