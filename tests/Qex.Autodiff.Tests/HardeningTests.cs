using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

/// <summary>Faults found by probing the autodiff from outside: silent zeros, aliasing, NaN and cancellation in derivatives.</summary>
public sealed class HardeningTests
{
    private static double D1(Func<Var, Var> f, double x)
    {
        var v = Var.Parameter(Tensor.Scalar(x));
        return Grad.Of(f(v), v).ToScalar();
    }

    private static double D2(Func<Var, Var> f, double x)
    {
        var v = Var.Parameter(Tensor.Scalar(x));
        var g = Grad.Of(f(v), v, createGraph: true);
        return Grad.Of(g, v).ToScalar();
    }

    private static void Relative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"{what}: {actual:R} vs {expected:R}");

    [Fact]
    public void ConcatDoesNotFollowLaterChangesOfTheCallersList()
    {
        var a = Var.Parameter(Tensor.Vector(1, 2));
        var b = Var.Constant(Tensor.Vector(3));
        var parts = new List<Var> { a, b };
        var y = Op.Sum(Op.Square(Op.Concat(parts, 0)));
        parts[0] = Var.Constant(Tensor.Vector(5, 5));
        parts.Add(a);
        Assert.Equal([2.0, 4.0], Grad.Of(y, a).Value.ToArray());
    }

    [Fact]
    public void AGraphOfConstantsHasNoGradient()
    {
        var x = Var.Parameter(Tensor.Scalar(2));
        var c = Op.Square(Var.Constant(Tensor.Scalar(3)));
        Assert.Contains("constants only", Assert.Throws<InvalidOperationException>(() => Grad.Of(c, x)).Message);
        // a gradient taken without createGraph is a constant: differentiating it again is the same mistake, named
        var g = Grad.Of(Op.Pow(x, 3), x);
        Assert.Contains("createGraph: true", Assert.Throws<InvalidOperationException>(() => Grad.Of(g, x)).Message);
        Assert.Equal(12, D2(v => Op.Pow(v, 3), 2), 12);
    }

    [Fact]
    public void GradOfNeedsAScalarAndHessianProductsNeedDirectionsOfTheInputsShape()
    {
        var x = Var.Parameter(Tensor.Vector(1, 2, 3));
        Assert.Contains("scalar output", Assert.Throws<ArgumentException>(() => Grad.Of(Op.Square(x), x)).Message);
        var f = Op.Sum(Op.Pow(x, 3));
        Assert.Contains("not broadcast", Assert.Throws<ArgumentException>(() =>
            Grad.HessianVectorProduct(f, [x], [Var.Constant(Tensor.Scalar(1))])).Message);
        // H = diag(6 x): H v with v = (1, 0, 1)
        Assert.Equal([6.0, 0.0, 18.0], Grad.HessianVectorProduct(f, [x], [Var.Constant(Tensor.Vector(1, 0, 1))])[0].Value.ToArray());
        // a linear function: a zero Hessian, not an error
        var linear = Op.Sum(Op.Scale(x, 2));
        Assert.Equal([0.0, 0.0, 0.0], Grad.HessianVectorProduct(linear, [x], [Var.Constant(Tensor.Vector(1, 1, 1))])[0].Value.ToArray());
    }

    [Fact]
    public void PowersWithExponentZeroHaveZeroDerivativesAtZero()
    {
        Assert.Equal(0, D1(v => Op.Pow(v, 0), 0));
        Assert.Equal(0, D2(v => Op.Pow(v, 0), 0));
        Assert.Equal(1, Op.Pow(Var.Parameter(Tensor.Scalar(0)), 0).ToScalar());
        // a^b with a tensor exponent: at a = 0, b = 0 both partial derivatives are 0 (not NaN)
        var a = Var.Parameter(Tensor.Scalar(0));
        var b = Var.Parameter(Tensor.Scalar(0));
        var g = Grad.Compute(Op.Pow(a, b), [a, b]);
        Assert.Equal(0, g[0].ToScalar());
        Assert.Equal(0, g[1].ToScalar());
        // and away from the special points the rules are unchanged: d/da a^b = b a^(b-1), d/db = a^b ln a
        var a2 = Var.Parameter(Tensor.Scalar(1.5));
        var b2 = Var.Parameter(Tensor.Scalar(2.5));
        var g2 = Grad.Compute(Op.Pow(a2, b2), [a2, b2]);
        Assert.Equal(2.5 * Math.Pow(1.5, 1.5), g2[0].ToScalar(), 12);
        Assert.Equal(Math.Pow(1.5, 2.5) * Math.Log(1.5), g2[1].ToScalar(), 12);
    }

    [Fact]
    public void Log1pIsFiniteForLargeArguments()
    {
        var y = Op.Log1p(Var.Parameter(Tensor.Scalar(1e308)));
        Relative(Math.Log(1e308), y.ToScalar(), 1e-15, "log1p(1e308)");
        Relative(1 / (1 + 1e300), D1(Op.Log1p, 1e300), 1e-15, "log1p'(1e300)");
        Relative(1e-20, Op.Log1p(Var.Constant(Tensor.Scalar(1e-20))).ToScalar(), 1e-15, "log1p(1e-20)");
    }

    [Fact]
    public void SaturatingActivationsKeepTheirRelativeAccuracyInTheTails()
    {
        // exact tails: sigma'(x) = e^-x / (1 + e^-x)^2, tanh'(x) = 4 e^-2x / (1 + e^-2x)^2, softplus'' = sigma'
        foreach (double x in new[] { 20.0, 40.0, -40.0 })
        {
            double e = Math.Exp(-Math.Abs(x));
            Relative(e / ((1 + e) * (1 + e)), D1(Op.Sigmoid, x), 1e-14, $"sigmoid'({x})");
            Relative(e / ((1 + e) * (1 + e)), D2(Op.Softplus, x), 1e-14, $"softplus''({x})");
            double e2 = Math.Exp(-2 * Math.Abs(x / 2));
            Relative(4 * e2 / ((1 + e2) * (1 + e2)), D1(Op.Tanh, x / 2), 1e-14, $"tanh'({x / 2})");
        }
        // SiLU'(x) = sigma(x) (1 + x sigma(-x)): at x = 40 the correction x sigma(-x) = 1.7e-16 survives
        double s = 1 / (1 + Math.Exp(-40)), sm = 1 / (1 + Math.Exp(40));
        Relative(s * (1 + 40 * sm), D1(Op.Silu, 40), 1e-15, "silu'(40)");
        Relative(sm * (1 - 40 * s), D1(Op.Silu, -40), 1e-13, "silu'(-40)");
    }

    [Fact]
    public void GeluBackwardIsAccurateInTheLowerTail()
    {
        // GELU'(x) = Phi(x) + x phi(x); at x = -10, Phi = erfc(10 / sqrt 2) / 2 = 7.62e-24 (MathNet's erfc), which
        // 1 + erf(x / sqrt 2) rounds away
        foreach (double x in new[] { -10.0, -5.0, 0.3, 4.0 })
        {
            double phi = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
            double expected = 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2)) + x * phi;
            Relative(expected, D1(Op.Gelu, x), 1e-12, $"gelu'({x})");
        }
        // the second derivative, 2 phi(x) - x^2 phi(x), by nesting
        double x0 = -3.0, p0 = Math.Exp(-0.5 * x0 * x0) / Math.Sqrt(2 * Math.PI);
        Relative(2 * p0 - x0 * x0 * p0, D2(Op.Gelu, x0), 1e-12, "gelu''(-3)");
    }
}
