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
using Qex.Dft.Training;
using Qex.Dft.Models;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex noise-sweep</c>.</summary>
[Verb("noise-sweep", HelpText = "Evaluate a trained quantum XC model under device noise at several noise scales (--retrain: also retrain it under each noise): a table and a plot.")]
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

    /// <summary>Where the hot loops run.</summary>
    [Option("device", Default = "cpu", HelpText = DeviceChoice.Help + " On the device today: the noiseless circuits' exact statevector (scale 0, and the training without noise when --params is not given); noisy circuits run on the CPU.")]
    public string Device { get; set; } = "cpu";

    /// <summary>Noise-aware retraining.</summary>
    [Option("retrain", HelpText = "Also retrain the model under each noisy setting (from the noise-free parameters, the config's optimiser, into OUT/retrain/PRESET_SCALE; an existing run there is resumed) and evaluate it under the same noise beside the noise-free model.")]
    public bool Retrain { get; set; }

    /// <summary>No progress output.</summary>
    [Option('q', "quiet", HelpText = "No progress on standard error.")]
    public bool Quiet { get; set; }
}

/// <summary><c>qex noise-sweep</c>.</summary>
public static class NoiseSweepCommand
{
    /// <summary>One row of the sweep.</summary>
    /// <param name="Preset">Device preset.</param>
    /// <param name="Scale">Noise scale.</param>
    /// <param name="AmplitudeDamping">Amplitude-damping probability per gate.</param>
    /// <param name="PhaseDamping">Phase-damping probability per gate.</param>
    /// <param name="Dataset">Test set.</param>
    /// <param name="Count">Geometries.</param>
    /// <param name="MaeMilliHartree">The noise-free model under this noise: mean absolute error.</param>
    /// <param name="MaxMilliHartree">Its largest error.</param>
    /// <param name="WithinChemicalAccuracy">Its geometries within 1.6 mHa.</param>
    /// <param name="Seconds">Wall time of the evaluation.</param>
    public sealed record Row(string Preset, double Scale, double AmplitudeDamping, double PhaseDamping, string Dataset, int Count, double MaeMilliHartree,
        double MaxMilliHartree, int WithinChemicalAccuracy, double Seconds)
    {
        /// <summary>With --retrain: the model retrained under this noise, evaluated under it (null: not retrained).</summary>
        public double? RetrainedMaeMilliHartree { get; init; }

        /// <summary>With --retrain: its largest error.</summary>
        public double? RetrainedMaxMilliHartree { get; init; }

        /// <summary>With --retrain: its geometries within 1.6 mHa.</summary>
        public int? RetrainedWithinChemicalAccuracy { get; init; }

        /// <summary>With --retrain: its checkpoint.</summary>
        public string? RetrainedCheckpoint { get; init; }
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(NoiseSweepOptions o, TextWriter output, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        log ??= output;
        var config = TrainingConfigReader.Read(ConfigFiles.Build(o.Config, o.Set));
        var scales = o.Scales.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && double.IsFinite(v) && v <= 1e6 ? v
            : throw new ArgumentException($"--scales: '{s}' is not a noise scale between 0 and 1e6.")).ToArray();
        if (scales.Length == 0) throw new ArgumentException("--scales: no scales given.");
        if (scales.Length > 1000) throw new ArgumentException($"--scales: {scales.Length} scales; at most 1000.");
        var presets = o.Preset.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(DevicePreset.ByName).ToArray();
        if (presets.Length == 0) throw new ArgumentException("--preset: no preset given (best, worst).");
        string name = XcFunctionals.Canonical(config.Model.Functional);
        if (!name.StartsWith("qnn", StringComparison.Ordinal))
            throw new ArgumentException($"noise-sweep needs a quantum model (qnn-*); the config's model.functional is '{name}'.");
        AtomicFile.EnsureWritableDirectory(o.Out);
        using var device = DeviceChoice.Open(o.Device, log, o.Quiet, "the noiseless circuits' exact statevector; noisy circuits (density matrices, trajectories) on the CPU");

        string paramsPath = o.Params ?? Path.Combine(o.Out, "train", "checkpoint.json");
        if (o.Params is null && !File.Exists(paramsPath))
        {
            log.WriteLine($"no --params: training {name} from {o.Config} without noise into {Path.GetDirectoryName(paramsPath)}");
            var exact = config with { Noise = new NoiseConfig() };
            int rc = TrainCommand.Execute(exact, Path.GetDirectoryName(paramsPath)!, resume: false, log, log, o.Quiet, device);
            if (rc != 0) return rc;
        }
        var catalog = Dft.OneD.Training.TrainingRun.Catalog(config, null, log.WriteLine);
        var tests = Dft.OneD.Training.TrainingRun.Select(catalog, config.Data.Test, "data.test");
        if (tests.Count == 0) throw new ArgumentException("The config selects no test data (data.test is empty).");
        var grid = tests[0].Grid;
        var interaction = config.Interaction();
        var solver = new KohnShamSolver(grid, interaction);
        var scf = config.ToScfOptions();
        var probe = config.CreateFunctional(grid.Count, QuantumBackendOptions.Exact);
        var parameters = XcCheckpoint.LoadAny(paramsPath, probe).Parameters;
        log.WriteLine($"{probe.Name} ({parameters.TotalLength} parameters) from {paramsPath}; {string.Join(", ", tests.Select(t => $"{t.Dataset} ({t.Samples.Count})"))}; {scf.Iterations} KS iterations");

        var rows = new List<Row>();
        var reporter = new Output.ProgressReporter(log, o.Quiet);
        int total = presets.Length * scales.Length * tests.Count, done = 0;
        reporter.Run(() =>
        {
        foreach (var preset in presets)
            foreach (double scale in scales)
            {
                var backend = config.Backend(scale, preset.Name);
                if (device is not null && backend.IsExact) backend = backend with { Device = device };
                var functional = config.CreateFunctional(grid.Count, backend);
                var (ad, pd) = preset.Probabilities(scale);
                string? retrained = null;
                ParameterSet? retrainedParameters = null;
                // at scale 0 the preset's channels are identities: only the config's own channels, readout or shots are noise
                bool noisyHere = !backend.IsExact && (scale > 0 || (config.Noise.Channels?.Count ?? 0) > 0 || config.Noise.Readout is not null || config.Noise.Shots > 0);
                if (o.Retrain && noisyHere)
                {
                    // noise-aware training from the noise-free parameters, under exactly this noise
                    retrained = Path.Combine(o.Out, "retrain", FormattableString.Invariant($"{preset.Name}_{scale:G6}"));
                    string ckPath = Path.Combine(retrained, "checkpoint.json");
                    var noisy = config with { Model = config.Model with { Init = Path.GetFullPath(paramsPath) }, Noise = config.Noise with { Device = preset.Name, Scale = scale } };
                    log.WriteLine(FormattableString.Invariant($"retraining under {preset.Name} noise at scale {scale:G4} into {retrained}{(File.Exists(ckPath) ? " (resuming)" : "")}"));
                    int rc = TrainCommand.Execute(noisy, retrained, resume: File.Exists(ckPath), log, log, quiet: true);
                    if (rc != 0) throw new InvalidOperationException($"retraining under {preset.Name} noise at scale {scale} failed (exit {rc}); see {retrained}.");
                    retrainedParameters = XcCheckpoint.LoadAny(ckPath, probe).Parameters;
                    retrained = ckPath;
                }
                foreach (var t in tests)
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    var summary = EvaluationSummary.Of(Evaluator.Run(solver, functional, parameters, t.Dataset, t.Samples, scf));
                    var row = new Row(preset.Name, scale, ad, pd, t.Dataset, summary.Count, summary.MaeMilliHartree, summary.MaxMilliHartree, summary.WithinChemicalAccuracy, sw.Elapsed.TotalSeconds);
                    if (retrainedParameters is not null)
                    {
                        var rs = EvaluationSummary.Of(Evaluator.Run(solver, functional, retrainedParameters, t.Dataset, t.Samples, scf));
                        row = row with { RetrainedMaeMilliHartree = rs.MaeMilliHartree, RetrainedMaxMilliHartree = rs.MaxMilliHartree, RetrainedWithinChemicalAccuracy = rs.WithinChemicalAccuracy, RetrainedCheckpoint = retrained };
                    }
                    rows.Add(row);
                    reporter.Update("noise sweep", ++done, total, FormattableString.Invariant($"{preset.Name,-6} scale {scale,5:G4}  p_AD {ad:F4} p_PD {pd:F4}  {t.Dataset}: MAE {row.MaeMilliHartree,9:F3} mHa  max {row.MaxMilliHartree,9:F3}  {row.WithinChemicalAccuracy}/{row.Count} within 1.6 mHa  ({row.Seconds:F1} s)"));
                }
            }
            return 0;
        });
        WriteOutputs(o.Out, probe.Name, paramsPath, rows, output, log);
        return 0;
    }

    private static void WriteOutputs(string dir, string model, string paramsPath, List<Row> rows, TextWriter output, TextWriter log)
    {
        bool retrain = rows.Any(r => r.RetrainedMaeMilliHartree is not null);
        string Opt(double? v) => v is { } x ? x.ToString("F3", CultureInfo.InvariantCulture) : "-";
        var table = new Table().AddColumns("preset", "scale", "p_AD", "p_PD", "dataset", "MAE (mHa)", "max (mHa)", "within 1.6 mHa");
        if (retrain) table.AddColumns("retrained MAE", "retrained max", "retrained within");
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Preset, r.Scale.ToString("G4", CultureInfo.InvariantCulture), r.AmplitudeDamping.ToString("F4", CultureInfo.InvariantCulture),
                r.PhaseDamping.ToString("F4", CultureInfo.InvariantCulture), r.Dataset, r.MaeMilliHartree.ToString("F3", CultureInfo.InvariantCulture),
                r.MaxMilliHartree.ToString("F3", CultureInfo.InvariantCulture), $"{r.WithinChemicalAccuracy}/{r.Count}" };
            if (retrain) cells.AddRange([Opt(r.RetrainedMaeMilliHartree), Opt(r.RetrainedMaxMilliHartree), r.RetrainedWithinChemicalAccuracy is { } w ? $"{w}/{r.Count}" : "-"]);
            table.AddRow([.. cells]);
        }
        var console = Qex.Cli.Output.ConsoleOutput.For(output);
        console.Write(table);

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Noise sweep: {model} ({paramsPath})").AppendLine();
        md.AppendLine("Amplitude damping p_AD = 1 - exp(-s t_gate / T1) and phase damping p_PD = 1 - exp(-s t_gate / T_phi) after every gate.").AppendLine();
        if (retrain) md.AppendLine("Retrained: the model trained under the row's noise (from the noise-free parameters), evaluated under the same noise.").AppendLine();
        md.AppendLine("| preset | scale | p_AD | p_PD | dataset | MAE (mHa) | max (mHa) | within 1.6 mHa |" + (retrain ? " retrained MAE | retrained max | retrained within |" : ""))
            .AppendLine("|---|---|---|---|---|---|---|---|" + (retrain ? "---|---|---|" : ""));
        foreach (var r in rows)
            md.AppendLine(FormattableString.Invariant($"| {r.Preset} | {r.Scale:G4} | {r.AmplitudeDamping:F4} | {r.PhaseDamping:F4} | {r.Dataset} | {r.MaeMilliHartree:F3} | {r.MaxMilliHartree:F3} | {r.WithinChemicalAccuracy}/{r.Count} |")
                + (retrain ? $" {Opt(r.RetrainedMaeMilliHartree)} | {Opt(r.RetrainedMaxMilliHartree)} | {(r.RetrainedWithinChemicalAccuracy is { } w ? $"{w}/{r.Count}" : "-")} |" : ""));
        AtomicFile.WriteAllText(Path.Combine(dir, "noise_sweep.md"), md.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "noise_sweep.json"), JsonSerializer.Serialize(new { model, parameters = paramsPath, rows }, new JsonSerializerOptions { WriteIndented = true }));

        NoiseSweepPlot.Write(dir, model, rows.Select(r => (r.Preset, r.Dataset, r.Scale, r.MaeMilliHartree)).ToList());
        log.WriteLine($"wrote {Path.Combine(dir, "noise_sweep.md")}, noise_sweep.json, noise_sweep.png, noise_sweep.svg");
    }
}
