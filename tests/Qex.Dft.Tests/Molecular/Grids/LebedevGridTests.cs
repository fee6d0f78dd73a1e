using Qex.Dft.Molecular.Grids;

namespace Qex.Dft.Tests.Molecular.Grids;

/// <summary>Every Lebedev grid integrates the monomials up to its degree exactly, and not beyond.</summary>
public sealed class LebedevGridTests
{
    /// <summary>Integral of x^i y^j z^k over the unit sphere: 0 unless all even, else 2 G((i+1)/2) G((j+1)/2) G((k+1)/2) / G((i+j+k+3)/2).</summary>
    private static double Exact(int i, int j, int k)
    {
        if (i % 2 != 0 || j % 2 != 0 || k % 2 != 0) return 0;
        return 2 * Math.Exp(LogGammaHalf(i + 1) + LogGammaHalf(j + 1) + LogGammaHalf(k + 1) - LogGammaHalf(i + j + k + 3));
    }

    /// <summary>log Gamma(m / 2) for a positive integer m (exact recurrences, no special-function library).</summary>
    private static double LogGammaHalf(int m)
    {
        // Gamma(1/2) = sqrt(pi), Gamma(1) = 1, Gamma(x + 1) = x Gamma(x)
        double x = m % 2 == 0 ? 1 : 0.5, log = m % 2 == 0 ? 0 : 0.5 * Math.Log(Math.PI);
        for (; x < m / 2.0 - 1e-12; x += 1) log += Math.Log(x);
        return log;
    }

    public static TheoryData<int> Sizes()
    {
        var d = new TheoryData<int>();
        foreach (int n in LebedevGrid.PointCounts) d.Add(n);
        return d;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MonomialsUpToTheDegreeAreExact(int points)
    {
        var g = LebedevGrid.Get(points);
        Assert.Equal(points, g.Count);
        Assert.Equal(4 * Math.PI, g.W.Sum(), 12);
        for (int p = 0; p < points; p++) Assert.Equal(1, g.X[p] * g.X[p] + g.Y[p] * g.Y[p] + g.Z[p] * g.Z[p], 14);
        int d = g.Degree;
        double[][] Powers(double[] c)
        {
            var t = new double[d + 1][];
            t[0] = [.. Enumerable.Repeat(1.0, points)];
            for (int e = 1; e <= d; e++) { t[e] = new double[points]; for (int p = 0; p < points; p++) t[e][p] = t[e - 1][p] * c[p]; }
            return t;
        }
        var (px, py, pz) = (Powers(g.X), Powers(g.Y), Powers(g.Z));
        double worst = 0, odd = 0;
        var wxy = new double[points];
        for (int i = 0; i <= d; i++)
            for (int j = 0; i + j <= d; j++)
            {
                for (int p = 0; p < points; p++) wxy[p] = g.W[p] * px[i][p] * py[j][p];
                for (int k = 0; i + j + k <= d; k++)
                {
                    if ((i | j | k) % 2 != 0 && i + j + k > 7) continue;   // odd ones vanish by symmetry: the low ones suffice
                    double q = System.Numerics.Tensors.TensorPrimitives.Dot(wxy, pz[k]);
                    double exact = Exact(i, j, k);
                    if (exact == 0) odd = Math.Max(odd, Math.Abs(q));
                    else worst = Math.Max(worst, Math.Abs(q / exact - 1));
                }
            }
        Assert.True(worst < 1e-12, $"{points} points: largest relative error {worst:E2} up to degree {d}");
        Assert.True(odd < 1e-13, $"{points} points: an odd monomial integrates to {odd:E2}");
    }

    [Fact]
    public void TheSixPointGridIsNotExactBeyondDegreeThree()
    {
        // its six points (+-1, 0, 0) etc. give the integral of x^4 as 4 pi / 3 instead of 4 pi / 5
        var g = LebedevGrid.Get(6);
        double q = 0;
        for (int p = 0; p < 6; p++) q += g.W[p] * Math.Pow(g.X[p], 4);
        Assert.Equal(4 * Math.PI / 3, q, 13);
        Assert.Equal(4 * Math.PI / 5, Exact(4, 0, 0), 13);
    }

    [Fact]
    public void SizesAndDegreesAreLebedevsAndUnknownSizesAreRefused()
    {
        Assert.Equal(32, LebedevGrid.PointCounts.Count);
        Assert.Equal(6, LebedevGrid.PointCounts[0]);
        Assert.Equal(5810, LebedevGrid.PointCounts[^1]);
        Assert.Equal(41, LebedevGrid.Get(590).Degree);
        Assert.Equal(302, LebedevGrid.ForDegree(29).Count);
        Assert.Equal(302, LebedevGrid.ForDegree(28).Count);
        var e = Assert.Throws<ArgumentException>(() => LebedevGrid.Get(300));
        Assert.Contains("302", e.Message);
        Assert.Throws<ArgumentException>(() => LebedevGrid.ForDegree(133));
    }
}
