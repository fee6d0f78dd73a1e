using Qex.Autodiff;
using Qex.Core.IO;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.OneD;

/// <summary>
/// The independent float64 re-evaluation table of science-1d.md (K = 15, alpha 0.5, decay 0.9, symmetry about the
/// molecule centre, non-interacting start): error = E - E_DMRG on the standard test splits.
/// </summary>
public sealed class PublishedResultTests
{
    private static (double Mae, double Max, int Within, int Count) Evaluate(IXcFunctional xc, IReadOnlyList<Var> parameters, string set)
    {
        var ds = DatasetReader.Load(set);
        var solver = new KohnShamSolver(ds.Grid, new ExponentialCoulomb());
        var errors = ds.Split("test").Select(s => solver.Run(s.Molecule, xc, parameters).Final.Energy.ToScalar() - s.TotalEnergy).ToList();
        return (errors.Average(Math.Abs) * 1000, errors.Max(Math.Abs) * 1000, errors.Count(e => Math.Abs(e) < 0.0016), errors.Count);
    }

    private static Var[] Published(string name) =>
        KsrGlobal.LoadNpyDirectory(SharedData.Resolve("jaxdft", "ksr_checkpoints", name)!).Items.Select(t => Var.Constant(t.Value)).ToArray();

    [SharedDataFact("jaxdft", "h2")]
    public void RestrictedLdaOnTheH2TestSplit()
    {
        var (mae, max, within, count) = Evaluate(new ExponentialLda(), [], "h2");
        Assert.Equal(32, count);
        Assert.InRange(mae, 54.7 - 0.5, 54.7 + 0.5);
        Assert.InRange(max, 109.5, 110.5);
        Assert.Equal(0, within);
    }

    [SharedDataFact("jaxdft", "ksr_checkpoints", "h2_optimal")]
    public void H2OptimalOnTheH2TestSplit()
    {
        var (mae, max, within, _) = Evaluate(new KsrGlobal(), Published("h2_optimal"), "h2");
        Assert.InRange(mae, 0.58 - 0.02, 0.58 + 0.02);
        Assert.InRange(max, 1.23 - 0.05, 1.23 + 0.05);
        Assert.Equal(32, within);
    }

    [SharedDataFact("jaxdft", "ksr_checkpoints", "h2_h4_Nt_8_optimal")]
    public void H2H4OptimalOnTheH4AndH2H2TestSplits()
    {
        var p = Published("h2_h4_Nt_8_optimal");
        var h4 = Evaluate(new KsrGlobal(), p, "h4");
        Assert.InRange(h4.Mae, 0.93 - 0.05, 0.93 + 0.05);
        Assert.InRange(h4.Max, 2.75 - 0.1, 2.75 + 0.1);
        Assert.Equal(22, h4.Within);
        var h2h2 = Evaluate(new KsrGlobal(), p, "h2_h2");
        Assert.InRange(h2h2.Mae, 4.0 - 0.2, 4.0 + 0.2);
        Assert.Equal(9, h2h2.Within);
    }

    [SharedDataFact("jaxdft", "h2")]
    public void ComputedExternalPotentialsMatchTheStoredOnes()
    {
        var ds = DatasetReader.Load("h2");
        foreach (var s in ds.Samples)
            Assert.True(s.ExternalPotential.MaxAbsDiff(s.Molecule.ExternalPotential(ds.Grid, new ExponentialCoulomb())) < 1e-12);
    }
}
