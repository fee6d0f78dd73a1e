using System.Globalization;
using System.Text.Json;
using CommandLine;
using CommandLine.Text;
using Qex.Autodiff.Optimisers;
using Qex.Cli.Configuration;
using Qex.Cli.Output;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.OneD.Xc.Quantum;
using Spectre.Console;
using Qex.Dft.Training;
using Qex.Dft.Models;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex eval</c>.</summary>
[Verb("eval", HelpText = "Evaluate a 1D XC functional on reference data: per-geometry errors and a summary. A checkpoint brings its model, SCF settings and test sets.")]
public sealed class EvalOptions
{
    /// <summary>Functional name.</summary>
    [Option("functional", HelpText = "lda | ksr-global | ksr-lda | ksr-gga | qnn-global | mlp-global | qnn-local | qnn-window | rydberg-local | rydberg-window (default: the checkpoint's).")]
    public string? Functional { get; set; }

    /// <summary>Parameters.</summary>
    [Option("params", HelpText = "A checkpoint file, a training output folder, or a folder of published KSR-global .npy files.")]
    public string? Params { get; set; }

    /// <summary>Data root or dataset folder.</summary>
    [Option("data", HelpText = "Folder holding the datasets (jaxdft/, ksr_dft/) or a dataset folder itself (default: ../shared/data, else the built-in exact H2 set).")]
    public string? Data { get; set; }

    /// <summary>Dataset name.</summary>
    [Option("dataset", HelpText = "Dataset name (h2, h4, h2_h2, h2_plus, li_h, ions/dmrg, ...) or path (default: the checkpoint's test sets).")]
    public string? Dataset { get; set; }

    /// <summary>Split.</summary>
    [Option("split", HelpText = "train | validation | test | all (default test; not with --distances)")]
    public string? Split { get; set; }

    /// <summary>Distances.</summary>
    [Option("distances", HelpText = "Geometries by distance_x100 key: a list 128,384 or a range 32:600:8 (instead of --split).")]
    public string? Distances { get; set; }

    /// <summary>JSON output.</summary>
    [Option("json", HelpText = "Write the rows and the summaries to this JSON file.")]
    public string? Json { get; set; }

    /// <summary>Config with the model.quantum, scf and noise sections.</summary>
    [Option("config", HelpText = "A training config: its model section overrides the checkpoint's, its scf section the SCF settings, its noise section sets the circuit backend.")]
    public string? Config { get; set; }

    /// <summary>KS iterations.</summary>
    [Option("iterations", HelpText = "Kohn-Sham iterations (default: the checkpoint's, else 15).")]
    public int? Iterations { get; set; }

    /// <summary>Spin-polarised Kohn–Sham.</summary>
    [Option("spin-polarised", HelpText = "Spin-polarised Kohn-Sham: N_up and N_down from each sample's unpaired electrons (num_unpaired_electrons of the data; else N mod 2), for odd-electron and open-shell systems such as the ions set (a checkpoint trained with scf.spin_polarised uses it by default). Spin functionals: lda, ksr-lsda.")]
    public bool SpinPolarised { get; set; }

    /// <summary>Where the hot loops run.</summary>
    [Option("device", Default = "cpu", HelpText = DeviceChoice.Help + " On the device today: a quantum model's exact statevector (values and adjoint gradients); classical models and noisy circuits run on the CPU.")]
    public string Device { get; set; } = "cpu";

    /// <summary>No diagnostics.</summary>
    [Option('q', "quiet", HelpText = "No diagnostics on standard error.")]
    public bool Quiet { get; set; }

    /// <summary>Usage examples for the help text.</summary>
    [Usage(ApplicationAlias = "qex")]
    public static IEnumerable<Example> Examples =>
    [
        new("A trained model on the test sets it was trained for", new UnParserSettings { SkipDefault = true }, new EvalOptions { Params = "runs/default" }),
        new("Published parameters on the H2 test split", new UnParserSettings { SkipDefault = true }, new EvalOptions { Functional = "ksr-global", Params = "../shared/data/jaxdft/ksr_checkpoints/h2_optimal", Dataset = "h2" }),
        new("LDA on chosen geometries", new UnParserSettings { SkipDefault = true }, new EvalOptions { Functional = "lda", Dataset = "h2", Distances = "128,384" }),
    ];
}

/// <summary><c>qex eval</c>.</summary>
public static class EvalCommand
{
    /// <summary>The largest number of Kohn–Sham iterations accepted.</summary>
    public const int MaxIterations = 10_000;

    /// <summary>Runs the command; returns the exit code.</summary>
    /// <param name="o">Options.</param>
    /// <param name="output">Results (standard output).</param>
    /// <param name="log">Diagnostics (standard error; defaults to <paramref name="output"/>).</param>
    /// <param name="scheduler">The processes of an MPI job (this process alone when null): the geometries are sharded over them, rank 0 prints and writes.</param>
    public static int Run(EvalOptions o, TextWriter output, TextWriter? log = null, Qex.Dft.ScaleOut.BatchScheduler? scheduler = null)
    {
        scheduler ??= Qex.Dft.ScaleOut.BatchScheduler.Local;
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(output);
        log ??= output;
        void Say(string line) { if (!o.Quiet) log.WriteLine(line); }
        if (o.Split is not null && o.Distances is not null) throw new ArgumentException("Give --split or --distances, not both.");
        if (o.Iterations is < 1 or > MaxIterations) throw new ArgumentException($"--iterations must be between 1 and {MaxIterations}; got {o.Iterations}.");
        if (o.Functional is not null) _ = XcFunctionals.Create(o.Functional);   // a clear error for unknown names, before any work
        _ = Qex.Kernels.Devices.DeviceCatalog.Select(o.Device);   // and for an unknown or missing device
        if (o.Json is not null && Path.GetDirectoryName(Path.GetFullPath(o.Json)) is { } jsonDir) AtomicFile.EnsureWritableDirectory(jsonDir);

        // 1. the model: from the checkpoint (its description), overridden by --config and --functional
        XcCheckpoint? checkpoint = o.Params is null ? null : XcCheckpoint.LoadDescribed(o.Params);
        TrainingConfig? config = o.Config is null ? null : TrainingConfigReader.Read(ConfigFiles.Build(o.Config,
            o.Functional is not null ? [$"model.functional={o.Functional}"] : checkpoint is not null ? [$"model.functional={checkpoint.Functional}"] : []));
        string functionalName = XcFunctionals.Canonical(o.Functional ?? checkpoint?.Functional
            ?? throw new ArgumentException("Give --params (a checkpoint) or --functional (a parameter-free functional such as lda)."));
        if (checkpoint is not null && o.Functional is not null && XcFunctionals.Canonical(o.Functional) != checkpoint.Functional)
            throw new ArgumentException($"'{o.Params}' holds {checkpoint.Functional} parameters, but --functional says {XcFunctionals.Canonical(o.Functional)}.");
        if (o.SpinPolarised && XcFunctionals.Create(functionalName) is not ISpinXcFunctional)
            throw new ArgumentException($"--spin-polarised needs a functional of both spin densities; {functionalName} has none (spin functionals: {string.Join(", ", XcFunctionals.SpinNames)}).");
        if (checkpoint is null && XcFunctionals.Create(functionalName).InitialParameters(RngKey.FromSeed(0)).TotalLength > 0)
            throw new ArgumentException($"Functional '{functionalName}' has trainable parameters: pass --params (a checkpoint or a folder of published .npy files).");

        // 2. the SCF settings: the checkpoint's, overridden by --config's scf section and --iterations
        var scfSpec = checkpoint?.Scf ?? new ScfConfig().ToSpec();
        if (checkpoint is not null && checkpoint.Scf is null) Say($"{o.Params}: no SCF settings recorded (format version {checkpoint.Version}); using the KSR defaults ({scfSpec.Iterations} iterations, mixing {scfSpec.Mixing}, decay {scfSpec.MixingDecay}).");
        if (config is not null && config.Scf.ToSpec() is var cs && cs != scfSpec)
        {
            if (checkpoint?.Scf is not null) Say($"--config overrides the checkpoint's SCF settings: {Describe(checkpoint.Scf)} -> {Describe(cs)}.");
            scfSpec = cs;
        }
        if (o.Iterations is { } k && k != scfSpec.Iterations)
        {
            if (checkpoint?.Scf is not null || config is not null) Say($"--iterations {k} overrides {scfSpec.Iterations} Kohn-Sham iterations.");
            scfSpec = scfSpec with { Iterations = k };
        }
        var interaction = Interaction.FromName(scfSpec.Interaction);

        // 3. the data: --dataset (with --split or --distances), else the checkpoint's test sets
        string? root = o.Data;
        var entries = new List<DataEntry>();
        if (o.Dataset is not null || o.Data is not null && File.Exists(Path.Combine(o.Data, "total_energies.npy")))
        {
            string name = o.Data is not null && File.Exists(Path.Combine(o.Data, "total_energies.npy")) ? o.Data : o.Dataset!;
            if (name == o.Data) root = null;
            entries.Add(o.Distances is not null ? new DataEntry(name, Distances: GenDataCommand.ParseDistances(o.Distances)) : new DataEntry(name, o.Split ?? "test"));
        }
        else if (checkpoint?.Test is { Count: > 0 } test)
        {
            if (o.Split is not null || o.Distances is not null) throw new ArgumentException("--split and --distances need --dataset.");
            entries.AddRange(test);
            Say($"evaluating the checkpoint's test sets: {string.Join(", ", test.Select(t => t.Describe()))}");
        }
        else throw new ArgumentException("Give --dataset (the checkpoint records no test sets).");
        var catalog = new DataCatalog(root, DataCatalog.DefaultCacheDirectory(), interaction,
            new Training.SyncProgress<(int Done, int Total)>(p => Say($"  exact diagonalisation {p.Done}/{p.Total}")), Say);
        var selections = entries.Select((e, i) => catalog.Select(e, o.Dataset is not null ? "--dataset" : $"the checkpoint's test set {i}")).ToList();
        int gridPoints = selections[0].Grid.Count;

        // 4. the functional with its parameters (a quantum model's exact statevector on the device, when one is chosen)
        bool quantum = XcModelSpec.UsesCircuitOptions(config is null ? functionalName : XcFunctionals.Canonical(config.Model.Functional));
        // the circuits' noise: --config's noise section, else the one the checkpoint was trained under
        QuantumBackendOptions? noiseBackend = config?.Backend();
        if (checkpoint?.Noise is { } trainedNoise && checkpoint.Model?.Quantum is { } trainedCircuit)
        {
            var trained = trainedNoise.Backend(trainedCircuit.Qubits);
            if (config is null)
            {
                noiseBackend = trained;
                Say($"circuits evaluated as trained: {trained} (a --config with a noise section changes this)");
            }
            else if (System.Text.Json.JsonSerializer.Serialize(config.Noise) != System.Text.Json.JsonSerializer.Serialize(trainedNoise)) Say($"--config overrides the checkpoint's training noise: {trained} -> {noiseBackend}.");
        }
        bool noisy = noiseBackend is { IsExact: false };
        using var device = DeviceChoice.Open(o.Device, log, o.Quiet,
            !quantum ? $"nothing of {functionalName}: a classical model runs on the CPU"
            : noisy ? "nothing: noisy circuits (density matrices, trajectories) run on the CPU"
            : "the circuits' exact statevector; the Kohn-Sham solver on the CPU");
        QuantumBackendOptions? backend = device is null || noisy ? noiseBackend : (noiseBackend ?? QuantumBackendOptions.Exact) with { Device = device };
        IXcFunctional functional;
        if (config is not null)
        {
            functional = config.CreateFunctional(gridPoints, backend);
            var spec = config.ModelSpec(gridPoints);
            if (checkpoint?.Model is { } m && m != spec) Say($"--config overrides the checkpoint's model: {m.Quantum} -> {spec.Quantum}.");
        }
        else if (checkpoint?.Model is { } model)
        {
            if (model.GridPoints != gridPoints) throw new ArgumentException($"The checkpoint's model was built for {model.GridPoints} grid points; the data has {gridPoints}.");
            functional = model.Create(backend);
        }
        else functional = XcFunctionals.Create(functionalName, quantum && backend is not null ? XcFunctionals.DefaultCircuit(functionalName) with { Backend = backend } : null, gridPoints);
        // the checkpoint was already checked against the model it describes; a --config model is checked against it now
        ParameterSet parameters = checkpoint is null ? new ParameterSet([])
            : config is null && checkpoint.Model is not null ? checkpoint.Parameters : XcCheckpoint.LoadAny(o.Params!, functional).Parameters;
        if (config is not null && backend is { IsExact: false }) Say($"circuits evaluated with {backend}");

        var solver = new KohnShamSolver(selections[0].Grid, interaction);
        if (o.SpinPolarised && !scfSpec.SpinPolarised)
        {
            if (checkpoint?.Scf is not null) Say("--spin-polarised overrides the checkpoint's restricted Kohn-Sham.");
            scfSpec = scfSpec with { SpinPolarised = true };
        }
        var scf = scfSpec.ToOptions();
        bool spinPolarised = scf.SpinPolarised;
        var results = new List<(DataSelection Selection, IReadOnlyList<EvaluationRow> Rows, EvaluationSummary Summary)>();
        var console = ConsoleOutput.For(output);
        foreach (var sel in selections)
        {
            if (sel.Grid.Count != gridPoints) throw new ArgumentException($"Dataset '{sel.Dataset}' has {sel.Grid.Count} grid points, the first one {gridPoints}.");
            var rows = Evaluator.Run(solver, functional, parameters, sel.Dataset, sel.Samples, scf, scheduler: scheduler);
            var summary = EvaluationSummary.Of(rows);
            results.Add((sel, rows, summary));
            var table = new Table().AddColumns("geometry", "energy (Ha)", "reference (Ha)", "error (mHa)", "density error", "last step (mHa)");
            foreach (var r in rows)
                table.AddRow(r.DistanceX100 >= 0 ? r.DistanceX100.ToString(CultureInfo.InvariantCulture) : Markup.Escape(r.Label),
                    r.Energy.ToString("F6", CultureInfo.InvariantCulture), r.Reference.ToString("F6", CultureInfo.InvariantCulture),
                    (Math.Abs(r.Error) < 0.0016 ? "" : "[red]") + (r.Error * 1000).ToString("F3", CultureInfo.InvariantCulture) + (Math.Abs(r.Error) < 0.0016 ? "" : "[/]"),
                    r.DensityError.ToString("E2", CultureInfo.InvariantCulture),
                    (r.LastStepChange > Evaluator.UnsettledThreshold ? "[yellow]" : "") + (r.LastStepChange * 1000).ToString("F3", CultureInfo.InvariantCulture) + (r.LastStepChange > Evaluator.UnsettledThreshold ? "[/]" : ""));
            console.Write(table);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{Markup.Escape(functional.Name)}{(spinPolarised ? " (spin-polarised)" : "")} on {Markup.Escape(sel.Dataset)} ({summary.Count} geometries; reference: {Markup.Escape(sel.Method)}): MAE [bold]{summary.MaeMilliHartree:F3}[/] mHa, max {summary.MaxMilliHartree:F3} mHa, {summary.WithinChemicalAccuracy}/{summary.Count} within 1.6 mHa"));
            if (Evaluator.UnsettledWarning(rows, scf.Iterations) is { } unsettled) Say(unsettled);
        }
        if (o.Json is not null && scheduler.IsRoot)
        {
            var doc = new EvalJson(functional.Name, o.Params, Describe(scfSpec), scfSpec, spinPolarised, results.Select(x => new EvalSetJson(x.Selection.Dataset, x.Selection.Source, x.Selection.Method,
                x.Rows.Select(r => new EvalRowJson(r.DistanceX100, r.Label, r.Energy, r.Reference, r.Error, r.DensityError, r.LastStepChange)).ToArray(),
                new EvalSummaryJson(x.Summary.Count, x.Summary.MaeMilliHartree, x.Summary.MaxMilliHartree, x.Summary.WithinChemicalAccuracy, x.Summary.MeanDensityError))).ToArray());
            AtomicFile.WriteAllText(o.Json, JsonSerializer.Serialize(doc, ReportJson.Indented));
        }
        return 0;
    }

    private static string Describe(ScfSpec s) => FormattableString.Invariant(
        $"{s.Iterations} iterations, mixing {s.Mixing} decaying by {s.MixingDecay}, symmetry {(s.Symmetry ? "on" : "off")}, temperature {s.Temperature}, {s.Interaction}{(s.SpinPolarised ? ", spin-polarised" : "")}");

    private sealed record EvalRowJson(int DistanceX100, string Label, double Energy, double ReferenceEnergy, double ErrorHa, double DensityError, double LastStepChangeHa);

    private sealed record EvalSummaryJson(int Count, double MaeMha, double MaxMha, [property: System.Text.Json.Serialization.JsonPropertyName("within_1_6_mha")] int Within16Mha, double MeanDensityError);

    private sealed record EvalSetJson(string Dataset, string Source, string Reference, EvalRowJson[] Rows, EvalSummaryJson Summary);

    private sealed record EvalJson(string Functional, string? Parameters, string ScfDescription, ScfSpec Scf, bool SpinPolarised, EvalSetJson[] Sets)
    {
        /// <summary>The first set's rows (the layout of single-set files).</summary>
        public EvalRowJson[] Rows => Sets.Length > 0 ? Sets[0].Rows : [];

        /// <summary>The first set's summary.</summary>
        public EvalSummaryJson? Summary => Sets.Length > 0 ? Sets[0].Summary : null;
    }
}
