using Qex.Core.Random;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.Training;

/// <summary>
/// The training problem a checkpoint records, and what a resume with another config is told: every change of data,
/// loss or validation metric by name; reference energies that differ like two reference sets do (1e-6 Ha, the
/// built-in exact H2 set against the DMRG one) refused, last-bit differences (another thread count) accepted.
/// </summary>
public sealed class TrainingProblemSpecTests
{
    private static TrainingProblemSpec Spec(double[]? energies = null, string[]? train = null) =>
        new(train ?? ["h2:128", "h4:592 (density weight 0)"], ["h2:240"], new LossWeights().Describe(), "max", energies ?? [-1.1, -2.9, -1.05]);

    [Fact]
    public void TheSameProblemHasNoDifferences()
    {
        Assert.Empty(Spec().Differences(Spec()));
        Assert.Null(TrainingProblemSpec.CheckResume(Spec(), Spec(), "ck.json"));
    }

    [Fact]
    public void LastBitDifferencesOfTheReferencesAreTheSameProblem()
    {
        double[] e = [-1.1, -2.9, -1.05];
        double[] nudged = [.. e.Select(x => Math.BitDecrement(Math.BitDecrement(x)))];
        Assert.Empty(Spec(e).Differences(Spec(nudged)));
    }

    [Fact]
    public void AnotherReferenceSetIsNamedByItsFirstDifferingMolecule()
    {
        var d = Spec().Differences(Spec([-1.1, -2.9 + 1e-6, -1.05]));
        var line = Assert.Single(d);
        Assert.Contains("h4:592 (density weight 0) has -2.9 Ha in the checkpoint, -2.89999", line);
        Assert.Contains("reference energies: 3 in the checkpoint, 2 in the config", Assert.Single(Spec().Differences(Spec([-1.1, -2.9]))));
    }

    [Fact]
    public void EveryChangeIsNamedInTheRefusal()
    {
        var config = Spec(train: ["h4:592", "h2:128"]) with { Validation = ["h2:240", "h2:296"], Loss = new LossWeights(DensityWeight: 0.03).Describe(), ValidationMetric = "mae" };
        var e = Assert.Throws<ArgumentException>(() => TrainingProblemSpec.CheckResume(Spec(), config, "ck.json"));
        Assert.Contains("data.train: the checkpoint has h4:592 (density weight 0); the config has h4:592", e.Message);
        Assert.Contains("data.validation: the config has h2:296", e.Message);
        Assert.Contains("density_weight 1, gradient_weight 0, hessian_weight 0, hessian_directions 4 in the checkpoint", e.Message);
        Assert.Contains("density_weight 0.03,", e.Message);
        Assert.Contains("validation metric: max in the checkpoint, mae in the config", e.Message);
        Assert.Contains("data.train: the same molecules in another order", Assert.Single(Spec().Differences(Spec(train: ["h4:592 (density weight 0)", "h2:128"]))));
    }

    [Fact]
    public void ACheckpointWithoutAProblemIsANoteNotARefusal()
    {
        var note = TrainingProblemSpec.CheckResume(null, Spec(), "old/checkpoint.json");
        Assert.Contains("'old/checkpoint.json' does not record its training data and loss", note);
    }

    [Fact]
    public void TheProblemTravelsThroughACheckpointFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "qex-problem-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var xc = XcFunctionals.Create("ksr-lda");
            var spec = Spec([-1.1234567890123456, -2.9, -1.05]);
            new XcCheckpoint(xc.Name, xc.InitialParameters(RngKey.FromSeed(0))) { Problem = spec }.Save(path);
            var back = XcCheckpoint.Load(path).Problem;
            Assert.NotNull(back);
            Assert.Empty(spec.Differences(back));
            Assert.Equal(spec.ReferenceEnergies, back.ReferenceEnergies);
            Assert.Equal(spec.Train, back.Train);
        }
        finally { File.Delete(path); }
    }
}
