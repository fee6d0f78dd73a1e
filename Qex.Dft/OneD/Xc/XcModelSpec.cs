using Qex.Dft.OneD.Xc.Quantum;
using Qex.Quantum.Circuits;
using Qex.Dft.Models;

namespace Qex.Dft.OneD.Xc;

/// <summary>The circuit of a quantum XC model as stored in checkpoints (names, not enums, so files stay readable).</summary>
/// <param name="Qubits">Qubits per circuit.</param>
/// <param name="Layers">Ansatz layers.</param>
/// <param name="Rotations">Rotation sequence per qubit and layer.</param>
/// <param name="Entangler">brick-wall | ring | linear.</param>
/// <param name="FeatureMap">direct | chebyshev | fourier | tower | exponential | product | amplitude.</param>
/// <param name="InputScale">Density values are multiplied by this before encoding.</param>
/// <param name="ChebyshevScale">Scale of the Chebyshev angle.</param>
/// <param name="InitialAngle">Initial circuit angles uniform in [-a, a].</param>
public sealed record QuantumCircuitSpec(int Qubits, int Layers, string Rotations, string Entangler, string FeatureMap,
    double InputScale, double ChebyshevScale, double InitialAngle)
{
    /// <summary>The description of circuit options.</summary>
    public static QuantumCircuitSpec Of(QuantumCircuitOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.Qubits, o.Layers, o.Rotations, HardwareEfficientAnsatz.NameOf(o.Entangler), FeatureMaps.NameOf(o.FeatureMap), o.InputScale, o.ChebyshevScale, o.InitialAngle);
    }

    /// <summary>The circuit options (exact backend unless one is given).</summary>
    /// <exception cref="ArgumentException">An unknown entangler, feature map or rotation, or a non-finite scale.</exception>
    public QuantumCircuitOptions ToOptions(QuantumBackendOptions? backend = null)
    {
        if (!double.IsFinite(InputScale) || !double.IsFinite(ChebyshevScale) || !(ChebyshevScale > 0) || !double.IsFinite(InitialAngle))
            throw new ArgumentException($"The quantum circuit has a non-finite or non-positive scale (input_scale {InputScale}, chebyshev_scale {ChebyshevScale}, initial_angle {InitialAngle}).");
        _ = HardwareEfficientAnsatz.ParseRotations(Rotations);
        return new QuantumCircuitOptions(Qubits, Layers, Rotations, HardwareEfficientAnsatz.ParseEntangler(Entangler), FeatureMaps.Parse(FeatureMap),
            InputScale, ChebyshevScale, InitialAngle, backend);
    }
}

/// <summary>
/// Everything needed to rebuild a 1D XC model exactly as it was trained: the functional's registry name, the grid
/// size (the global windowed models have one head weight per window) and, for the circuit models and their MLP
/// control, the circuit and encoding. Checkpoints store it.
/// </summary>
/// <param name="Functional">Registry name (see <see cref="XcFunctionals.Names"/>).</param>
/// <param name="GridPoints">Grid size the model was built for.</param>
/// <param name="Quantum">Circuit and encoding of qnn-* and mlp-global (null for the others).</param>
public sealed record XcModelSpec(string Functional, int GridPoints, QuantumCircuitSpec? Quantum = null)
{
    /// <summary>True for the models whose shape depends on <see cref="Quantum"/>.</summary>
    public static bool UsesCircuitOptions(string functional) =>
        XcFunctionals.Canonical(functional) is "qnn-global" or "mlp-global" or "qnn-local" or "qnn-window" or "rydberg-local" or "rydberg-window";

    /// <summary>The description of a model built from options.</summary>
    public static XcModelSpec Of(string functional, QuantumCircuitOptions? quantum, int gridPoints)
    {
        string name = XcFunctionals.Canonical(functional);
        return new XcModelSpec(name, gridPoints, UsesCircuitOptions(name) ? QuantumCircuitSpec.Of(quantum ?? XcFunctionals.DefaultCircuit(name)) : null);
    }

    /// <summary>Builds the model (exact circuits unless a backend is given).</summary>
    /// <exception cref="ArgumentException">Unknown functional, or a description that does not fit it.</exception>
    public IXcFunctional Create(QuantumBackendOptions? backend = null)
    {
        if (GridPoints < 5) throw new ArgumentException($"The model description has {GridPoints} grid points; at least 5 are needed.");
        string name = XcFunctionals.Canonical(Functional);
        if (UsesCircuitOptions(name) && Quantum is null) throw new ArgumentException($"The description of {name} lacks its circuit (quantum section).");
        return XcFunctionals.Create(name, Quantum?.ToOptions(backend), GridPoints);
    }
}
