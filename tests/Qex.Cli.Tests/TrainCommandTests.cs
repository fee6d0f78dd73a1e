using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

/// <summary>Tests here change process environment variables, so they run alone.</summary>
[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection("environment")]
public sealed class TrainCommandTests
{
    [Fact]
    public void DistanceListsAndRanges()
    {
        Assert.Equal([128, 384], GenDataCommand.ParseDistances("128, 384"));
        Assert.Equal([32, 40, 48], GenDataCommand.ParseDistances("32:48:8"));
        Assert.Throws<ArgumentException>(() => GenDataCommand.ParseDistances("1:x:2"));
    }

    [Fact]
    public void TrainsOnTheBuiltInExactDataWithoutSharedDataAndResumes()
    {
        // a data root that does not exist forces the built-in exact-diagonalisation H2 set (generated once per machine
        // into the user's cache, as for every run without ../shared, and shared with the other tests that need it)
        string dir = Path.Combine(Path.GetTempPath(), "qex-train-" + Guid.NewGuid().ToString("N"));
        string config = Path.Combine(dir, "config.yaml");
        Directory.CreateDirectory(dir);
        File.WriteAllText(config, """
            model: {functional: ksr-lda, seed: 1}
            data:
              train: [{dataset: h2, distances: [128]}]
              validation: [{dataset: h2, distances: [240]}]
              test: [{dataset: h2, distances: [160, 200]}]
            scf: {iterations: 6}
            optimiser: {max_evaluations: 3, starts: 1}
            checkpoint_every: 1
            validate_every: 1
            """);
        string? oldCache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string? oldShared = Environment.GetEnvironmentVariable("QEX_SHARED_DATA");
        try
        {
            Environment.SetEnvironmentVariable("QEX_SHARED_DATA", Path.Combine(dir, "no-such-folder"));
            var log = new StringWriter();
            int rc = TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "out") }, log);
            Assert.Equal(0, rc);
            Assert.Contains("built-in exact diagonalisation", log.ToString());
            Assert.Contains("kept the parameters of evaluation", log.ToString());
            foreach (string f in new[] { "checkpoint.json", "report.json", "energy_curve.svg", "loss.svg", "energy_curve.png", "loss.png", "validation.jsonl" })
                Assert.True(File.Exists(Path.Combine(dir, "out", f)), f);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "out", "report.json")));
            var training = report.RootElement.GetProperty("training");
            Assert.Equal(3, training.GetProperty("evaluations").GetInt32());
            Assert.InRange(training.GetProperty("selected_evaluation").GetInt32(), 1, 3);
            Assert.Equal(2, report.RootElement.GetProperty("test")[0].GetProperty("summary").GetProperty("count").GetInt32());
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "out", "energy_curve.svg")));
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(dir, "out", "energy_curve.png"))[..4]);
            // resume with a larger budget continues the evaluation count
            var log2 = new StringWriter();
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "out"), Resume = true, Set = ["optimiser.max_evaluations=4"] }, log2));
            Assert.Contains("resuming", log2.ToString());
            Assert.Contains("eval    4", log2.ToString());
            Assert.DoesNotContain("generating", log2.ToString()); // the exact references were cached
            // a resume that poses another training problem is refused before any work, naming what changed
            string outDir = Path.Combine(dir, "out"), before = File.ReadAllText(Path.Combine(outDir, "checkpoint.json"));
            var lossChanged = Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Config = config, Out = outDir, Resume = true, Set = ["loss.density_weight=0.5"] }, new StringWriter()));
            Assert.Contains("loss: energy_steps 5, discount 0.9, energy_weight 1, density_weight 1, gradient_weight 0, hessian_weight 0, hessian_directions 4 in the checkpoint", lossChanged.Message);
            Assert.Contains("density_weight 0.5, gradient_weight 0, hessian_weight 0, hessian_directions 4 in the config", lossChanged.Message);
            string moved = Path.Combine(dir, "moved.yaml");
            File.WriteAllText(moved, File.ReadAllText(config).Replace("train: [{dataset: h2, distances: [128]}]", "train: [{dataset: h2, distances: [136], density_weight: 0}]", StringComparison.Ordinal)
                .Replace("distances: [240]", "distances: [240, 296]", StringComparison.Ordinal));
            var dataChanged = Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Config = moved, Out = outDir, Resume = true }, new StringWriter()));
            Assert.Contains("data.train: the checkpoint has h2:128; the config has h2:136 (density weight 0)", dataChanged.Message);
            Assert.Contains("data.validation: the config has h2:296", dataChanged.Message);
            Assert.Contains("model.init", dataChanged.Message);
            Assert.Equal(before, File.ReadAllText(Path.Combine(outDir, "checkpoint.json")));
            // every verb sees the same built-in set, with the standard splits of the DMRG set
            var evalOut = new StringWriter();
            Assert.Equal(0, EvalCommand.Run(new EvalOptions { Functional = "lda", Dataset = "h2", Split = "test", Quiet = true }, evalOut));
            Assert.Contains("lda on h2 (32 geometries; reference: exact diagonalisation)", evalOut.ToString());
            Assert.Equal(0, EvalCommand.Run(new EvalOptions { Functional = "lda", Dataset = "h2", Split = "validation", Quiet = true }, evalOut));
            Assert.Contains("lda on h2 (38 geometries", evalOut.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", oldCache);
            Environment.SetEnvironmentVariable("QEX_SHARED_DATA", oldShared);
            Directory.Delete(dir, recursive: true);
        }
    }

    [SharedDataFact("jaxdft", "h4")]
    public void TheTrainingLogNamesTheDatasetOfEachMoleculeWhenTrainingDrawsOnSeveral()
    {
        // H2 at 1.28 Bohr and H4 at 1.28 Bohr share a label; the progress line must tell them apart
        string dir = Path.Combine(Path.GetTempPath(), "qex-labels-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, "c.yaml");
            File.WriteAllText(config, """
                model: {functional: ksr-lda, seed: 0}
                data:
                  train: [{dataset: h2, distances: [128]}, {dataset: h4, distances: [128]}]
                  test: []
                scf: {iterations: 5}
                optimiser: {max_evaluations: 1, starts: 1}
                """);
            var log = new StringWriter();
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "out") }, new StringWriter(), log));
            var line = log.ToString().Split('\n').Single(l => l.StartsWith("eval    1", StringComparison.Ordinal));
            Assert.Matches(@"dE\[mHa\] h2:128:[+-]\d+\.\d\d h4:128:[+-]\d+\.\d\d ", line);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void MissingConfigFileIsAClearError()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => TrainCommand.Run(new TrainOptions { Config = "/no/such.yaml" }, new StringWriter()));
        Assert.Contains("/no/such.yaml", ex.Message);
    }
}

/// <summary>
/// Every kind of checkpoint that `qex train` writes is evaluated by `qex eval --params CK` alone exactly as the
/// training run evaluated it: the checkpoint carries the model (circuit, input scale), the SCF settings and the test
/// set. The built-in or shared H2 data, a few Kohn–Sham iterations and one or two evaluations keep it short.
/// </summary>
public sealed class CheckpointEvaluationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-ckeval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("ksr-global", "")]
    [InlineData("ksr-lda", "")]
    [InlineData("ksr-gga", "")]
    [InlineData("qnn-global", "quantum: {qubits: 3, layers: 1, input_scale: 0.7}")]
    [InlineData("mlp-global", "quantum: {input_scale: 0.8}")]
    [InlineData("qnn-window", "quantum: {qubits: 3, layers: 1, feature_map: chebyshev, chebyshev_scale: 2.0}")]
    [InlineData("qnn-local", "quantum: {qubits: 2, layers: 2, rotations: 'rx,ry', entangler: ring}")]
    public void EvalOfACheckpointAloneReproducesTheTrainingReport(string functional, string quantum)
    {
        Directory.CreateDirectory(_dir);
        string config = Path.Combine(_dir, functional + ".yaml");
        File.WriteAllText(config, $$"""
            model: {functional: {{functional}}, seed: 4{{(quantum.Length > 0 ? ", " + quantum : "")}}}
            data:
              train: [{dataset: h2, distances: [128]}]
              validation: []
              test: [{dataset: h2, distances: [200, 424]}]
            scf: {iterations: 4, mixing: 0.6, mixing_decay: 0.8}
            loss: {energy_steps: 2}
            optimiser: {max_evaluations: 2}
            """);
        string run = Path.Combine(_dir, functional);
        Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = run, Quiet = true }, new StringWriter()));
        string json = Path.Combine(_dir, functional + "-eval.json");
        var log = new StringWriter();
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Params = run, Json = json }, new StringWriter(), log));
        using var trained = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        using var evaluated = JsonDocument.Parse(File.ReadAllText(json));
        var a = trained.RootElement.GetProperty("test")[0].GetProperty("rows").EnumerateArray().ToList();
        var b = evaluated.RootElement.GetProperty("sets")[0].GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, a.Count);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].GetProperty("distance_x100").GetInt32(), b[i].GetProperty("distance_x100").GetInt32());
            Assert.Equal(a[i].GetProperty("energy").GetDouble(), b[i].GetProperty("energy").GetDouble(), 1e-9);
        }
        Assert.Equal(4, evaluated.RootElement.GetProperty("scf").GetProperty("iterations").GetInt32());
        // an explicit flag overrides the checkpoint and says so
        var over = new StringWriter();
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Params = run, Iterations = 5 }, new StringWriter(), over));
        Assert.Contains("--iterations 5 overrides 4", over.ToString());
    }
}
