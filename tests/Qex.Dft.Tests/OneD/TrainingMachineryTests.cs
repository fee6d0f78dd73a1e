using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Models;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.OneD;

public sealed class TrainingMachineryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-tm-" + Guid.NewGuid().ToString("N"));
    private static readonly Grid1D Grid = Grid1D.Linspace(-6.4, 6.4, 81);
    private static readonly Lazy<IReadOnlyList<Sample>> Batch = new(() =>
        new ExactReferenceGenerator(Grid, new ExponentialCoulomb()).Generate("h2", [128, 256]).Samples);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void CheckpointsRoundTripAndRejectMismatches()
    {
        var p = new KsrLocal(3).InitialParameters(RngKey.FromSeed(2));
        string path = Path.Combine(_dir, "ck.json");
        new XcCheckpoint("ksr-gga", p, new TrainingProgressRecord(12, 0.5, "lbfgs", 2, [1, 0.5])).Save(path);
        var back = XcCheckpoint.Load(path);
        Assert.Equal("ksr-gga", back.Functional);
        Assert.Equal(p.Flatten(), back.Parameters.Flatten());
        Assert.Equal(12, back.Training!.Evaluations);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"ksr-gga\"", "\"ksr-lda\"", StringComparison.Ordinal));
        Assert.Contains("expects W1 (1, 1, 16)", Assert.Throws<InvalidDataException>(() => XcCheckpoint.Load(path)).Message);
        File.WriteAllText(path, "{\"format\": \"something-else\"}");
        Assert.Contains("not a Qex XC checkpoint", Assert.Throws<InvalidDataException>(() => XcCheckpoint.Load(path)).Message);
    }

    [Fact]
    public void CheckpointsKeepTheTrainingNoiseOfTheirCircuits()
    {
        // the noise section round-trips and rebuilds the same backend; noise without a circuit, or a bad channel, is named
        var circuit = new QuantumCircuitOptions(Qubits: 2, Layers: 1);
        var spec = XcModelSpec.Of("qnn-local", circuit, 81);
        var xc = spec.Create();
        var noise = new NoiseConfig(Channels: [new NoiseChannelConfig("depolarizing", [0.02], "layer")], Device: "worst", Scale: 2, Readout: new ReadoutConfig(0.01, 0.03));
        string path = Path.Combine(_dir, "noisy.json");
        Directory.CreateDirectory(_dir);
        new XcCheckpoint(xc.Name, xc.InitialParameters(RngKey.FromSeed(1))) { Model = spec, Noise = noise }.Save(path);
        var back = XcCheckpoint.Load(path);
        Assert.NotNull(back.Noise);
        Assert.Equal(noise.Backend(2).ToString(), back.Noise!.Backend(2).ToString());
        Assert.Equal(noise.Readout, back.Noise.Readout);
        Assert.Equal(2, back.Noise.Backend(2).Noise!.Readout!.Qubits);
        Assert.False(back.Noise.Backend(2).IsExact);
        string text = File.ReadAllText(path);
        File.WriteAllText(path, text.Replace("\"depolarizing\"", "\"spin-flip\"", StringComparison.Ordinal));
        Assert.Contains("spin-flip", Assert.Throws<InvalidDataException>(() => XcCheckpoint.Load(path)).Message);
        new XcCheckpoint("lda", new ParameterSet([])) { Model = XcModelSpec.Of("lda", null, 81), Noise = noise }.Save(path);
        Assert.Contains("no circuit", Assert.Throws<InvalidDataException>(() => XcCheckpoint.Load(path)).Message);
        // an exact run records no noise
        new XcCheckpoint(xc.Name, xc.InitialParameters(RngKey.FromSeed(1))) { Model = spec }.Save(path);
        Assert.Null(XcCheckpoint.Load(path).Noise);
    }

    [Fact]
    public void PerSampleDensityScalesWeightOnlyTheirSamplesDensityTerm()
    {
        // scales [1, 0]: the batch mean of sample 0's full loss and sample 1's energy-only loss, gradient included
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new KsrLocal(3);
        var scf = new ScfOptions(Iterations: 5);
        var w = new LossWeights(EnergySteps: 2, DensityWeight: 2.0);
        var layout = xc.InitialParameters(RngKey.FromSeed(4));
        double[] x = layout.Flatten();
        var scaled = new KohnShamObjective1D(solver, xc, Batch.Value, scf, w, densityScales: [1.0, 0.0]).Evaluate(layout, x);
        var first = new KohnShamObjective1D(solver, xc, [Batch.Value[0]], scf, w).Evaluate(layout, x);
        var second = new KohnShamObjective1D(solver, xc, [Batch.Value[1]], scf, w with { DensityWeight = 0 }).Evaluate(layout, x);
        var plain = new KohnShamObjective1D(solver, xc, Batch.Value, scf, w).Evaluate(layout, x);
        Assert.Equal((first.Loss + second.Loss) / 2, scaled.Loss, 1e-15);
        for (int i = 0; i < x.Length; i++) Assert.Equal((first.Gradient[i] + second.Gradient[i]) / 2, scaled.Gradient[i], 1e-13);
        Assert.True(plain.Loss - scaled.Loss > 1e-6, $"the density term of sample 1 is dropped: {plain.Loss} against {scaled.Loss}");
        Assert.Equal(plain.EnergyErrors, scaled.EnergyErrors);

        // the gradient against central finite differences along a random direction
        var objective = new KohnShamObjective1D(solver, xc, Batch.Value, scf, w, densityScales: [0.25, 3.0]);
        var g = objective.Evaluate(layout, x).Gradient;
        var rng = new Rng(11);
        double[] d = [.. x.Select(_ => rng.Uniform() - 0.5)];
        const double h = 1e-5;
        double Loss(double t) => objective.Evaluate(layout, [.. x.Select((v, i) => v + t * d[i])]).Loss;
        double fd = (Loss(h) - Loss(-h)) / (2 * h);
        double analytic = g.Select((v, i) => v * d[i]).Sum();
        Assert.True(Math.Abs(fd - analytic) <= 1e-6 * Math.Max(1e-3, Math.Abs(analytic)), $"FD {fd} against {analytic}");

        Assert.Contains("1 density scales for 2", Assert.Throws<ArgumentException>(() => new KohnShamObjective1D(solver, xc, Batch.Value, scf, w, densityScales: [1.0])).Message);
        Assert.Contains(">= 0", Assert.Throws<ArgumentException>(() => new KohnShamObjective1D(solver, xc, Batch.Value, scf, w, densityScales: [1.0, double.NaN])).Message);
    }

    [Fact]
    public void AdamTrainingLowersTheLossAndCheckpointsItsState()
    {
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new KsrLocal(1);
        var trainer = new Trainer(new KohnShamObjective1D(solver, xc, Batch.Value, new ScfOptions(Iterations: 6), new LossWeights(EnergySteps: 3)));
        var init = xc.InitialParameters(RngKey.FromSeed(1));
        string ck = Path.Combine(_dir, "adam.json");
        var steps = new List<double>();
        var r = trainer.Train(init, new TrainingOptions("adam", MaxEvaluations: 12, LearningRate: 3e-3, CheckpointEvery: 4), 1, s => steps.Add(s.Loss), ck);
        Assert.Equal(12, r.Evaluations);
        Assert.True(r.Loss < steps[0], $"loss {steps[0]} -> {r.Loss}");
        var saved = XcCheckpoint.Load(ck).Training!;
        Assert.Equal(12, saved.AdamStep);
        Assert.NotNull(saved.AdamM);
    }

    [Fact]
    public void RunsAreDeterministicForASeed()
    {
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new KsrLocal(3);
        double Run()
        {
            var trainer = new Trainer(new KohnShamObjective1D(solver, xc, Batch.Value, new ScfOptions(Iterations: 5), new LossWeights(EnergySteps: 2)));
            return trainer.Train(xc.InitialParameters(RngKey.FromSeed(7)), new TrainingOptions(MaxEvaluations: 6), 7).Loss;
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void StepsIntoANonFiniteRegionAreShortened()
    {
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new PoisonedFunctional(allowed: s => s <= 1);
        var trainer = new Trainer(new KohnShamObjective1D(solver, xc, Batch.Value, new ScfOptions(Iterations: 4), new LossWeights(EnergySteps: 2)));
        var r = trainer.Train(xc.InitialParameters(RngKey.FromSeed(0)), new TrainingOptions(MaxEvaluations: 30), 0);
        Assert.False(r.Status.StartsWith("stopped", StringComparison.Ordinal), r.Status);
        Assert.True(double.IsFinite(r.Loss));
        Assert.True(r.Parameters.Flatten()[0] <= 1.0);
    }

    [Fact]
    public void PersistentNonFiniteLossesStopTrainingAndKeepTheLastGoodCheckpoint()
    {
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new PoisonedFunctional(allowed: s => s == 0.5); // finite only at the starting point
        var trainer = new Trainer(new KohnShamObjective1D(solver, xc, Batch.Value, new ScfOptions(Iterations: 4), new LossWeights(EnergySteps: 2)));
        string ck = Path.Combine(_dir, "nan.json");
        var r = trainer.Train(xc.InitialParameters(RngKey.FromSeed(0)), new TrainingOptions(MaxEvaluations: 40, CheckpointEvery: 1), 0, null, ck);
        Assert.StartsWith("stopped", r.Status);
        Assert.Contains("not finite in 10 evaluations", r.Status);
        // the test functional is not in the registry, so read the file as JSON
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ck));
        Assert.True(double.IsFinite(doc.RootElement.GetProperty("training").GetProperty("loss").GetDouble()));
        Assert.Equal(0.5, doc.RootElement.GetProperty("parameters")[0].GetProperty("values")[0].GetDouble());
    }

    /// <summary>LDA scaled by s, NaN wherever <c>allowed(s)</c> is false.</summary>
    private sealed class PoisonedFunctional(Func<double, bool> allowed) : IXcFunctional
    {
        private readonly ExponentialLda _lda = new();
        public string Name => "lda";
        public ParameterSet InitialParameters(RngKey key) => new([new("s", Tensor.Scalar(0.5))]);
        public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context) =>
            allowed(parameters[0].ToScalar()) ? _lda.EnergyDensity(density, [], context) * parameters[0] : _lda.EnergyDensity(density, [], context) * double.NaN;
    }
}
