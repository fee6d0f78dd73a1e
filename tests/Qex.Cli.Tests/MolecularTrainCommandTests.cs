using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Cli.Configuration;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

/// <summary><c>qex train</c> with <c>kind: molecular</c>, and deployment of its checkpoint by <c>qex energy --functional</c>.</summary>
public sealed class MolecularTrainCommandTests
{
    private const string Tiny = """
        kind: molecular
        model: {functional: enhancement-gga, hidden: [4, 3], seed: 1}
        data:
          basis: 6-31g
          train: [{system: h2, distances: [0.74, 1.5]}]
          validation: [{system: h2, distances: [1.0]}]
          test: [{system: h2, distances: [1.2]}]
        grid: {radial: 20, spherical: 50}
        scf: {differentiation: implicit, fixed_point_tolerance: 1.0e-10}
        loss: {energy_steps: 1}
        optimiser: {max_evaluations: 3}
        checkpoint_every: 1
        validate_every: 1
        """;

    [Theory]
    [InlineData("enhancement-gga")]
    [InlineData("moments-gga")]
    public void TrainsReportsAndTheCheckpointDeploysToTheSameEnergy(string functional)
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-moltrain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, "h2.yaml"), outDir = Path.Combine(dir, "out");
            File.WriteAllText(config, Tiny.Replace("functional: enhancement-gga", $"functional: {functional}", StringComparison.Ordinal));
            var output = new StringWriter();
            var log = new StringWriter();
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = outDir }, output, log));
            Assert.Contains("test h2 (FCI/6-31g)", output.ToString());
            Assert.Contains("kept the parameters of evaluation", log.ToString());
            foreach (string f in new[] { "checkpoint.json", "report.json", "energy_curve.png", "energy_curve.svg", "parity.png", "loss.png" })
                Assert.True(File.Exists(Path.Combine(outDir, f)), f);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
            Assert.Equal("molecular", report.RootElement.GetProperty("kind").GetString());
            Assert.Equal(3, report.RootElement.GetProperty("training").GetProperty("evaluations").GetInt32());
            var row = report.RootElement.GetProperty("tests")[0].GetProperty("rows")[0];
            double trained = row.GetProperty("energy").GetDouble();
            // the converged production RKS with the deployed checkpoint (its grid and smearing by default)
            string xyz = Path.Combine(dir, "h2.xyz"), json = Path.Combine(dir, "e.json");
            File.WriteAllText(xyz, "2\nH2\nH 0 0 0\nH 0 0 1.2\n");
            Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "6-31g", Functional = Path.Combine(outDir, "checkpoint.json"), Json = json, Quiet = true }, new StringWriter()));
            using var e = JsonDocument.Parse(File.ReadAllText(json));
            double deployed = e.RootElement.GetProperty("energy").GetDouble();
            Assert.True(Math.Abs(deployed - trained) < 1e-7, $"qex energy --functional {deployed:F10} vs the training report {trained:F10}");
            if (functional == "moments-gga")
                Assert.Contains("global functional", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "6-31g",
                    Functional = Path.Combine(outDir, "checkpoint.json"), Tda = 1, Quiet = true }, new StringWriter())).Message);
            // resume with a larger budget continues the count
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Resume = true, Set = ["optimiser.max_evaluations=4"] }, new StringWriter(), log));
            using var report2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
            Assert.Equal(4, report2.RootElement.GetProperty("training").GetProperty("evaluations").GetInt32());
            // another loss, or another reference method for the same molecules, is refused by name
            Assert.Contains("energy_weight 0.5", Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Resume = true,
                Set = ["optimiser.max_evaluations=5", "loss.energy_weight=0.5"] }, new StringWriter(), new StringWriter())).Message);
            Assert.Contains("reference energies: h2:", Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Resume = true,
                Set = ["optimiser.max_evaluations=5", "data.reference=svwn"] }, new StringWriter(), new StringWriter())).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DistillingATeacherFunctionalWithTheDerivativeTermsReportsTheMetrics()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-moltrain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, "h2.yaml"), outDir = Path.Combine(dir, "out");
            File.WriteAllText(config, Tiny);
            var log = new StringWriter();
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Set = ["data.reference=svwn", "loss.gradient_weight=1", "loss.hessian_weight=1", "loss.hessian_directions=2"] },
                new StringWriter(), log));
            Assert.Contains("distillation metrics of", log.ToString());
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
            var d = report.RootElement.GetProperty("distillation");
            var first = d.GetProperty("molecules")[0];
            Assert.True(first.GetProperty("e_rho_mha").GetDouble() >= -1e-6, "E_rho is not below the teacher's minimum");
            Assert.Equal(3, first.GetProperty("student_tda_ev").GetArrayLength());
            Assert.True(d.GetProperty("teacher_iterations_from_guess").GetInt32() > 0);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheShippedDistillationConfigReadsAndNamesExistingMolecules()
    {
        string root = RepositoryPaths.Root();
        var c = MolecularConfigReader.Read(ConfigFiles.BuildMolecular(Path.Combine(root, "configs", "distill_b3lyp.yaml"), []));
        Assert.Equal("b3lyp", c.Reference);
        Assert.Equal("def2-svp", c.Basis);
        Assert.True(c.Loss.GradientWeight > 0 && c.Loss.HessianWeight > 0);
        Assert.Equal(9, c.Train.Count);
        foreach (var e in c.Train.Concat(c.Validation).Concat(c.Test))
        {
            var mol = Qex.Dft.Molecular.Learning.MolecularSystems.Create(Path.Combine(root, e.System), 1);
            Assert.True(mol.Multiplicity == 1 && mol.ElectronCount % 2 == 0, e.System);
        }
        // training molecules are the small ones, test molecules the larger (size extrapolation)
        int Heavy(string s) => Qex.Dft.Molecular.Learning.MolecularSystems.Create(Path.Combine(root, s), 1).Atoms.Count(a => a.Symbol != "H");
        Assert.True(c.Train.Max(e => Heavy(e.System)) < c.Test.Min(e => Heavy(e.System)));
    }

    [Fact]
    public void TheLadderTrainsThreeRungsAndWritesTheComparison()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-moltrain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, "h2.yaml"), outDir = Path.Combine(dir, "out");
            File.WriteAllText(config, Tiny);
            var output = new StringWriter();
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Ladder = true, Quiet = true,
                Set = ["data.reference=svwn", "optimiser.max_evaluations=2", "loss.hessian_directions=1", "data.validation=[]"] }, output, new StringWriter()));
            foreach (string rung in new[] { "e_rho", "e_rho_grad", "e_rho_grad_hess" })
                Assert.True(File.Exists(Path.Combine(outDir, rung, "report.json")), rung);
            var table = File.ReadAllLines(Path.Combine(outDir, "ladder.md"));
            Assert.Equal(5, table.Length);
            Assert.StartsWith("| e_rho_grad_hess | 1 |", table[4]);
            Assert.Contains("E MAE (mHa)", output.ToString());
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "ladder.json")));
            Assert.Equal(3, json.RootElement.GetArrayLength());
            Assert.True(json.RootElement[2].GetProperty("energy_mae_milli_hartree").GetDouble() > 0);
            var e = Assert.ThrowsAny<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Ladder = true }, new StringWriter()));
            Assert.Contains("must be a density functional", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("data.train=[{system: h5, distances: [1.0]}]", "unknown system 'h5'")]
    [InlineData("data.train=[{system: h2, distance: [1.0]}]", "unknown key 'distance'")]
    [InlineData("data.train=[{system: h2, distances: [-1]}]", "not a positive number")]
    [InlineData("scf.differentiation=backwards", "unrolled or implicit")]
    [InlineData("model.functional=enhancement-xyz", "Unknown molecular model")]
    [InlineData("model.hidden=[16]", "two integers")]
    [InlineData("scf.smearing=0", "scf.smearing")]
    [InlineData("data.reference=mp2", "data.reference")]
    [InlineData("kind=2d", "must be 1d or molecular")]
    [InlineData("scf.temperature=0.1", "temperature")]
    [InlineData("grid.spherical=100", "grid.spherical")]
    [InlineData("loss.hessian_weight=1", "correlated method")]
    [InlineData("loss.gradient_weight=-1", "loss.gradient_weight")]
    [InlineData("loss.hessian_directions=0", "loss.hessian_directions")]
    [InlineData("model.functional=qnn-enhancement-gga|data.reference=b3lyp|loss.hessian_weight=1", "third derivatives")]
    public void BadMolecularConfigsAreClearErrors(string set, string message)
    {
        var e = Assert.ThrowsAny<Exception>(() => TrainCommand.Run(new TrainOptions { Set = ["kind=molecular", .. set.Split('|')], Out = Path.Combine(Path.GetTempPath(), "qex-never") }, new StringWriter()));
        Assert.True(e is ArgumentException, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void TheMolecularDefaultsAreListedWithTypesAndRead()
    {
        foreach (string line in DefaultTrainingConfig.MolecularYaml.Split('\n'))
        {
            string t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#') || t.StartsWith("- ", StringComparison.Ordinal)) continue;
            Assert.True(t.Contains('#', StringComparison.Ordinal) || t.EndsWith(':'), $"the default config line '{t}' has no type comment");
        }
        var c = MolecularConfigReader.Read(ConfigFiles.BuildMolecular(null, []));
        Assert.Equal(7, c.Train[0].Distances.Count);
        Assert.Equal(20, c.Scf.Iterations);
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new TrainOptions { PrintDefaultConfig = true, Set = ["kind=molecular"] }, output));
        Assert.Contains("enhancement-gga", output.ToString());
        Assert.Equal("molecular", ConfigFiles.Kind(Path.Combine(AppContext.BaseDirectory, "no-such.yaml"), ["kind=molecular"]));
    }

    [Fact]
    public void EnergyWithATrainedFunctionalRefusesOpenShellsAndMethodsTogether()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-molck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var model = new Qex.Dft.Molecular.Learning.EnhancementXcModel(Qex.Dft.Molecular.Learning.MolecularXcFeatures.Lda, 2, 2);
            string ck = Path.Combine(dir, "ck.json");
            new Qex.Dft.Molecular.Learning.MolecularXcCheckpoint(model.Name, model.InitialParameters(Qex.Core.Random.RngKey.FromSeed(0)))
                { Model = Qex.Dft.Molecular.Learning.MolecularModelSpec.Of(model) }.Save(ck);
            string oh = Path.Combine(dir, "oh.xyz");
            File.WriteAllText(oh, "2\nmultiplicity=2\nO 0 0 0\nH 0 0 0.97\n");
            Assert.Contains("closed-shell", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = oh, Basis = "sto-3g", Functional = ck, Quiet = true }, new StringWriter())).Message);
            Assert.Contains("replaces --method", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = oh, Method = "pbe", Functional = ck, Quiet = true }, new StringWriter())).Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
