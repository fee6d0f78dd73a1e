using Qex.Quantum.Autodiff;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Noise;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Dft.Models;

/// <summary>How the circuits of a quantum XC model are evaluated: exactly, under a noise model, with finite shots.</summary>
/// <param name="Noise">Channels and readout error (null or noiseless: exact statevector).</param>
/// <param name="Shots">Shots per Pauli term and circuit (0: exact expectation values).</param>
/// <param name="Seed">Seed of the shot-noise stream (fresh draws per evaluation, reproducible per seed).</param>
/// <param name="Mitigate">Correct readout error by inverting the confusion matrix (with shots).</param>
/// <param name="Trajectories">Simulate the channels by this many quantum trajectories per circuit instead of density matrices (0: density matrices).</param>
/// <param name="Device">An accelerator for the exact statevector (values and adjoint gradients; second derivatives, density
/// matrices and trajectories stay on the CPU); null: the CPU.</param>
public sealed record QuantumBackendOptions(NoiseModel? Noise = null, int Shots = 0, long Seed = 0, bool Mitigate = false, int Trajectories = 0,
    Qex.Kernels.Devices.ComputeDevice? Device = null)
{
    /// <summary>Exact statevector evaluation.</summary>
    public static QuantumBackendOptions Exact { get; } = new();

    /// <summary>True when the circuits are evaluated exactly (second derivatives available, so trainable).</summary>
    public bool IsExact => (Noise is null || Noise.IsNoiseless) && Shots == 0;

    /// <summary>The evaluator of a circuit measured on an observable under these options.</summary>
    public IDifferentiableCircuit Create(Circuit circuit, Observable observable)
    {
        if (Shots < 0) throw new ArgumentOutOfRangeException(nameof(Shots), Shots, "The number of shots must be non-negative.");
        if (Trajectories < 0) throw new ArgumentOutOfRangeException(nameof(Trajectories), Trajectories, "The number of trajectories must be non-negative.");
        if (IsExact) return new ExactCircuit(new StatevectorSimulator(circuit, observable, Device));
        var noise = Noise ?? NoiseModel.None;
        var key = Qex.Core.Random.RngKey.FromSeed(Seed);
        bool useTrajectories = Trajectories > 0 && noise.Rules.Count > 0;
        if (Shots == 0 && !useTrajectories) return new EstimatedCircuit(new DensityMatrixSimulator(circuit, observable, noise));
        if (Shots == 0 && noise.Readout is not null) throw new ArgumentException("Quantum trajectories with readout error need finite shots (noise.shots).");
        var channels = new NoiseModel(noise.Rules);
        if (Shots == 0) return new EstimatedCircuit(new TrajectorySimulator(circuit, observable, channels, Trajectories, key.Fold(1)));
        IMeasurementSource source = noise.Rules.Count == 0 ? new StatevectorSimulator(circuit, observable, Device)
            : useTrajectories ? new TrajectorySimulator(circuit, observable, channels, Trajectories, key.Fold(1))
            : new DensityMatrixSimulator(circuit, observable, channels);
        return new EstimatedCircuit(new ShotEstimator(source, observable, Shots, key, noise.Readout, Mitigate));
    }

    /// <inheritdoc />
    public override string ToString() => (IsExact ? "exact statevector"
        : $"{(Noise is { Rules.Count: > 0 } n ? $"{(Trajectories > 0 ? $"{Trajectories} trajectories" : "density matrix")} ({string.Join(", ", n.Rules.Select(r => $"{r.Channel.Name} {r.Scope}"))})" : "statevector")}"
          + (Noise?.Readout is not null ? ", readout error" : "") + (Shots > 0 ? $", {Shots} shots" : "") + (Mitigate ? ", mitigated" : ""))
          + (Device is not null && (Noise is null || Noise.Rules.Count == 0) ? $" on {Qex.Kernels.Devices.DeviceCatalog.NameOf(Device.Kind)}" : "");
}

/// <summary>The shape of a quantum XC model's circuit and its encoding.</summary>
/// <param name="Qubits">Qubits per circuit.</param>
/// <param name="Layers">Ansatz layers.</param>
/// <param name="Rotations">Rotation sequence per qubit and layer (the paper: rz,rx,rz).</param>
/// <param name="Entangler">brick-wall | ring | linear.</param>
/// <param name="FeatureMap">How window values become angles.</param>
/// <param name="InputScale">Density values are multiplied by this before encoding (the paper: 1/2).</param>
/// <param name="ChebyshevScale">Scale s of the Chebyshev angle acos(tanh(x / s)).</param>
/// <param name="InitialAngle">Initial circuit angles are uniform in [-a, a].</param>
/// <param name="Backend">Exact, noisy or finite-shot evaluation.</param>
public sealed record QuantumCircuitOptions(
    int Qubits = 6, int Layers = 8, string Rotations = "rz,rx,rz", EntanglerKind Entangler = EntanglerKind.BrickWall,
    FeatureMapKind FeatureMap = FeatureMapKind.Direct, double InputScale = 0.5, double ChebyshevScale = 1.0, double InitialAngle = 0.1,
    QuantumBackendOptions? Backend = null)
{
    /// <summary>The circuit for windows of <paramref name="values"/> values: feature map, then ansatz.</summary>
    public Circuit BuildCircuit(int values)
    {
        if (Qubits < 1 || Qubits > 20) throw new ArgumentOutOfRangeException(nameof(Qubits), Qubits, "A quantum XC model uses 1 to 20 qubits per circuit.");
        return new CircuitBuilder(Qubits, FeatureMap == FeatureMapKind.Amplitude ? 0 : values)
            .Encode(FeatureMap, values)
            .Ansatz(Layers, HardwareEfficientAnsatz.ParseRotations(Rotations), Entangler)
            .Build();
    }
}
