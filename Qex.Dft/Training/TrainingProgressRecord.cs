namespace Qex.Dft.Training;

/// <summary>
/// Training progress stored with a checkpoint: counters and histories for reports, and the complete optimiser state
/// (the current iterate, L-BFGS correction pairs or Adam moments) so that a resumed run continues exactly.
/// </summary>
/// <param name="Evaluations">Loss-and-gradient evaluations done.</param>
/// <param name="Loss">The lowest training loss seen.</param>
/// <param name="Optimiser">Optimiser name.</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="LossHistory">Loss after each evaluation.</param>
/// <param name="AdamM">Adam first moments (when training with Adam).</param>
/// <param name="AdamV">Adam second moments.</param>
/// <param name="AdamStep">Adam step count.</param>
/// <param name="BestValidation">Best validation score so far (the stored parameters are those), if validating.</param>
/// <param name="BestValidationEvaluation">Evaluation of the best validation score.</param>
/// <param name="ValidationHistory">Pairs [evaluation, score].</param>
public sealed record TrainingProgressRecord(int Evaluations, double Loss, string Optimiser, long Seed, double[] LossHistory,
    double[]? AdamM = null, double[]? AdamV = null, int AdamStep = 0,
    double? BestValidation = null, int BestValidationEvaluation = 0, double[][]? ValidationHistory = null)
{
    /// <summary>The lowest-loss parameters (flat).</summary>
    public double[]? Best { get; init; }

    /// <summary>Non-finite evaluations in a row at the time of the checkpoint.</summary>
    public int BadInARow { get; init; }

    /// <summary>The best-validated parameters (flat), with their loss and gradient (restarts start there).</summary>
    public double[]? Selected { get; init; }

    /// <summary>Loss at <see cref="Selected"/>.</summary>
    public double? SelectedLoss { get; init; }

    /// <summary>Gradient at <see cref="Selected"/>.</summary>
    public double[]? SelectedGradient { get; init; }

    /// <summary>Every validation.</summary>
    public ValidationPoint[]? Validations { get; init; }

    /// <summary>Evaluation count at the last validation (-1: none).</summary>
    public int LastValidation { get; init; } = -1;

    /// <summary>Validations in a row without improvement.</summary>
    public int StaleValidations { get; init; }

    /// <summary>Restarts done.</summary>
    public int Restarts { get; init; }

    /// <summary>The best validation score of the current start.</summary>
    public double? StartBestValidation { get; init; }

    /// <summary>Whether the validation improved since the last restart.</summary>
    public bool ImprovedSinceRestart { get; init; }

    /// <summary>The current start (0-based; see <see cref="TrainingOptions.Starts"/>).</summary>
    public int Start { get; init; }

    /// <summary>Evaluations done before the current start began.</summary>
    public int StartBeganAt { get; init; }

    /// <summary>Whether the current start has ended (its budget used, converged or stopped early).</summary>
    public bool StartOver { get; init; }

    /// <summary>The start of the kept (best-validated) parameters.</summary>
    public int KeptStart { get; init; }

    /// <summary>The optimiser's current iterate (flat): L-BFGS's last accepted point, Adam's next point.</summary>
    public double[]? Current { get; init; }

    /// <summary>L-BFGS: loss at <see cref="Current"/>.</summary>
    public double? CurrentLoss { get; init; }

    /// <summary>L-BFGS: gradient at <see cref="Current"/>.</summary>
    public double[]? CurrentGradient { get; init; }

    /// <summary>L-BFGS: stored steps, oldest first.</summary>
    public double[][]? LbfgsS { get; init; }

    /// <summary>L-BFGS: stored gradient changes, oldest first.</summary>
    public double[][]? LbfgsY { get; init; }

    /// <summary>L-BFGS: iterations of the current run.</summary>
    public int LbfgsIterations { get; init; }

    /// <summary>L-BFGS: the loss before the last iteration.</summary>
    public double? LbfgsPreviousLoss { get; init; }

    /// <summary>The best-validated iterates kept for the final averages (best first).</summary>
    public ScoredParameters[]? TopValidated { get; init; }

    /// <summary>How many best-validated iterates the kept parameters average (0: not yet decided; 1: a single iterate).</summary>
    public int AveragedOver { get; init; }

    /// <summary>True when the run ended (budget, convergence, early stop); false for an intermediate checkpoint.</summary>
    public bool Finished { get; init; }

    /// <summary>How the run ended (finished checkpoints).</summary>
    public string? Status { get; init; }
}

/// <summary>Parameters with their validation score.</summary>
/// <param name="Score">Validation score.</param>
/// <param name="Parameters">Flat parameters.</param>
public sealed record ScoredParameters(double Score, double[] Parameters);
