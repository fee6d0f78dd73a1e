using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;
using Qex.Dft.OneD.Xc.Quantum;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Noise;
using Qex.Dft.Training;
using Qex.Dft.Models;

namespace Qex.Dft.OneD.Training;

/// <summary>The circuit of the qnn-* models (config section model.quantum).</summary>
/// <param name="Qubits">Qubits per circuit (null: the model's default).</param>
/// <param name="Layers">Ansatz layers (null: the model's default).</param>
/// <param name="Rotations">Rotation sequence per qubit and layer.</param>
/// <param name="Entangler">brick-wall | ring | linear.</param>
/// <param name="FeatureMap">direct | chebyshev | fourier | tower | exponential | product | amplitude.</param>
/// <param name="InputScale">Density values are multiplied by this before encoding (also mlp-global).</param>
/// <param name="ChebyshevScale">Chebyshev angle acos(tanh(x / s)).</param>
/// <param name="InitialAngle">Initial circuit angles uniform in [-a, a].</param>
public sealed record QuantumModelConfig(int? Qubits = null, int? Layers = null, string Rotations = "rz,rx,rz", string Entangler = "brick-wall",
    string FeatureMap = "direct", double InputScale = 0.5, double ChebyshevScale = 1.0, double InitialAngle = 0.1);

/// <summary>The model section.</summary>
/// <param name="Functional">Registry name (see <see cref="XcFunctionals.Names"/>).</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="Init">Start from a checkpoint file, a training folder, or a folder of published KSR .npy parameters.</param>
/// <param name="Quantum">Circuit of the qnn-* models.</param>
public sealed record ModelConfig(string Functional = "ksr-global", long Seed = 0, string? Init = null, QuantumModelConfig? Quantum = null)
{
    /// <summary>The circuit section (defaults when absent).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public QuantumModelConfig Circuit => Quantum ?? new QuantumModelConfig();
}

/// <summary>One noise channel of the noise section.</summary>
/// <param name="Type">Channel name (see <see cref="KrausChannel.Names"/>).</param>
/// <param name="Probabilities">p (and gamma for the generalised amplitude damping).</param>
/// <param name="Scope">gate | layer.</param>
/// <param name="Gates">Only after these gates (null: every gate).</param>
public sealed record NoiseChannelConfig(string Type, IReadOnlyList<double> Probabilities, string Scope = "gate", IReadOnlyList<string>? Gates = null);

/// <summary>Per-qubit readout error.</summary>
/// <param name="P01">P(read 1 | 0).</param>
/// <param name="P10">P(read 0 | 1).</param>
public sealed record ReadoutConfig(double P01, double P10);

/// <summary>How the qnn-* circuits are evaluated (config section noise).</summary>
/// <param name="Channels">Explicit channels.</param>
/// <param name="Device">best | worst device preset (null: none).</param>
/// <param name="Scale">Noise scale of the preset.</param>
/// <param name="DeviceScope">gate | layer.</param>
/// <param name="Readout">Readout error (null: none).</param>
/// <param name="Shots">Shots (0: exact expectation values).</param>
/// <param name="Mitigate">Invert the readout confusion matrix.</param>
/// <param name="Seed">Shot-noise and trajectory seed.</param>
/// <param name="Trajectories">Quantum trajectories per circuit (0: density matrices).</param>
public sealed record NoiseConfig(IReadOnlyList<NoiseChannelConfig>? Channels = null, string? Device = null, double Scale = 1.0, string DeviceScope = "gate",
    ReadoutConfig? Readout = null, int Shots = 0, bool Mitigate = false, long Seed = 0, int Trajectories = 0)
{
    /// <summary>The evaluation backend this section configures (exact when it configures nothing).</summary>
    /// <param name="qubits">Qubits of the circuit (for the per-qubit readout error).</param>
    /// <param name="deviceScale">Overrides <see cref="Scale"/>.</param>
    /// <param name="devicePreset">Overrides <see cref="Device"/>.</param>
    /// <exception cref="ArgumentException">An unknown channel, gate, scope or preset, or probabilities out of range (the message names the key).</exception>
    public QuantumBackendOptions Backend(int qubits, double? deviceScale = null, string? devicePreset = null)
    {
        var rules = new List<NoiseRule>();
        var channels = Channels ?? [];
        for (int i = 0; i < channels.Count; i++)
        {
            var ch = channels[i];
            string where = $"noise.channels[{i}]";
            KrausChannel channel;
            try { channel = KrausChannel.Create(ch.Type, [.. ch.Probabilities]); }
            catch (ArgumentException e) { throw new ArgumentException($"{where}: {e.Message}", e); }
            var scope = ParseScope(ch.Scope, $"{where}.scope");
            HashSet<GateKind>? kinds = ch.Gates is null ? null : [.. ch.Gates.Select(Gate.KindOf)];
            rules.Add(new NoiseRule(channel, scope, kinds));
        }
        string? device = devicePreset ?? Device;
        if (device is not null)
        {
            var dm = NoiseModel.FromDevice(DevicePreset.ByName(device), deviceScale ?? Scale, ParseScope(DeviceScope, "noise.device_scope"));
            rules.AddRange(dm.Rules);
        }
        ReadoutError? readout = null;
        if (Readout is { } ro)
        {
            if (!(ro.P01 is >= 0 and <= 1) || !(ro.P10 is >= 0 and <= 1)) throw new ArgumentException($"noise.readout: p01 and p10 must be probabilities in [0, 1]; got {ro.P01}, {ro.P10}.");
            readout = ReadoutError.Uniform(qubits, ro.P01, ro.P10);
        }
        var noise = rules.Count == 0 && readout is null ? null : new NoiseModel(rules, readout);
        return new QuantumBackendOptions(noise, Shots, Seed, Mitigate, Trajectories);
    }

    private static NoiseScope ParseScope(string scope, string where) => scope.Trim().ToLowerInvariant() switch
    {
        "gate" => NoiseScope.AfterEachGate,
        "layer" => NoiseScope.AfterEachLayer,
        var s => throw new ArgumentException($"{where} '{s}' is not gate or layer."),
    };
}

/// <summary>The data section.</summary>
/// <param name="Root">Folder with jaxdft/ and ksr_dft/ (null: ../shared/data, else the built-in exact H2 set).</param>
/// <param name="Train">Training selections.</param>
/// <param name="Validation">Early-stopping selections.</param>
/// <param name="Test">Test selections.</param>
public sealed record DataConfig(string? Root, IReadOnlyList<DataEntry> Train, IReadOnlyList<DataEntry> Validation, IReadOnlyList<DataEntry> Test);

/// <summary>The scf section.</summary>
/// <param name="Iterations">Kohn–Sham iterations.</param>
/// <param name="Mixing">Initial mixing weight.</param>
/// <param name="MixingDecay">Mixing decay per iteration.</param>
/// <param name="Symmetry">Reflection symmetry about the molecule centre.</param>
/// <param name="Temperature">Fermi–Dirac smearing (Hartree).</param>
/// <param name="Interaction">exponential | soft-coulomb.</param>
/// <param name="SpinPolarised">Spin-polarised Kohn–Sham.</param>
public sealed record ScfConfig(int Iterations = 15, double Mixing = 0.5, double MixingDecay = 0.9, bool Symmetry = true, double Temperature = 0, string Interaction = "exponential",
    bool SpinPolarised = false)
{
    /// <summary>The description stored in checkpoints.</summary>
    public ScfSpec ToSpec() => new(Iterations, Mixing, MixingDecay, Symmetry, Temperature, OneD.Interaction.FromName(Interaction).Name, 0, SpinPolarised);
}

/// <summary>The loss section.</summary>
/// <param name="EnergySteps">Energies of the last iterations in the loss.</param>
/// <param name="Discount">Discount of earlier iterations.</param>
/// <param name="EnergyWeight">Weight of the energy term.</param>
/// <param name="DensityWeight">Weight of the density term.</param>
public sealed record LossConfig(int EnergySteps = 5, double Discount = 0.9, double EnergyWeight = 1, double DensityWeight = 1)
{
    /// <summary>The loss weights.</summary>
    public LossWeights ToWeights() => new(EnergySteps, Discount, EnergyWeight, DensityWeight);
}

/// <summary>The optimiser section.</summary>
/// <param name="Name">lbfgs | adam.</param>
/// <param name="MaxEvaluations">Evaluation budget.</param>
/// <param name="History">L-BFGS memory.</param>
/// <param name="LearningRate">Adam step size.</param>
/// <param name="RestartPatience">Validations without improvement before a restart (0: never).</param>
/// <param name="RestartFrom">best | fresh.</param>
/// <param name="AverageBest">Also score averages of up to this many best-validated iterates at the end (0: off).</param>
/// <param name="Starts">Independent starts, each with the evaluation budget (see <see cref="TrainingOptions.Starts"/>).</param>
/// <param name="TargetValidation">No further start once the validation score (mHa) is at most this (0: run every start).</param>
public sealed record OptimiserConfig(string Name = "lbfgs", int MaxEvaluations = 400, int History = 20, double LearningRate = 1e-3, int RestartPatience = 0,
    string RestartFrom = "best", int AverageBest = 0, int Starts = 1, double TargetValidation = 0);

/// <summary>
/// A whole 1D training configuration, typed: what <c>qex train</c> reads from YAML and what code embedding Qex
/// builds directly. <see cref="Validate"/> checks every value; the conversion methods are the one place where a
/// configuration becomes solver, loss, optimiser and model options.
/// </summary>
/// <param name="Model">The model section.</param>
/// <param name="Noise">The noise section.</param>
/// <param name="Data">The data section.</param>
/// <param name="Scf">The scf section.</param>
/// <param name="Loss">The loss section.</param>
/// <param name="Optimiser">The optimiser section.</param>
/// <param name="CheckpointEvery">Evaluations between checkpoints.</param>
/// <param name="ValidateEvery">Evaluations between validations.</param>
/// <param name="ValidationMetric">max | mae.</param>
public sealed record TrainingConfig(ModelConfig Model, NoiseConfig Noise, DataConfig Data, ScfConfig Scf, LossConfig Loss, OptimiserConfig Optimiser,
    int CheckpointEvery = 10, int ValidateEvery = 5, string ValidationMetric = "max")
{
    /// <summary>Checks every value (ranges, names, consistency).</summary>
    /// <exception cref="ArgumentException">Names the key, the value and what is allowed.</exception>
    public void Validate()
    {
        _ = XcFunctionals.Create(Model.Functional);   // known name (the message lists the valid ones)
        var q = Model.Circuit;
        if (q.Qubits is < 1 or > 20) throw new ArgumentException($"model.quantum.qubits must be between 1 and 20; got {q.Qubits}.");
        if (q.Layers is < 0 or > 1000) throw new ArgumentException($"model.quantum.layers must be between 0 and 1000; got {q.Layers}.");
        if (!double.IsFinite(q.InputScale) || q.InputScale == 0) throw new ArgumentException($"model.quantum.input_scale must be a finite non-zero number; got {q.InputScale}.");
        if (!double.IsFinite(q.ChebyshevScale) || !(q.ChebyshevScale > 0)) throw new ArgumentException($"model.quantum.chebyshev_scale must be positive; got {q.ChebyshevScale}.");
        if (!double.IsFinite(q.InitialAngle) || q.InitialAngle < 0) throw new ArgumentException($"model.quantum.initial_angle must be a non-negative number; got {q.InitialAngle}.");
        _ = HardwareEfficientAnsatz.ParseRotations(q.Rotations);
        _ = HardwareEfficientAnsatz.ParseEntangler(q.Entangler);
        _ = FeatureMaps.Parse(q.FeatureMap);
        Scf.ToSpec().Validate();
        if (Loss.EnergySteps < 1) throw new ArgumentException($"loss.energy_steps must be at least 1; got {Loss.EnergySteps}.");
        if (Loss.EnergySteps > Scf.Iterations) throw new ArgumentException($"loss.energy_steps ({Loss.EnergySteps}) exceeds scf.iterations ({Scf.Iterations}).");
        foreach (var (v, name) in new[] { (Loss.Discount, "loss.discount"), (Loss.EnergyWeight, "loss.energy_weight"), (Loss.DensityWeight, "loss.density_weight") })
            if (!double.IsFinite(v) || v < 0) throw new ArgumentException($"{name} must be a non-negative number; got {v}.");
        ToTrainingOptions().Validate();
        if (ValidationMetric is not ("max" or "mae")) throw new ArgumentException($"validation_metric must be max or mae; got '{ValidationMetric}'.");
        for (int i = 0; i < Data.Train.Count; i++) Data.Train[i].Validate($"data.train[{i}]");
        for (int i = 0; i < Data.Validation.Count; i++) Data.Validation[i].Validate($"data.validation[{i}]");
        for (int i = 0; i < Data.Test.Count; i++) Data.Test[i].Validate($"data.test[{i}]");
        foreach (var (list, key) in new[] { (Data.Validation, "data.validation"), (Data.Test, "data.test") })
            for (int i = 0; i < list.Count; i++)
                if (list[i].DensityWeight is not null)
                    throw new ArgumentException($"{key}[{i}]: 'density_weight' weights a training entry's density term; validation and test entries are scored by their energies.");
        if (Noise.Shots < 0 || Noise.Shots > 100_000_000) throw new ArgumentException($"noise.shots must be between 0 and 100000000; got {Noise.Shots}.");
        if (Noise.Trajectories < 0 || Noise.Trajectories > 1_000_000) throw new ArgumentException($"noise.trajectories must be between 0 and 1000000; got {Noise.Trajectories}.");
        if (!double.IsFinite(Noise.Scale) || Noise.Scale < 0) throw new ArgumentException($"noise.scale must be a non-negative number; got {Noise.Scale}.");
        _ = Backend();
    }

    /// <summary>The electron-electron interaction.</summary>
    public Interaction Interaction() => OneD.Interaction.FromName(Scf.Interaction);

    /// <summary>The SCF options.</summary>
    public ScfOptions ToScfOptions() => Scf.ToSpec().ToOptions();

    /// <summary>The optimiser settings.</summary>
    public TrainingOptions ToTrainingOptions() => new(Optimiser.Name.Trim().ToLowerInvariant(), Optimiser.MaxEvaluations, Optimiser.History, Optimiser.LearningRate,
        CheckpointEvery, ValidateEvery, Optimiser.RestartPatience, Optimiser.RestartFrom.Trim().ToLowerInvariant(), Optimiser.AverageBest,
        Optimiser.Starts, Optimiser.TargetValidation);

    /// <summary>The circuit options of the configured model (null for models without a circuit).</summary>
    public QuantumCircuitOptions CircuitOptions(QuantumBackendOptions? backend = null)
    {
        var q = Model.Circuit;
        var d = XcFunctionals.DefaultCircuit(Model.Functional);
        return new QuantumCircuitOptions(q.Qubits ?? d.Qubits, q.Layers ?? d.Layers, q.Rotations, HardwareEfficientAnsatz.ParseEntangler(q.Entangler),
            FeatureMaps.Parse(q.FeatureMap), q.InputScale, q.ChebyshevScale, q.InitialAngle, backend ?? Backend());
    }

    /// <summary>The model description (what checkpoints store).</summary>
    public XcModelSpec ModelSpec(int gridPoints) => XcModelSpec.Of(Model.Functional, CircuitOptions(QuantumBackendOptions.Exact), gridPoints);

    /// <summary>The configured functional for a grid size (backend: the noise section unless one is given).</summary>
    public IXcFunctional CreateFunctional(int gridPoints, QuantumBackendOptions? backend = null) =>
        XcFunctionals.Create(Model.Functional, CircuitOptions(backend), gridPoints);

    /// <summary>The evaluation backend of the noise section (exact when it configures nothing).</summary>
    /// <param name="deviceScale">Overrides noise.scale.</param>
    /// <param name="devicePreset">Overrides noise.device.</param>
    public QuantumBackendOptions Backend(double? deviceScale = null, string? devicePreset = null) => Noise.Backend(CircuitQubits(), deviceScale, devicePreset);

    private int CircuitQubits() => Model.Circuit.Qubits ?? XcFunctionals.DefaultCircuit(Model.Functional).Qubits;
}
