using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

public sealed class GradCheckTests
{
    [Fact]
    public void DetectsAWrongFirstDerivative()
    {
        // x.Detach() * x has the true derivative 2x but autodiff sees only x: the check must fail
        var r = GradCheck.Gradient(v => v[0].Detach() * v[0], [Check.Normal(1, 5)]);
        Assert.True(r.MaxRelativeError > 0.1, r.ToString());
        Assert.Throws<GradCheckException>(() => GradCheck.AssertWithin(r, 1e-6));
    }

    [Fact]
    public void DetectsAWrongSecondDerivative()
    {
        // the recorded gradient of sum(x * detach(x)^2) is the constant detach(x)^2, so the recorded Hessian is 0,
        // while finite differences of that gradient give 2x: the HVP check must fail
        var r = GradCheck.HessianVectorProduct(v => Op.Sum(v[0] * Op.Square(v[0].Detach())), [Check.Uniform(2, 0.5, 1.5, 4)]);
        Assert.True(r.MaxRelativeError > 0.1, r.ToString());
    }

    [Fact]
    public void PassesOnAnAnalyticCase()
    {
        var r = GradCheck.Gradient(v => Op.Sum(Op.Exp(v[0]) * v[1]), [Tensor.Vector(0.1, -0.3), Tensor.Vector(2, 3)]);
        Assert.True(r.MaxRelativeError < 1e-9, r.ToString());
        Assert.Equal(4, r.Checked);
    }
}
