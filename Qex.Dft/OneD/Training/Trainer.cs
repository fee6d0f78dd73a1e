using System.Diagnostics;
using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.OneD.Training;

/// <summary>Optimiser settings of a training run.</summary>
/// <param name="Optimiser">"lbfgs" or "adam".</param>
/// <param name="MaxEvaluations">Budget of loss-and-gradient evaluations (L-BFGS), or Adam steps.</param>
/// <param name="History">L-BFGS history size m.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="CheckpointEvery">Write the best parameters every this many evaluations (0: only at the end).</param>
/// <param name="ValidateEvery">With a validation function: score the current parameters every this many evaluations.</param>
public sealed record TrainingOptions(string Optimiser = "lbfgs", int MaxEvaluations = 200, int History = 20, double LearningRate = 1e-3, int CheckpointEvery = 10, int ValidateEvery = 10);

/// <summary>One evaluation of the training objective.</summary>
/// <param name="Evaluation">1-based evaluation number (counting a resumed run's earlier ones).</param>
/// <param name="Loss">Batch loss.</param>
/// <param name="GradientNorm">Largest absolute gradient component.</param>
/// <param name="EnergyErrors">E_K - E_ref per training molecule (Hartree).</param>
/// <param name="Milliseconds">Wall time of the evaluation.</param>
public sealed record TrainingStep(int Evaluation, double Loss, double GradientNorm, double[] EnergyErrors, double Milliseconds);

/// <summary>The outcome of training.</summary>
/// <param name="Parameters">Best parameters found.</param>
/// <param name="Loss">Their loss.</param>
/// <param name="Evaluations">Total evaluations.</param>
/// <param name="Status">How it ended.</param>
/// <param name="LossHistory">Loss of every evaluation.</param>
/// <param name="BestValidation">Validation score of the returned parameters (NaN without validation).</param>
/// <param name="BestValidationEvaluation">Evaluation at which they were found (0 without validation).</param>
public sealed record TrainingResult(ParameterSet Parameters, double Loss, int Evaluations, string Status, double[] LossHistory,
    double BestValidation = double.NaN, int BestValidationEvaluation = 0);

/// <summary>The training objective went non-finite repeatedly; the last good checkpoint is kept.</summary>
public sealed class NonFiniteLossException(string message) : Exception(message);

/// <summary>
/// Trains an XC functional through the Kohn–Sham SCF: the objective is the mean trajectory loss over a batch of
/// molecules (any mix of datasets), its gradient flows through every KS iteration. Molecules are evaluated in
/// parallel (each with its own graph) and summed in a fixed order, so results are deterministic.
/// </summary>
public sealed class Trainer
{
    private readonly KohnShamSolver _solver;
    private readonly IXcFunctional _functional;
    private readonly IReadOnlyList<Sample> _batch;
    private readonly ScfOptions _scf;
    private readonly LossWeights _weights;

    /// <summary>A trainer for a batch of reference samples (all on the solver's grid).</summary>
    /// <exception cref="ArgumentException">Empty batch, or a sample on another grid.</exception>
    public Trainer(KohnShamSolver solver, IXcFunctional functional, IReadOnlyList<Sample> batch, ScfOptions? scf = null, LossWeights? weights = null)
    {
        if (batch.Count == 0) throw new ArgumentException("The training batch is empty.");
        foreach (var s in batch)
            if (s.Density.Length != solver.Grid.Count)
                throw new ArgumentException($"Training sample '{s.Label}' has {s.Density.Length} density points; the grid has {solver.Grid.Count}.");
        _solver = solver;
        _functional = functional;
        _batch = batch;
        _scf = scf ?? new ScfOptions();
        _weights = weights ?? new LossWeights();
    }

    /// <summary>Loss, gradient (flat, in the layout of <paramref name="layout"/>) and per-molecule energy errors.</summary>
    public (double Loss, double[] Gradient, double[] EnergyErrors) Evaluate(ParameterSet layout, double[] flat)
    {
        var parameters = layout.Unflatten(flat);
        var losses = new double[_batch.Count];
        var errors = new double[_batch.Count];
        var grads = new double[_batch.Count][];
        Parallel.For(0, _batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(_batch.Count, Environment.ProcessorCount) }, i =>
        {
            var vars = parameters.ToVars();
            var trajectory = _solver.Run(_batch[i].Molecule, _functional, vars, _scf);
            var loss = TrajectoryLoss.Molecule(trajectory, _batch[i], _solver.Grid.Spacing, _weights);
            losses[i] = loss.ToScalar();
            errors[i] = trajectory.Final.Energy.ToScalar() - _batch[i].TotalEnergy;
            grads[i] = parameters.FlattenGradients(Grad.Compute(loss, vars));
        });
        var g = new double[flat.Length];
        double total = 0;
        for (int i = 0; i < _batch.Count; i++)
        {
            total += losses[i] / _batch.Count;
            for (int j = 0; j < g.Length; j++) g[j] += grads[i][j] / _batch.Count;
        }
        return (total, g, errors);
    }

    /// <summary>
    /// Trains from <paramref name="initial"/>. After every evaluation <paramref name="onStep"/> is called; every
    /// <see cref="TrainingOptions.CheckpointEvery"/> evaluations and at the end the best parameters so far are
    /// written to <paramref name="checkpointPath"/> (atomically). Evaluations whose loss is not finite are rejected
    /// (L-BFGS shortens its step); after 10 in a row training stops, keeping the last good checkpoint.
    /// With <paramref name="validate"/> (lower is better, e.g. the validation MAE) the parameters are scored every
    /// <see cref="TrainingOptions.ValidateEvery"/> evaluations and "best" means best validation score (early
    /// stopping): with few training molecules the loss keeps falling long after generalisation has peaked.
    /// </summary>
    public TrainingResult Train(ParameterSet initial, TrainingOptions options, long seed, Action<TrainingStep>? onStep = null,
        string? checkpointPath = null, TrainingProgressRecord? resumeFrom = null, CancellationToken cancel = default,
        Func<ParameterSet, double>? validate = null, Action<int, double>? onValidation = null)
    {
        var history = new List<double>(resumeFrom?.LossHistory ?? []);
        int evaluations = resumeFrom?.Evaluations ?? 0;
        double bestLoss = resumeFrom?.Loss ?? double.PositiveInfinity;
        var best = initial.Flatten();
        int badInARow = 0;
        string status = "finished";
        AdamState? adamState = null;
        double bestValidation = resumeFrom?.BestValidation ?? double.PositiveInfinity;
        int bestValidationAt = resumeFrom?.BestValidationEvaluation ?? 0;
        var validationHistory = new List<double[]>(resumeFrom?.ValidationHistory ?? []);
        var selected = validate is null ? null : initial.Flatten();

        void Checkpoint(bool force)
        {
            if (checkpointPath is null || !double.IsFinite(bestLoss)) return;
            if (!force && (options.CheckpointEvery <= 0 || evaluations % options.CheckpointEvery != 0)) return;
            new XcCheckpoint(_functional.Name, initial.Unflatten(selected ?? best),
                new TrainingProgressRecord(evaluations, bestLoss, options.Optimiser, seed, history.ToArray(), adamState?.M, adamState?.V, adamState?.Step ?? 0,
                    double.IsFinite(bestValidation) ? bestValidation : null, bestValidationAt, validationHistory.ToArray()))
                .Save(checkpointPath);
        }

        (double, double[]) Objective(double[] x)
        {
            cancel.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            double loss; double[] g; double[] errors;
            try
            {
                (loss, g, errors) = Evaluate(initial, x);
            }
            catch (Exception e) when (e is ArithmeticException || (e is AggregateException ae && ae.Flatten().InnerExceptions.All(x => x is ArithmeticException)))
            {
                (loss, g, errors) = (double.NaN, new double[x.Length], new double[_batch.Count]);
            }
            evaluations++;
            bool finite = double.IsFinite(loss) && g.All(double.IsFinite);
            history.Add(loss);
            if (finite)
            {
                badInARow = 0;
                if (loss < bestLoss) { bestLoss = loss; best = (double[])x.Clone(); }
                if (validate is not null && options.ValidateEvery > 0 && evaluations % options.ValidateEvery == 0)
                {
                    double score = validate(initial.Unflatten(x));
                    validationHistory.Add([evaluations, score]);
                    onValidation?.Invoke(evaluations, score);
                    if (score < bestValidation) { bestValidation = score; bestValidationAt = evaluations; selected = (double[])x.Clone(); }
                }
            }
            else if (++badInARow >= 10)
                throw new NonFiniteLossException($"The loss was not finite in {badInARow} evaluations in a row (last at evaluation {evaluations}).");
            double gmax = finite ? g.Max(Math.Abs) : double.NaN;
            Checkpoint(false);
            onStep?.Invoke(new TrainingStep(evaluations, loss, gmax, errors, sw.Elapsed.TotalMilliseconds));
            return finite ? (loss, g) : (double.NaN, g.Select(_ => double.NaN).ToArray());
        }

        int budget = options.MaxEvaluations - evaluations;
        try
        {
            if (budget <= 0) status = "budget already used";
            else if (options.Optimiser.Equals("lbfgs", StringComparison.OrdinalIgnoreCase))
            {
                // the KSR recipe: SciPy L-BFGS-B with factr = 1 and pgtol = 1e-14, i.e. run out the evaluation budget
                var r = Lbfgs.Minimize(Objective, initial.Flatten(), new LbfgsOptions(HistorySize: options.History, MaxEvaluations: budget, MaxIterations: budget,
                    FunctionTolerance: 2.220446049250313e-16, GradientTolerance: 1e-14));
                status = r.Status.ToString();
            }
            else if (options.Optimiser.Equals("adam", StringComparison.OrdinalIgnoreCase))
            {
                var x = initial.Flatten();
                var adam = resumeFrom?.AdamM is { } m && resumeFrom.AdamV is { } v
                    ? new Adam(new AdamState(m, v, resumeFrom.AdamStep), new AdamOptions(options.LearningRate))
                    : new Adam(x.Length, new AdamOptions(options.LearningRate));
                for (int step = 0; step < budget; step++)
                {
                    var (loss, g) = Objective(x);
                    if (!double.IsFinite(loss)) { x = (double[])best.Clone(); continue; }
                    adam.Step(x, g);
                    adamState = adam.State;
                }
                status = "finished";
            }
            else throw new ArgumentException($"Unknown optimiser '{options.Optimiser}'; use lbfgs or adam.");
        }
        catch (NonFiniteLossException e)
        {
            status = "stopped: " + e.Message;
        }
        catch (OperationCanceledException)
        {
            status = "cancelled";
        }
        Checkpoint(true);
        return new TrainingResult(initial.Unflatten(selected ?? best), bestLoss, evaluations, status, history.ToArray(),
            double.IsFinite(bestValidation) ? bestValidation : double.NaN, bestValidationAt);
    }
}
