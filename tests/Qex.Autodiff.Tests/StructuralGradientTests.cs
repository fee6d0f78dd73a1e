using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

public sealed class StructuralGradientTests
{
    [Theory]
    [InlineData(new int[0], false)]
    [InlineData(new[] { 0 }, false)]
    [InlineData(new[] { 1 }, true)]
    [InlineData(new[] { 1, 2 }, false)]
    [InlineData(new[] { -1 }, true)]
    public void SumAndMeanOverAxes(int[] axes, bool keep)
    {
        var x = Check.Normal(30, 2, 3, 4);
        Check.Both(v => Op.Square(Op.Sum(v[0], axes, keep)), x);
        Check.Both(v => Op.Square(Op.Mean(v[0], axes, keep)), x);
    }

    [Fact]
    public void MaxRoutesTheGradientToTheMaximum()
    {
        var x = Check.Normal(31, 3, 5);
        Check.Both(v => Op.Square(Op.Max(v[0], [1])), x);
        var t = Var.Parameter(Tensor.Vector(1, 3, 3, 2));
        Assert.Equal([0, 0.5, 0.5, 0], Grad.Of(Op.Max(t), t).Value.ToArray()); // ties share
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMulAllTransposes(bool ta, bool tb)
    {
        var a = ta ? Check.Normal(32, 4, 3) : Check.Normal(32, 3, 4);
        var b = tb ? Check.Normal(33, 5, 4) : Check.Normal(33, 4, 5);
        Check.Both(v => Op.Tanh(Op.MatMul(v[0], v[1], ta, tb)), a, b);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void BatchedMatMulAndBatchTimesMatrix(bool ta, bool tb)
    {
        var a = ta ? Check.Normal(34, 2, 4, 3) : Check.Normal(34, 2, 3, 4);
        var b = tb ? Check.Normal(35, 2, 5, 4) : Check.Normal(35, 2, 4, 5);
        Check.Both(v => Op.Tanh(Op.BatchedMatMul(v[0], v[1], ta, tb)), a, b);
        var w = tb ? Check.Normal(36, 5, 4) : Check.Normal(36, 4, 5);
        Check.Both(v => Op.Tanh(Op.MatMul(v[0], v[1], false, tb)), Check.Normal(37, 2, 3, 4), w);
    }

    public static TheoryData<int, int, int, int, int> ConvShapes() => new()
    {
        { 1, 7, 3, 3, 2 },
        { 1, 6, 2, 1, 3 },
        { 1, 9, 2, 5, 2 },
        { 2, 8, 3, 3, 4 },
        { 1, 2, 2, 3, 1 },
    };

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Conv1dFirstAndSecondDerivatives(int batch, int len, int cin, int k, int cout)
    {
        var a = batch == 1 ? Check.Normal(40, len, cin) : Check.Normal(40, batch, len, cin);
        var w = Check.Normal(41, k, cin, cout);
        Check.Both(v => Op.Tanh(Op.Conv1d(v[0], v[1])), a, w);
        // the adjoint ops are differentiable too (they appear in second derivatives)
        var g = batch == 1 ? Check.Normal(42, len, cout) : Check.Normal(42, batch, len, cout);
        Check.Both(v => Op.Tanh(Op.Conv1dInputGrad(v[0], v[1])), g, w);
        Check.Both(v => Op.Tanh(Op.Conv1dWeightGrad(v[0], v[1], k)), a, g);
    }

    [Fact]
    public void Conv1dMatchesTheSpecFormula()
    {
        // z[x, o] = sum_k sum_i a[x + k - 1, i] W[k, i, o] with zero padding (width 3)
        var a = Check.Normal(43, 6, 2);
        var w = Check.Normal(44, 3, 2, 3);
        var z = Op.Conv1d(Var.Constant(a), Var.Constant(w)).Value;
        for (int x = 0; x < 6; x++)
            for (int o = 0; o < 3; o++)
            {
                double s = 0;
                for (int k = 0; k < 3; k++)
                    for (int i = 0; i < 2; i++)
                    {
                        int src = x + k - 1;
                        if (src >= 0 && src < 6) s += a[src, i] * w[k, i, o];
                    }
                Assert.Equal(s, z[x, o], 13);
            }
    }

    [Fact]
    public void ShapeOpsFirstAndSecondDerivatives()
    {
        var x = Check.Normal(50, 3, 4);
        Check.Both(v => Op.Square(Op.Reshape(v[0], 2, -1)), x);
        Check.Both(v => Op.Square(Op.Transpose(v[0])), x);
        Check.Both(v => Op.Square(Op.Permute(Op.Reshape(v[0], 3, 2, 2), 2, 0, 1)), x);
        Check.Both(v => Op.Square(Op.Slice(v[0], 1, 1, 2)), x);
        Check.Both(v => Op.Square(Op.Slice(v[0], 1, 0, 2, step: 2)), x);
        Check.Both(v => Op.Square(Op.Gather(v[0], 0, [2, 0, 2, 1])), x);
        Check.Both(v => Op.Square(Op.Concat([v[0], Op.Exp(v[0]), Op.Slice(v[0], 1, 0, 1)], 1)), x);
        Check.Both(v => Op.Square(Op.Flip(v[0], 1)) * Check.ConstantRamp(3, 4), x);
        Check.Both(v => Op.Square(Op.Pad(v[0], 0, 1, 2, 0.5)), x);
        Check.Both(v => Op.Square(Op.BroadcastTo(Op.Sum(v[0], [0], keepDims: true), [5, 3, 4])), x);
    }

    [Fact]
    public void ShapeOpValuesAreRight()
    {
        var x = Tensor.Wrap([0, 1, 2, 3, 4, 5], 2, 3);
        Assert.Equal([2, 1, 0, 5, 4, 3], Op.Flip(Var.Constant(x), 1).Value.ToArray());
        Assert.Equal([0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0, 0], Op.Pad(Var.Constant(x), 1, 1, 2).Value.ToArray());
        Assert.Equal([3, 4, 5, 0, 1, 2], Op.Gather(Var.Constant(x), 0, [1, 0]).Value.ToArray());
        Assert.Equal([1, 4], Op.Slice(Var.Constant(x), 1, 1, 1).Value.ToArray());
    }

    [Fact]
    public void SolveGradientsInMatrixAndRightHandSide()
    {
        var a = TensorMath.Binary(BinaryOp.Add, Check.Normal(60, 4, 4), TensorMath.Scale(Tensor.Identity(4), 4));
        Check.Both(v => Op.Solve(v[0], v[1]), a, Check.Normal(61, 4));
        Check.Both(v => Op.Solve(v[0], v[1]), a, Check.Normal(62, 4, 2));
    }

    [Fact]
    public void UnreachableInputsGetZerosAndConstantsRecordNothing()
    {
        var x = Var.Parameter(Tensor.Vector(1, 2));
        var y = Var.Parameter(Tensor.Vector(3));
        var g = Grad.Compute(Op.Sum(Op.Exp(x)), [x, y]);
        Assert.Equal([0.0], g[1].Value.ToArray());
        var c = Op.Exp(Var.Constant(Tensor.Vector(1)));
        Assert.False(c.RequiresGrad);
        Assert.False(g[0].RequiresGrad); // no graph without createGraph
    }
}

public sealed class GlobalConvolutionTests
{
    [Fact]
    public void MatchesTheDefinition()
    {
        var a = Check.Normal(1, 7);
        var k = Check.Normal(2, 3, 13);
        var r = Op.GlobalConv(Var.Constant(a), Var.Constant(k)).Value;
        for (int i = 0; i < 7; i++)
            for (int c = 0; c < 3; c++)
            {
                double s = 0;
                for (int j = 0; j < 7; j++) s += k[c, i - j + 6] * a[j];
                Assert.Equal(s, r[i, c], 12);
            }
    }

    [Fact]
    public void FirstAndSecondDerivativesOfTheOpAndItsAdjoints()
    {
        var a = Check.Normal(3, 9);
        var k = Check.Normal(4, 4, 17);
        var g = Check.Normal(5, 9, 4);
        Check.Both(v => Op.Tanh(Op.GlobalConv(v[0], v[1])), a, k);
        Check.Both(v => Op.Tanh(Op.GlobalConvSignalGrad(v[0], v[1])), g, k);
        Check.Both(v => Op.Tanh(Op.GlobalConvKernelGrad(v[0], v[1])), a, g);
    }
}
