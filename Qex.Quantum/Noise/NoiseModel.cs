using Qex.Quantum.Gates;

namespace Qex.Quantum.Noise;

/// <summary>Where a channel of a <see cref="NoiseModel"/> is applied.</summary>
public enum NoiseScope
{
    /// <summary>After every matching gate, on each qubit it acts on (a two-qubit channel: on the gate's pair).</summary>
    AfterEachGate,

    /// <summary>After every layer of the circuit (see <see cref="Circuits.Circuit.LayerEnds"/>), on every qubit.</summary>
    AfterEachLayer,
}

/// <summary>One noise rule: a channel, where it acts, and optionally which gate kinds trigger it.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Scope">After each gate or after each layer.</param>
/// <param name="GateKinds">For <see cref="NoiseScope.AfterEachGate"/>: only after these kinds (null: every gate).</param>
public sealed record NoiseRule(KrausChannel Channel, NoiseScope Scope, IReadOnlySet<GateKind>? GateKinds = null);

/// <summary>
/// A hardware noise model: Kraus channels attached per gate or per layer, and an optional readout error. Immutable.
/// </summary>
public sealed class NoiseModel
{
    /// <summary>Creates a model.</summary>
    public NoiseModel(IEnumerable<NoiseRule> rules, ReadoutError? readout = null)
    {
        Rules = [.. rules];
        Readout = readout;
        foreach (var r in Rules)
            if (r.Channel.Arity == 2 && r.Scope == NoiseScope.AfterEachLayer)
                throw new ArgumentException($"Two-qubit channel {r.Channel.Name} cannot be applied per layer on every qubit; attach it after two-qubit gates.");
    }

    /// <summary>No noise.</summary>
    public static NoiseModel None { get; } = new([]);

    /// <summary>The channel rules.</summary>
    public IReadOnlyList<NoiseRule> Rules { get; }

    /// <summary>The readout error (null: perfect readout).</summary>
    public ReadoutError? Readout { get; }

    /// <summary>True when there are no channels and no readout error.</summary>
    public bool IsNoiseless => Rules.Count == 0 && Readout is null;

    /// <summary>
    /// A device-derived model (the noise study of the quantum-XC paper): amplitude damping with
    /// <c>p_AD = 1 - exp(-s t_gate / T1)</c> and phase damping with <c>p_PD = 1 - exp(-s t_gate / T_phi)</c>,
    /// <c>1/T_phi = 1/T2 - 1/(2 T1)</c>, after every gate on each of its qubits. The noise scale s multiplies the gate
    /// time, so every scale gives valid probabilities (s = 0: no noise).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive times, T2 &gt; 2 T1, or a negative scale.</exception>
    public static NoiseModel FromDevice(DevicePreset device, double scale, ReadoutError? readout = null) =>
        FromDevice(device, scale, NoiseScope.AfterEachGate, readout);

    /// <summary>As <see cref="FromDevice(DevicePreset, double, ReadoutError?)"/>, with the channels after every gate or every layer.</summary>
    public static NoiseModel FromDevice(DevicePreset device, double scale, NoiseScope scope, ReadoutError? readout = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!(scale >= 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The noise scale must be finite and non-negative.");
        var (ad, pd) = device.Probabilities(scale);
        return new NoiseModel(
        [
            new NoiseRule(KrausChannel.Create("amplitude-damping", ad), scope),
            new NoiseRule(KrausChannel.Create("phase-damping", pd), scope),
        ], readout);
    }
}

/// <summary>A device's relaxation and dephasing times and its gate time (nanoseconds).</summary>
/// <param name="Name">Preset name.</param>
/// <param name="T1">Relaxation time.</param>
/// <param name="T2">Dephasing time.</param>
/// <param name="GateTime">Gate duration.</param>
public sealed record DevicePreset(string Name, double T1, double T2, double GateTime)
{
    /// <summary>The "best" device of the noise study: T1 593.86 ns, T2 533.33 ns, gate 49.78 ns (p_AD 0.0804, p_PD 0.0501).</summary>
    public static DevicePreset Best { get; } = new("best", 593.86, 533.33, 49.78);

    /// <summary>The "worst" device: T1 433.44 ns, T2 403.38 ns, gate 60 ns (p_AD 0.1293, p_PD 0.0765).</summary>
    public static DevicePreset Worst { get; } = new("worst", 433.44, 403.38, 60);

    /// <summary>A preset by name (best | worst).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static DevicePreset ByName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "best" => Best,
        "worst" => Worst,
        _ => throw new ArgumentException($"Unknown device preset '{name}'; known: best, worst."),
    };

    /// <summary>(p_AD, p_PD) at noise scale <paramref name="scale"/>.</summary>
    public (double AmplitudeDamping, double PhaseDamping) Probabilities(double scale)
    {
        if (!(T1 > 0 && T2 > 0 && GateTime > 0)) throw new ArgumentOutOfRangeException(nameof(scale), $"Device {Name}: times must be positive.");
        double invTphi = 1 / T2 - 1 / (2 * T1);
        if (invTphi < 0) throw new ArgumentOutOfRangeException(nameof(scale), $"Device {Name}: T2 = {T2} exceeds 2 T1 = {2 * T1}.");
        return (1 - Math.Exp(-scale * GateTime / T1), 1 - Math.Exp(-scale * GateTime * invTphi));
    }
}
