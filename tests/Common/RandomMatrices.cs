using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Tests.Common;

/// <summary>Seeded test matrices shared by the test projects.</summary>
public static class RandomMatrices
{
    /// <summary>A random orthogonal n x n matrix (Gram–Schmidt of a Gaussian matrix), row-major.</summary>
    public static double[] Orthogonal(int n, long seed)
    {
        var a = new Rng(seed).NormalTensor([n, n]).ToArray();
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

    /// <summary>Q diag(values) Q^T with a random orthogonal Q: a symmetric matrix of known spectrum.</summary>
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

    /// <summary>A symmetric n x n matrix (row-major) with entries uniform in [-0.5, 0.5) from System.Random(seed).</summary>
    public static double[] Symmetric(int n, int seed)
    {
        var rng = new System.Random(seed);
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) d[i * n + j] = d[j * n + i] = rng.NextDouble() - 0.5;
        return d;
    }
}
