using Qex.Autodiff;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Tests.Common;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.OneD;

public sealed class TrainingLossGradientTests
{
    [SharedDataFact("jaxdft", "h2")]
    public void FullTrajectoryLossGradientMatchesFiniteDifferences()
    {
        // the default batch (H2 at R = 1.28 and 3.84), 15 KS iterations, KSR-global from a seeded initialisation:
        // 3 components of every parameter tensor against five-point central differences
        var ds = DatasetReader.Load("h2");
        var batch = ds.Split("train");
        var solver = new KohnShamSolver(ds.Grid, new ExponentialCoulomb());
        var ksr = new KsrGlobal();
        var init = ksr.InitialParameters(RngKey.FromSeed(3));
        Var Loss(Var[] p) => TrajectoryLoss.Batch(batch.Select(s => TrajectoryLoss.Molecule(solver.Run(s.Molecule, ksr, p), s, ds.Grid.Spacing)).ToList());
        var result = GradCheck.Gradient(Loss, init.Items.Select(i => i.Value).ToArray(), new GradCheckOptions(Step: 1e-4, MaxPerInput: 3, Floor: 1e-3));
        Assert.Equal(13, result.Checked);
        GradCheck.AssertWithin(result, 1e-5, "training-loss gradient");
    }

    [Fact]
    public void LdaTrajectoryOfATwoElectronSystemIsDifferentiableInTheExternalField()
    {
        // no shared data needed: H2 at R = 1.6 on a short grid; d(loss)/d(nuclear charge scale) by finite differences
        var grid = Grid1D.Linspace(-8, 8, 201);
        var solver = new KohnShamSolver(grid, new ExponentialCoulomb());
        var mol = new Molecule1D([-0.8, 0.8], [1, 1], 2);
        var reference = new Sample(0, "h2", 160, mol, -1.9, Tensor.Zeros(201), Tensor.Zeros(201));
        var lda = new ExponentialLda();
        // scale the LDA energy density by a parameter s: a one-parameter "functional"
        var scaled = new ScaledFunctional(lda);
        Var Loss(Var[] p) => TrajectoryLoss.Molecule(solver.Run(mol, scaled, p, new ScfOptions(Iterations: 6)), reference, grid.Spacing, new LossWeights(EnergySteps: 3));
        GradCheck.AssertWithin(GradCheck.Gradient(Loss, [Tensor.Scalar(1.1)], new GradCheckOptions(Step: 1e-4)), 1e-6);
    }

    private sealed class ScaledFunctional(IXcFunctional inner) : IXcFunctional
    {
        public string Name => "scaled";
        public Qex.Autodiff.Optimisers.ParameterSet InitialParameters(RngKey key) => new([new("s", Tensor.Scalar(1))]);
        public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context) =>
            inner.EnergyDensity(density, [], context) * parameters[0];
    }
}
