using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

/// <summary>The RPA Davidson solver against the equations it solves and against a dense solution.</summary>
public sealed class RpaDavidsonTests
{
    /// <summary>A = diag(d) + s K1, B = s K2 with symmetric K1, K2: A + B and A - B positive definite for small s.</summary>
    private static (double[] A, double[] B, double[] D) Problem(int n, double s, int seed)
    {
        var rng = new System.Random(seed);
        var d = Enumerable.Range(0, n).Select(i => 0.3 + 0.05 * i + 0.01 * rng.NextDouble()).ToArray();
        var a = new double[n * n];
        var b = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double x = s * (2 * rng.NextDouble() - 1), y = s * (2 * rng.NextDouble() - 1);
                a[i * n + j] = a[j * n + i] = x + (i == j ? d[i] : 0);
                b[i * n + j] = b[j * n + i] = y;
            }
        return (a, b, d);
    }

    private static Action<double[], double[]> Product(double[] a, double[] b, int n, double sign) => (x, y) =>
    {
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += (a[i * n + j] + sign * b[i * n + j]) * x[j];
            y[i] = s;
        }
    };

    /// <summary>omega^2 from the dense (A-B)^(1/2) (A+B) (A-B)^(1/2).</summary>
    private static double[] Dense(double[] a, double[] b, int n)
    {
        var m = new double[n * n];
        var p = new double[n * n];
        for (int i = 0; i < n * n; i++) { m[i] = a[i] - b[i]; p[i] = a[i] + b[i]; }
        var e = SymmetricEigen.Decompose(Tensor.Wrap(m, n, n));
        var root = new double[n * n];
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) root[i * n + j] += Math.Sqrt(e.Values[k]) * e.Vectors[i, k] * e.Vectors[j, k];
        var h = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(root, n, n), Tensor.Wrap(p, n, n)), Tensor.Wrap(root, n, n));
        var hs = h.ToArray();
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) hs[i * n + j] = hs[j * n + i] = 0.5 * (hs[i * n + j] + hs[j * n + i]);
        return [.. SymmetricEigen.Eigenvalues(Tensor.Wrap(hs, n, n)).ToArray().Select(Math.Sqrt)];
    }

    [Theory]
    [InlineData(40, 4, 0.02)]
    [InlineData(120, 6, 0.05)]
    [InlineData(7, 7, 0.03)]   // every root of a small problem
    public void RootsSolveTheEquationsAndMatchTheDenseSolution(int n, int roots, double s)
    {
        var (a, b, d) = Problem(n, s, n);
        var guesses = Enumerable.Range(0, Math.Min(n, roots + 3)).Select(k => { var g = new double[n]; g[k] = 1; return g; }).ToList();
        var r = RpaDavidson.Lowest(n, roots, Product(a, b, n, 1), Product(a, b, n, -1), d, guesses, new DavidsonOptions(1e-9, 300));
        Assert.True(r.Converged, $"residuals {string.Join(", ", r.ResidualNorms)}");
        var dense = Dense(a, b, n);
        for (int k = 0; k < roots; k++)
        {
            Assert.Equal(dense[k], r.Values[k], 10);
            // X = (P + M)/2, Y = (P - M)/2 solve A X + B Y = w X and B X + A Y = -w Y
            var x = r.Plus[k].Zip(r.Minus[k], (p, m) => 0.5 * (p + m)).ToArray();
            var y = r.Plus[k].Zip(r.Minus[k], (p, m) => 0.5 * (p - m)).ToArray();
            for (int i = 0; i < n; i++)
            {
                double ax = 0, bx = 0;
                for (int j = 0; j < n; j++) { ax += a[i * n + j] * x[j] + b[i * n + j] * y[j]; bx += b[i * n + j] * x[j] + a[i * n + j] * y[j]; }
                Assert.True(Math.Abs(ax - r.Values[k] * x[i]) < 1e-8, $"root {k} row {i}: {ax} vs {r.Values[k] * x[i]}");
                Assert.True(Math.Abs(bx + r.Values[k] * y[i]) < 1e-8, $"root {k} row {i}: {bx} vs {-r.Values[k] * y[i]}");
            }
            Assert.Equal(1.0, r.Plus[k].Zip(r.Minus[k], (p, m) => p * m).Sum(), 10);
        }
    }

    [Fact]
    public void WithoutBItIsTheTammDancoffProblem()
    {
        var (a, _, d) = Problem(30, 0.03, 3);
        var zero = new double[30 * 30];
        var guesses = Enumerable.Range(0, 6).Select(k => { var g = new double[30]; g[k] = 1; return g; }).ToList();
        var r = RpaDavidson.Lowest(30, 3, Product(a, zero, 30, 1), Product(a, zero, 30, -1), d, guesses, new DavidsonOptions(1e-10, 200));
        var exact = SymmetricEigen.Eigenvalues(Tensor.Wrap(a, 30, 30)).ToArray();
        for (int k = 0; k < 3; k++) Assert.Equal(exact[k], r.Values[k], 10);
    }

    [Fact]
    public void AnUnstableReferenceIsNamed()
    {
        var (a, b, d) = Problem(10, 0.02, 4);
        for (int i = 0; i < 10; i++) b[i * 10 + i] += 0.6;   // A - B has negative eigenvalues
        var guesses = Enumerable.Range(0, 10).Select(k => { var g = new double[10]; g[k] = 1; return g; }).ToList();
        var ex = Assert.Throws<ArithmeticException>(() => RpaDavidson.Lowest(10, 2, Product(a, b, 10, 1), Product(a, b, 10, -1), d, guesses));
        Assert.Contains("unstable", ex.Message);
    }
}
