using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

public sealed class EighGradientTests
{
    /// <summary>A symmetric matrix built from an unconstrained one, so finite differences stay symmetric.</summary>
    private static Var Sym(Var x) => Op.Symmetrize(x);

    [Fact]
    public void EigenvaluesFirstAndSecondDerivatives()
    {
        var x = Check.Normal(70, 6, 6);
        Check.Both(v => Op.Eigh(Sym(v[0])).Values, x);
    }

    [Fact]
    public void EigenvectorsFirstAndSecondDerivatives()
    {
        var x = Check.Normal(71, 6, 6);
        // the sign convention (largest component positive) is locally constant, so any function of V is smooth
        Check.Both(v => Op.Eigh(Sym(v[0])).Vectors, x);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LowestPairsFirstAndSecondDerivatives(int k)
    {
        var x = Check.Normal(72 + k, 8, 8);
        Check.Both(v => Op.EighLowest(Sym(v[0]), k).Values, x);
        Check.Both(v => Op.EighLowest(Sym(v[0]), k).Vectors, x);
    }

    [Fact]
    public void OccupiedDensityOfATightBindingChain()
    {
        // the Kohn-Sham use: a density n = sum_occ phi_i^2 from the lowest orbitals of H = T + diag(v)
        int n = 12;
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            t[i * n + i] = 1.0;
            if (i + 1 < n) { t[i * n + i + 1] = -0.5; t[(i + 1) * n + i] = -0.5; }
        }
        var kinetic = Var.Constant(Tensor.Wrap(t, n, n));
        var v0 = Check.Normal(80, n);
        Var Density(Var[] p)
        {
            var h = kinetic + Op.Reshape(p[0], n, 1) * Var.Constant(Tensor.Identity(n));
            var e = Op.EighLowest(h, 2);
            return Op.Sum(Op.Square(e.Vectors), [1]);
        }
        Check.Both(Density, v0);
    }

    [Fact]
    public void DegeneratePairWithARotationInvariantLossIsExact()
    {
        // A = Q diag(1, 1, 2.5, 4, 6) Q^T: l0 = l1 exactly. The projector onto the lowest pair, and so any loss
        // built from it, is smooth, and the derivative rule (which drops the 1/(l1 - l0) term) is exact for it.
        var a0 = WithSpectrum([1, 1, 2.5, 4, 6], 5);
        var c = Var.Constant(Check.Normal(81, 5, 5));
        Var Loss(Var[] p)
        {
            var e = Op.Eigh(Sym(p[0]));
            var occ = Op.Slice(e.Vectors, 1, 0, 2);
            var projector = Op.MatMul(occ, occ, false, true);
            return Op.Sum(projector * c) + Op.Sum(Op.Slice(e.Values, 0, 0, 2));
        }
        GradCheck.AssertWithin(GradCheck.Gradient(Loss, [a0], new GradCheckOptions(Step: 1e-4)), 1e-6);
        Var LossLowest(Var[] p)
        {
            var e = Op.EighLowest(Sym(p[0]), 2);
            return Op.Sum(Op.MatMul(e.Vectors, e.Vectors, false, true) * c);
        }
        GradCheck.AssertWithin(GradCheck.Gradient(LossLowest, [a0], new GradCheckOptions(Step: 1e-4)), 1e-6);
    }

    [Fact]
    public void DegeneratePairWithANonInvariantLossGivesAFiniteGradient()
    {
        // a single eigenvector of a degenerate pair is not differentiable; the rule returns a finite gradient
        var a0 = WithSpectrum([1, 1, 2.5, 4], 6);
        var x = Var.Parameter(a0);
        var e = Op.Eigh(Sym(x));
        var loss = Op.Sum(Op.Slice(e.Vectors, 1, 0, 1));
        var g = Grad.Of(loss, x).Value.ToArray();
        Assert.All(g, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ThirdOrderMixedDerivativeOfAnHvp()
    {
        // d/dtheta of (H_x v) for E(x; theta) = sum(silu(x W1) W2) + sum(x^3 theta0), checked by finite differences
        var x0 = Check.Normal(90, 4);
        var v = Var.Constant(Check.Normal(91, 4));
        var w1 = Check.Normal(92, 4, 3);
        var w2 = Check.Normal(93, 3, 1);
        var th = Check.Normal(94, 4);
        Var HvpInX(Var[] p)
        {
            var x = Var.Parameter(x0);
            var e = Op.Sum(Op.MatMul(Op.Silu(Op.MatMul(Op.Reshape(x, 1, 4), p[0])), p[1])) + Op.Sum(Op.Pow(x, 3) * p[2]);
            return Grad.HessianVectorProduct(e, [x], [v], createGraph: true)[0];
        }
        Check.Gradient(HvpInX, w1, w2, th);
    }

    [Fact]
    public void PotentialAsGradientThenTrainingGradient()
    {
        // the XC pattern: v = dE/dn (recorded), loss = sum(v^2), gradient of the loss in the parameters
        var n0 = Check.Uniform(95, 0.1, 1.0, 10);
        var w = Check.Normal(96, 3, 1, 2);
        var w2 = Check.Normal(97, 1, 2, 1);
        Var Loss(Var[] p)
        {
            var n = Var.Parameter(n0);
            var eps = -Op.Silu(Op.Conv1d(Op.Conv1d(Op.Reshape(n, 10, 1), p[0]), p[1]));
            var e = Op.Sum(Op.Reshape(eps, 10) * n);
            var vxc = Grad.Of(e, n, createGraph: true);
            return Op.Sum(Op.Square(vxc));
        }
        Check.Gradient(Loss, w, w2);
    }

    private static Tensor WithSpectrum(double[] values, long seed) => Qex.Tests.Common.RandomMatrices.WithSpectrum(values, seed);
}
