using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Cli.Configuration;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

public sealed class QuantumCommandTests
{
    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-q-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private const string SmallQnn = """
        model:
          functional: qnn-local
          seed: 1
          quantum: {qubits: 2, layers: 1, input_scale: 2.0}
        data:
          train: [{dataset: h2, distances: [128]}]
          validation: []
          test: [{dataset: h2, distances: [160, 384]}]
        scf: {iterations: 6}
        loss: {energy_steps: 3}
        optimiser: {max_evaluations: 3}
        """;

    [SharedDataFact("jaxdft", "h2")]
    public void TrainsAQuantumModelAndSweepsNoiseForBothPresets()
    {
        string dir = TempDir();
        string config = Path.Combine(dir, "qnn.yaml");
        File.WriteAllText(config, SmallQnn);
        var log = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "train") }, log));
        Assert.Contains("training qnn-local (8 parameters)", log.ToString());
        string ck = Path.Combine(dir, "train", "checkpoint.json");

        // qex eval with the config's circuit shape reads the checkpoint of the configured (2-qubit) model
        var evalLog = new StringWriter();
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Functional = "qnn-local", Config = config, Params = ck, Dataset = "h2", Split = "test", Iterations = 6 }, evalLog));
        Assert.Contains("qnn-local on h2 (32 geometries; reference: DMRG)", evalLog.ToString());
        // the checkpoint describes its model (2 qubits, input scale 2), SCF (6 iterations) and test set: no other flag is needed,
        // and the numbers are those of the training report
        string json = Path.Combine(dir, "eval.json");
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Params = ck, Json = json }, new StringWriter()));
        using (var trained = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train", "report.json"))))
        using (var evaluated = JsonDocument.Parse(File.ReadAllText(json)))
        {
            var a = trained.RootElement.GetProperty("test")[0].GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("energy").GetDouble()).ToList();
            var b = evaluated.RootElement.GetProperty("sets")[0].GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("energy").GetDouble()).ToList();
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i], 1e-9);
        }

        var sweepLog = new StringWriter();
        Assert.Equal(0, NoiseSweepCommand.Run(new NoiseSweepOptions { Config = config, Params = ck, Scales = "0,1,10", Preset = "best,worst", Out = Path.Combine(dir, "sweep") }, sweepLog));
        foreach (string f in new[] { "noise_sweep.md", "noise_sweep.json", "noise_sweep.svg", "noise_sweep.png" }) Assert.True(File.Exists(Path.Combine(dir, "sweep", f)), f);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "sweep", "noise_sweep.json")));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(6, rows.Count);
        // scale 0 is noiseless: the density-matrix evaluation equals the exact statevector one (the training report's test MAE)
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train", "report.json")));
        double exactMae = report.RootElement.GetProperty("test").EnumerateArray().First().GetProperty("summary").GetProperty("mae_mha").GetDouble();
        foreach (var r in rows.Where(r => r.GetProperty("Scale").GetDouble() == 0))
            Assert.Equal(exactMae, r.GetProperty("MaeMilliHartree").GetDouble(), 6);
        // noise changes the energies, and the worst device more than the best at the same scale
        double best10 = rows.Single(r => r.GetProperty("Preset").GetString() == "best" && r.GetProperty("Scale").GetDouble() == 10).GetProperty("MaeMilliHartree").GetDouble();
        double worst10 = rows.Single(r => r.GetProperty("Preset").GetString() == "worst" && r.GetProperty("Scale").GetDouble() == 10).GetProperty("MaeMilliHartree").GetDouble();
        Assert.NotEqual(exactMae, best10, 6);
        Assert.NotEqual(best10, worst10, 6);
    }

    [Fact]
    public void NoiseConfigErrorsNameTheProblem()
    {
        static Qex.Dft.OneD.Training.TrainingConfig C(string yaml) => TrainingConfigReader.Read(ConfigTree.Build(DefaultTrainingConfig.Yaml, yaml, []));
        var e1 = Assert.Throws<ArgumentException>(() => C("noise: {channels: [{type: spin-flip, p: 0.1}]}"));
        Assert.Contains("Unknown noise channel 'spin-flip'", e1.Message);
        Assert.Contains("noise.channels[0]", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => C("noise: {channels: [{type: bit-flip, p: 1.5}]}"));
        Assert.Contains("outside [0, 1]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => C("noise: {channels: [{type: bit-flip, p: 0.1, gates: [cnotx]}]}"));
        Assert.Contains("Unknown gate 'cnotx'", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => C("noise: {device: median}"));
        Assert.Contains("median", e4.Message);
        var ok = C("noise: {device: worst, scale: 2, readout: {p01: 0.01, p10: 0.02}, shots: 100}").Backend();
        Assert.False(ok.IsExact);
        Assert.Equal(100, ok.Shots);
        var layer = C("noise: {device: best, device_scope: layer}").Backend();
        Assert.All(layer.Noise!.Rules, r => Assert.Equal(Qex.Quantum.Noise.NoiseScope.AfterEachLayer, r.Scope));
        Assert.Contains("device_scope", Assert.Throws<ArgumentException>(() => C("noise: {device: best, device_scope: qubit}")).Message);
        Assert.Contains("unknown key 'p11'", Assert.Throws<ArgumentException>(() => C("noise: {readout: {p01: 0.1, p11: 0.2}}")).Message);
        var e5 = Assert.Throws<ArgumentException>(() => C("model: {functional: qnn-global}").CreateFunctional(100));
        Assert.Contains("not a multiple", e5.Message);
    }

    [SharedDataFact("jaxdft", "h2")]
    public void TrainsUnderNoiseAndItsTestErrorIsTheSweepsAtTheSameNoise()
    {
        // noise-aware training: density-matrix circuits with the best device's damping after every gate, gradients by the
        // density matrix's analytic derivatives; the run's test error is the model under that noise, as noise-sweep gives it
        string dir = TempDir();
        string config = Path.Combine(dir, "noisy.yaml");
        File.WriteAllText(config, SmallQnn + "\nnoise: {device: best, scale: 5}\n");
        var log = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "train") }, log));
        Assert.Contains("circuits evaluated with density matrix", log.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train", "report.json")));
        var losses = report.RootElement.GetProperty("training").GetProperty("loss_history").EnumerateArray().Select(x => x.GetDouble()).ToList();
        Assert.True(losses.Min() < losses[0], $"the noisy loss did not decrease: {string.Join(", ", losses)}");
        double trainedMae = report.RootElement.GetProperty("test").EnumerateArray().First().GetProperty("summary").GetProperty("mae_mha").GetDouble();
        // the checkpoint records the noise it was trained under: evaluated with no other flag, it gives the run's test error
        string json = Path.Combine(dir, "eval.json");
        var evalLog = new StringWriter();
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Params = Path.Combine(dir, "train", "checkpoint.json"), Json = json }, evalLog));
        Assert.Contains("circuits evaluated as trained: density matrix", evalLog.ToString());
        using (var evaluated = JsonDocument.Parse(File.ReadAllText(json)))
            Assert.Equal(trainedMae, evaluated.RootElement.GetProperty("sets")[0].GetProperty("summary").GetProperty("mae_mha").GetDouble(), 9);
        Assert.Equal(0, NoiseSweepCommand.Run(new NoiseSweepOptions { Config = config, Params = Path.Combine(dir, "train", "checkpoint.json"), Scales = "0,5", Preset = "best", Out = Path.Combine(dir, "sweep") }, new StringWriter()));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "sweep", "noise_sweep.json")));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(trainedMae, rows.Single(r => r.GetProperty("Scale").GetDouble() == 5).GetProperty("MaeMilliHartree").GetDouble(), 9);
        Assert.NotEqual(trainedMae, rows.Single(r => r.GetProperty("Scale").GetDouble() == 0).GetProperty("MaeMilliHartree").GetDouble(), 6);
    }

    [SharedDataFact("jaxdft", "h2")]
    public void TrainsAnAnalogRydbergModelWhoseCheckpointEvaluatesAsTrained()
    {
        // the analog model is trained by the same command: its loss falls, and its checkpoint (atoms, segments, input
        // scale) evaluates to the training report's test energies with no other flag
        string dir = TempDir();
        string config = Path.Combine(dir, "rydberg.yaml");
        File.WriteAllText(config, SmallQnn.Replace("functional: qnn-local", "functional: rydberg-local").Replace("{qubits: 2, layers: 1, input_scale: 2.0}", "{qubits: 2, layers: 1, input_scale: 1.5}"));
        var log = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "train") }, log));
        Assert.Contains("training rydberg-local (7 parameters)", log.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "train", "report.json")));
        var losses = report.RootElement.GetProperty("training").GetProperty("loss_history").EnumerateArray().Select(x => x.GetDouble()).ToList();
        Assert.True(losses.Min() < losses[0], $"the loss did not decrease: {string.Join(", ", losses)}");
        string json = Path.Combine(dir, "eval.json");
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Params = Path.Combine(dir, "train", "checkpoint.json"), Json = json }, new StringWriter()));
        using var evaluated = JsonDocument.Parse(File.ReadAllText(json));
        var a = report.RootElement.GetProperty("test")[0].GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("energy").GetDouble()).ToList();
        var b = evaluated.RootElement.GetProperty("sets")[0].GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("energy").GetDouble()).ToList();
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++) Assert.Equal(a[i], b[i], 1e-9);

        // noise belongs to the digital circuits: an analog model under a noise section is a clear error
        File.WriteAllText(config, File.ReadAllText(config) + "\nnoise: {device: best}\n");
        var e = Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Config = config, Out = Path.Combine(dir, "noisy") }, new StringWriter()));
        Assert.Contains("emulated exactly", e.Message);
    }

    [SharedDataFact("jaxdft", "h2")]
    public void NoiseSweepRetrainsUnderEachNoiseAndResumesFinishedRetraining()
    {
        string dir = TempDir();
        string config = Path.Combine(dir, "qnn.yaml");
        File.WriteAllText(config, SmallQnn);
        string Sweep()
        {
            var log = new StringWriter();
            Assert.Equal(0, NoiseSweepCommand.Run(new NoiseSweepOptions { Config = config, Scales = "0,5", Preset = "worst", Retrain = true, Out = Path.Combine(dir, "sweep"), Quiet = true }, new StringWriter(), log));
            return log.ToString();
        }
        string first = Sweep();
        Assert.Contains("retraining under worst noise at scale 5", first);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "sweep", "noise_sweep.json"))))
        {
            var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToList();
            var clean = rows.Single(r => r.GetProperty("Scale").GetDouble() == 0);
            var noisy = rows.Single(r => r.GetProperty("Scale").GetDouble() == 5);
            Assert.Equal(JsonValueKind.Null, clean.GetProperty("RetrainedMaeMilliHartree").ValueKind);   // nothing to retrain without noise
            string ck = noisy.GetProperty("RetrainedCheckpoint").GetString()!;
            Assert.True(File.Exists(ck));
            // the retrained model under the sweep's noise is the retraining run's own test result (the same noise)
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(ck)!, "report.json")));
            double reported = report.RootElement.GetProperty("test").EnumerateArray().First().GetProperty("summary").GetProperty("mae_mha").GetDouble();
            Assert.Equal(reported, noisy.GetProperty("RetrainedMaeMilliHartree").GetDouble(), 9);
        }
        string md = File.ReadAllText(Path.Combine(dir, "sweep", "noise_sweep.md"));
        Assert.Contains("retrained MAE", md);
        // a second sweep resumes the finished retraining instead of repeating it, with the same numbers
        List<string> Numbers()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "sweep", "noise_sweep.json")));
            return doc.RootElement.GetProperty("rows").EnumerateArray()
                .Select(r => $"{r.GetProperty("MaeMilliHartree").GetDouble():R} {r.GetProperty("RetrainedMaeMilliHartree")}").ToList();
        }
        var before = Numbers();
        Assert.Contains("(resuming)", Sweep());
        Assert.Equal(before, Numbers());
    }
}
