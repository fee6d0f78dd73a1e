using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.Tests.OneD;

public sealed class ExponentialLdaTests
{
    private static readonly ExponentialLda Lda = new();

    [Fact]
    public void PolarisedFormsReduceToTheUnpolarisedAtZeroPolarisation()
    {
        var n = Var.Constant(Tensor.Vector(1e-16, 1e-3, 0.1, 1, 5));
        var zero = Var.Constant(Tensor.Zeros(5));
        Assert.True(Lda.PolarizedExchange(n, zero).Value.MaxAbsDiff(Lda.Exchange(n).Value) < 1e-14);
        Assert.True(Lda.PolarizedCorrelation(n, zero).Value.MaxAbsDiff(Lda.Correlation(n).Value) < 1e-14);
    }

    [Fact]
    public void PolarisedExchangeObeysSpinScaling()
    {
        // exact for exchange: e_x(n_up, n_down) = [e_x^0(2 n_up) + e_x^0(2 n_down)] / 2 per length, e_x^0(n) = n eps_x(n)
        double[] ns = [1e-4, 0.05, 0.4, 2.0];
        double[] zetas = [0.0, 0.3, -0.7, 1.0];
        foreach (double nv in ns)
            foreach (double z in zetas)
            {
                var n = Var.Constant(Tensor.Vector(nv));
                double polarized = nv * Lda.PolarizedExchange(n, Var.Constant(Tensor.Vector(z))).Value[0];
                double up = nv * (1 + z), down = nv * (1 - z);
                double ex(double d) => d * Lda.Exchange(Var.Constant(Tensor.Vector(d))).Value[0];
                Assert.Equal(0.5 * (ex(up) + ex(down)), polarized, 12);
            }
    }

    [Fact]
    public void DerivativesAreFiniteAndMatchFiniteDifferencesIncludingTinyDensities()
    {
        GradCheck.AssertWithin(GradCheck.Gradient(v => Lda.EnergyDensity(v[0], [], null!) * v[0], [Tensor.Vector(1e-3, 0.05, 0.7, 3.0)], new GradCheckOptions(Step: 1e-6)), 1e-6);
        // tiny densities (the edges of the grid): steps well below the density itself, on both sides of y = 1e-15
        foreach (double tiny in new[] { 1e-20, 1e-13, 1e-9 })
            GradCheck.AssertWithin(GradCheck.Gradient(v => Lda.EnergyDensity(v[0], [], null!) * v[0], [Tensor.Vector(tiny)],
                new GradCheckOptions(Step: tiny / 100)), 1e-6);
        var z = Tensor.Vector(0.1, -0.4, 0.9, 0.0, 0.5, -1.0);
        GradCheck.AssertWithin(GradCheck.Gradient(v => Lda.PolarizedExchange(v[0], v[1]) + Lda.PolarizedCorrelation(v[0], v[1]),
            [Tensor.Vector(0.01, 0.05, 0.3, 0.7, 1.5, 3.0), z]), 1e-6);
        GradCheck.AssertWithin(GradCheck.HessianVectorProduct(v => Op.Sum(Lda.EnergyDensity(v[0], [], null!) * v[0]),
            [Tensor.Vector(1e-3, 0.05, 0.7, 3.0)], options: new GradCheckOptions(Step: 1e-6)), 1e-5);
    }
}
