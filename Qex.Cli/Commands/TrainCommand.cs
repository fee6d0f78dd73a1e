using Qex.Dft.OneD.Xc.Quantum;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CommandLine;
using Qex.Autodiff.Optimisers;
using Qex.Cli.Configuration;
using Qex.Cli.Plots;
using Qex.Cli.Training;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex train</c>.</summary>
[Verb("train", HelpText = "Train a 1D XC functional through the Kohn-Sham equations (no CONFIG: KSR-global on H2 at R = 1.28 and 3.84).")]
public sealed class TrainOptions
{
    /// <summary>YAML config file (optional).</summary>
    [Value(0, MetaName = "CONFIG", Required = false, HelpText = "YAML config; every key is optional (see --print-default-config).")]
    public string? Config { get; set; }

    /// <summary>Output folder.</summary>
    [Option("out", Default = "qex-train", HelpText = "Output folder: checkpoint.json, report.json, energy_curve.svg, loss.svg.")]
    public string Out { get; set; } = "qex-train";

    /// <summary>Overrides key.path=value.</summary>
    [Option("set", HelpText = "Override config keys (space separated): --set optimiser.max_evaluations=50 model.seed=2")]
    public IEnumerable<string> Set { get; set; } = [];

    /// <summary>Continue from OUT/checkpoint.json.</summary>
    [Option("resume", HelpText = "Continue from the checkpoint in the output folder (its parameters, evaluation count and loss history).")]
    public bool Resume { get; set; }

    /// <summary>Print the default config and exit.</summary>
    [Option("print-default-config", HelpText = "Print the default YAML config and exit.")]
    public bool PrintDefaultConfig { get; set; }
}

/// <summary><c>qex train</c>.</summary>
public static class TrainCommand
{
    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(TrainOptions o, TextWriter output)
    {
        if (o.PrintDefaultConfig) { output.WriteLine(DefaultTrainingConfig.Yaml); return 0; }
        string? yaml = null;
        if (o.Config is not null)
        {
            if (!File.Exists(o.Config)) throw new FileNotFoundException($"Config file '{o.Config}' does not exist.", o.Config);
            yaml = File.ReadAllText(o.Config);
        }
        var config = ConfigTree.Build(DefaultTrainingConfig.Yaml, yaml, o.Set);
        var run = TrainingRun.FromConfig(config, o.Out, output);
        return run.Execute(o.Resume);
    }
}

/// <summary>A training run assembled from a config: data, functional, SCF, loss, optimiser, outputs.</summary>
public sealed class TrainingRun
{
    private readonly ConfigTree _config;
    private readonly string _out;
    private readonly TextWriter _log;

    private TrainingRun(ConfigTree config, string outDir, TextWriter log)
    {
        _config = config;
        _out = outDir;
        _log = log;
    }

    /// <summary>Creates a run (nothing is computed yet).</summary>
    public static TrainingRun FromConfig(ConfigTree config, string outDir, TextWriter log) => new(config, outDir, log);

    /// <summary>The SCF options of a config's scf section.</summary>
    public static ScfOptions ScfFrom(ConfigTree c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new ScfOptions(c.GetInt("scf.iterations"), c.GetDouble("scf.mixing"), c.GetDouble("scf.mixing_decay"), 0,
            c.GetBool("scf.symmetry"), new Occupation(c.GetDouble("scf.temperature")));
    }

    /// <summary>The cache folder of generated reference data ($XDG_CACHE_HOME/qex or ~/.cache/qex).</summary>
    public static string CacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "qex");
    }

    /// <summary>Trains (or resumes), evaluates, and writes the report and plots. Returns the exit code.</summary>
    public int Execute(bool resume)
    {
        var c = _config;
        Directory.CreateDirectory(_out);
        long seed = c.GetInt("model.seed");
        var interaction = Interaction.FromName(c.GetString("scf.interaction") ?? "exponential");
        var scf = ScfFrom(c);
        var weights = new LossWeights(c.GetInt("loss.energy_steps"), c.GetDouble("loss.discount"), c.GetDouble("loss.energy_weight"), c.GetDouble("loss.density_weight"));
        var options = new TrainingOptions(c.GetString("optimiser.name") ?? "lbfgs", c.GetInt("optimiser.max_evaluations"), c.GetInt("optimiser.history"),
            c.GetDouble("optimiser.learning_rate"), c.GetInt("checkpoint_every"), c.GetInt("validate_every"));
        if (scf.Iterations < weights.EnergySteps)
            throw new ArgumentException($"loss.energy_steps ({weights.EnergySteps}) exceeds scf.iterations ({scf.Iterations}).");

        var catalog = new DataCatalog(c.GetString("data.root"), CacheDirectory(), interaction, _log);
        var train = c.GetMaps("data.train").Select((e, i) => catalog.Select(e, $"data.train[{i}]")).ToList();
        var validation = c.GetMaps("data.validation").Select((e, i) => catalog.Select(e, $"data.validation[{i}]")).ToList();
        var test = c.GetMaps("data.test").Select((e, i) => catalog.Select(e, $"data.test[{i}]")).ToList();
        var grid = (train.Count > 0 ? train[0] : test.Count > 0 ? test[0] : throw new ArgumentException("The config selects no data (data.train and data.test are empty).")).Grid;
        foreach (var sel in train.Concat(validation).Concat(test))
            if (sel.Grid.Count != grid.Count || Math.Abs(sel.Grid.Spacing - grid.Spacing) > 1e-12)
                throw new ArgumentException($"Dataset '{sel.Dataset}' is on a different grid ({sel.Grid.Count} points) than the others ({grid.Count}).");
        foreach (var (sel, role) in train.Select(t => (t, "train")).Concat(validation.Select(v => (v, "validation"))).Concat(test.Select(t => (t, "test"))))
            _log.WriteLine($"data ({role}): {sel.Dataset}: {sel.Samples.Count} samples from {sel.Source}");
        var validationSamples = validation.SelectMany(v => v.Samples).ToList();
        var overlap = validation.SelectMany(v => v.Samples.Select(s => $"{v.Dataset}:{s.Label}"))
            .Intersect(test.SelectMany(t => t.Samples.Select(s => $"{t.Dataset}:{s.Label}"))).ToList();
        if (overlap.Count > 0)
            _log.WriteLine($"warning: validation and test share geometries {string.Join(", ", overlap)}; the test error is then not independent.");
        var solver = new KohnShamSolver(grid, interaction);
        var functional = QuantumConfig.CreateFunctional(c, grid.Count);
        if (functional is GlobalWindowXc { Model: QuantumWindowModel qm } && !(qm.Options.Backend?.IsExact ?? true)
            || functional is SlidingWindowXc { Model: QuantumWindowModel qs } && !(qs.Options.Backend?.IsExact ?? true))
            throw new ArgumentException("Training needs exact circuits (the noise section configures noise or shots; second derivatives of noisy estimates are not available). Train without noise and evaluate under noise with `qex noise-sweep`.");

        string checkpointPath = Path.Combine(_out, "checkpoint.json");
        ParameterSet parameters;
        TrainingProgressRecord? resumeFrom = null;
        if (resume)
        {
            if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"--resume: no checkpoint at '{checkpointPath}'.", checkpointPath);
            var ck = XcCheckpoint.Load(checkpointPath, functional);
            if (ck.Functional != functional.Name) throw new ArgumentException($"--resume: the checkpoint is for '{ck.Functional}', the config trains '{functional.Name}'.");
            parameters = ck.Parameters;
            resumeFrom = ck.Training;
            _log.WriteLine($"resuming from {checkpointPath}: {resumeFrom?.Evaluations ?? 0} evaluations done, loss {resumeFrom?.Loss:E3}");
        }
        else if (c.GetString("model.init") is { } init)
            parameters = XcCheckpoint.LoadAny(init, functional).Parameters;
        else
            parameters = functional.InitialParameters(RngKey.FromSeed(seed));

        var batch = train.SelectMany(t => t.Samples).ToList();
        TrainingResult? result = null;
        var stepTimes = new List<double>();
        var sw = Stopwatch.StartNew();
        if (parameters.TotalLength > 0 && batch.Count > 0)
        {
            _log.WriteLine($"training {functional.Name} ({parameters.TotalLength} parameters) on {batch.Count} molecules with {options.Optimiser}, at most {options.MaxEvaluations} evaluations; checkpoints in {checkpointPath}");
            var trainer = new Trainer(solver, functional, batch, scf, weights);
            string metric = (c.GetString("validation_metric") ?? "max").ToLowerInvariant();
            if (metric is not ("max" or "mae")) throw new ArgumentException($"validation_metric must be max or mae; got '{metric}'.");
            Func<ParameterSet, double>? validate = validationSamples.Count == 0 ? null : p =>
            {
                var summary = EvaluationSummary.Of(Evaluator.Run(solver, functional, p, "validation", validationSamples, scf));
                // ties on the largest error are broken by the mean
                return metric == "max" ? summary.MaxMilliHartree + 1e-6 * summary.MaeMilliHartree : summary.MaeMilliHartree;
            };
            result = trainer.Train(parameters, options, seed, step =>
            {
                stepTimes.Add(step.Milliseconds);
                string errs = string.Join(" ", step.EnergyErrors.Select((e, i) => $"{batch[i].Label}:{e * 1000:+0.00;-0.00}"));
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval {step.Evaluation,4}  loss {step.Loss:E4}  |g| {step.GradientNorm:E2}  dE[mHa] {errs}  {step.Milliseconds:F0} ms"));
            }, checkpointPath, resumeFrom, validate: validate,
                onValidation: (e, score) => _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"           validation {metric} error {score:F3} mHa at evaluation {e}")));
            parameters = result.Parameters;
            _log.WriteLine($"training ended ({result.Status}) after {result.Evaluations} evaluations: best loss {result.Loss:E4}; mean {(stepTimes.Count > 0 ? stepTimes.Average() : 0):F0} ms per evaluation");
            if (validate is not null)
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kept the parameters of evaluation {result.BestValidationEvaluation} (validation {metric} error {result.BestValidation:F3} mHa)"));
        }
        else
        {
            _log.WriteLine($"{functional.Name} has no trainable parameters (or no training data): evaluating only.");
            new XcCheckpoint(functional.Name, parameters).Save(checkpointPath);
        }

        var evaluations = new List<(DataSelection Selection, IReadOnlyList<EvaluationRow> Rows, EvaluationSummary Summary)>();
        foreach (var sel in test)
        {
            var rows = Evaluator.Run(solver, functional, parameters, sel.Dataset, sel.Samples, scf);
            var summary = EvaluationSummary.Of(rows);
            evaluations.Add((sel, rows, summary));
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test {sel.Dataset}: MAE {summary.MaeMilliHartree:F3} mHa, max {summary.MaxMilliHartree:F3} mHa, {summary.WithinChemicalAccuracy}/{summary.Count} within 1.6 mHa"));
        }
        WriteReport(functional, parameters, result, stepTimes, sw.Elapsed.TotalSeconds, evaluations, train);
        WritePlots(solver, functional, parameters, scf, evaluations, train, result);
        _log.WriteLine($"wrote {Path.Combine(_out, "report.json")}, energy_curve.svg, loss.svg, checkpoint.json");
        return result is not null && result.Status.StartsWith("stopped", StringComparison.Ordinal) ? 1 : 0;
    }

    private void WriteReport(IXcFunctional functional, ParameterSet parameters, TrainingResult? result, List<double> stepTimes, double seconds,
        List<(DataSelection Selection, IReadOnlyList<EvaluationRow> Rows, EvaluationSummary Summary)> evaluations, List<DataSelection> train)
    {
        var report = new
        {
            functional = functional.Name,
            parameter_count = parameters.TotalLength,
            config = _config.Root,
            training = result is null ? null : new
            {
                status = result.Status,
                evaluations = result.Evaluations,
                best_loss = double.IsFinite(result.Loss) ? result.Loss : (double?)null,
                selected_evaluation = result.BestValidationEvaluation,
                best_validation_score_mha = double.IsFinite(result.BestValidation) ? result.BestValidation : (double?)null,
                mean_ms_per_evaluation = stepTimes.Count > 0 ? stepTimes.Average() : 0,
                loss_history = result.LossHistory,
                molecules = train.SelectMany(t => t.Samples.Select(s => new { dataset = t.Dataset, label = s.Label })).ToArray(),
            },
            wall_seconds = seconds,
            test = evaluations.Select(e => new
            {
                dataset = e.Selection.Dataset,
                source = e.Selection.Source,
                summary = new { count = e.Summary.Count, mae_mha = e.Summary.MaeMilliHartree, max_mha = e.Summary.MaxMilliHartree, within_chemical_accuracy = e.Summary.WithinChemicalAccuracy, mean_density_error = e.Summary.MeanDensityError },
                rows = e.Rows.Select(r => new { distance_x100 = r.DistanceX100, label = r.Label, energy = r.Energy, reference = r.Reference, error = r.Error, density_error = r.DensityError }),
            }),
        };
        AtomicFile.WriteAllText(Path.Combine(_out, "report.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    }

    private void WritePlots(KohnShamSolver solver, IXcFunctional functional, ParameterSet parameters, ScfOptions scf,
        List<(DataSelection Selection, IReadOnlyList<EvaluationRow> Rows, EvaluationSummary Summary)> evaluations, List<DataSelection> train, TrainingResult? result)
    {
        var panels = new List<Panel>();
        foreach (var (sel, rows, summary) in evaluations.Where(e => e.Rows.All(r => r.DistanceX100 >= 0)))
        {
            var all = sel.All.Where(s => s.DistanceX100 >= 0).OrderBy(s => s.DistanceX100).ToList();
            double Enn(Sample s) => s.Molecule.NuclearRepulsion(solver.Context.Interaction);
            var rx = all.Select(s => s.DistanceX100 / 100.0).ToArray();
            var ry = all.Select(s => s.TotalEnergy + Enn(s)).ToArray();
            var trainRows = train.Where(t => t.Dataset == sel.Dataset).SelectMany(t => t.Samples).ToList();
            var trainEval = trainRows.Count > 0 ? Evaluator.Run(solver, functional, parameters, sel.Dataset, trainRows, scf) : [];
            var tested = rows.OrderBy(r => r.DistanceX100).ToList();
            panels.Add(new Panel($"{sel.Dataset}: E + E_nn ({functional.Name})", "R (Bohr)", "E + E_nn (Ha)",
            [
                new Series("reference", rx, ry, "#333333"),
                new Series($"{functional.Name} (test)", tested.Select(r => r.DistanceX100 / 100.0).ToArray(), tested.Select(r => r.Energy + r.NuclearRepulsion).ToArray(), "#d62728", Line: false, Markers: true),
                new Series("training points", trainEval.Select(r => r.DistanceX100 / 100.0).ToArray(), trainEval.Select(r => r.Energy + r.NuclearRepulsion).ToArray(), "#1f77b4", Line: false, Markers: true),
            ],
            [new Band("chemical accuracy (+-1.6 mHa)", rx, ry.Select(y => y - 0.0016).ToArray(), ry.Select(y => y + 0.0016).ToArray(), "#2ca02c")]));
            panels.Add(new Panel($"{sel.Dataset}: error (MAE {summary.MaeMilliHartree:F2} mHa, {summary.WithinChemicalAccuracy}/{summary.Count} within 1.6 mHa)", "R (Bohr)", "E - E_ref (mHa)",
            [
                new Series("test", tested.Select(r => r.DistanceX100 / 100.0).ToArray(), tested.Select(r => r.Error * 1000).ToArray(), "#d62728", Line: true, Markers: true),
                new Series("training points", trainEval.Select(r => r.DistanceX100 / 100.0).ToArray(), trainEval.Select(r => r.Error * 1000).ToArray(), "#1f77b4", Line: false, Markers: true),
            ],
            [new Band("chemical accuracy", [rx.Min(), rx.Max()], [-1.6, -1.6], [1.6, 1.6], "#2ca02c")]));
        }
        if (panels.Count > 0) AtomicFile.WriteAllText(Path.Combine(_out, "energy_curve.svg"), SvgPlot.Render(panels));
        var losses = result?.LossHistory ?? [];
        var steps = losses.Select((_, i) => (double)(i + 1)).ToArray();
        var runningMin = new double[losses.Length];
        double best = double.PositiveInfinity;
        for (int i = 0; i < losses.Length; i++) runningMin[i] = best = double.IsFinite(losses[i]) ? Math.Min(best, losses[i]) : best;
        AtomicFile.WriteAllText(Path.Combine(_out, "loss.svg"), SvgPlot.Render(
        [
            new Panel("Training loss", "evaluation", "loss",
                [new Series("every evaluation (line-search trials included)", steps, losses, "#9ecae1"), new Series("best so far", steps, runningMin, "#08519c")], LogY: true),
        ]));
    }
}
