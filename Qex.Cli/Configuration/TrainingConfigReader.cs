using System.Globalization;
using Qex.Cli.Training;
using Qex.Dft.OneD.Training;
using Qex.Dft.Training;

namespace Qex.Cli.Configuration;

/// <summary>
/// The one place where a configuration tree (defaults, YAML file, --set overrides) becomes the typed
/// <see cref="TrainingConfig"/>: every verb that reads a config (train, eval --config, noise-sweep) goes through it,
/// and the result is validated before anything runs.
/// </summary>
public static class TrainingConfigReader
{
    /// <summary>Builds and validates the typed configuration.</summary>
    /// <exception cref="ArgumentException">A value of the wrong type or out of range (the message names the key).</exception>
    public static TrainingConfig Read(ConfigTree c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var quantum = new QuantumModelConfig(
            c.Get("model.quantum.qubits") is null ? null : c.GetInt("model.quantum.qubits"),
            c.Get("model.quantum.layers") is null ? null : c.GetInt("model.quantum.layers"),
            Required(c, "model.quantum.rotations"), Required(c, "model.quantum.entangler"), Required(c, "model.quantum.feature_map"),
            c.GetDouble("model.quantum.input_scale"), c.GetDouble("model.quantum.chebyshev_scale"), c.GetDouble("model.quantum.initial_angle"));
        var model = new ModelConfig(Required(c, "model.functional"), c.GetLong("model.seed"), c.GetString("model.init"), quantum);

        var channels = c.GetMaps("noise.channels").Select((m, i) => Channel(m, $"noise.channels[{i}]")).ToList();
        ReadoutConfig? readout = c.Get("noise.readout") switch
        {
            null => null,
            Dictionary<string, object?> ro => Readout(ro),
            _ => throw new ArgumentException("noise.readout must be a mapping {p01: ..., p10: ...} or null."),
        };
        var noise = new NoiseConfig(channels, c.GetString("noise.device"), c.GetDouble("noise.scale"), Required(c, "noise.device_scope"), readout,
            c.GetInt("noise.shots"), c.GetBool("noise.mitigate"), c.GetLong("noise.seed"), c.GetInt("noise.trajectories"));

        List<Dft.OneD.Data.DataEntry> Entries(string key) => c.GetMaps(key).Select((e, i) => DataEntries.FromConfig(e, $"{key}[{i}]")).ToList();
        var data = new DataConfig(c.GetString("data.root"), Entries("data.train"), Entries("data.validation"), Entries("data.test"));
        var scf = new ScfConfig(c.GetInt("scf.iterations"), c.GetDouble("scf.mixing"), c.GetDouble("scf.mixing_decay"), c.GetBool("scf.symmetry"),
            c.GetDouble("scf.temperature"), Required(c, "scf.interaction"), c.GetBool("scf.spin_polarised"));
        var loss = new LossConfig(c.GetInt("loss.energy_steps"), c.GetDouble("loss.discount"), c.GetDouble("loss.energy_weight"), c.GetDouble("loss.density_weight"));
        var optimiser = new OptimiserConfig(Required(c, "optimiser.name").Trim().ToLowerInvariant(), c.GetInt("optimiser.max_evaluations"), c.GetInt("optimiser.history"),
            c.GetDouble("optimiser.learning_rate"), c.GetInt("optimiser.restart_patience"), Required(c, "optimiser.restart_from").Trim().ToLowerInvariant(),
            c.GetInt("optimiser.average_best"), c.GetInt("optimiser.starts"), c.GetDouble("optimiser.target_validation"));
        var config = new TrainingConfig(model, noise, data, scf, loss, optimiser, c.GetInt("checkpoint_every"), c.GetInt("validate_every"),
            Required(c, "validation_metric").Trim().ToLowerInvariant());
        config.Validate();
        return config;
    }

    private static string Required(ConfigTree c, string key) =>
        c.GetString(key) is { Length: > 0 } s ? s : throw new ArgumentException($"Config key '{key}' needs a value (it is empty or null).");

    private static NoiseChannelConfig Channel(Dictionary<string, object?> m, string where)
    {
        foreach (string k in m.Keys)
            if (k is not ("type" or "p" or "gamma" or "scope" or "gates"))
                throw new ArgumentException($"{where}: unknown key '{k}' (keys: type, p, gamma, scope, gates).");
        string type = m.TryGetValue("type", out var t) && t is not null ? Convert.ToString(t, CultureInfo.InvariantCulture)!
            : throw new ArgumentException($"{where}: 'type' is required (one of {string.Join(", ", Qex.Quantum.Noise.KrausChannel.Names)}).");
        var probs = new List<double>();
        if (m.ContainsKey("p")) probs.Add(Number(m, "p", where));
        if (m.ContainsKey("gamma")) probs.Add(Number(m, "gamma", where));
        string scope = m.TryGetValue("scope", out var s) && s is not null ? Convert.ToString(s, CultureInfo.InvariantCulture)! : "gate";
        List<string>? gates = null;
        if (m.TryGetValue("gates", out var g) && g is not null)
            gates = g is List<object?> list ? list.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture) ?? "").ToList()
                : throw new ArgumentException($"{where}: 'gates' must be a list of gate names, like [cnot].");
        return new NoiseChannelConfig(type, probs, scope, gates);
    }

    private static ReadoutConfig Readout(Dictionary<string, object?> m)
    {
        foreach (string k in m.Keys)
            if (k is not ("p01" or "p10")) throw new ArgumentException($"noise.readout: unknown key '{k}' (keys: p01, p10).");
        return new ReadoutConfig(Number(m, "p01", "noise.readout"), Number(m, "p10", "noise.readout"));
    }

    private static double Number(Dictionary<string, object?> m, string key, string where) =>
        m.TryGetValue(key, out var v) && double.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
            ? d : throw new ArgumentException($"{where}: '{key}' must be a finite number.");
}
