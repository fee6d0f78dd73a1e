using Qex.Quantum.Circuits;
using Qex.Dft.OneD.Xc.Quantum;
using Qex.Dft.Models;

namespace Qex.Dft.OneD.Xc;

/// <summary>The 1D XC functionals by name.</summary>
public static class XcFunctionals
{
    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lda", "ksr-global", "ksr-lda", "ksr-gga", "ksr-lsda", "qnn-global", "mlp-global", "qnn-local", "qnn-window", "rydberg-local", "rydberg-window"];

    /// <summary>The functionals of both spin densities (for spin-polarised Kohn–Sham).</summary>
    public static IReadOnlyList<string> SpinNames { get; } = ["lda", "ksr-lsda"];

    /// <summary>
    /// A functional by name. The quantum models (qnn-*) take their circuit and backend from
    /// <paramref name="quantum"/> (defaults: qnn-global 6 qubits x 8 layers, the paper's 316-parameter model;
    /// qnn-local 4 qubits x 4 layers; qnn-window 6 qubits x 4 layers on stride-1 windows of 3 points).
    /// mlp-global is the classical control of qnn-global (an MLP 3-6-15-1 with 144 parameters in place of the circuit).
    /// rydberg-local and rydberg-window are analog neutral-atom models (<see cref="RydbergWindowModel"/>: 2 atoms x 2
    /// pulse segments on the local density, 3 atoms x 2 segments on stride-1 windows of 3 points).
    /// </summary>
    /// <param name="name">The functional's name.</param>
    /// <param name="quantum">Circuit options for the qnn-* models (null: their defaults).</param>
    /// <param name="gridPoints">Grid size, for the global windowed models (their head has one weight per window).</param>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static IXcFunctional Create(string name, QuantumCircuitOptions? quantum = null, int gridPoints = 513) => Canonical(name) switch
    {
        "lda" => new ExponentialLda(),
        "ksr-global" => new KsrGlobal(),
        "ksr-lda" => new KsrLocal(1),
        "ksr-gga" => new KsrLocal(3),
        "ksr-lsda" => new KsrLsda(),
        "qnn-global" => new GlobalWindowXc("qnn-global", new QuantumWindowModel(quantum ?? DefaultCircuit("qnn-global"), 3), gridPoints),
        "mlp-global" => new GlobalWindowXc("mlp-global", new MlpWindowModel(3, inputScale: (quantum ?? DefaultCircuit("mlp-global")).InputScale), gridPoints),
        "qnn-local" => new SlidingWindowXc("qnn-local", new QuantumWindowModel(quantum ?? DefaultCircuit("qnn-local"), 1)),
        "qnn-window" => new SlidingWindowXc("qnn-window", new QuantumWindowModel(quantum ?? DefaultCircuit("qnn-window"), 3)),
        "rydberg-local" => new SlidingWindowXc("rydberg-local", Analog(quantum ?? DefaultCircuit("rydberg-local"), local: true)),
        "rydberg-window" => new SlidingWindowXc("rydberg-window", Analog(quantum ?? DefaultCircuit("rydberg-window"), local: false)),
        _ => throw new ArgumentException($"Unknown functional '{name}'; known: {string.Join(", ", Names)}."),
    };

    /// <summary>The registry name of a functional (aliases like ksr_global and global are accepted; unknown names pass through).</summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "ksr-global" or "ksr_global" or "global" => "ksr-global",
            "ksr-lda" or "ksr_lda" => "ksr-lda",
            "ksr-gga" or "ksr_gga" => "ksr-gga",
            "ksr-lsda" or "ksr_lsda" => "ksr-lsda",
            "qnn-global" or "qnn_global" => "qnn-global",
            "mlp-global" or "mlp_global" => "mlp-global",
            "qnn-local" or "qnn_local" => "qnn-local",
            "qnn-window" or "qnn_window" => "qnn-window",
            "rydberg-local" or "rydberg_local" => "rydberg-local",
            "rydberg-window" or "rydberg_window" => "rydberg-window",
            var n => n,
        };
    }

    /// <summary>The default circuit of a circuit model (qnn-global and mlp-global 6 x 8, qnn-local 4 x 4, qnn-window 6 x 4).</summary>
    public static QuantumCircuitOptions DefaultCircuit(string name) => Canonical(name) switch
    {
        "qnn-local" => new QuantumCircuitOptions(Qubits: 4, Layers: 4),
        "qnn-window" => new QuantumCircuitOptions(Layers: 4),
        "rydberg-local" => new QuantumCircuitOptions(Qubits: 2, Layers: 2),
        "rydberg-window" => new QuantumCircuitOptions(Qubits: 3, Layers: 2),
        _ => new QuantumCircuitOptions(),
    };

    /// <summary>
    /// The analog models read the quantum section as: qubits = atoms, layers = pulse segments, input_scale, and
    /// feature_map direct (the density in local detunings) or amplitude (in local drive amplitudes); a local model
    /// feeds one density value to every atom, a window model one point per atom. They are emulated exactly (no noise
    /// backend).
    /// </summary>
    private static RydbergWindowModel Analog(QuantumCircuitOptions o, bool local)
    {
        if (o.Backend is { IsExact: false } b)
            throw new ArgumentException($"The analog Rydberg models are emulated exactly; noise ({b}) is modelled for the digital circuits only.");
        var encoding = o.FeatureMap switch
        {
            FeatureMapKind.Direct => AnalogEncoding.Detuning,
            FeatureMapKind.Amplitude => AnalogEncoding.Amplitude,
            var k => throw new ArgumentException($"The analog models write the density into local detunings (feature_map: direct) or drive amplitudes (feature_map: amplitude); got {FeatureMaps.NameOf(k)}."),
        };
        return new RydbergWindowModel(o.Qubits, o.Layers, local ? 1 : o.Qubits, o.InputScale, encoding: encoding);   // a window: one point per atom
    }
}
