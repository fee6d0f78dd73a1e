using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

public sealed class ElementwiseGradientTests
{
    public static TheoryData<string> UnaryNames() => new(
        "neg", "exp", "log", "log1p", "sqrt", "abs", "tanh", "sigmoid", "silu", "softplus", "gelu", "atan", "erf",
        "square", "reciprocal", "pow_scalar", "scale", "add_scalar", "rsub_scalar", "rdiv_scalar");

    private static (Func<Var, Var> F, Tensor X) Unary(string name) => name switch
    {
        "neg" => (x => -x, Check.Normal(1, 3, 4)),
        "exp" => (Op.Exp, Check.Normal(2, 3, 4)),
        "log" => (Op.Log, Check.Uniform(3, 0.3, 3, 3, 4)),
        "log1p" => (Op.Log1p, Check.Uniform(4, -0.6, 3, 3, 4)),
        "sqrt" => (Op.Sqrt, Check.Uniform(5, 0.2, 4, 3, 4)),
        "abs" => (Op.Abs, Check.AwayFromZero(6, 3, 4)),
        "tanh" => (Op.Tanh, Check.Normal(7, 3, 4)),
        "sigmoid" => (Op.Sigmoid, Check.Normal(8, 3, 4)),
        "silu" => (Op.Silu, Check.Normal(9, 3, 4)),
        "softplus" => (Op.Softplus, Check.Normal(10, 3, 4)),
        "gelu" => (Op.Gelu, Check.Normal(11, 3, 4)),
        "atan" => (Op.Atan, Check.Normal(12, 3, 4)),
        "erf" => (Op.Erf, Check.Normal(13, 3, 4)),
        "square" => (Op.Square, Check.Normal(14, 3, 4)),
        "reciprocal" => (Op.Reciprocal, Check.Uniform(15, 0.5, 2, 3, 4)),
        "pow_scalar" => (x => Op.Pow(x, 2.5), Check.Uniform(16, 0.3, 2, 3, 4)),
        "scale" => (x => x * 1.7, Check.Normal(17, 3, 4)),
        "add_scalar" => (x => x + 0.3, Check.Normal(18, 3, 4)),
        "rsub_scalar" => (x => 0.3 - x, Check.Normal(19, 3, 4)),
        "rdiv_scalar" => (x => 2.0 / x, Check.Uniform(20, 0.5, 2, 3, 4)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void UnaryFirstAndSecondDerivativesMatchFiniteDifferences(string name)
    {
        var (f, x) = Unary(name);
        Check.Both(v => f(v[0]), x);
    }

    [Fact]
    public void TanhAndErfValuesMatchReferenceTables()
    {
        // tanh(0.5) and erf(-1) to 16 digits (Abramowitz and Stegun tables; also scipy.special)
        Assert.Equal(0.46211715726000974, Op.Tanh(Var.Constant(Tensor.Vector(0.5))).Value[0], 15);
        Assert.Equal(-0.8427007929497149, Op.Erf(Var.Constant(Tensor.Vector(-1.0))).Value[0], 15);
    }

    [Fact]
    public void GeluSiluSoftplusValues()
    {
        var x = Var.Constant(Tensor.Vector(1.0, -2.0, 30.0, -40.0));
        // GELU(1) = Phi(1) = 0.8413447460685429; SiLU(-2) = -2/(1+e^2); softplus stable at +-large
        Assert.Equal(0.8413447460685429, Op.Gelu(x).Value[0], 14);
        Assert.Equal(-2 / (1 + Math.Exp(2)), Op.Silu(x).Value[1], 14);
        Assert.Equal(30.0 + Math.Exp(-30), Op.Softplus(x).Value[2], 12);
        Assert.Equal(1.0, Op.Softplus(x).Value[3] / Math.Exp(-40), 14);
    }

    public static TheoryData<string, int[], int[]> BinaryCases()
    {
        var d = new TheoryData<string, int[], int[]>();
        foreach (var op in new[] { "add", "sub", "mul", "div", "pow" })
        {
            d.Add(op, [3, 4], [3, 4]);
            d.Add(op, [3, 4], [4]);
            d.Add(op, [2, 1, 3], [4, 1]);
            d.Add(op, [], [2, 3]);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BroadcastingBinaryOpsFirstAndSecondDerivatives(string op, int[] sa, int[] sb)
    {
        var a = op == "pow" ? Check.Uniform(21, 0.5, 2, sa) : Check.Normal(21, sa);
        var b = op is "div" ? Check.Uniform(22, 0.5, 2, sb) : op == "pow" ? Check.Uniform(22, -1.5, 1.5, sb) : Check.Normal(22, sb);
        Func<Var, Var, Var> f = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            "div" => (x, y) => x / y,
            _ => Op.Pow,
        };
        Check.Both(v => f(v[0], v[1]), a, b);
    }

    [Fact]
    public void GradientOfGradientOfCubeIsSixX()
    {
        var x = Var.Parameter(Tensor.Vector(0.7, -1.3));
        var y = Op.Sum(Op.Pow(x, 3));
        var g = Grad.Of(y, x, createGraph: true);
        Assert.Equal(3 * 0.49, g.Value[0], 14);
        var gg = Grad.Of(Op.Sum(g), x, createGraph: true);
        Assert.Equal(6 * 0.7, gg.Value[0], 13);
        Assert.Equal(6 * -1.3, gg.Value[1], 13);
        var ggg = Grad.Of(Op.Sum(gg), x);
        Assert.Equal(6, ggg.Value[0], 12);
    }

    [Fact]
    public void DoubleWhereGivesFiniteGradientsWhereTheNaiveFormDoesNot()
    {
        var xs = Tensor.Vector(0.0, 4.0, -1.0);
        var mask = Tensor.Vector(0, 1, 0);
        var x = Var.Parameter(xs);
        // naive: sqrt is evaluated at 0 and -1 too: its derivative there is inf/NaN and 0 * inf = NaN
        var naive = Op.Sum(Op.Where(mask, Op.Sqrt(x), Var.Constant(Tensor.Zeros(3))));
        Assert.Contains(Grad.Of(naive, x).Value.ToArray(), double.IsNaN);
        // double where: sqrt only ever sees safe inputs
        var safe = Op.Where(mask, x, Var.Constant(Tensor.Ones(3)));
        var good = Op.Sum(Op.Where(mask, Op.Sqrt(safe), Var.Constant(Tensor.Zeros(3))));
        var g = Grad.Of(good, x, createGraph: true).Value.ToArray();
        Assert.Equal([0, 0.25, 0], g);
        // and its second derivative is finite too: d2/dx2 sqrt(x) = -1/4 x^-3/2 = -1/32 at 4
        var h = Grad.Of(Op.Sum(Grad.Of(good, x, createGraph: true)), x).Value.ToArray();
        Assert.Equal([0, -1.0 / 32, 0], h);
        Check.Both(v => Op.Where(mask, Op.Sqrt(Op.Where(mask, v[0], Var.Constant(Tensor.Ones(3)))), v[0] * 2.0), Tensor.Vector(0.5, 4.0, -1.0));
    }

    [Fact]
    public void MismatchedShapesNameBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Var.Constant(Tensor.Zeros(2, 3)) + Var.Constant(Tensor.Zeros(3, 2)));
        Assert.Contains("(2, 3)", ex.Message);
        Assert.Contains("(3, 2)", ex.Message);
    }
}
