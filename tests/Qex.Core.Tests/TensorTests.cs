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
}
