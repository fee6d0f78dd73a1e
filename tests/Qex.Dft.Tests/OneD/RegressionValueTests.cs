using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.Tests.OneD;

/// <summary>The regression values of science-1d.md.</summary>
public sealed class RegressionValueTests
{
    [Fact]
    public void KineticMatrixFirstRow()
    {
        // on linspace(-10, 10, 6) (h = 4): [0.078125, -0.04166667, 0.00260417, 0, ...]
        var t = KineticOperator.Matrix(Grid1D.Linspace(-10, 10, 6));
        Assert.Equal(0.078125, t[0, 0], 12);
        Assert.Equal(-0.041666666666666664, t[0, 1], 12);
        Assert.Equal(0.0026041666666666665, t[0, 2], 12);
        Assert.Equal(0, t[0, 3]);
        Assert.Equal(t[1, 0], t[0, 1]);
    }

    [Fact]
    public void HarmonicOscillatorTotalEnergy()
    {
        // v = x^2/2 on linspace(-5, 5, 201), N = 1: total energy 0.49999993499536804
        var grid = Grid1D.Linspace(-5, 5, 201);
        var v = Var.Constant(TensorMath.Map(grid.Points, x => 0.5 * x * x));
        var r = new NonInteractingSolver(grid).Solve(v, 1);
        Assert.Equal(0.49999993499536804, r.SumEigenvalues.ToScalar(), 10);
        Assert.Equal(1.0, grid.Integrate(r.Density.Value.Span), 12);
    }

    [Theory]
    [InlineData(1, 0.5, 0)]
    [InlineData(2, 1.0, 1)]
    [InlineData(3, 2.5, 0)]
    [InlineData(4, 4.0, 1)]
    public void HarmonicOscillatorShellsAndGaps(int electrons, double sumEps, double gap)
    {
        // on linspace(-10, 10, 1001): sum_eps = 0.5, 1, 2.5, 4 and gap 0, 1, 0, 1 for N = 1..4
        var grid = Grid1D.Linspace(-10, 10, 1001);
        var v = Var.Constant(TensorMath.Map(grid.Points, x => 0.5 * x * x));
        var r = new NonInteractingSolver(grid).Solve(v, electrons);
        Assert.Equal(sumEps, r.SumEigenvalues.ToScalar(), 5);
        Assert.Equal(gap, r.Gap, 5);
        Assert.Equal(electrons, grid.Integrate(r.Density.Value.Span), 10);
    }

    [Fact]
    public void LdaExchangeTestValues()
    {
        double[] n = [1e-15, 1e-10, 1e-5, 1, 2, 3, 20];
        double[] expected = [0, 0, -1.3e-5, -0.3983580525, -0.4512822906, -0.4732600516, -0.521973703];
        var ex = new ExponentialLda().Exchange(Var.Constant(Tensor.Vector(n))).Value;
        for (int i = 0; i < n.Length; i++)
            Assert.True(Math.Abs(ex[i] - expected[i]) < (i < 3 ? 1e-6 : 1e-9), $"eps_x({n[i]}) = {ex[i]}, expected {expected[i]}");
    }

    [Fact]
    public void LdaExchangeCorrelationAtUnitDensity()
    {
        var lda = new ExponentialLda();
        var one = Var.Constant(Tensor.Vector(1.0));
        Assert.Equal(-0.406069, lda.EnergyDensity(one, [], null!).Value[0], 6);
    }

    [Fact]
    public void LdaCorrelationLimitsAtZeroDensity()
    {
        // eps_c(0) = 0 and d eps_c/dn (0) = -A/(kappa alpha)
        var lda = new ExponentialLda();
        var n = Var.Parameter(Tensor.Vector(0.0, 1e-16));
        var ec = lda.Correlation(n);
        Assert.Equal(0, ec.Value[0]);
        var slope = Grad.Of(Op.Sum(ec), n).Value;
        double expected = -ExponentialCoulomb.DefaultAmplitude / (ExponentialCoulomb.DefaultKappa * 2);
        Assert.Equal(expected, slope[0], 10);
        Assert.Equal(expected, slope[1], 6);
    }
}
