using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Tests.Molecular;

public sealed class BoysTests
{
    [Fact]
    public void MatchesIndependentQuadratureToFullPrecision()
    {
        // Gauss-Legendre on [0, 1] split into 400 panels of 20 points: exact to rounding for these smooth integrands
        var (x, w) = GaussLegendre(20);
        double Quad(int m, double t)
        {
            double s = 0, comp = 0; // Kahan summation: 8000 terms
            const int panels = 400;
            for (int p = 0; p < panels; p++)
                for (int k = 0; k < x.Length; k++)
                {
                    double u = (p + 0.5 * (x[k] + 1)) / panels;
                    double y = 0.5 * w[k] / panels * Math.Pow(u, 2 * m) * Math.Exp(-t * u * u) - comp;
                    double tt = s + y;
                    comp = (tt - s) - y;
                    s = tt;
                }
            return s;
        }
        var f = new double[13];
        foreach (double t in new[] { 0.0, 1e-9, 0.05, 0.3, 1.2345, 2.5, 7.777, 11.0, 17.45, 29.9, 33.333, 34.99, 35.01, 48.0, 120.0 })
        {
            Boys.Evaluate(t, f);
            double q0 = Quad(0, t);
            Assert.True(Math.Abs(Boys.Evaluate0(t) - q0) <= 2e-14 * q0, $"F_0({t}) alone = {Boys.Evaluate0(t):R} vs {q0:R}");
            for (int m = 0; m <= 12; m++)
            {
                double q = Quad(m, t);
                Assert.True(Math.Abs(f[m] - q) <= 2e-14 * q + 1e-300, $"F_{m}({t}) = {f[m]:R} vs {q:R}");
            }
        }
        // four at a time (SIMD), mixing both regimes in one vector
        double[][] quads = [[0.0, 0.05, 1.2345, 7.777], [17.45, 33.333, 34.99, 35.01], [48.0, 0.3, 120.0, 29.9]];
        var f4 = new double[4 * 13];
        foreach (var ts in quads)
        {
            Boys.Evaluate4(System.Runtime.Intrinsics.Vector256.Create(ts[0], ts[1], ts[2], ts[3]), 12, f4);
            for (int lane = 0; lane < 4; lane++)
                for (int m = 0; m <= 12; m++)
                {
                    double q = Quad(m, ts[lane]);
                    Assert.True(Math.Abs(f4[4 * m + lane] - q) <= 2e-14 * q + 1e-300, $"F_{m}({ts[lane]}) in a vector = {f4[4 * m + lane]:R} vs {q:R}");
                }
        }
        Assert.Throws<ArgumentException>(() => Boys.Evaluate4(System.Runtime.Intrinsics.Vector256.Create(1.0), 30, new double[4 * 31]));
        Assert.Equal(1.0 / 7, Boys.Evaluate(3, 0), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => Boys.Evaluate(0, -1));
    }

    private static (double[] X, double[] W) GaussLegendre(int n)
    {
        var x = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double z = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5)), pp = 0;
            for (int it = 0; it < 100; it++)
            {
                double p1 = 1, p2 = 0;
                for (int j = 1; j <= n; j++) { double p3 = p2; p2 = p1; p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j; }
                pp = n * (z * p1 - p2) / (z * z - 1);
                double dz = p1 / pp;
                z -= dz;
                if (Math.Abs(dz) < 1e-16) break;
            }
            x[i] = z;
            w[i] = 2 / ((1 - z * z) * pp * pp);
        }
        return (x, w);
    }
}
