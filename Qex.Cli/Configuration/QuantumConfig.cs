using System.Globalization;
using Qex.Dft.OneD.Xc;
using Qex.Dft.OneD.Xc.Quantum;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Noise;

namespace Qex.Cli.Configuration;

/// <summary>Reads the model.quantum and noise sections of a config.</summary>
public static class QuantumConfig
{
    /// <summary>The functional of model.functional, with its circuit and backend from the config, for a grid size.</summary>
    public static IXcFunctional CreateFunctional(ConfigTree c, int gridPoints, QuantumBackendOptions? backendOverride = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        string name = c.GetString("model.functional") ?? "ksr-global";
        var defaults = name.Trim().ToLowerInvariant() switch
        {
            "qnn-local" or "qnn_local" => (Qubits: 4, Layers: 4),
            "qnn-window" or "qnn_window" => (Qubits: 6, Layers: 4),
            _ => (Qubits: 6, Layers: 8),
        };
        var options = new QuantumCircuitOptions(
            Qubits: c.Get("model.quantum.qubits") is null ? defaults.Qubits : c.GetInt("model.quantum.qubits"),
            Layers: c.Get("model.quantum.layers") is null ? defaults.Layers : c.GetInt("model.quantum.layers"),
            Rotations: c.GetString("model.quantum.rotations") ?? "rz,rx,rz",
            Entangler: HardwareEfficientAnsatz.ParseEntangler(c.GetString("model.quantum.entangler") ?? "brick-wall"),
            FeatureMap: FeatureMaps.Parse(c.GetString("model.quantum.feature_map") ?? "direct"),
            InputScale: c.GetDouble("model.quantum.input_scale"),
            ChebyshevScale: c.GetDouble("model.quantum.chebyshev_scale"),
            InitialAngle: c.GetDouble("model.quantum.initial_angle"),
            Backend: backendOverride ?? Backend(c));
        _ = HardwareEfficientAnsatz.ParseRotations(options.Rotations);
        return XcFunctionals.Create(name, options, gridPoints);
    }

    /// <summary>The evaluation backend of the noise section (exact when it configures nothing).</summary>
    public static QuantumBackendOptions Backend(ConfigTree c, double? deviceScale = null, string? devicePreset = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var rules = new List<NoiseRule>();
        foreach (var (m, i) in c.GetMaps("noise.channels").Select((m, i) => (m, i)))
        {
            string where = $"noise.channels[{i}]";
            string type = Str(m, "type", where) ?? throw new ArgumentException($"{where}: 'type' is required (one of {string.Join(", ", KrausChannel.Names)}).");
            var probs = new List<double>();
            if (m.ContainsKey("p")) probs.Add(Num(m, "p", where));
            if (m.ContainsKey("gamma")) probs.Add(Num(m, "gamma", where));
            var channel = KrausChannel.Create(type, [.. probs]);
            var scope = (Str(m, "scope", where) ?? "gate").ToLowerInvariant() switch
            {
                "gate" => NoiseScope.AfterEachGate,
                "layer" => NoiseScope.AfterEachLayer,
                var s => throw new ArgumentException($"{where}: scope '{s}' is not gate or layer."),
            };
            HashSet<GateKind>? kinds = null;
            if (m.TryGetValue("gates", out var g) && g is List<object?> list)
                kinds = [.. list.Select(x => Gate.KindOf(Convert.ToString(x, CultureInfo.InvariantCulture) ?? ""))];
            foreach (string k in m.Keys)
                if (k is not ("type" or "p" or "gamma" or "scope" or "gates"))
                    throw new ArgumentException($"{where}: unknown key '{k}' (keys: type, p, gamma, scope, gates).");
            rules.Add(new NoiseRule(channel, scope, kinds));
        }
        string? device = devicePreset ?? c.GetString("noise.device");
        if (device is not null)
        {
            var scope = (c.GetString("noise.device_scope") ?? "gate").Trim().ToLowerInvariant() switch
            {
                "gate" => NoiseScope.AfterEachGate,
                "layer" => NoiseScope.AfterEachLayer,
                var s => throw new ArgumentException($"noise.device_scope '{s}' is not gate or layer."),
            };
            var dm = NoiseModel.FromDevice(DevicePreset.ByName(device), deviceScale ?? c.GetDouble("noise.scale"), scope);
            rules.AddRange(dm.Rules);
        }
        ReadoutError? readout = null;
        if (c.Get("noise.readout") is Dictionary<string, object?> ro)
            readout = ReadoutError.Uniform(QubitsOf(c), Num(ro, "p01", "noise.readout"), Num(ro, "p10", "noise.readout"));
        else if (c.Get("noise.readout") is not null) throw new ArgumentException("noise.readout must be a mapping {p01: ..., p10: ...} or null.");
        int shots = c.GetInt("noise.shots");
        bool mitigate = c.GetBool("noise.mitigate");
        var noise = rules.Count == 0 && readout is null ? null : new NoiseModel(rules, readout);
        return new QuantumBackendOptions(noise, shots, c.GetInt("noise.seed"), mitigate, c.GetInt("noise.trajectories"));
    }

    private static int QubitsOf(ConfigTree c)
    {
        if (c.Get("model.quantum.qubits") is not null) return c.GetInt("model.quantum.qubits");
        return (c.GetString("model.functional") ?? "").Trim().ToLowerInvariant() is "qnn-local" or "qnn_local" ? 4 : 6;
    }

    private static string? Str(Dictionary<string, object?> m, string key, string where) =>
        m.TryGetValue(key, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    private static double Num(Dictionary<string, object?> m, string key, string where) =>
        m.TryGetValue(key, out var v) && double.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d : throw new ArgumentException($"{where}: '{key}' must be a number.");
}
