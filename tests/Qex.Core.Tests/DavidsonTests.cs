using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

public sealed class DavidsonTests
{
    private static double[] RandomSymmetric(int n, int seed)
    {
        var rng = new System.Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[i * n + i] = i * 0.5 + rng.NextDouble();
            for (int j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = 0.05 * (rng.NextDouble() - 0.5);
        }
        return a;
    }

    private static Action<double[], double[]> Product(double[] a, int n) => (x, y) =>
    {
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += a[i * n + j] * x[j];
            y[i] = s;
        }
    };

    [Fact]
    public void LowestRootsEqualTheDenseEigenvalues()
    {
        const int n = 300;
        var a = RandomSymmetric(n, 3);
        var diag = Enumerable.Range(0, n).Select(i => a[i * n + i]).ToArray();
        var guess = new List<double[]>();
        for (int k = 0; k < 6; k++) { var g = new double[n]; g[k] = 1; guess.Add(g); }
        // a small subspace limit forces collapses
        var r = Davidson.Lowest(n, 3, Product(a, n), diag, guess, new DavidsonOptions(1e-9, 300, 8));
        var exact = SymmetricEigen.Eigenvalues(Tensor.Wrap(a, n, n));
        Assert.True(r.Converged);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(exact[k], r.Values[k], 12);
            var ax = new double[n];
            Product(a, n)(r.Vectors[k], ax);
            for (int i = 0; i < n; i++) Assert.Equal(r.Values[k] * r.Vectors[k][i], ax[i], 1e-9);
        }
    }

    [Fact]
    public void ProjectorRestrictsTheSearchToASymmetrySubspace()
    {
        // A commutes with the reversal i -> n-1-i; the lowest odd eigenvalue is found from an unsymmetric guess
        const int n = 120;
        var b = RandomSymmetric(n, 4);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[(n - 1 - i) * n + n - 1 - j];
        void Odd(double[] x)
        {
            for (int i = 0; i < n / 2; i++)
            {
                double v = 0.5 * (x[i] - x[n - 1 - i]);
                x[i] = v;
                x[n - 1 - i] = -v;
            }
        }
        var diag = Enumerable.Range(0, n).Select(i => a[i * n + i]).ToArray();
        var g = new double[n];
        g[0] = 1;
        var r = Davidson.Lowest(n, 1, Product(a, n), diag, [g], new DavidsonOptions(1e-10), Odd);
        // dense reference: the odd block in the basis (e_i - e_(n-1-i)) / sqrt 2
        int h = n / 2;
        var odd = new double[h * h];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < h; j++)
                odd[i * h + j] = 0.5 * (a[i * n + j] - a[i * n + n - 1 - j] - a[(n - 1 - i) * n + j] + a[(n - 1 - i) * n + n - 1 - j]);
        double expected = SymmetricEigen.Eigenvalues(Tensor.Wrap(odd, h, h))[0];
        Assert.Equal(expected, r.Values[0], 11);
        Assert.Equal(-r.Vectors[0][0], r.Vectors[0][n - 1], 12);
    }

    [Fact]
    public void GuessesThatSpanTooLittleAreRejected()
    {
        var a = RandomSymmetric(10, 1);
        var g = new double[10];
        g[2] = 1;
        var e = Assert.Throws<ArgumentException>(() => Davidson.Lowest(10, 2, Product(a, 10), new double[10], [g, (double[])g.Clone()]));
        Assert.Contains("span only 1", e.Message);
    }
}
