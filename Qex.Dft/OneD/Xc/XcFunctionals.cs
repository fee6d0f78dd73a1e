using Qex.Dft.OneD.Xc.Quantum;

namespace Qex.Dft.OneD.Xc;

/// <summary>The 1D XC functionals by name.</summary>
public static class XcFunctionals
{
    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lda", "ksr-global", "ksr-lda", "ksr-gga", "qnn-global", "mlp-global", "qnn-local", "qnn-window"];

    /// <summary>
    /// A functional by name. The quantum models (qnn-*) take their circuit and backend from
    /// <paramref name="quantum"/> (defaults: qnn-global 6 qubits x 8 layers, the paper's 316-parameter model;
    /// qnn-local 4 qubits x 4 layers; qnn-window 6 qubits x 4 layers on stride-1 windows of 3 points).
    /// mlp-global is the classical control of qnn-global (an MLP 3-6-15-1 with 144 parameters in place of the circuit).
    /// </summary>
    /// <param name="name">The functional's name.</param>
    /// <param name="quantum">Circuit options for the qnn-* models (null: their defaults).</param>
    /// <param name="gridPoints">Grid size, for the global windowed models (their head has one weight per window).</param>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static IXcFunctional Create(string name, QuantumCircuitOptions? quantum = null, int gridPoints = 513) => name.Trim().ToLowerInvariant() switch
    {
        "lda" => new ExponentialLda(),
        "ksr-global" or "ksr_global" or "global" => new KsrGlobal(),
        "ksr-lda" or "ksr_lda" => new KsrLocal(1),
        "ksr-gga" or "ksr_gga" => new KsrLocal(3),
        "qnn-global" or "qnn_global" => new GlobalWindowXc("qnn-global", new QuantumWindowModel(quantum ?? new QuantumCircuitOptions(), 3), gridPoints),
        "mlp-global" or "mlp_global" => new GlobalWindowXc("mlp-global", new MlpWindowModel(3, inputScale: (quantum ?? new QuantumCircuitOptions()).InputScale), gridPoints),
        "qnn-local" or "qnn_local" => new SlidingWindowXc("qnn-local", new QuantumWindowModel(quantum ?? new QuantumCircuitOptions(Qubits: 4, Layers: 4), 1)),
        "qnn-window" or "qnn_window" => new SlidingWindowXc("qnn-window", new QuantumWindowModel(quantum ?? new QuantumCircuitOptions(Layers: 4), 3)),
        _ => throw new ArgumentException($"Unknown functional '{name}'; known: {string.Join(", ", Names)}."),
    };
}
