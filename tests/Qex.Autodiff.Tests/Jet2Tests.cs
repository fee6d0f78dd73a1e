using Qex.Autodiff.Forward;

namespace Qex.Autodiff.Tests;

/// <summary>Second-order forward-mode jets against finite differences and analytic derivatives.</summary>
public sealed class Jet2Tests
{
    // a function that touches every operation: f(x, y, z) = exp(x) log(y) / sqrt(x + y) + atan(x y) - cbrt(z) z^2.5
    //   + asinh(x - z) + log1p(y z) + 3 / (1 + x^2)
    private static Jet2 F(Jet2 x, Jet2 y, Jet2 z) =>
        Jet2.Exp(x) * Jet2.Log(y) / Jet2.Sqrt(x + y) + Jet2.Atan(x * y) - Jet2.Cbrt(z) * Jet2.Pow(z, 2.5)
        + Jet2.Asinh(x - z) + Jet2.Log1P(y * z) + 3 / (1 + x * x);

    private static Jet2 At(double x, double y, double z, int order = 2) =>
        F(Jet2.Variable(x, 0, 3, order), Jet2.Variable(y, 1, 3, order), Jet2.Variable(z, 2, 3, order));

    [Fact]
    public void GradientAndHessianEqualFiniteDifferences()
    {
        double[] p = [0.3, 1.7, 0.9];
        const double h = 1e-5;
        var j = At(p[0], p[1], p[2]);
        for (int i = 0; i < 3; i++)
        {
            var up = (double[])p.Clone(); up[i] += h;
            var dn = (double[])p.Clone(); dn[i] -= h;
            var ju = At(up[0], up[1], up[2]);
            var jd = At(dn[0], dn[1], dn[2]);
            Assert.Equal((ju.Value - jd.Value) / (2 * h), j.Gradient(i), 8);
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal((ju.Gradient(k) - jd.Gradient(k)) / (2 * h), j.Hessian(i, k), 7);
                Assert.Equal(j.Hessian(i, k), j.Hessian(k, i));
            }
        }
    }

    [Fact]
    public void AnalyticCasesAreExact()
    {
        // d/dx x^3 = 3x^2, d2 = 6x; d/dx (x y) = y, d2/dx dy = 1
        var x = Jet2.Variable(2, 0, 2);
        var y = Jet2.Variable(5, 1, 2);
        var c = x * x * x;
        Assert.Equal(8, c.Value);
        Assert.Equal(12, c.Gradient(0));
        Assert.Equal(12, c.Hessian(0, 0));
        var xy = x * y;
        Assert.Equal(5, xy.Gradient(0));
        Assert.Equal(1, xy.Hessian(0, 1));
        Assert.Equal(0, xy.Hessian(0, 0));
        // constants combine with any jet and stay constant alone
        var k = Jet2.Constant(4) * x + 1;
        Assert.Equal(9, k.Value);
        Assert.Equal(4, k.Gradient(0));
    }

    [Fact]
    public void AFirstOrderJetHasTheSameGradientAndNoHessian()
    {
        var two = At(0.3, 1.7, 0.9);
        var one = At(0.3, 1.7, 0.9, order: 1);
        Assert.Equal(two.Value, one.Value);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(two.Gradient(i), one.Gradient(i));
            Assert.Equal(0, one.Hessian(i, i));
        }
    }

    [Fact]
    public void BadShapesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Jet2.Variable(1, 3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jet2.Constant(1, Jet2.MaxVariables + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jet2.Constant(1, 2, order: 3));
    }
}

/// <summary>The first-order dual against the jet (the same formulas, the same derivative rules) and finite differences.</summary>
public sealed class Dual5Tests
{
    // every operation of IForwardNumber and ForwardMath, in five variables
    private static T F<T>(T a, T b, T c, T d, T e) where T : struct, IForwardNumber<T> =>
        ForwardMath.Exp(a) * ForwardMath.Log(b) / ForwardMath.Sqrt(a + b) + ForwardMath.Atan(a * b) - ForwardMath.Cbrt(c) * ForwardMath.Pow(c, 2.5)
        + ForwardMath.Asinh(a - c) + ForwardMath.Log1P(b * d) + 3 / (1 + a * a) - (2 - e) * (e - 0.5) / d + -e * 1.5 + (d + 2) / 4
        - ForwardMath.Reciprocal(e);

    private static readonly double[] P = [0.3, 1.7, 0.9, 0.6, 1.2];

    [Fact]
    public void GradientEqualsTheJetsAndFiniteDifferences()
    {
        var dual = F(Dual5.Variable(P[0], 0), Dual5.Variable(P[1], 1), Dual5.Variable(P[2], 2), Dual5.Variable(P[3], 3), Dual5.Variable(P[4], 4));
        var jet = F(Jet2.Variable(P[0], 0, 5, 1), Jet2.Variable(P[1], 1, 5, 1), Jet2.Variable(P[2], 2, 5, 1), Jet2.Variable(P[3], 3, 5, 1), Jet2.Variable(P[4], 4, 5, 1));
        Assert.Equal(jet.Value, dual.Value, 14);
        const double h = 1e-5;
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(jet.Gradient(i), dual.Gradient(i), 13);
            var up = (double[])P.Clone(); up[i] += h;
            var dn = (double[])P.Clone(); dn[i] -= h;
            double fu = F(Dual5.Constant(up[0]), Dual5.Constant(up[1]), Dual5.Constant(up[2]), Dual5.Constant(up[3]), Dual5.Constant(up[4])).Value;
            double fd = F(Dual5.Constant(dn[0]), Dual5.Constant(dn[1]), Dual5.Constant(dn[2]), Dual5.Constant(dn[3]), Dual5.Constant(dn[4])).Value;
            Assert.Equal((fu - fd) / (2 * h), dual.Gradient(i), 8);
        }
        Assert.Equal(0, dual.Gradient(5));
    }

    [Fact]
    public void BadVariableIndexIsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => Dual5.Variable(1, 5));
}
