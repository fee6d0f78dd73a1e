using Qex.Core.Random;

namespace Qex.Core.Tests;

public sealed class RngTests
{
    [Fact]
    public void SameSeedSameStream()
    {
        var a = new Rng(42); var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.Normal(), b.Normal());
        Assert.NotEqual(new Rng(42).Uniform(), new Rng(43).Uniform());
    }

    [Fact]
    public void SplitKeysGiveDistinctReproducibleStreams()
    {
        var key = RngKey.FromSeed(7);
        var (k1, k2) = key.Split();
        Assert.NotEqual(k1, k2);
        Assert.Equal(key.Split(2)[1], k2);
        var x1 = k1.CreateGenerator().Uniform();
        var x2 = k2.CreateGenerator().Uniform();
        Assert.NotEqual(x1, x2);
        Assert.Equal(x1, key.Split().First.CreateGenerator().Uniform());
    }

    [Fact]
    public void NormalMomentsAreWithinSamplingError()
    {
        var r = new Rng(123);
        const int n = 200_000;
        double s = 0, s2 = 0, s4 = 0;
        for (int i = 0; i < n; i++) { double x = r.Normal(); s += x; s2 += x * x; s4 += x * x * x * x; }
        double mean = s / n, var = s2 / n - mean * mean;
        Assert.True(Math.Abs(mean) < 5 / Math.Sqrt(n), $"mean {mean}");
        Assert.True(Math.Abs(var - 1) < 5 * Math.Sqrt(2.0 / n), $"variance {var}");
        Assert.True(Math.Abs(s4 / n - 3) < 5 * Math.Sqrt(96.0 / n), $"fourth moment {s4 / n}");
    }

    [Fact]
    public void UniformMeanAndRangeAndSplitCorrelation()
    {
        var keys = RngKey.FromSeed(1).Split(2);
        var a = keys[0].CreateGenerator(); var b = keys[1].CreateGenerator();
        const int n = 100_000;
        double sa = 0, sab = 0, sb = 0;
        for (int i = 0; i < n; i++)
        {
            double x = a.Uniform(), y = b.Uniform();
            Assert.InRange(x, 0, 1);
            sa += x; sb += y; sab += x * y;
        }
        double cov = sab / n - sa / n * (sb / n);
        Assert.True(Math.Abs(sa / n - 0.5) < 5 * Math.Sqrt(1.0 / 12 / n));
        Assert.True(Math.Abs(cov) < 5 * (1.0 / 12) / Math.Sqrt(n), $"covariance {cov}");
    }

    [Fact]
    public void PermutationIsAPermutation()
    {
        var p = new Rng(5).Permutation(50);
        Assert.Equal(Enumerable.Range(0, 50), p.Order());
    }
}

public sealed class TruncatedNormalTests
{
    [Fact]
    public void HasUnitVarianceAndStaysWithinTheLimit()
    {
        var r = new Rng(9);
        const int n = 200_000;
        double s = 0, s2 = 0, max = 0;
        double scale = Math.Sqrt(1 - 2 * 2 * Math.Exp(-2) / Math.Sqrt(2 * Math.PI) / 0.9544997361036416); // std of N(0,1) on [-2, 2]
        for (int i = 0; i < n; i++) { double x = r.TruncatedNormal(); s += x; s2 += x * x; max = Math.Max(max, Math.Abs(x)); }
        Assert.True(Math.Abs(s / n) < 5 / Math.Sqrt(n));
        Assert.True(Math.Abs(s2 / n - 1) < 0.01, $"variance {s2 / n}");
        Assert.True(max <= 2 / scale + 1e-12);
    }
}
