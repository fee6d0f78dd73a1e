using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

/// <summary>The fused row-wise SiLU MLP against its composed form and against finite differences.</summary>
public sealed class SiluMlpTests
{
    /// <summary>x (rows, k) and W_1, c_1, ..., w for the given widths; weights O(1) so that every SiLU bends.</summary>
    private static Tensor[] Net(long seed, int rows, int k, int[] widths, bool columnOutput = true)
    {
        var t = new List<Tensor> { Check.Normal(seed, rows, k) };
        int prev = k;
        foreach (int h in widths)
        {
            t.Add(Check.Normal(seed + t.Count, prev, h));
            t.Add(Check.Normal(seed + t.Count, h));
            prev = h;
        }
        t.Add(columnOutput ? Check.Normal(seed + t.Count, prev, 1) : Check.Normal(seed + t.Count, prev));
        return [.. t];
    }

    private static Var Fused(Var[] v) => Op.SiluMlp(v[0], v[1..]);

    private static Var Composed(Var[] v) => Op.SiluMlpComposed(v[0], v[1..]);

    private static void Close(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        var e = expected.Span;
        var a = actual.Span;
        double scale = 1;
        foreach (double v in e) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * scale, $"element {i}: expected {e[i]:R}, got {a[i]:R}");
    }

    [Theory]
    [InlineData(1, 1, new[] { 3 }, true)]
    [InlineData(7, 2, new[] { 4, 5 }, true)]
    [InlineData(257, 2, new[] { 16, 16 }, false)]   // crosses a row block
    [InlineData(600, 3, new[] { 5, 4, 3 }, true)]
    public void ValueAndDerivativesEqualTheComposedForm(int rows, int k, int[] widths, bool column)
    {
        var t = Net(10 + rows, rows, k, widths, column);
        var fused = t.Select(Var.Parameter).ToArray();
        var composed = t.Select(Var.Parameter).ToArray();
        var yf = Fused(fused);
        var yc = Composed(composed);
        Close(yc.Value, yf.Value, 1e-14);

        // first derivatives with a seed
        var seed = Var.Constant(Check.Normal(99, rows));
        var gf = Grad.Compute(yf, fused, seed, createGraph: true);
        var gc = Grad.Compute(yc, composed, seed, createGraph: true);
        for (int i = 0; i < gf.Length; i++) Close(gc[i].Value, gf[i].Value, 1e-13);

        // second: the gradient of <g, u> for fixed random directions u (the fused Hessian-vector kernel)
        Var Contract(Var[] g, long s)
        {
            Var? acc = null;
            for (int i = 0; i < g.Length; i++)
            {
                var term = Op.Sum(g[i] * Var.Constant(Check.Normal(s + i, g[i].Value.ShapeArray())));
                acc = acc is null ? term : acc + term;
            }
            return acc!;
        }
        var seedF = Var.Parameter(seed.Value);
        var seedC = Var.Parameter(seed.Value);
        var gf2 = Grad.Compute(Fused(fused), fused, seedF, createGraph: true);
        var gc2 = Grad.Compute(Composed(composed), composed, seedC, createGraph: true);
        var hf = Grad.Compute(Contract(gf2, 200), [.. fused, seedF], createGraph: true);
        var hc = Grad.Compute(Contract(gc2, 200), [.. composed, seedC], createGraph: true);
        for (int i = 0; i < hc.Length; i++) Close(hc[i].Value, hf[i].Value, 1e-12);

        // third: differentiate a contraction of the second derivatives again (through the composed fallback)
        var tf = Grad.Compute(Contract(hf[..^1], 300), fused);
        var tc = Grad.Compute(Contract(hc[..^1], 300), composed);
        for (int i = 0; i < tc.Length; i++) Close(tc[i].Value, tf[i].Value, 1e-11);
    }

    [Fact]
    public void TheSeedsDerivativeIsTheTangent()
    {
        // d/d ybar of <(u, v), J^T ybar> = J (u, v): the derivative of the backward by its seed
        var t = Net(5, 9, 2, [4, 3]);
        var vars = t.Select(Var.Parameter).ToArray();
        var ybar = Var.Parameter(Check.Normal(6, 9));
        var g = Grad.Compute(Fused(vars), vars, ybar, createGraph: true);
        var u = Check.Normal(7, 9, 2);
        var dy = Grad.Compute(Op.Sum(g[0] * Var.Constant(u)), [ybar])[0].Value.Span;
        // finite differences of y along x + eps u
        const double eps = 1e-6;
        var plus = Op.SiluMlp(Var.Constant(TensorMath.Binary(BinaryOp.Add, t[0], TensorMath.Scale(u, eps))), vars[1..]).Value.Span;
        var minus = Op.SiluMlp(Var.Constant(TensorMath.Binary(BinaryOp.Add, t[0], TensorMath.Scale(u, -eps))), vars[1..]).Value.Span;
        for (int r = 0; r < 9; r++) Assert.True(Math.Abs((plus[r] - minus[r]) / (2 * eps) - dy[r]) < 1e-7, $"row {r}: {dy[r]:R} against {(plus[r] - minus[r]) / (2 * eps):R}");
    }

    [Fact]
    public void DerivativesEqualFiniteDifferences()
    {
        var t = Net(40, 11, 2, [6, 5]);
        Check.Both(v => Op.Square(Fused(v)), t);
    }

    [Fact]
    public void NoRowsGiveAnEmptyResult()
    {
        var t = Net(50, 0, 2, [3]);
        var vars = t.Select(Var.Parameter).ToArray();
        var y = Fused(vars);
        Assert.Equal(0, y.Length);
        Assert.Equal(0.0, Grad.Compute(Op.Sum(y), vars)[1].Value.Span.ToArray().Sum(Math.Abs));
    }

    [Fact]
    public void ShapesThatDoNotChainAreNamed()
    {
        var x = Var.Constant(Check.Normal(1, 4, 2));
        var ex = Assert.Throws<ArgumentException>(() => Op.SiluMlp(x, [Var.Constant(Check.Normal(2, 3, 5)), Var.Constant(Check.Normal(3, 5)), Var.Constant(Check.Normal(4, 5, 1))]));
        Assert.Contains("W_1 must have shape (2, width)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Op.SiluMlp(x, [Var.Constant(Check.Normal(2, 2, 5)), Var.Constant(Check.Normal(3, 4)), Var.Constant(Check.Normal(4, 5, 1))]));
        Assert.Contains("c_1 must have shape (5)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Op.SiluMlp(x, [Var.Constant(Check.Normal(2, 2, 5)), Var.Constant(Check.Normal(3, 5))]));
        Assert.Contains("odd number", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Op.SiluMlp(x, [Var.Constant(Check.Normal(2, 2, 5)), Var.Constant(Check.Normal(3, 5)), Var.Constant(Check.Normal(4, 5, 2))]));
        Assert.Contains("output weights", ex.Message);
    }
}
