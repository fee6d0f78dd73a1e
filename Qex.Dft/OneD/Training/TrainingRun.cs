using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;
using Qex.Dft.OneD.Xc.Quantum;
using Qex.Dft.ScaleOut;
using Qex.Dft.Training;

namespace Qex.Dft.OneD.Training;

/// <summary>What a training run reports while it works (all optional; the CLI prints them).</summary>
public sealed class TrainingRunEvents
{
    /// <summary>A diagnostic line (what is loaded, generated, kept).</summary>
    public Action<string>? Message { get; init; }

    /// <summary>Progress of a built-in reference generation (geometries done, total).</summary>
    public IProgress<(int Done, int Total)>? DataProgress { get; init; }

    /// <summary>Training starts: evaluations already done (resumed), budget.</summary>
    public Action<int, int>? Started { get; init; }

    /// <summary>
    /// After every evaluation, with the labels of the training molecules in the order of the energy errors: the
    /// geometry label, as "dataset:label" when the training set draws on more than one dataset (H2 1.28 and H4 1.28).
    /// </summary>
    public Action<TrainingStep, IReadOnlyList<string>>? Step { get; init; }

    /// <summary>After every validation.</summary>
    public Action<ValidationPoint>? Validation { get; init; }

    /// <summary>A test set was evaluated.</summary>
    public Action<TestEvaluation>? Tested { get; init; }
}

/// <summary>The evaluation of one test selection.</summary>
/// <param name="Selection">The selection.</param>
/// <param name="Rows">Per-geometry results.</param>
/// <param name="Summary">Their summary.</param>
/// <param name="TrainingRows">The training geometries of the same dataset, evaluated with the same parameters (for plots).</param>
/// <param name="ReferenceCurve">Distance (Bohr) and reference E + E_nn of every geometry of the dataset that has a distance.</param>
public sealed record TestEvaluation(DataSelection Selection, IReadOnlyList<EvaluationRow> Rows, EvaluationSummary Summary, IReadOnlyList<EvaluationRow> TrainingRows,
    IReadOnlyList<(double Distance, double Energy)> ReferenceCurve);

/// <summary>The outcome of a training run.</summary>
/// <param name="Functional">The trained functional.</param>
/// <param name="Parameters">The kept parameters.</param>
/// <param name="Training">The training result (null when there was nothing to train).</param>
/// <param name="Tests">Evaluations of data.test.</param>
/// <param name="Train">The training selections.</param>
/// <param name="WallSeconds">Wall time.</param>
/// <param name="MeanMillisecondsPerEvaluation">Mean time of a loss-and-gradient evaluation in this run.</param>
/// <param name="CheckpointPath">The checkpoint written.</param>
/// <param name="ReportPath">The report written.</param>
public sealed record TrainingRunResult(IXcFunctional Functional, ParameterSet Parameters, TrainingResult? Training, IReadOnlyList<TestEvaluation> Tests,
    IReadOnlyList<DataSelection> Train, double WallSeconds, double MeanMillisecondsPerEvaluation, string CheckpointPath, string ReportPath)
{
    /// <summary>True when training stopped on non-finite losses (the CLI exits 1).</summary>
    public bool Failed => Training is { } t && t.Status.StartsWith("stopped", StringComparison.Ordinal);
}

/// <summary>
/// A whole 1D training run from a typed configuration: data (the same catalog as every verb), functional, SCF,
/// loss, optimiser with early stopping, checkpoints (self-describing, resumable exactly), test evaluation and the
/// JSON report. Output folders are checked for writing before any work.
/// </summary>
public sealed class TrainingRun
{
    /// <summary>The name of the checkpoint file in the output folder.</summary>
    public const string CheckpointFile = "checkpoint.json";

    /// <summary>The name of the report file in the output folder.</summary>
    public const string ReportFile = "report.json";

    /// <summary>The name of the per-validation log (one JSON object per line: evaluation, score, per-geometry errors).</summary>
    public const string ValidationLogFile = "validation.jsonl";

    private readonly TrainingConfig _config;
    private readonly string _out;
    private readonly TrainingRunEvents _events;
    private readonly Qex.Kernels.Devices.ComputeDevice? _device;
    private readonly BatchScheduler _scheduler;

    /// <summary>
    /// A run (nothing is computed yet); a quantum model's exact statevector runs on <paramref name="device"/> when one
    /// is given. With a <paramref name="scheduler"/> over several processes (an MPI job) every process runs this with
    /// the same configuration: the molecules of training, validation and test are sharded over them, and only rank 0
    /// reports events and writes the checkpoint, the validation log and the report.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is invalid (the message names the key).</exception>
    public TrainingRun(TrainingConfig config, string outputDirectory, TrainingRunEvents? events = null, Qex.Kernels.Devices.ComputeDevice? device = null,
        BatchScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        config.Validate();
        _config = config;
        _out = outputDirectory;
        _scheduler = scheduler ?? BatchScheduler.Local;
        _events = _scheduler.IsRoot ? events ?? new TrainingRunEvents() : new TrainingRunEvents();
        _device = device;
    }

    /// <summary>The catalog of a configuration (its data.root; built-in references cached in the default cache folder).</summary>
    public static DataCatalog Catalog(TrainingConfig config, IProgress<(int Done, int Total)>? progress = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new DataCatalog(config.Data.Root, DataCatalog.DefaultCacheDirectory(), config.Interaction(), progress, log);
    }

    /// <summary>Resolves a list of entries of a configuration.</summary>
    public static List<DataSelection> Select(DataCatalog catalog, IReadOnlyList<DataEntry> entries, string key)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Select((e, i) => catalog.Select(e, $"{key}[{i}]")).ToList();
    }

    private void Say(string line) => _events.Message?.Invoke(line);

    /// <summary>Trains (or resumes), evaluates, and writes checkpoint and report.</summary>
    /// <exception cref="ArgumentException">Inconsistent data or settings (named).</exception>
    /// <exception cref="IOException">The output folder cannot be written (found before any work).</exception>
    public TrainingRunResult Execute(bool resume, CancellationToken cancel = default)
    {
        var c = _config;
        bool root = _scheduler.IsRoot;
        if (root) AtomicFile.EnsureWritableDirectory(_out);
        var sw = Stopwatch.StartNew();
        var interaction = c.Interaction();
        var scf = c.ToScfOptions();
        var weights = c.Loss.ToWeights();
        var options = c.ToTrainingOptions();

        var catalog = Catalog(c, _events.DataProgress, Say);
        var train = Select(catalog, c.Data.Train, "data.train");
        var validation = Select(catalog, c.Data.Validation, "data.validation");
        var test = Select(catalog, c.Data.Test, "data.test");
        var first = train.Concat(test).Concat(validation).FirstOrDefault()
            ?? throw new ArgumentException("The config selects no data (data.train, data.validation and data.test are empty).");
        var grid = first.Grid;
        foreach (var sel in train.Concat(validation).Concat(test))
            if (sel.Grid.Count != grid.Count || Math.Abs(sel.Grid.Spacing - grid.Spacing) > 1e-12)
                throw new ArgumentException($"Dataset '{sel.Dataset}' is on a different grid ({sel.Grid.Count} points) than the others ({grid.Count}).");
        foreach (var (sel, role) in train.Select(t => (t, "train")).Concat(validation.Select(v => (v, "validation"))).Concat(test.Select(t => (t, "test"))))
            Say($"data ({role}): {sel.Dataset}: {sel.Samples.Count} samples from {sel.Source}{(sel.Source.Contains(sel.Method, StringComparison.Ordinal) ? "" : $" ({sel.Method})")}");
        var validationSamples = validation.SelectMany(v => v.Samples).ToList();
        var overlap = validation.SelectMany(v => v.Samples.Select(s => $"{v.Dataset}:{s.Label}"))
            .Intersect(test.SelectMany(t => t.Samples.Select(s => $"{t.Dataset}:{s.Label}"))).ToList();
        if (overlap.Count > 0)
            Say($"warning: validation and test share geometries {string.Join(", ", overlap)}; the test error is then not independent.");
        var solver = new KohnShamSolver(grid, interaction);
        var functional = c.CreateFunctional(grid.Count, _device is null ? null : c.Backend() with { Device = _device });
        var modelSpec = c.ModelSpec(grid.Count);
        var trainedNoise = XcModelSpec.UsesCircuitOptions(functional.Name) && !c.Backend().IsExact ? c.Noise : null;   // recorded, so the checkpoint evaluates as trained
        var scfSpec = c.Scf.ToSpec();
        if (XcModelSpec.UsesCircuitOptions(functional.Name) && !c.Backend().IsExact)
            Say($"circuits evaluated with {c.Backend()}: derivatives by parameter shift (first order for the loss, second order for the potential's response), about 4 x input gates x gates circuit batches per evaluation of the response");

        string checkpointPath = Path.Combine(_out, CheckpointFile);
        long seed = c.Model.Seed;
        var layout = functional.InitialParameters(RngKey.FromSeed(seed));
        var batch = train.SelectMany(t => t.Samples).ToList();
        bool mixed = train.Select(t => t.Dataset).Distinct().Count() > 1;
        var stepLabels = train.SelectMany(t => t.Samples.Select(x => mixed ? $"{t.Dataset}:{x.Label}" : x.Label)).ToList();
        var densityScales = c.Data.Train.Zip(train, (e, t) => Enumerable.Repeat(e.DensityWeight ?? 1.0, t.Samples.Count)).SelectMany(x => x).ToList();
        var problem = new TrainingProblemSpec(
            [.. c.Data.Train.Zip(train, (e, t) => t.Samples.Select(x => TrainingProblemSpec.TrainLabel(t.Dataset, x.Label, e.DensityWeight ?? 1.0))).SelectMany(x => x)],
            [.. validation.SelectMany(v => v.Samples.Select(x => $"{v.Dataset}:{x.Label}"))],
            weights.Describe(), c.ValidationMetric,
            [.. batch.Concat(validationSamples).Select(x => x.TotalEnergy)]);
        if (layout.TotalLength > 0 && batch.Count == 0)
            throw new ArgumentException($"{functional.Name} has {layout.TotalLength} trainable parameters but data.train selects no molecules; add training data (or evaluate with `qex eval`).");
        ParameterSet parameters = layout;
        TrainingProgressRecord? resumeFrom = null;
        if (resume)
        {
            if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"--resume: no checkpoint at '{checkpointPath}'.", checkpointPath);
            var ck = XcCheckpoint.Load(checkpointPath, functional);
            if (ck.Model is { } m && m != modelSpec)
                throw new ArgumentException($"--resume: the checkpoint's model ({Describe(m)}) differs from the config's ({Describe(modelSpec)}).");
            if (ck.Scf is { } s && s != scfSpec)
                throw new ArgumentException($"--resume: the checkpoint was trained with other SCF settings ({s}) than the config's ({scfSpec}).");
            resumeFrom = ck.Training ?? throw new ArgumentException($"--resume: '{checkpointPath}' holds no training state.");
            if (resumeFrom.Seed != seed) throw new ArgumentException($"--resume: the checkpoint was trained with model.seed {resumeFrom.Seed}, the config says {seed}.");
            if (TrainingProblemSpec.CheckResume(ck.Problem, problem, checkpointPath) is { } note) Say(note);
            Say($"resuming from {checkpointPath}: {resumeFrom.Evaluations} evaluations done, best loss {resumeFrom.Loss.ToString("E3", CultureInfo.InvariantCulture)}");
        }
        else if (c.Model.Init is { } init)
            parameters = XcCheckpoint.LoadAny(init, functional).Parameters;

        TrainingResult? result = null;
        var stepTimes = new List<double>();
        if (layout.TotalLength > 0)
        {
            string startsText = options.Starts == 1 ? "" : options.TargetValidation > 0 && validationSamples.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $" per start, up to {options.Starts} starts until the validation error is at most {options.TargetValidation:G4} mHa")
                : $" per start, {options.Starts} starts";
            Say($"training {functional.Name} ({layout.TotalLength} parameters) on {batch.Count} molecules with {options.Optimiser}, at most {options.MaxEvaluations} evaluations{startsText}; checkpoints in {checkpointPath}");
            if (_scheduler.ShardMap(KohnShamObjective1D.Costs(batch, scf), i => batch[i].Label) is { } map) Say(map);
            var trainer = new Trainer(new KohnShamObjective1D(solver, functional, batch, scf, weights, _scheduler, densityScales));
            string metric = c.ValidationMetric;
            IReadOnlyList<EvaluationRow>? lastValidationRows = null;
            string validationLog = Path.Combine(_out, ValidationLogFile);
            if (root && !resume && File.Exists(validationLog)) File.Delete(validationLog);
            Func<ParameterSet, double>? validate = validationSamples.Count == 0 ? null : p =>
            {
                var rows = Evaluator.Run(solver, functional, p, "validation", validationSamples, scf, scheduler: _scheduler);
                lastValidationRows = rows;
                var summary = EvaluationSummary.Of(rows);
                // ties on the largest error are broken by the mean
                return metric == "max" ? summary.MaxMilliHartree + 1e-6 * summary.MaeMilliHartree : summary.MaeMilliHartree;
            };
            int done = resumeFrom?.Evaluations ?? 0;
            double bestScore = resumeFrom?.BestValidation ?? double.NaN;
            _events.Started?.Invoke(done, (resumeFrom?.StartBeganAt ?? 0) + options.MaxEvaluations);
            result = trainer.Train(parameters, options, seed, step =>
            {
                done = step.Evaluation;
                stepTimes.Add(step.Milliseconds);
                _events.Step?.Invoke(step, stepLabels);
            }, root ? checkpointPath : null, resumeFrom, cancel, validate,
                point =>
                {
                    if (root && lastValidationRows is { } vr)
                        File.AppendAllText(validationLog, JsonSerializer.Serialize(new ValidationLogLine(point.Evaluation, point.Score, point.Improved, point.Start, point.Restart,
                            vr.Select(r => new ValidationLogRow(r.Label, r.DistanceX100, r.Error)).ToArray()), ReportJson.Options) + "\n");
                    if (point.Improved) bestScore = point.Score;
                    _events.Validation?.Invoke(point);
                },
                (kept, record) => new XcCheckpoint(functional.Name, kept, record) { Model = modelSpec, Scf = scfSpec, Test = c.Data.Test, Noise = trainedNoise, Problem = problem },
                k => functional.InitialParameters(RngKey.FromSeed(seed).Fold((ulong)k)),
                k =>
                {
                    Say(string.Create(CultureInfo.InvariantCulture, $"start {k + 1} of {options.Starts} from a new initialisation (best validation {metric} error so far {bestScore:F3} mHa{(options.TargetValidation > 0 ? $", target {options.TargetValidation:G4}" : "")})"));
                    _events.Started?.Invoke(done, done + options.MaxEvaluations);
                });
            parameters = result.Parameters;
            Say($"training ended ({result.Status}) after {result.Evaluations} evaluations{(result.StartsRun > 1 ? $" in {result.StartsRun} starts" : "")}{(result.Restarts > 0 ? $" and {result.Restarts} restarts" : "")}: best loss {result.Loss.ToString("E4", CultureInfo.InvariantCulture)}; mean {(stepTimes.Count > 0 ? stepTimes.Average() : 0):F0} ms per evaluation");
            if (validate is not null)
                Say(result.AveragedOver > 1
                    ? string.Create(CultureInfo.InvariantCulture, $"kept the average of the {result.AveragedOver} best-validated iterates (validation {metric} error {result.BestValidation:F3} mHa; the best single one was at evaluation {result.BestValidationEvaluation})")
                    : string.Create(CultureInfo.InvariantCulture, $"kept the parameters of evaluation {result.BestValidationEvaluation}{(result.StartsRun > 1 ? $" (start {result.KeptStart + 1})" : "")} (validation {metric} error {result.BestValidation:F3} mHa)"));
        }
        else
        {
            Say($"{functional.Name} has no trainable parameters: evaluating only.");
            if (root) new XcCheckpoint(functional.Name, parameters) { Model = modelSpec, Scf = scfSpec, Test = c.Data.Test, Noise = trainedNoise, Problem = problem }.Save(checkpointPath);
        }

        if (_scheduler.CommunicationSummary(sw.Elapsed) is { } gathers) Say(gathers);
        var tests = new List<TestEvaluation>();
        foreach (var sel in test)
        {
            var rows = Evaluator.Run(solver, functional, parameters, sel.Dataset, sel.Samples, scf, scheduler: _scheduler);
            var trainRows = train.Where(t => t.Dataset == sel.Dataset).SelectMany(t => t.Samples).ToList();
            var trainEval = trainRows.Count > 0 ? Evaluator.Run(solver, functional, parameters, sel.Dataset, trainRows, scf, scheduler: _scheduler) : [];
            var curve = sel.All.Where(x => x.DistanceX100 >= 0).OrderBy(x => x.DistanceX100)
                .Select(x => (x.DistanceX100 / 100.0, x.TotalEnergy + x.Molecule.NuclearRepulsion(interaction))).ToList();
            var te = new TestEvaluation(sel, rows, EvaluationSummary.Of(rows), trainEval, curve);
            tests.Add(te);
            _events.Tested?.Invoke(te);
        }
        double mean = stepTimes.Count > 0 ? stepTimes.Average() : 0;
        var runResult = new TrainingRunResult(functional, parameters, result, tests, train, sw.Elapsed.TotalSeconds, mean, checkpointPath, Path.Combine(_out, ReportFile));
        if (root) TrainingReport.Write(runResult.ReportPath, c, modelSpec, scfSpec, runResult);
        return runResult;
    }

    private static string Describe(XcModelSpec m) => m.Quantum is null ? $"{m.Functional} on {m.GridPoints} points" : $"{m.Functional} on {m.GridPoints} points, {m.Quantum}";

    private sealed record ValidationLogRow(string Label, int DistanceX100, double Error);

    private sealed record ValidationLogLine(int Evaluation, double Score, bool Improved, int Start, int Restart, ValidationLogRow[] Errors);
}

/// <summary>The JSON conventions of reports: snake_case keys, numbers as numbers (non-finite ones as null).</summary>
public static class ReportJson
{
    /// <summary>The serializer options of every Qex report.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new FiniteOrNullConverter() },
    };

    /// <summary>Indented, for files people read.</summary>
    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };

    /// <summary>Writes doubles as numbers and NaN or infinities as null (JSON has no non-finite numbers).</summary>
    private sealed class FiniteOrNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}

/// <summary>report.json of a training run.</summary>
public static class TrainingReport
{
    private sealed record Molecule(string Dataset, string Label);

    private sealed record SummaryJson(int Count, double MaeMha, double MaxMha, int WithinChemicalAccuracy, double MeanDensityError);

    private sealed record RowJson(int DistanceX100, string Label, double Energy, double Reference, double Error, double DensityError);

    private sealed record TestJson(string Dataset, string Source, string Reference, SummaryJson Summary, RowJson[] Rows);

    private sealed record TrainingJson(string Status, int Evaluations, double? BestLoss, int SelectedEvaluation, double? BestValidationScoreMha,
        int Restarts, int StartsRun, int KeptStart, int AveragedOver, double MeanMsPerEvaluation, double[] LossHistory, ValidationPoint[] Validations, Molecule[] Molecules);

    private sealed record ReportFileJson(string Format, string QexVersion, string Functional, int ParameterCount, XcModelSpec Model, ScfSpec Scf,
        TrainingConfig Config, TrainingJson? Training, double WallSeconds, TestJson[] Test);

    /// <summary>Writes the report atomically.</summary>
    public static void Write(string path, TrainingConfig config, XcModelSpec model, ScfSpec scf, TrainingRunResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var t = r.Training;
        var report = new ReportFileJson("qex.training-report", XcCheckpoint.ThisQexVersion, r.Functional.Name, r.Parameters.TotalLength, model, scf, config,
            t is null ? null : new TrainingJson(t.Status, t.Evaluations, double.IsFinite(t.Loss) ? t.Loss : null, t.BestValidationEvaluation,
                double.IsFinite(t.BestValidation) ? t.BestValidation : null, t.Restarts, t.StartsRun, t.KeptStart, t.AveragedOver, r.MeanMillisecondsPerEvaluation, t.LossHistory,
                (t.ValidationHistory ?? []).ToArray(), r.Train.SelectMany(s => s.Samples.Select(x => new Molecule(s.Dataset, x.Label))).ToArray()),
            r.WallSeconds,
            r.Tests.Select(e => new TestJson(e.Selection.Dataset, e.Selection.Source, e.Selection.Method,
                new SummaryJson(e.Summary.Count, e.Summary.MaeMilliHartree, e.Summary.MaxMilliHartree, e.Summary.WithinChemicalAccuracy, e.Summary.MeanDensityError),
                e.Rows.Select(x => new RowJson(x.DistanceX100, x.Label, x.Energy, x.Reference, x.Error, x.DensityError)).ToArray())).ToArray());
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, ReportJson.Indented));
    }
}
