using Qex.Dft.ScaleOut;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.OneD.Training;
using Qex.Dft.Training;

namespace Qex.Dft.Molecular.Learning;

/// <summary>A list of geometries of one system.</summary>
/// <param name="System">A name of <see cref="MolecularSystems"/> or an .xyz path.</param>
/// <param name="Distances">The scan values R (Angstrom); ignored for a file.</param>
public sealed record MolecularDataEntry(string System, IReadOnlyList<double> Distances)
{
    /// <summary>The geometries with their labels.</summary>
    public IEnumerable<(string Label, double Distance, Molecule Molecule)> Geometries()
    {
        if (MolecularSystems.IsFile(System)) { yield return (Path.GetFileNameWithoutExtension(System), 0, MolecularSystems.Create(System, 1)); yield break; }
        foreach (double r in Distances)
            yield return (string.Create(CultureInfo.InvariantCulture, $"{System} {r:0.###}"), r, MolecularSystems.Create(System, r));
    }
}

/// <summary>A molecular training run's settings (the typed form of a <c>kind: molecular</c> config).</summary>
/// <param name="Model">The model.</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="Basis">Basis set of references and training.</param>
/// <param name="Reference">The reference method (fci, ccsd, ccsd(t)).</param>
/// <param name="Train">Training geometries.</param>
/// <param name="Validation">Validation geometries (selection of the kept parameters).</param>
/// <param name="Test">Test geometries.</param>
/// <param name="Scf">The differentiable SCF.</param>
/// <param name="Loss">Loss weights.</param>
/// <param name="Optimiser">Optimiser settings.</param>
public sealed record MolecularTrainingConfig(MolecularModelSpec Model, long Seed, string Basis, string Reference,
    IReadOnlyList<MolecularDataEntry> Train, IReadOnlyList<MolecularDataEntry> Validation, IReadOnlyList<MolecularDataEntry> Test,
    DifferentiableScfOptions Scf, LossWeights Loss, TrainingOptions Optimiser)
{
    /// <summary>With a teacher reference: TDA singlets of student and teacher per test molecule in the distillation metrics (0: none).</summary>
    public int DistillationExcitations { get; init; } = 3;

    /// <summary>The reference methods (all give densities: see <see cref="MolecularReferences"/>).</summary>
    public static IReadOnlyList<string> References => MolecularReferences.Methods;

    /// <summary>Checks every setting (names the key).</summary>
    /// <exception cref="ArgumentException">A bad value.</exception>
    public void Validate()
    {
        var created = Model.Create();
        if (Loss.HessianWeight > 0 && created is QuantumEnhancementXcModel)
            throw new ArgumentException($"loss.hessian_weight needs third derivatives of the model (its parameter gradient differentiates an XC kernel); {created.Name}'s circuits have exact first and second derivatives only. Use loss.gradient_weight, or a classical model.");
        Scf.Validate();
        Optimiser.Validate();
        if (!MolecularReferences.IsKnown(Reference))
            throw new ArgumentException($"data.reference must be one of {string.Join(", ", References)} or a density functional as a teacher (b3lyp, pbe0, ...); got '{Reference}'.");
        if ((Loss.GradientWeight > 0 || Loss.HessianWeight > 0) && References.Contains(Reference))
            throw new ArgumentException($"loss.gradient_weight and loss.hessian_weight supervise a teacher functional's orbital gradient and Hessian; data.reference '{Reference}' is a correlated method without them (use a functional such as b3lyp).");
        if (Loss.HessianDirections < 1 || Loss.HessianDirections > 1000) throw new ArgumentException($"loss.hessian_directions must be between 1 and 1000; got {Loss.HessianDirections}.");
        if (Scf.Differentiation == ScfDifferentiation.Unrolled && Scf.Iterations < Loss.EnergySteps)
            throw new ArgumentException($"loss.energy_steps ({Loss.EnergySteps}) exceeds scf.iterations ({Scf.Iterations}).");
        if (Loss.EnergySteps < 1) throw new ArgumentException($"loss.energy_steps must be at least 1; got {Loss.EnergySteps}.");
        foreach (var (list, key) in new[] { (Train, "data.train"), (Validation, "data.validation"), (Test, "data.test") })
            foreach (var e in list)
            {
                if (!MolecularSystems.IsFile(e.System) && !MolecularSystems.Names.Contains(e.System))
                    throw new ArgumentException($"{key}: unknown system '{e.System}'; known: {string.Join(", ", MolecularSystems.Names)}, or an .xyz file.");
                if (!MolecularSystems.IsFile(e.System) && e.Distances.Count == 0) throw new ArgumentException($"{key}: system '{e.System}' has no distances.");
                if (e.Distances.Count > 10_000) throw new ArgumentException($"{key}: at most 10000 distances per entry; got {e.Distances.Count}.");
            }
        if (Train.Count == 0) throw new ArgumentException("data.train selects no molecules.");
    }
}

/// <summary>The energy of one geometry with a trained model.</summary>
/// <param name="System">System name.</param>
/// <param name="Label">Geometry label.</param>
/// <param name="Distance">R (Angstrom).</param>
/// <param name="Energy">The model's total energy.</param>
/// <param name="Reference">The reference total energy.</param>
/// <param name="Error">Energy - reference (Hartree).</param>
public sealed record MolecularEvaluationRow(string System, string Label, double Distance, double Energy, double Reference, double Error);

/// <summary>The test result of one system.</summary>
/// <param name="System">System name.</param>
/// <param name="Rows">Test geometries.</param>
/// <param name="Summary">MAE, max and count within chemical accuracy.</param>
/// <param name="TrainingRows">The training geometries of the same system, evaluated the same way.</param>
public sealed record MolecularTestEvaluation(string System, IReadOnlyList<MolecularEvaluationRow> Rows, EvaluationSummary Summary, IReadOnlyList<MolecularEvaluationRow> TrainingRows);

/// <summary>The outcome of a molecular training run.</summary>
public sealed record MolecularTrainingRunResult(IMolecularXcModel Model, ParameterSet Parameters, TrainingResult? Training, IReadOnlyList<MolecularTestEvaluation> Tests,
    double Seconds, double MeanMillisecondsPerEvaluation, string CheckpointPath, string ReportPath, string Reference)
{
    /// <summary>With a teacher-functional reference: the distillation metrics of the test molecules (empty otherwise).</summary>
    public IReadOnlyList<DistillationMetrics> Distillation { get; init; } = [];

    /// <summary>True when training stopped on repeated non-finite losses.</summary>
    public bool Failed => Training is { } t && t.Status.StartsWith("stopped", StringComparison.Ordinal);
}

/// <summary>Callbacks of a molecular run (all optional).</summary>
public sealed class MolecularTrainingEvents
{
    /// <summary>A line of information.</summary>
    public Action<string>? Message { get; init; }

    /// <summary>References computed: (done, total).</summary>
    public Action<int, int>? ReferenceProgress { get; init; }

    /// <summary>Training starts: (evaluations done, budget).</summary>
    public Action<int, int>? Started { get; init; }

    /// <summary>An evaluation, with the labels of the batch.</summary>
    public Action<TrainingStep, IReadOnlyList<string>>? Step { get; init; }

    /// <summary>A validation.</summary>
    public Action<ValidationPoint>? Validation { get; init; }
}

/// <summary>
/// A molecular training run: references (FCI in the config's basis), the differentiable SCF objective, the shared
/// <see cref="Trainer"/> (selection on the validation geometries, checkpoints, resume), test evaluation and the report.
/// </summary>
public sealed class MolecularTrainingRun
{
    private readonly MolecularTrainingConfig _config;
    private readonly string _out;
    private readonly MolecularTrainingEvents _events;
    private readonly BatchScheduler _scheduler;

    /// <summary>
    /// A run (nothing computed yet). With a <paramref name="scheduler"/> over several processes (an MPI job) the
    /// training, validation and test molecules, and their references, are sharded over them
    /// and only rank 0 reports events and writes files.
    /// </summary>
    public MolecularTrainingRun(MolecularTrainingConfig config, string outputDirectory, MolecularTrainingEvents? events = null, BatchScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        config.Validate();
        _scheduler = scheduler ?? BatchScheduler.Local;
        (_config, _out, _events) = (config, outputDirectory, _scheduler.IsRoot ? events ?? new MolecularTrainingEvents() : new MolecularTrainingEvents());
    }

    private void Say(string line) => _events.Message?.Invoke(line);

    // the expected cost of a reference, to balance them over ranks: n^4 integrals and transformations, times the
    // electrons (the correlated methods' and the SCF's work grows with both)
    private static double ReferenceCost(int functions, int electrons) => Math.Pow(functions, 4) * Math.Max(1, electrons);

    /// <summary>The energy of a geometry with a model as trained (the last cycle, or the fixed point in implicit mode).</summary>
    public static double Energy(MolecularProblem problem, IMolecularXcModel model, ParameterSet parameters, DifferentiableScfOptions scf)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(scf);
        var vars = parameters.ToVars().Select(v => v.Detach()).ToArray();
        if (scf.Differentiation == ScfDifferentiation.Implicit)
        {
            var (star, _) = DifferentiableKohnSham.FixedPoint(problem, model, vars, scf);
            return DifferentiableKohnSham.Energy(problem, model, vars, Autodiff.Var.Constant(star)).ToScalar();
        }
        return DifferentiableKohnSham.Run(problem, model, vars, scf).Final.Energy.ToScalar();
    }

    /// <summary>Trains (or resumes), evaluates, writes checkpoint and report.</summary>
    public MolecularTrainingRunResult Execute(bool resume, CancellationToken cancel = default)
    {
        var c = _config;
        bool root = _scheduler.IsRoot;
        if (root) AtomicFile.EnsureWritableDirectory(_out);
        var sw = Stopwatch.StartNew();
        var definition = BasisSetLibrary.Load(c.Basis);
        var entries = c.Train.Select(e => (e, "train")).Concat(c.Validation.Select(e => (e, "validation"))).Concat(c.Test.Select(e => (e, "test")))
            .SelectMany(x => x.e.Geometries().Select(g => (x.e.System, g.Label, g.Distance, g.Molecule, Role: x.Item2))).ToList();
        var samples = new MolecularSample[entries.Count];
        var references = new MolecularReference[entries.Count];
        int done = 0;
        Say($"references: {c.Reference.ToUpperInvariant()}/{c.Basis} for {entries.Count} geometries");
        // each reference is computed by one rank (balanced by basis size) and sent to all as plain numbers
        var payloads = _scheduler.Map([.. entries.Select(e => ReferenceCost(BasisSet.For(e.Molecule, definition).FunctionCount, e.Molecule.ElectronCount))], i =>
        {
            cancel.ThrowIfCancellationRequested();
            var (_, _, _, mol, role) = entries[i];
            var basis = BasisSet.For(mol, definition);
            var reference = MolecularReferences.Compute(mol, basis, c.Reference);
            // the derivative-informed terms of training molecules: the teacher's orbitals and Hessian products
            var teacher = role == "train" && c.Loss.HessianWeight + c.Loss.GradientWeight > 0 ? TeacherDerivatives.Of(mol, basis, reference, c.Loss.HessianDirections, c.Seed + i) : null;
            _events.ReferenceProgress?.Invoke(Interlocked.Increment(ref done), entries.Count);
            return ReferencePayload.Of(reference, teacher);
        }, i => $"the {c.Reference}/{c.Basis} reference of {entries[i].Label}");
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancel }, i =>
        {
            var (_, label, _, mol, _) = entries[i];
            var (reference, teacher) = payloads[i].Restore();
            references[i] = reference;
            samples[i] = new MolecularSample(label, new MolecularProblem(mol, BasisSet.For(mol, definition), c.Scf.Grid ?? DifferentiableScfOptions.DefaultGrid), reference.Energy, reference.Density)
            {
                Teacher = teacher,
            };
        });
        if (_scheduler.Group.Size > 1) _events.ReferenceProgress?.Invoke(entries.Count, entries.Count);
        List<int> Role(string role) => [.. Enumerable.Range(0, entries.Count).Where(i => entries[i].Role == role)];
        var train = Role("train").Select(i => samples[i]).ToList();
        var validation = Role("validation");
        var test = Role("test");
        var model = c.Model.Create();
        var layout = model.InitialParameters(RngKey.FromSeed(c.Seed));
        var objective = new MolecularObjective(model, train, c.Scf, c.Loss, _scheduler);
        if (_scheduler.ShardMap([.. train.Select(s => MolecularObjective.Cost(s.Problem))], i => train[i].Label) is { } map) Say(map);
        var trainer = new Trainer(objective);
        string checkpointPath = Path.Combine(_out, TrainingRun.CheckpointFile);
        var modelSpec = MolecularModelSpec.Of(model);
        var scfSpec = MolecularScfSpec.Of(definition.Name, c.Scf);
        var trainIndices = Role("train");
        var problem = new TrainingProblemSpec(
            [.. trainIndices.Select(i => $"{entries[i].System}:{entries[i].Label}")],
            [.. validation.Select(i => $"{entries[i].System}:{entries[i].Label}")],
            c.Loss.Describe(), "max",
            [.. trainIndices.Concat(validation).Select(i => samples[i].Energy)]);
        TrainingProgressRecord? resumeFrom = null;
        if (resume)
        {
            if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"--resume: no checkpoint at '{checkpointPath}'.", checkpointPath);
            var ck = MolecularXcCheckpoint.Load(checkpointPath);
            if (ck.Model != modelSpec) throw new ArgumentException($"--resume: the checkpoint's model ({ck.Model}) differs from the config's ({modelSpec}).");
            if (ck.Scf != scfSpec) throw new ArgumentException($"--resume: the checkpoint was trained with other SCF settings ({ck.Scf}) than the config's ({scfSpec}).");
            resumeFrom = ck.Training ?? throw new ArgumentException($"--resume: '{checkpointPath}' holds no training state.");
            if (resumeFrom.Seed != c.Seed) throw new ArgumentException($"--resume: the checkpoint was trained with model.seed {resumeFrom.Seed}, the config says {c.Seed}.");
            if (TrainingProblemSpec.CheckResume(ck.Problem, problem, checkpointPath) is { } note) Say(note);
            Say($"resuming from {checkpointPath}: {resumeFrom.Evaluations} evaluations done");
        }
        var labels = train.Select(s => s.Label).ToList();
        Func<ParameterSet, double>? validate = validation.Count == 0 ? null : p =>
        {
            var energies = _scheduler.Map([.. validation.Select(i => MolecularObjective.Cost(samples[i].Problem))],
                k => new[] { Energy(samples[validation[k]].Problem, model, p, c.Scf) }, k => $"validation molecule '{entries[validation[k]].Label}'");
            var errors = validation.Select((i, k) => Math.Abs(energies[k][0] - samples[i].Energy) * 1000).ToList();
            return errors.Max() + 1e-6 * errors.Average();
        };
        Say($"training {model.Describe()} on {train.Count} molecules ({c.Basis}, {c.Scf.Differentiation.ToString().ToLowerInvariant()}), at most {c.Optimiser.MaxEvaluations} evaluations; checkpoints in {checkpointPath}");
        var times = new List<double>();
        _events.Started?.Invoke(resumeFrom?.Evaluations ?? 0, (resumeFrom?.StartBeganAt ?? 0) + c.Optimiser.MaxEvaluations);
        var result = trainer.Train(layout, c.Optimiser, c.Seed, step => { times.Add(step.Milliseconds); _events.Step?.Invoke(step, labels); }, root ? checkpointPath : null, resumeFrom, cancel,
            validate, p => _events.Validation?.Invoke(p),
            (kept, record) => new MolecularXcCheckpoint(model.Name, kept, record) { Model = modelSpec, Scf = scfSpec, Problem = problem },
            k => model.InitialParameters(RngKey.FromSeed(c.Seed).Fold((ulong)k)));
        double mean = times.Count > 0 ? times.Average() : 0;
        Say(string.Create(CultureInfo.InvariantCulture, $"training ended ({result.Status}) after {result.Evaluations} evaluations: best loss {result.Loss:E4}; mean {mean:F0} ms per evaluation"));
        if (validate is not null) Say(string.Create(CultureInfo.InvariantCulture, $"kept the parameters of evaluation {result.BestValidationEvaluation} (validation max error {result.BestValidation:F3} mHa)"));
        if (_scheduler.CommunicationSummary(sw.Elapsed) is { } gathers) Say(gathers);
        List<MolecularEvaluationRow> Rows(List<int> items)
        {
            var energies = _scheduler.Map([.. items.Select(i => MolecularObjective.Cost(samples[i].Problem))],
                k => new[] { Energy(samples[items[k]].Problem, model, result.Parameters, c.Scf) }, k => $"molecule '{entries[items[k]].Label}'");
            return [.. items.Select((i, k) => new MolecularEvaluationRow(entries[i].System, entries[i].Label, entries[i].Distance, energies[k][0], samples[i].Energy, energies[k][0] - samples[i].Energy))];
        }
        var tests = new List<MolecularTestEvaluation>();
        foreach (var system in test.Select(i => entries[i].System).Distinct())
        {
            var rows = Rows([.. test.Where(i => entries[i].System == system)]);
            var trainRows = Rows([.. Role("train").Where(i => entries[i].System == system)]);
            var summary = new EvaluationSummary(rows.Count, rows.Average(r => Math.Abs(r.Error)) * 1000, rows.Max(r => Math.Abs(r.Error)) * 1000,
                rows.Count(r => Math.Abs(r.Error) * 1000 <= 1.6), 0);
            tests.Add(new MolecularTestEvaluation(system, rows, summary, trainRows));
        }
        // against a teacher functional: the distillation metrics of the test molecules (the DI-loss paper's table)
        var distillation = new List<DistillationMetrics>();
        if (references.Length > 0 && references[0].Teacher is not null && test.Count > 0)
        {
            Say($"distillation metrics of {test.Count} test molecules (teacher {c.Reference.ToUpperInvariant()})");
            distillation = [.. _scheduler.Map([.. test.Select(i => MolecularObjective.Cost(samples[i].Problem))],
                k => DistillationMetrics.Evaluate(samples[test[k]], references[test[k]], model, result.Parameters, c.Scf, c.DistillationExcitations),
                k => $"the distillation metrics of {samples[test[k]].Label}")];
            foreach (var d in distillation)
                Say(FormattableString.Invariant(
                    $"  {d.Label}: E error {d.EnergyError * 1000:+0.000;-0.000} mHa, E_rho {d.DensityDrivenError * 1000:F4} mHa, dipole {d.DipoleError:F5} au, L2 density {d.DensityL2:F5}, teacher SCF {d.TeacherIterationsFromStudent} iterations from the student's density ({d.TeacherIterationsFromGuess} from its guess)")
                    + (d.StudentExcitations is { } sx && d.TeacherExcitations is { } tx
                        ? FormattableString.Invariant($", TDA MAE {sx.Zip(tx, (a, b) => Math.Abs(a - b)).Average() * Response.Excitation.ElectronVolt:F4} eV") : ""));
        }
        var run = new MolecularTrainingRunResult(model, result.Parameters, result, tests, sw.Elapsed.TotalSeconds, mean, checkpointPath, Path.Combine(_out, TrainingRun.ReportFile),
            c.Reference.ToUpperInvariant() + "/" + c.Basis) { Distillation = distillation };
        if (root) WriteReport(run, modelSpec, scfSpec);
        return run;
    }

    private void WriteReport(MolecularTrainingRunResult r, MolecularModelSpec model, MolecularScfSpec scf)
    {
        var t = r.Training;
        var report = new
        {
            kind = "molecular",
            model,
            parameter_count = r.Parameters.TotalLength,
            seed = _config.Seed,
            scf,
            differentiation = _config.Scf.Differentiation.ToString().ToLowerInvariant(),
            reference = r.Reference,
            training = t is null ? null : new { status = t.Status, evaluations = t.Evaluations, best_loss = t.Loss, kept_evaluation = t.BestValidationEvaluation,
                validation_max_error_mha = double.IsFinite(t.BestValidation) ? t.BestValidation : (double?)null, mean_ms_per_evaluation = r.MeanMillisecondsPerEvaluation },
            tests = r.Tests.Select(x => new { system = x.System, mae_mha = x.Summary.MaeMilliHartree, max_mha = x.Summary.MaxMilliHartree,
                within_chemical_accuracy = x.Summary.WithinChemicalAccuracy, count = x.Summary.Count,
                rows = x.Rows.Select(row => new { label = row.Label, distance_angstrom = row.Distance, energy = row.Energy, reference = row.Reference, error_mha = row.Error * 1000 }) }),
            distillation = r.Distillation.Count == 0 ? null : new
            {
                mean_abs_energy_error_mha = r.Distillation.Average(d => Math.Abs(d.EnergyError)) * 1000,
                mean_e_rho_mha = r.Distillation.Average(d => d.DensityDrivenError) * 1000,
                mean_dipole_error_au = r.Distillation.Average(d => d.DipoleError),
                mean_density_l2 = r.Distillation.Average(d => d.DensityL2),
                teacher_iterations_from_student = r.Distillation.Sum(d => d.TeacherIterationsFromStudent),
                teacher_iterations_from_guess = r.Distillation.Sum(d => d.TeacherIterationsFromGuess),
                molecules = r.Distillation.Select(d => new { label = d.Label, energy_error_mha = d.EnergyError * 1000, e_rho_mha = d.DensityDrivenError * 1000,
                    dipole_error_au = d.DipoleError, density_l2 = d.DensityL2, teacher_iterations_from_student = d.TeacherIterationsFromStudent,
                    teacher_iterations_from_guess = d.TeacherIterationsFromGuess, student_tda_ev = d.StudentExcitations?.Select(x => x * Response.Excitation.ElectronVolt),
                    teacher_tda_ev = d.TeacherExcitations?.Select(x => x * Response.Excitation.ElectronVolt) }),
            },
            seconds = r.Seconds,
        };
        AtomicFile.WriteAllText(r.ReportPath, JsonSerializer.Serialize(report, ReportJson.Options));
    }
}
