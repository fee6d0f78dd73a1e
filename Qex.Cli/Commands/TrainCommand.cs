using System.Globalization;
using CommandLine;
using CommandLine.Text;
using Qex.Cli.Configuration;
using Qex.Cli.Output;
using Qex.Cli.Plots;
using Qex.Dft.Molecular.Learning;
using Qex.Dft.OneD.Training;
using Qex.Dft.ScaleOut;
using Qex.Dft.Training;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex train</c>.</summary>
[Verb("train", HelpText = "Train an XC functional through the Kohn-Sham equations: 1D (no CONFIG: KSR-global on H2 at R = 1.28 and 3.84) or molecular (a config with kind: molecular, e.g. configs/h2_3d.yaml).")]
public sealed class TrainOptions
{
    /// <summary>YAML config file (optional).</summary>
    [Value(0, MetaName = "CONFIG", Required = false, HelpText = "YAML config; every key is optional (see --print-default-config).")]
    public string? Config { get; set; }

    /// <summary>Output folder.</summary>
    [Option("out", Default = "qex-train", HelpText = "Output folder: checkpoint.json, report.json, validation.jsonl, energy_curve.png/.svg, loss.png/.svg.")]
    public string Out { get; set; } = "qex-train";

    /// <summary>Overrides key.path=value.</summary>
    [Option("set", HelpText = "Override config keys (space separated): --set optimiser.max_evaluations=50 model.seed=2")]
    public IEnumerable<string> Set { get; set; } = [];

    /// <summary>Continue from OUT/checkpoint.json.</summary>
    [Option("resume", HelpText = "Continue the run in the output folder exactly where its last checkpoint left it (optimiser state included).")]
    public bool Resume { get; set; }

    /// <summary>Print the default config and exit.</summary>
    [Option("print-default-config", HelpText = "Print every config key with its type and default, and exit.")]
    public bool PrintDefaultConfig { get; set; }

    /// <summary>No progress output.</summary>
    [Option('q', "quiet", HelpText = "No progress on standard error (results and errors are still printed).")]
    public bool Quiet { get; set; }

    /// <summary>Where the hot loops run.</summary>
    [Option("device", Default = "cpu", HelpText = DeviceChoice.Help + " On the device today: a quantum model's exact statevector (values and adjoint gradients; second derivatives on the CPU); classical and molecular training run on the CPU.")]
    public string Device { get; set; } = "cpu";

    /// <summary>The DI-loss ablation ladder.</summary>
    [Option("ladder", HelpText = "Molecular distillation (a functional as data.reference): train the DI-loss ladder E+rho, +gradient, +gradient+Hessian into OUT/<rung> and write OUT/ladder.md and ladder.json.")]
    public bool Ladder { get; set; }

    /// <summary>Usage examples for the help text.</summary>
    [Usage(ApplicationAlias = "qex")]
    public static IEnumerable<Example> Examples =>
    [
        new("The main job (KSR-global on H2, 400 L-BFGS evaluations)", new UnParserSettings { SkipDefault = true }, new TrainOptions { Out = "runs/default" }),
        new("A config with overrides", new UnParserSettings { SkipDefault = true }, new TrainOptions { Config = "configs/qnn_h2.yaml", Out = "runs/qnn", Set = ["model.seed=2"] }),
        new("Continue an interrupted run", new UnParserSettings { SkipDefault = true }, new TrainOptions { Out = "runs/default", Resume = true }),
    ];
}

/// <summary><c>qex train</c>: reads the config, runs <see cref="TrainingRun"/>, prints progress and results, draws the plots.</summary>
public static class TrainCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    /// <param name="o">Options.</param>
    /// <param name="output">Results (standard output).</param>
    /// <param name="log">Progress and diagnostics (standard error; defaults to <paramref name="output"/>).</param>
    /// <param name="scheduler">The processes of an MPI job (this process alone when null): the molecules are sharded over them, rank 0 writes.</param>
    public static int Run(TrainOptions o, TextWriter output, TextWriter? log = null, BatchScheduler? scheduler = null)
    {
        scheduler ??= BatchScheduler.Local;
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(output);
        bool molecular = ConfigFiles.Kind(o.Config, o.Set) == "molecular";
        if (o.PrintDefaultConfig) { output.WriteLine(molecular ? DefaultTrainingConfig.MolecularYaml : DefaultTrainingConfig.Yaml); return 0; }
        if (o.Ladder && !molecular) throw new ArgumentException("--ladder trains the DI-loss ablation of a molecular distillation config (kind: molecular, a functional as data.reference).");
        var chosen = Qex.Kernels.Devices.DeviceCatalog.Select(o.Device);   // an unknown or missing device fails before any work
        if (molecular && chosen.Kind != Qex.Kernels.Devices.DeviceKind.Cpu && !o.Quiet)
            (log ?? output).WriteLine($"device: {chosen.Name} chosen, but nothing of molecular training runs there yet (the differentiable SCF's XC is on the autodiff tape): it runs on the CPU");
        if (molecular && o.Ladder) return ExecuteLadder(MolecularConfigReader.Read(ConfigFiles.BuildMolecular(o.Config, o.Set)), o.Out, o.Resume, output, log ?? output, o.Quiet, scheduler);
        if (molecular) return RunMolecular(MolecularConfigReader.Read(ConfigFiles.BuildMolecular(o.Config, o.Set)), o.Out, o.Resume, output, log ?? output, o.Quiet, scheduler).Exit;
        var config = TrainingConfigReader.Read(ConfigFiles.Build(o.Config, o.Set));
        bool quantum = Qex.Dft.OneD.Xc.XcModelSpec.UsesCircuitOptions(Qex.Dft.OneD.Xc.XcFunctionals.Canonical(config.Model.Functional));
        using var device = DeviceChoice.Open(o.Device, log ?? output, o.Quiet,
            quantum ? "the circuits' exact statevector: values and adjoint gradients; their second derivatives and the Kohn-Sham solver on the CPU"
                : $"nothing of {config.Model.Functional}: a classical model trains on the CPU");
        return Execute(config, o.Out, o.Resume, output, log ?? output, o.Quiet, device, scheduler);
    }

    /// <summary>The DI-loss ladder: one molecular run per rung, then the comparison table (printed, ladder.md, ladder.json).</summary>
    /// <param name="config">The distillation config (a functional as data.reference).</param>
    /// <param name="outDir">Output folder (one subfolder per rung).</param>
    /// <param name="resume">Continue the rungs that have a checkpoint.</param>
    /// <param name="output">Results.</param>
    /// <param name="log">Progress.</param>
    /// <param name="quiet">No progress.</param>
    /// <param name="scheduler">The processes of an MPI job (this process alone when null): every rung is sharded over them, rank 0 writes.</param>
    public static int ExecuteLadder(MolecularTrainingConfig config, string outDir, bool resume, TextWriter output, TextWriter log, bool quiet, BatchScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        scheduler ??= BatchScheduler.Local;
        if (MolecularTrainingConfig.References.Contains(config.Reference))
            throw new ArgumentException($"--ladder distils a teacher functional: data.reference must be a density functional (b3lyp, ...); got '{config.Reference}'.");
        if (config.Test.Count == 0) throw new ArgumentException("--ladder compares the rungs on data.test: give test molecules.");
        if (scheduler.IsRoot) Qex.Core.IO.AtomicFile.EnsureWritableDirectory(outDir);
        // every rung's config is checked before the first trains (a rung refused after hours of the others is lost time)
        var rungs = DistillationLadder.Rungs(config.Loss)
            .Select(r => (Rung: r, Config: config with { Loss = config.Loss with { GradientWeight = r.GradientWeight, HessianWeight = r.HessianWeight } })).ToList();
        foreach (var (_, c) in rungs) c.Validate();
        var rows = new List<LadderRow>();
        int code = 0;
        foreach (var (rung, c) in rungs)
        {
            if (!quiet) log.WriteLine($"ladder: {rung.Name} (gradient weight {rung.GradientWeight.ToString(CultureInfo.InvariantCulture)}, Hessian weight {rung.HessianWeight.ToString(CultureInfo.InvariantCulture)})");
            string dir = Path.Combine(outDir, rung.Name);
            var (exit, result) = RunMolecular(c, dir, resume && File.Exists(Path.Combine(dir, TrainingRun.CheckpointFile)), output, log, quiet, scheduler);
            code = Math.Max(code, exit);
            rows.Add(DistillationLadder.Row(rung.Name, result));
        }
        string table = DistillationLadder.Markdown(rows);
        output.WriteLine(table);
        if (!scheduler.IsRoot) return code;
        Qex.Core.IO.AtomicFile.WriteAllText(Path.Combine(outDir, "ladder.md"), table);
        Qex.Core.IO.AtomicFile.WriteAllText(Path.Combine(outDir, "ladder.json"), System.Text.Json.JsonSerializer.Serialize(rows, new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        }));
        return code;
    }

    /// <summary>Runs a molecular configuration: references, training through the differentiable SCF, test, report and plots.</summary>
    public static int ExecuteMolecular(MolecularTrainingConfig config, string outDir, bool resume, TextWriter output, TextWriter log, bool quiet) =>
        RunMolecular(config, outDir, resume, output, log, quiet).Exit;

    private static (int Exit, MolecularTrainingRunResult Result) RunMolecular(MolecularTrainingConfig config, string outDir, bool resume, TextWriter output, TextWriter log, bool quiet,
        BatchScheduler? scheduler = null)
    {
        scheduler ??= BatchScheduler.Local;
        ArgumentNullException.ThrowIfNull(config);
        var reporter = new ProgressReporter(log, quiet);
        int budget = 1;
        var events = new MolecularTrainingEvents
        {
            Message = reporter.Message,
            ReferenceProgress = (done, total) => reporter.Update("references", done, total, $"  reference {done}/{total}"),
            Started = (done, b) => { budget = b; reporter.Update("training", done, b); },
            Step = (step, labels) =>
            {
                string errs = string.Join(" ", step.EnergyErrors.Select((e, i) => $"{labels[i].Replace(' ', ':')}:{TrainingProgress.MilliHartree(e)}"));
                reporter.Update("training", step.Evaluation, budget, string.Create(CultureInfo.InvariantCulture,
                    $"eval {step.Evaluation,4}  loss {step.Loss:E4}  |g| {step.GradientNorm:E2}  dE[mHa] {errs}  {step.Milliseconds:F0} ms"));
            },
            Validation = p => reporter.Message(string.Create(CultureInfo.InvariantCulture,
                $"           validation max error {p.Score:F3} mHa at evaluation {p.Evaluation}{(p.Improved ? " (best)" : "")}")),
        };
        var result = reporter.Run(() => new MolecularTrainingRun(config, outDir, events, scheduler).Execute(resume));
        foreach (var t in result.Tests)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test {t.System} ({result.Reference}): MAE {t.Summary.MaeMilliHartree:F3} mHa, max {t.Summary.MaxMilliHartree:F3} mHa, {t.Summary.WithinChemicalAccuracy}/{t.Summary.Count} within 1.6 mHa"));
        if (!scheduler.IsRoot) return (result.Failed ? 1 : 0, result);
        var written = MolecularPlots.Write(outDir, result);
        if (!quiet) log.WriteLine($"wrote {string.Join(", ", new[] { TrainingRun.CheckpointFile, TrainingRun.ReportFile }.Concat(written))} in {outDir}");
        return (result.Failed ? 1 : 0, result);
    }

    /// <summary>Runs a typed configuration (also used by noise-sweep to train its model first).</summary>
    public static int Execute(TrainingConfig config, string outDir, bool resume, TextWriter output, TextWriter log, bool quiet,
        Qex.Kernels.Devices.ComputeDevice? device = null, BatchScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        scheduler ??= BatchScheduler.Local;
        var progress = new TrainingProgress(log, quiet);
        var run = new TrainingRun(config, outDir, progress.Events, device, scheduler);
        var result = progress.Run(() => run.Execute(resume));
        foreach (var t in result.Tests)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test {t.Selection.Dataset} ({t.Selection.Method}): MAE {t.Summary.MaeMilliHartree:F3} mHa, max {t.Summary.MaxMilliHartree:F3} mHa, {t.Summary.WithinChemicalAccuracy}/{t.Summary.Count} within 1.6 mHa"));
            if (!quiet && Evaluator.UnsettledWarning(t.Rows, config.Scf.Iterations) is { } unsettled) log.WriteLine(unsettled);
        }
        if (!scheduler.IsRoot) return result.Failed ? 1 : 0;
        var written = TrainingPlots.Write(outDir, result);
        if (!quiet) log.WriteLine($"wrote {string.Join(", ", new[] { TrainingRun.CheckpointFile, TrainingRun.ReportFile }.Concat(written))} in {outDir}");
        return result.Failed ? 1 : 0;
    }
}
