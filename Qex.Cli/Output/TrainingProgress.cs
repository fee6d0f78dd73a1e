using System.Globalization;
using Qex.Dft.OneD.Training;
using Qex.Dft.Training;

namespace Qex.Cli.Output;

/// <summary>Prints a training run's events: data generation, evaluations, validations (standard error).</summary>
public sealed class TrainingProgress
{
    private readonly ProgressReporter _reporter;
    private int _budget = 1;

    /// <summary>Progress on <paramref name="log"/> (nothing when <paramref name="quiet"/>).</summary>
    public TrainingProgress(TextWriter log, bool quiet)
    {
        _reporter = new ProgressReporter(log, quiet);
        Events = new TrainingRunEvents
        {
            Message = _reporter.Message,
            DataProgress = new Training.SyncProgress<(int Done, int Total)>(p =>
                _reporter.Update("exact references", p.Done, p.Total, $"  exact diagonalisation {p.Done}/{p.Total}")),
            Started = (done, budget) => { _budget = budget; _reporter.Update("training", done, budget); },
            Step = (step, labels) =>
            {
                string errs = string.Join(" ", step.EnergyErrors.Select((e, i) => $"{labels[i]}:{MilliHartree(e)}"));
                string line = string.Create(CultureInfo.InvariantCulture, $"eval {step.Evaluation,4}  loss {step.Loss:E4}  |g| {step.GradientNorm:E2}  dE[mHa] {errs}  {step.Milliseconds:F0} ms");
                _reporter.Update("training", step.Evaluation, _budget, line);
            },
            Validation = point =>
            {
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"           validation error {point.Score:F3} mHa {(point.AveragedOver > 0 ? $"for the average of the {point.AveragedOver} best-validated iterates" : $"at evaluation {point.Evaluation}")}{(point.Improved ? " (best)" : "")}{(point.Start > 0 ? $" [start {point.Start + 1}]" : "")}");
                _reporter.Message(line);
            },
        };
    }

    /// <summary>
    /// An energy error (Hartree) as signed mHa with two decimals, as in the progress lines; an error that rounds to zero
    /// is "+0.00" (the two-section format alone printed a tiny negative one as "-+0.00").
    /// </summary>
    public static string MilliHartree(double errorHa) => (errorHa * 1000).ToString("+0.00;-0.00;+0.00", CultureInfo.InvariantCulture);

    /// <summary>The events to pass to <see cref="TrainingRun"/>.</summary>
    public TrainingRunEvents Events { get; }

    /// <summary>Runs the body with the live display (when interactive).</summary>
    public T Run<T>(Func<T> body) => _reporter.Run(body);
}
