using System.Globalization;
using Qex.Autodiff.Optimisers;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Learning;
using Qex.Dft.Training;

namespace Qex.Cli.Configuration;

/// <summary>The one place where a molecular configuration tree becomes the typed <see cref="MolecularTrainingConfig"/>.</summary>
public static class MolecularConfigReader
{
    /// <summary>Builds and validates the typed configuration.</summary>
    /// <exception cref="ArgumentException">A value of the wrong type or out of range (the message names the key).</exception>
    public static MolecularTrainingConfig Read(ConfigTree c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var hidden = Numbers(c, "model.hidden");
        if (hidden.Count != 2 || hidden.Any(h => h < 1 || h > 4096 || h != Math.Floor(h)))
            throw new ArgumentException("Config key 'model.hidden' must be a list of two integers between 1 and 4096, like [16, 16].");
        var model = new MolecularModelSpec(Required(c, "model.functional").Trim().ToLowerInvariant(), (int)hidden[0], (int)hidden[1],
            c.GetInt("model.quantum.qubits"), c.GetInt("model.quantum.layers"), c.GetDouble("model.quantum.input_scale"));
        string differentiation = Required(c, "scf.differentiation").Trim().ToLowerInvariant();
        var mode = differentiation switch
        {
            "unrolled" => ScfDifferentiation.Unrolled,
            "implicit" => ScfDifferentiation.Implicit,
            _ => throw new ArgumentException($"Config key 'scf.differentiation' must be unrolled or implicit; got '{differentiation}'."),
        };
        int radial = c.GetInt("grid.radial"), spherical = c.GetInt("grid.spherical");
        if (radial < 1 || radial > 1000) throw new ArgumentException($"Config key 'grid.radial' must be between 1 and 1000; got {radial}.");
        try { _ = LebedevGrid.Get(spherical); }   // before any reference is computed
        catch (ArgumentException e) { throw new ArgumentException($"Config key 'grid.spherical': {e.Message}", e); }
        var scf = new DifferentiableScfOptions(c.GetInt("scf.iterations"), c.GetDouble("scf.smearing"), c.GetDouble("scf.mixing"), c.GetDouble("scf.mixing_decay"),
            new GridOptions(radial, spherical), mode, c.GetDouble("scf.fixed_point_tolerance"), c.GetInt("scf.max_fixed_point_cycles"));
        var loss = new LossWeights(c.GetInt("loss.energy_steps"), c.GetDouble("loss.discount"), c.GetDouble("loss.energy_weight"), c.GetDouble("loss.density_weight"),
            c.GetDouble("loss.gradient_weight"), c.GetDouble("loss.hessian_weight"), c.GetInt("loss.hessian_directions"));
        foreach (var (v, k) in new[] { (loss.Discount, "loss.discount"), (loss.EnergyWeight, "loss.energy_weight"), (loss.DensityWeight, "loss.density_weight"),
            (loss.GradientWeight, "loss.gradient_weight"), (loss.HessianWeight, "loss.hessian_weight") })
            if (!(v >= 0) || !double.IsFinite(v)) throw new ArgumentException($"Config key '{k}' must be a finite number >= 0; got {v}.");
        var optimiser = new TrainingOptions(Required(c, "optimiser.name").Trim().ToLowerInvariant(), c.GetInt("optimiser.max_evaluations"), c.GetInt("optimiser.history"),
            c.GetDouble("optimiser.learning_rate"), c.GetInt("checkpoint_every"), c.GetInt("validate_every"), Starts: c.GetInt("optimiser.starts"),
            TargetValidation: c.GetDouble("optimiser.target_validation"));
        List<MolecularDataEntry> Entries(string key) => c.GetMaps(key).Select((m, i) => Entry(m, $"{key}[{i}]")).ToList();
        var config = new MolecularTrainingConfig(model, c.GetLong("model.seed"), Required(c, "data.basis"), Required(c, "data.reference").Trim().ToLowerInvariant(),
            Entries("data.train"), Entries("data.validation"), Entries("data.test"), scf, loss, optimiser);
        config.Validate();
        return config;
    }

    private static MolecularDataEntry Entry(Dictionary<string, object?> m, string where)
    {
        foreach (string k in m.Keys)
            if (k is not ("system" or "distances")) throw new ArgumentException($"{where}: unknown key '{k}' (keys: system, distances).");
        string system = m.TryGetValue("system", out var s) && s is not null ? Convert.ToString(s, CultureInfo.InvariantCulture)!.Trim()
            : throw new ArgumentException($"{where}: 'system' is required ({string.Join(", ", MolecularSystems.Names)}, or an .xyz file).");
        var distances = new List<double>();
        if (m.TryGetValue("distances", out var d) && d is not null)
        {
            if (d is not List<object?> list) throw new ArgumentException($"{where}: 'distances' must be a list of numbers (Angstrom), like [0.74, 1.0].");
            if (list.Count > 10_000) throw new ArgumentException($"{where}: at most 10000 distances; got {list.Count}.");
            foreach (var x in list)
                distances.Add(double.TryParse(Convert.ToString(x, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v > 0
                    ? v : throw new ArgumentException($"{where}: distance '{x}' is not a positive number (Angstrom)."));
        }
        return new MolecularDataEntry(system, distances);
    }

    private static List<double> Numbers(ConfigTree c, string key) => c.Get(key) switch
    {
        List<object?> l => l.Select(x => double.TryParse(Convert.ToString(x, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new ArgumentException($"Config key '{key}' must be a list of numbers; got '{x}'.")).ToList(),
        _ => throw new ArgumentException($"Config key '{key}' must be a list of numbers."),
    };

    private static string Required(ConfigTree c, string key) =>
        c.GetString(key) is { Length: > 0 } s ? s : throw new ArgumentException($"Config key '{key}' needs a value (it is empty or null).");
}
