using Qex.Core.LinearAlgebra;
using Qex.Core.Random;

namespace Qex.Core.Tests;

public sealed class GmresTests
{
    private static double[,] Matrix(int n, long seed, double diagonal)
    {
        var rng = RngKey.FromSeed(seed).CreateGenerator();
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i, j] = rng.Normal() / Math.Sqrt(n) + (i == j ? diagonal : 0);
        return a;
    }

    private static double[] Apply(double[,] a, double[] x)
    {
        int n = x.Length;
        var r = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) r[i] += a[i, j] * x[j];
        return r;
    }

    [Theory]
    [InlineData(40, 40)]   // no restart
    [InlineData(40, 7)]    // restarted
    public void SolvesANonsymmetricSystem(int n, int restart)
    {
        var a = Matrix(n, 3, 2.0);
        var rng = RngKey.FromSeed(5).CreateGenerator();
        var x = Enumerable.Range(0, n).Select(_ => rng.Normal()).ToArray();
        var b = Apply(a, x);
        var s = Gmres.Solve(v => Apply(a, v), b, 1e-12, restart, 2000);
        Assert.True(s.Converged, $"residual {s.ResidualNorm}");
        for (int i = 0; i < n; i++) Assert.True(Math.Abs(s.Solution[i] - x[i]) < 1e-9, $"x[{i}] {s.Solution[i]} vs {x[i]}");
        Assert.True(restart < n || s.Iterations <= n + 1, $"{s.Iterations} products without restarts for n = {n}");
    }

    [Fact]
    public void ZeroRightHandSideAndBadSettings()
    {
        var s = Gmres.Solve(v => v, new double[5]);
        Assert.True(s.Converged);
        Assert.Equal(new double[5], s.Solution);
        Assert.Throws<ArgumentException>(() => Gmres.Solve(v => v, [1.0], tolerance: 0));
        Assert.Contains("returned 2 values", Assert.Throws<ArgumentException>(() => Gmres.Solve(_ => new double[2], [1.0, 2.0, 3.0])).Message);
    }

    [Fact]
    public void ReportsNonConvergence()
    {
        // a rotation by 90 degrees: GMRES(1) stagnates
        var s = Gmres.Solve(v => [-v[1], v[0]], [1.0, 0.0], 1e-12, restart: 1, maxIterations: 20);
        Assert.False(s.Converged);
    }
}
