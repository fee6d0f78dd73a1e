using System.Globalization;
using System.Text;
using System.Text.Json;
using CommandLine;
using Qex.Autodiff.Optimisers;
using Qex.Cli.Configuration;
using Qex.Cli.Plots;
using Qex.Cli.Training;
using Qex.Core.IO;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.OneD.Xc.Quantum;
using Qex.Quantum.Noise;
using Spectre.Console;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex noise-sweep</c>.</summary>
[Verb("noise-sweep", HelpText = "Evaluate a trained quantum XC model under device noise at several noise scales: a table and an SVG plot.")]
public sealed class NoiseSweepOptions
{
    /// <summary>YAML config (the model, its circuit, the test data, the SCF settings, optional readout/shots).</summary>
    [Value(0, MetaName = "CONFIG", Required = true, HelpText = "The YAML config the model was trained with (model.*, data.test, scf.*; noise.readout/shots/channels add to the device noise).")]
    public string Config { get; set; } = "";

    /// <summary>Trained parameters.</summary>
    [Option("params", HelpText = "Checkpoint of the trained model (default: train it first from CONFIG into OUT/train, without noise).")]
    public string? Params { get; set; }

    /// <summary>Noise scales.</summary>
    [Option("scales", Default = "0,0.1,0.5,1,2,5,10", HelpText = "Comma-separated noise scales (multiply the device gate time).")]
    public string Scales { get; set; } = "0,0.1,0.5,1,2,5,10";

    /// <summary>Device presets.</summary>
    [Option("preset", Default = "best", HelpText = "Device preset(s): best | worst | best,worst.")]
    public string Preset { get; set; } = "best";

    /// <summary>Output folder.</summary>
    [Option("out", Default = "qex-noise", HelpText = "Output folder: noise_sweep.json, noise_sweep.md, noise_sweep.svg.")]
    public string Out { get; set; } = "qex-noise";

    /// <summary>Overrides.</summary>
    [Option("set", HelpText = "Override config keys (space separated), as for qex train.")]
    public IEnumerable<string> Set { get; set; } = [];
}

/// <summary><c>qex noise-sweep</c>.</summary>
public static class NoiseSweepCommand
{
    /// <summary>One row of the sweep.</summary>
    public sealed record Row(string Preset, double Scale, double AmplitudeDamping, double PhaseDamping, string Dataset, int Count, double MaeMilliHartree,
        double MaxMilliHartree, int WithinChemicalAccuracy, double Seconds);

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(NoiseSweepOptions o, TextWriter output)
    {
        if (!File.Exists(o.Config)) throw new FileNotFoundException($"Config file '{o.Config}' does not exist.", o.Config);
        var config = ConfigTree.Build(DefaultTrainingConfig.Yaml, File.ReadAllText(o.Config), o.Set);
        var scales = o.Scales.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) ? v
            : throw new ArgumentException($"--scales: '{s}' is not a non-negative number.")).ToArray();
        if (scales.Length == 0) throw new ArgumentException("--scales: no scales given.");
        var presets = o.Preset.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(DevicePreset.ByName).ToArray();
        string name = config.GetString("model.functional") ?? "";
        if (!name.StartsWith("qnn", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"noise-sweep needs a quantum model (qnn-*); the config's model.functional is '{name}'.");
        Directory.CreateDirectory(o.Out);

        string paramsPath = o.Params ?? Path.Combine(o.Out, "train", "checkpoint.json");
        if (o.Params is null && !File.Exists(paramsPath))
        {
            output.WriteLine($"no --params: training {name} from {o.Config} without noise into {Path.GetDirectoryName(paramsPath)}");
            int rc = TrainingRun.FromConfig(ConfigTree.Build(DefaultTrainingConfig.Yaml, File.ReadAllText(o.Config), o.Set.Concat(["noise.device=null", "noise.channels=[]", "noise.readout=null", "noise.shots=0"])),
                Path.GetDirectoryName(paramsPath)!, output).Execute(resume: false);
            if (rc != 0) return rc;
        }
        var interaction = Interaction.FromName(config.GetString("scf.interaction") ?? "exponential");
        var catalog = new DataCatalog(config.GetString("data.root"), TrainingRun.CacheDirectory(), interaction, output);
        var tests = config.GetMaps("data.test").Select((e, i) => catalog.Select(e, $"data.test[{i}]")).ToList();
        if (tests.Count == 0) throw new ArgumentException("The config selects no test data (data.test is empty).");
        var grid = tests[0].Grid;
        var solver = new KohnShamSolver(grid, interaction);
        var scf = TrainingRun.ScfFrom(config);
        var probe = QuantumConfig.CreateFunctional(config, grid.Count, QuantumBackendOptions.Exact);
        var parameters = XcCheckpoint.LoadAny(paramsPath, probe).Parameters;
        output.WriteLine($"{probe.Name} ({parameters.TotalLength} parameters) from {paramsPath}; {string.Join(", ", tests.Select(t => $"{t.Dataset} ({t.Samples.Count})"))}; {scf.Iterations} KS iterations");

        var rows = new List<Row>();
        foreach (var preset in presets)
            foreach (double scale in scales)
            {
                var backend = QuantumConfig.Backend(config, scale, preset.Name);
                var functional = QuantumConfig.CreateFunctional(config, grid.Count, backend);
                var (ad, pd) = preset.Probabilities(scale);
                foreach (var t in tests)
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    var summary = EvaluationSummary.Of(Evaluator.Run(solver, functional, parameters, t.Dataset, t.Samples, scf));
                    var row = new Row(preset.Name, scale, ad, pd, t.Dataset, summary.Count, summary.MaeMilliHartree, summary.MaxMilliHartree, summary.WithinChemicalAccuracy, sw.Elapsed.TotalSeconds);
                    rows.Add(row);
                    output.WriteLine(FormattableString.Invariant($"{preset.Name,-6} scale {scale,5:G4}  p_AD {ad:F4} p_PD {pd:F4}  {t.Dataset}: MAE {row.MaeMilliHartree,9:F3} mHa  max {row.MaxMilliHartree,9:F3}  {row.WithinChemicalAccuracy}/{row.Count} within 1.6 mHa  ({row.Seconds:F1} s)"));
                }
            }
        WriteOutputs(o.Out, probe.Name, paramsPath, rows, output);
        return 0;
    }

    private static void WriteOutputs(string dir, string model, string paramsPath, List<Row> rows, TextWriter output)
    {
        var table = new Table().AddColumns("preset", "scale", "p_AD", "p_PD", "dataset", "MAE (mHa)", "max (mHa)", "within 1.6 mHa");
        foreach (var r in rows)
            table.AddRow(r.Preset, r.Scale.ToString("G4", CultureInfo.InvariantCulture), r.AmplitudeDamping.ToString("F4", CultureInfo.InvariantCulture),
                r.PhaseDamping.ToString("F4", CultureInfo.InvariantCulture), r.Dataset, r.MaeMilliHartree.ToString("F3", CultureInfo.InvariantCulture),
                r.MaxMilliHartree.ToString("F3", CultureInfo.InvariantCulture), $"{r.WithinChemicalAccuracy}/{r.Count}");
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), ColorSystem = ColorSystemSupport.NoColors });
        console.Write(table);

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Noise sweep: {model} ({paramsPath})").AppendLine();
        md.AppendLine("Amplitude damping p_AD = 1 - exp(-s t_gate / T1) and phase damping p_PD = 1 - exp(-s t_gate / T_phi) after every gate.").AppendLine();
        md.AppendLine("| preset | scale | p_AD | p_PD | dataset | MAE (mHa) | max (mHa) | within 1.6 mHa |").AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine(FormattableString.Invariant($"| {r.Preset} | {r.Scale:G4} | {r.AmplitudeDamping:F4} | {r.PhaseDamping:F4} | {r.Dataset} | {r.MaeMilliHartree:F3} | {r.MaxMilliHartree:F3} | {r.WithinChemicalAccuracy}/{r.Count} |"));
        AtomicFile.WriteAllText(Path.Combine(dir, "noise_sweep.md"), md.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "noise_sweep.json"), JsonSerializer.Serialize(new { model, parameters = paramsPath, rows }, new JsonSerializerOptions { WriteIndented = true }));

        string[] colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"];
        var series = rows.GroupBy(r => (r.Preset, r.Dataset)).Select((g, i) => new Series($"{g.Key.Preset} / {g.Key.Dataset}",
            g.Select(r => r.Scale).ToArray(), g.Select(r => Math.Max(r.MaeMilliHartree, 1e-6)).ToArray(), colors[i % colors.Length], Line: true, Markers: true)).ToList();
        var chem = new Series("1.6 mHa", [rows.Min(r => r.Scale), rows.Max(r => r.Scale)], [1.6, 1.6], "#7f7f7f");
        AtomicFile.WriteAllText(Path.Combine(dir, "noise_sweep.svg"),
            SvgPlot.Render([new Plots.Panel($"{model} under device noise", "noise scale s", "test MAE (mHa)", [.. series, chem], LogY: true)]));
        output.WriteLine($"wrote {Path.Combine(dir, "noise_sweep.md")}, noise_sweep.json, noise_sweep.svg");
    }
}
