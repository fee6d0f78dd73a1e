using Qex.Core.Tensors;

namespace Qex.Core.Tests;

public sealed class TensorTests
{
    [Fact]
    public void WrapRejectsLengthThatDoesNotFitShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Wrap(new double[5], 2, 3));
        Assert.Contains("(2, 3)", ex.Message);
    }

    [Fact]
    public void IndexingIsRowMajor()
    {
        var t = Tensor.Wrap([0, 1, 2, 3, 4, 5], 2, 3);
        Assert.Equal(5, t[1, 2]);
        Assert.Equal(3, t[1, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => t[2, 0]);
    }

    [Fact]
    public void ReshapeInfersOneAxisAndSharesValues()
    {
        var t = Tensor.Wrap([0, 1, 2, 3, 4, 5], 2, 3).Reshape(-1, 2);
        Assert.Equal([3, 2], t.ShapeArray());
        Assert.Equal(4, t[2, 0]);
        Assert.Throws<ArgumentException>(() => t.Reshape(4, -1));
    }

    [Fact]
    public void BroadcastFollowsNumPyRules()
    {
        Assert.Equal([4, 2, 3], ShapeUtil.Broadcast([2, 1], [4, 1, 3]));
        Assert.Equal([5], ShapeUtil.Broadcast([], [5]));
        var ex = Assert.Throws<ArgumentException>(() => ShapeUtil.Broadcast([2, 3], [3, 2]));
        Assert.Contains("cannot be broadcast", ex.Message);
    }

    [Fact]
    public void ScalarHasRankZero()
    {
        var s = Tensor.Scalar(2.5);
        Assert.Equal(0, s.Rank);
        Assert.Equal(2.5, s.ToScalar());
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2).ToScalar());
    }

    [Fact]
    public void WhereSelectsWithEqualShapesAScalarOrBroadcasting()
    {
        var mask = Tensor.Vector(1, 0, 2, 0);
        var a = Tensor.Vector(10, 20, 30, 40);
        var b = Tensor.Vector(-1, -2, -3, -4);
        Assert.Equal([10, -2, 30, -4], TensorMath.Where(mask, a, b).ToArray());
        Assert.Equal([10, 7, 30, 7], TensorMath.Where(mask, a, Tensor.Scalar(7)).ToArray());
        // mask (2, 1) against a (2, 2) and a row b (2): the general broadcast path
        var m2 = Tensor.Wrap([1, 0], 2, 1);
        var r = TensorMath.Where(m2, Tensor.Wrap([1, 2, 3, 4], 2, 2), Tensor.Vector(8, 9));
        Assert.Equal([2, 2], r.ShapeArray());
        Assert.Equal([1, 2, 8, 9], r.ToArray());
    }

    [Fact]
    public void BroadcastToCopiesOnlyWhatItMustAndRefusesBadShapes()
    {
        var a = Tensor.Vector(1, 2, 3);
        Assert.Equal([1, 2, 3], TensorMath.BroadcastTo(a, [3]).ToArray());
        var filled = TensorMath.BroadcastTo(Tensor.Scalar(-0.0), [2, 2]);
        Assert.Equal([2, 2], filled.ShapeArray());
        Assert.All(filled.ToArray(), v => Assert.False(double.IsNegative(v)));   // as 0 + x: no negative zeros
        Assert.Equal([1, 2, 3, 1, 2, 3], TensorMath.BroadcastTo(a, [2, 3]).ToArray());
        Assert.Throws<ArgumentException>(() => TensorMath.BroadcastTo(a, [2, 2]));
    }
}
