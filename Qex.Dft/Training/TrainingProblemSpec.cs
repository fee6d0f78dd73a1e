using System.Globalization;

namespace Qex.Dft.Training;

/// <summary>
/// What a training run optimises and selects on, recorded in its checkpoint so that <c>--resume</c> refuses a changed
/// problem instead of silently continuing under it: the training molecules (with any per-molecule density weight), the
/// validation molecules, the loss weights, the validation metric, and the reference energies (another reference set
/// under the same names, e.g. the built-in exact H2 set instead of the shared DMRG one, differs by about 1e-6 Ha; a
/// reference recomputed with another thread count differs in the last bits only and passes).
/// The optimiser's budget is not part of it: a resume may raise <c>optimiser.max_evaluations</c>.
/// </summary>
/// <param name="Train">The training molecules, "dataset:label", with " (density weight w)" where w is not 1.</param>
/// <param name="Validation">The validation molecules, "dataset:label".</param>
/// <param name="Loss">The loss weights as text.</param>
/// <param name="ValidationMetric">The validation metric (max or mae).</param>
/// <param name="ReferenceEnergies">The reference energies (Ha) of the training molecules, then the validation ones.</param>
public sealed record TrainingProblemSpec(string[] Train, string[] Validation, string Loss, string ValidationMetric, double[] ReferenceEnergies)
{
    /// <summary>Reference energies that differ by more than this (Ha, relative to max(1, |E|)) are another reference set.</summary>
    public const double ReferenceTolerance = 1e-9;

    /// <summary>The label of a training molecule with its density weight (when not 1).</summary>
    public static string TrainLabel(string dataset, string label, double densityWeight) =>
        densityWeight == 1 ? $"{dataset}:{label}" : string.Create(CultureInfo.InvariantCulture, $"{dataset}:{label} (density weight {densityWeight:G6})");

    /// <summary>How <paramref name="config"/> differs from this (the checkpoint's) problem; empty when it does not.</summary>
    public IReadOnlyList<string> Differences(TrainingProblemSpec config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var d = new List<string>();
        void Sets(string what, string[] mine, string[] theirs)
        {
            if (mine.SequenceEqual(theirs)) return;
            var gone = mine.Except(theirs).ToList();
            var added = theirs.Except(mine).ToList();
            d.Add(gone.Count == 0 && added.Count == 0
                ? $"{what}: the same molecules in another order"
                : $"{what}: {(gone.Count > 0 ? $"the checkpoint has {string.Join(", ", gone)}" : "")}{(gone.Count > 0 && added.Count > 0 ? "; " : "")}{(added.Count > 0 ? $"the config has {string.Join(", ", added)}" : "")}");
        }
        Sets("data.train", Train ?? [], config.Train ?? []);
        Sets("data.validation", Validation ?? [], config.Validation ?? []);
        if (Loss != config.Loss) d.Add($"loss: {Loss} in the checkpoint, {config.Loss} in the config");
        if (ValidationMetric != config.ValidationMetric) d.Add($"validation metric: {ValidationMetric} in the checkpoint, {config.ValidationMetric} in the config");
        if (d.Count == 0 && ReferenceEnergies is { } mine && config.ReferenceEnergies is { } theirs)
        {
            var names = (Train ?? []).Concat(Validation ?? []).ToList();
            int k = mine.Length != theirs.Length ? -1
                : Enumerable.Range(0, mine.Length).FirstOrDefault(i => !(Math.Abs(mine[i] - theirs[i]) <= ReferenceTolerance * Math.Max(1, Math.Abs(mine[i]))), -1);
            if (mine.Length != theirs.Length)
                d.Add($"reference energies: {mine.Length} in the checkpoint, {theirs.Length} in the config");
            else if (k >= 0)
                d.Add(string.Create(CultureInfo.InvariantCulture, $"reference energies: {(k < names.Count ? names[k] : $"molecule {k}")} has {mine[k]:R} Ha in the checkpoint, {theirs[k]:R} Ha in the config (another data folder or reference method?)"));
        }
        return d;
    }

    /// <summary>
    /// Refuses a resume whose config poses another problem than the checkpoint's; returns a note when the checkpoint
    /// records none (written by an older Qex), null otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">The config's training problem differs (every difference named).</exception>
    public static string? CheckResume(TrainingProblemSpec? recorded, TrainingProblemSpec config, string checkpointPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (recorded is null) return $"note: '{checkpointPath}' does not record its training data and loss (an older Qex); they are not checked against the config.";
        var d = recorded.Differences(config);
        if (d.Count > 0)
            throw new ArgumentException($"--resume: the config poses another training problem than the checkpoint's ({string.Join("; ", d)}). " +
                "Restore the config, or start a new run from these parameters with model.init.");
        return null;
    }
}
