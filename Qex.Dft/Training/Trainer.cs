using System.Diagnostics;
using Qex.Autodiff;
using Qex.Autodiff.Optimisers;

namespace Qex.Dft.Training;

/// <summary>Optimiser settings of a training run.</summary>
/// <param name="Optimiser">"lbfgs" or "adam".</param>
/// <param name="MaxEvaluations">Budget of loss-and-gradient evaluations (L-BFGS), or Adam steps.</param>
/// <param name="History">L-BFGS history size m.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="CheckpointEvery">Write a checkpoint at the first accepted iterate after every this many evaluations (0: only at the end).</param>
/// <param name="ValidateEvery">With a validation function: score the accepted iterate after every this many evaluations (0: only the final iterate).</param>
/// <param name="RestartPatience">
/// With validation: after this many validations in a row without a better score, restart the optimiser (fresh
/// L-BFGS memory, or fresh Adam moments). 0: never restart.
/// </param>
/// <param name="RestartFrom">
/// "best": when the patience runs out, restart from the best-validated parameters (the start ends when a restart
/// brings no improvement); "fresh": when the patience runs out, end the current start (the next start, if any,
/// begins from a new initialisation).
/// </param>
/// <param name="AverageBest">
/// With validation: at the end, also score the parameter averages of the 2, 3, ..., k best-validated iterates and
/// keep one if it validates better (neighbouring iterates scatter around a better model). 0 or 1: off.
/// </param>
/// <param name="Starts">
/// Independent starts: start 0 begins at the initial parameters, start k at the k-th fresh initialisation of the
/// seed; each has its own budget of <paramref name="MaxEvaluations"/>, and the kept parameters are the
/// best-validated over all starts run. With few training molecules the loss has a wide valley of near-equal
/// minima whose generalisation differs by an order of magnitude; several starts, chosen among by validation, make
/// the outcome a property of the recipe rather than of one initialisation.
/// </param>
/// <param name="TargetValidation">
/// With validation and several starts: no further start begins once the best validation score is at or below
/// this (0: run every start).
/// </param>
public sealed record TrainingOptions(string Optimiser = "lbfgs", int MaxEvaluations = 200, int History = 20, double LearningRate = 1e-3,
    int CheckpointEvery = 10, int ValidateEvery = 10, int RestartPatience = 0, string RestartFrom = "best", int AverageBest = 0,
    int Starts = 1, double TargetValidation = 0)
{
    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">Names the setting, its value and what is allowed.</exception>
    public void Validate()
    {
        if (Optimiser is not ("lbfgs" or "adam")) throw new ArgumentException($"optimiser.name must be lbfgs or adam; got '{Optimiser}'.");
        if (MaxEvaluations < 1) throw new ArgumentException($"optimiser.max_evaluations must be at least 1; got {MaxEvaluations}.");
        if (MaxEvaluations > 10_000_000) throw new ArgumentException($"optimiser.max_evaluations must be at most 10000000; got {MaxEvaluations}.");
        if (History < 1 || History > 1000) throw new ArgumentException($"optimiser.history (the L-BFGS memory) must be between 1 and 1000; got {History}.");
        if (!double.IsFinite(LearningRate) || !(LearningRate > 0)) throw new ArgumentException($"optimiser.learning_rate must be a positive finite number; got {LearningRate}.");
        if (CheckpointEvery < 0) throw new ArgumentException($"checkpoint_every must be 0 (only at the end) or positive; got {CheckpointEvery}.");
        if (ValidateEvery < 0) throw new ArgumentException($"validate_every must be 0 (only the final iterate) or positive; got {ValidateEvery}.");
        if (RestartPatience < 0) throw new ArgumentException($"optimiser.restart_patience must be 0 (never) or positive; got {RestartPatience}.");
        if (AverageBest < 0 || AverageBest > 64) throw new ArgumentException($"optimiser.average_best must be between 0 (off) and 64; got {AverageBest}.");
        if (RestartFrom is not ("best" or "fresh")) throw new ArgumentException($"optimiser.restart_from must be best or fresh; got '{RestartFrom}'.");
        if (Starts < 1 || Starts > 1000) throw new ArgumentException($"optimiser.starts must be between 1 and 1000; got {Starts}.");
        if ((long)Starts * MaxEvaluations > 10_000_000) throw new ArgumentException($"optimiser.starts x optimiser.max_evaluations must be at most 10000000; got {Starts} x {MaxEvaluations}.");
        if (!double.IsFinite(TargetValidation) || TargetValidation < 0) throw new ArgumentException($"optimiser.target_validation must be 0 (off) or a positive number; got {TargetValidation}.");
    }
}

/// <summary>One evaluation of the training objective.</summary>
/// <param name="Evaluation">1-based evaluation number (counting a resumed run's earlier ones).</param>
/// <param name="Loss">Batch loss.</param>
/// <param name="GradientNorm">Largest absolute gradient component.</param>
/// <param name="EnergyErrors">E_K - E_ref per training molecule (Hartree).</param>
/// <param name="Milliseconds">Wall time of the evaluation.</param>
public sealed record TrainingStep(int Evaluation, double Loss, double GradientNorm, double[] EnergyErrors, double Milliseconds);

/// <summary>A validation score of an accepted iterate.</summary>
/// <param name="Evaluation">The evaluation count when it was scored.</param>
/// <param name="Score">The score (lower is better).</param>
/// <param name="Improved">True when it is the best so far (these parameters are kept).</param>
/// <param name="Restart">Restarts from the best-validated parameters done before it (over all starts).</param>
public sealed record ValidationPoint(int Evaluation, double Score, bool Improved, int Restart)
{
    /// <summary>The start it belongs to (0: the first).</summary>
    public int Start { get; init; }

    /// <summary>When scoring an average of the best-validated iterates: how many (0: an iterate).</summary>
    public int AveragedOver { get; init; }
}

/// <summary>The outcome of training.</summary>
/// <param name="Parameters">The kept parameters: the best-validated ones, or the lowest-loss ones without validation.</param>
/// <param name="Loss">The lowest training loss seen.</param>
/// <param name="Evaluations">Total evaluations.</param>
/// <param name="Status">How it ended.</param>
/// <param name="LossHistory">Loss of every evaluation.</param>
/// <param name="BestValidation">Validation score of the kept parameters (NaN without validation).</param>
/// <param name="BestValidationEvaluation">Evaluation at which they were scored (0 without validation).</param>
/// <param name="ValidationHistory">Every validation score.</param>
/// <param name="Restarts">Optimiser restarts from the best-validated parameters (over all starts).</param>
/// <param name="Final">The last iterate (where a resumed run continues).</param>
public sealed record TrainingResult(ParameterSet Parameters, double Loss, int Evaluations, string Status, double[] LossHistory,
    double BestValidation = double.NaN, int BestValidationEvaluation = 0, IReadOnlyList<ValidationPoint>? ValidationHistory = null,
    int Restarts = 0, ParameterSet? Final = null)
{
    /// <summary>How many best-validated iterates the kept parameters average (0 or 1: a single iterate).</summary>
    public int AveragedOver { get; init; }

    /// <summary>Starts run (see <see cref="TrainingOptions.Starts"/>).</summary>
    public int StartsRun { get; init; } = 1;

    /// <summary>The start whose parameters are kept (0-based; for averages, the start of the best single iterate).</summary>
    public int KeptStart { get; init; }
}

/// <summary>The training objective went non-finite repeatedly; the last good checkpoint is kept.</summary>
public sealed class NonFiniteLossException(string message) : Exception(message);

/// <summary>
/// Trains a functional on a training objective (1D or molecular Kohn–Sham, <see cref="ITrainingObjective"/>): L-BFGS or
/// Adam, validation-based selection (early stopping), restarts, several starts, atomic checkpoints and exact resume.
/// </summary>
public sealed class Trainer
{
    private readonly ITrainingObjective _objective;

    /// <summary>A trainer of <paramref name="objective"/>.</summary>
    public Trainer(ITrainingObjective objective) => _objective = objective ?? throw new ArgumentNullException(nameof(objective));

    /// <summary>The objective.</summary>
    public ITrainingObjective Objective => _objective;

    /// <summary>Loss, gradient (flat, in the layout of <paramref name="layout"/>) and per-molecule energy errors.</summary>
    public (double Loss, double[] Gradient, double[] EnergyErrors) Evaluate(ParameterSet layout, double[] flat) => _objective.Evaluate(layout, flat);

    /// <summary>
    /// Trains from <paramref name="initial"/>, or continues the run saved in <paramref name="resumeFrom"/> exactly
    /// where it stopped (same optimiser state, same counters: the final parameters equal an uninterrupted run's).
    /// After every evaluation <paramref name="onStep"/> is called. Checkpoints (parameters, the complete optimiser
    /// state, histories) are written atomically to <paramref name="checkpointPath"/> at accepted iterates and at
    /// the end. Evaluations whose loss is not finite are rejected (L-BFGS shortens its step); after 10 in a row
    /// training stops, keeping the last good checkpoint.
    /// With <paramref name="validate"/> (lower is better) accepted iterates are scored every
    /// <see cref="TrainingOptions.ValidateEvery"/> evaluations and at the end, and the best-scored parameters are
    /// kept (early stopping; with few training molecules the loss keeps falling long after generalisation peaks).
    /// </summary>
    /// <param name="initial">Starting parameters (their layout is the layout of every parameter vector).</param>
    /// <param name="options">Optimiser settings.</param>
    /// <param name="seed">Recorded in checkpoints.</param>
    /// <param name="onStep">Called after every evaluation.</param>
    /// <param name="checkpointPath">Checkpoint file (null: none).</param>
    /// <param name="resumeFrom">The training record of a checkpoint to continue.</param>
    /// <param name="cancel">Stops training at the next evaluation (a final checkpoint is written).</param>
    /// <param name="validate">Validation score of parameters (lower is better).</param>
    /// <param name="onValidation">Called after every validation.</param>
    /// <param name="checkpointFactory">Builds the checkpoint to save from (kept parameters, training record); default: a bare checkpoint of the functional.</param>
    /// <param name="initialiser">The initial parameters of start k (k = 1, 2, ...; needed for several starts).</param>
    /// <param name="onStart">Called when start k (k = 1, 2, ...) begins.</param>
    public TrainingResult Train(ParameterSet initial, TrainingOptions options, long seed, Action<TrainingStep>? onStep = null,
        string? checkpointPath = null, TrainingProgressRecord? resumeFrom = null, CancellationToken cancel = default,
        Func<ParameterSet, double>? validate = null, Action<ValidationPoint>? onValidation = null,
        Func<ParameterSet, TrainingProgressRecord, ITrainingCheckpoint>? checkpointFactory = null, Func<int, ParameterSet>? initialiser = null,
        Action<int>? onStart = null)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        bool lbfgs = options.Optimiser == "lbfgs";
        bool fresh = options.RestartFrom == "fresh";
        if (options.Starts > 1 && initialiser is null)
            throw new ArgumentException("Several starts need an initialiser (the initial parameters of each start).");
        var r = resumeFrom;
        if (r is not null && r.Optimiser != options.Optimiser)
            throw new ArgumentException($"--resume: the checkpoint was trained with {r.Optimiser}, the config uses {options.Optimiser}.");
        if (r is not null && r.Current is null)
            throw new ArgumentException("--resume: the checkpoint has no optimiser state (written by an older Qex); start a new run, or use it as model.init.");
        int n = initial.TotalLength;
        var history = new List<double>(r?.LossHistory ?? []);
        int evaluations = r?.Evaluations ?? 0;
        double bestLoss = r?.Loss ?? double.PositiveInfinity;
        var best = r?.Best is { } rb ? (double[])rb.Clone() : initial.Flatten();
        int badInARow = r?.BadInARow ?? 0;
        double bestValidation = r?.BestValidation ?? double.PositiveInfinity;
        int bestValidationAt = r?.BestValidationEvaluation ?? 0;
        double[]? selected = r?.Selected is { } rs ? (double[])rs.Clone() : null;
        double selectedLoss = r?.SelectedLoss ?? double.NaN;
        double[]? selectedGradient = r?.SelectedGradient is { } rg ? (double[])rg.Clone() : null;
        var validations = new List<ValidationPoint>(r?.Validations ?? []);
        int lastValidation = r?.LastValidation ?? -1;
        int lastCheckpoint = evaluations;
        int stale = r?.StaleValidations ?? 0;
        int restarts = r?.Restarts ?? 0;
        int averagedOver = r?.AveragedOver ?? 0;
        // the best-validated iterates (score, parameters), best first, for the final averages
        var top = new List<(double Score, double[] X)>((r?.TopValidated ?? []).Select(t => (t.Score, (double[])t.Parameters.Clone())));
        double startBest = r?.StartBestValidation ?? double.PositiveInfinity;   // the current start's best score
        bool improvedSinceRestart = r?.ImprovedSinceRestart ?? false;
        int start = r?.Start ?? 0;                      // the current start
        int startBegan = r?.StartBeganAt ?? 0;          // evaluations done before it began
        bool startOver = r?.StartOver ?? false;         // whether the current start has ended
        int keptStart = r?.KeptStart ?? 0;
        string status = "finished";
        // the optimiser's position: its current iterate (and, for L-BFGS, the full state; for Adam the moments)
        LbfgsState? lbfgsState = r is { Current: { } c, CurrentLoss: { } cl, CurrentGradient: { } cg }
            ? new LbfgsState((double[])c.Clone(), cl, (double[])cg.Clone(), r.LbfgsS ?? [], r.LbfgsY ?? [], r.LbfgsIterations, evaluations, r.LbfgsPreviousLoss ?? double.NaN)
            : null;
        double[] adamX = r?.Current is { } ax ? (double[])ax.Clone() : initial.Flatten();
        AdamState? adamState = r?.AdamM is { } m && r.AdamV is { } v ? new AdamState(m, v, r.AdamStep) : null;
        if (lbfgsState is not null && lbfgsState.X.Length != n || adamX.Length != n)
            throw new ArgumentException($"--resume: the checkpoint's optimiser state has {adamX.Length} parameters, the model {n}.");

        TrainingProgressRecord Record(bool finished) => new(evaluations, bestLoss, options.Optimiser, seed, history.ToArray(),
            adamState?.M, adamState?.V, adamState?.Step ?? 0,
            double.IsFinite(bestValidation) ? bestValidation : null, bestValidationAt, validations.Select(p => new[] { p.Evaluation, p.Score }).ToArray())
        {
            Best = best,
            BadInARow = badInARow,
            Selected = selected,
            SelectedLoss = double.IsFinite(selectedLoss) ? selectedLoss : null,
            SelectedGradient = selectedGradient,
            Validations = validations.ToArray(),
            LastValidation = lastValidation,
            StaleValidations = stale,
            Restarts = restarts,
            StartBestValidation = double.IsFinite(startBest) ? startBest : null,
            ImprovedSinceRestart = improvedSinceRestart,
            Start = start,
            StartBeganAt = startBegan,
            StartOver = startOver,
            KeptStart = keptStart,
            Current = lbfgs ? lbfgsState?.X : adamX,
            CurrentLoss = lbfgs ? lbfgsState?.Value : null,
            CurrentGradient = lbfgs ? lbfgsState?.Gradient : null,
            LbfgsS = lbfgs ? lbfgsState?.S : null,
            LbfgsY = lbfgs ? lbfgsState?.Y : null,
            LbfgsIterations = lbfgsState?.Iterations ?? 0,
            LbfgsPreviousLoss = lbfgsState is { PreviousValue: var pv } && double.IsFinite(pv) ? pv : null,
            TopValidated = top.Select(t => new ScoredParameters(t.Score, t.X)).ToArray(),
            AveragedOver = averagedOver,
            Finished = finished,
            Status = finished ? status : null,
        };
        ParameterSet Kept() => initial.Unflatten(selected ?? best);
        void Save(bool finished)
        {
            if (checkpointPath is null) return;
            var record = Record(finished);
            (checkpointFactory?.Invoke(Kept(), record) ?? _objective.Checkpoint(Kept(), record)).Save(checkpointPath);
            lastCheckpoint = evaluations;
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
                (loss, g, errors) = (double.NaN, new double[x.Length], new double[_objective.Count]);
            }
            evaluations++;
            bool finite = double.IsFinite(loss) && g.All(double.IsFinite);
            history.Add(loss);
            if (finite)
            {
                badInARow = 0;
                if (loss < bestLoss) { bestLoss = loss; best = (double[])x.Clone(); }
            }
            else if (++badInARow >= 10)
                throw new NonFiniteLossException($"The loss was not finite in {badInARow} evaluations in a row (last at evaluation {evaluations}).");
            double gmax = finite ? g.Max(Math.Abs) : double.NaN;
            onStep?.Invoke(new TrainingStep(evaluations, loss, gmax, errors, sw.Elapsed.TotalMilliseconds));
            return finite ? (loss, g) : (double.NaN, g.Select(_ => double.NaN).ToArray());
        }

        double[]? validatedX = null;
        // scores an accepted iterate (x, its loss f and gradient g)
        void Score(double[] x, double f, double[] g)
        {
            if (validate is null) return;
            validatedX = x;
            double score = validate(initial.Unflatten(x));
            lastValidation = evaluations;
            bool improved = score < bestValidation;
            if (improved)
            {
                bestValidation = score; bestValidationAt = evaluations;
                selected = (double[])x.Clone(); selectedLoss = f; selectedGradient = (double[])g.Clone();
                improvedSinceRestart = true;
                keptStart = start;
            }
            // patience counts against the best score of the current start
            if (score < startBest) stale = 0;
            else stale++;
            startBest = Math.Min(startBest, score);
            if (options.AverageBest > 1 && double.IsFinite(score))
            {
                top.Add((score, (double[])x.Clone()));
                top.Sort((a, b) => a.Score.CompareTo(b.Score));
                if (top.Count > options.AverageBest) top.RemoveAt(top.Count - 1);
            }
            var point = new ValidationPoint(evaluations, score, improved, restarts) { Start = start };
            validations.Add(point);
            onValidation?.Invoke(point);
        }
        bool ValidationDue() => validate is not null && options.ValidateEvery > 0 && evaluations - lastValidation >= options.ValidateEvery;
        bool CheckpointDue() => options.CheckpointEvery > 0 && evaluations - lastCheckpoint >= options.CheckpointEvery;
        bool RestartDue() => validate is not null && options.RestartPatience > 0 && stale >= options.RestartPatience;

        bool StartExhausted() => evaluations - startBegan >= options.MaxEvaluations;
        bool TargetReached() => validate is not null && options.TargetValidation > 0 && bestValidation <= options.TargetValidation;
        // after a start ended: the next one begins (its first point evaluated by beginAt) unless none is left or the
        // target is reached; false when training is over
        bool NextStart(Func<double[], bool> beginAt)
        {
            while (start + 1 < options.Starts)
            {
                if (TargetReached())
                {
                    status = FormattableString.Invariant($"validation target {options.TargetValidation:G4} reached in start {keptStart + 1}");
                    return false;
                }
                start++;
                startBegan = evaluations;
                startOver = false;
                stale = 0;
                startBest = double.PositiveInfinity;
                improvedSinceRestart = false;
                onStart?.Invoke(start);
                if (beginAt(initialiser!(start).Flatten())) return true;
                startOver = true;   // not finite at its initial parameters: the start is over at once
            }
            return false;
        }

        // a finished run whose last start ran out of its budget continues that start when the budget is raised
        if (r is { Finished: true, Status: "MaxEvaluations" } && startOver && !StartExhausted()) startOver = false;

        try
        {
            if (r is { Finished: true } && startOver && (start + 1 >= options.Starts || TargetReached())) status = "budget already used";
            else if (lbfgs)
            {
                LbfgsOptions StartOptions() => new(HistorySize: options.History, MaxEvaluations: startBegan + options.MaxEvaluations, MaxIterations: int.MaxValue,
                    FunctionTolerance: 2.220446049250313e-16, GradientTolerance: 1e-14);
                bool Progress(LbfgsProgress p)
                {
                    lbfgsState = p.State;
                    if (ValidationDue()) Score(p.X, p.Value, p.State.Gradient);
                    if (CheckpointDue()) Save(false);
                    return !RestartDue();
                }
                bool BeginAt(double[] x0)
                {
                    var (f0, g0) = Objective(x0);
                    if (!double.IsFinite(f0)) return false;
                    if (ValidationDue()) Score(x0, f0, g0);
                    lbfgsState = new LbfgsState(x0, f0, (double[])g0.Clone(), [], [], 0, evaluations);
                    return true;
                }
                // the KSR recipe: SciPy L-BFGS-B with factr = 1 and pgtol = 1e-14, i.e. run out the evaluation budget
                if (lbfgsState is null && !BeginAt(initial.Flatten())) throw new ArgumentException("The training loss is not finite at the initial parameters.");
                bool running = !startOver || NextStart(BeginAt);
                while (running)
                {
                    var res = Lbfgs.Resume(Objective, lbfgsState!, StartOptions(), Progress);
                    status = res.Status.ToString();
                    if (res.Status == LbfgsStatus.Stopped && !fresh && !StartExhausted())
                    {
                        // patience exhausted: restart from the best-validated iterate with a fresh memory, unless the
                        // previous restart found nothing better (the same start would repeat the same path)
                        if (improvedSinceRestart && selected is not null && selectedGradient is not null)
                        {
                            restarts++;
                            stale = 0;
                            improvedSinceRestart = false;
                            lbfgsState = new LbfgsState((double[])selected.Clone(), selectedLoss, (double[])selectedGradient.Clone(), [], [], 0, evaluations);
                            continue;
                        }
                        status = "early stop: no validation improvement after a restart";
                    }
                    // the start is over: its last iterate is scored, then the next start begins (if any)
                    if (validate is not null && lbfgsState is { } fin && (validatedX is null || !validatedX.AsSpan().SequenceEqual(fin.X)))
                        Score(fin.X, fin.Value, fin.Gradient);
                    startOver = true;
                    running = NextStart(BeginAt);
                }
            }
            else
            {
                var adam = adamState is { } st ? new Adam(st, new AdamOptions(options.LearningRate)) : new Adam(n, new AdamOptions(options.LearningRate));
                (double[] X, double F, double[] G)? last = null;
                bool BeginAt(double[] x0)
                {
                    adamX = x0;
                    adam = new Adam(n, new AdamOptions(options.LearningRate));
                    adamState = adam.State;
                    last = null;
                    return true;
                }
                bool running = !startOver || NextStart(BeginAt);
                while (running)
                {
                    while (!StartExhausted())
                    {
                        var (loss, g) = Objective(adamX);
                        if (!double.IsFinite(loss)) { adamX = (double[])best.Clone(); continue; }
                        last = ((double[])adamX.Clone(), loss, g);
                        if (ValidationDue()) Score(last.Value.X, loss, g);
                        if (RestartDue())
                        {
                            if (fresh) break;   // the start is over
                            if (!improvedSinceRestart || selected is null) { status = "early stop: no validation improvement after a restart"; break; }
                            restarts++; stale = 0; improvedSinceRestart = false;
                            adamX = (double[])selected.Clone();
                            adam = new Adam(n, new AdamOptions(options.LearningRate));
                            adamState = adam.State;
                            continue;
                        }
                        adam.Step(adamX, g);
                        adamState = adam.State;
                        if (CheckpointDue()) Save(false);
                    }
                    if (validate is not null && last is { } l && !ReferenceEquals(validatedX, l.X)) Score(l.X, l.F, l.G);
                    startOver = true;
                    running = NextStart(BeginAt);
                }
            }
        }
        catch (NonFiniteLossException e)
        {
            status = "stopped: " + e.Message;
        }
        catch (OperationCanceledException)
        {
            status = "cancelled";
        }
        if (validate is not null && options.AverageBest > 1 && averagedOver == 0 && !status.StartsWith("stopped", StringComparison.Ordinal) && status != "cancelled")
        {
            // averages of the k best-validated iterates, k = 2..K, each scored like an iterate
            for (int k = 2; k <= top.Count; k++)
            {
                var mean = new double[n];
                for (int j = 0; j < k; j++)
                    for (int i = 0; i < n; i++) mean[i] += top[j].X[i];
                for (int i = 0; i < n; i++) mean[i] /= k;
                double score = validate(initial.Unflatten(mean));
                var point = new ValidationPoint(evaluations, score, score < bestValidation, restarts) { AveragedOver = k, Start = start };
                validations.Add(point);
                onValidation?.Invoke(point);
                if (score < bestValidation) { bestValidation = score; selected = mean; averagedOver = k; }
            }
            if (averagedOver == 0) averagedOver = 1;
        }
        Save(true);
        return new TrainingResult(Kept(), bestLoss, evaluations, status, history.ToArray(),
            double.IsFinite(bestValidation) ? bestValidation : double.NaN, bestValidationAt, validations, restarts,
            initial.Unflatten(lbfgs ? lbfgsState?.X ?? best : adamX)) { AveragedOver = averagedOver, StartsRun = start + 1, KeptStart = keptStart };
    }
}
