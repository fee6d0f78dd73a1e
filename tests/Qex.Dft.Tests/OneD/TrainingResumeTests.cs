using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.OneD;

/// <summary>
/// A run killed at any point and resumed from its last checkpoint ends with the same parameters, bit for bit, as an
/// uninterrupted run: the checkpoint carries the whole optimiser state (L-BFGS pairs, Adam moments), the
/// validation state and the counters, and the resumed run does not evaluate the saved point again.
/// </summary>
public sealed class TrainingResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-resume-" + Guid.NewGuid().ToString("N"));
    private static readonly Grid1D Grid = Grid1D.Linspace(-6.4, 6.4, 81);
    private static readonly Lazy<IReadOnlyList<Sample>> Samples = new(() =>
        new ExactReferenceGenerator(Grid, new ExponentialCoulomb()).Generate("h2", [128, 256, 192]).Samples);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed class Killed : Exception;

    private static Trainer NewTrainer(IXcFunctional xc) =>
        new(new KohnShamObjective1D(new KohnShamSolver(Grid, new ExponentialCoulomb()), xc, Samples.Value.Take(2).ToList(), new ScfOptions(Iterations: 5), new LossWeights(EnergySteps: 2)));

    private static Func<ParameterSet, double> Validation(IXcFunctional xc) => p =>
        EvaluationSummary.Of(Evaluator.Run(new KohnShamSolver(Grid, new ExponentialCoulomb()), xc, p, "v", [Samples.Value[2]], new ScfOptions(Iterations: 5))).MaxMilliHartree;

    private (TrainingResult Result, int Evaluations) Run(IXcFunctional xc, TrainingOptions options, string checkpoint, int killAt, bool resume)
    {
        var trainer = NewTrainer(xc);
        var init = xc.InitialParameters(RngKey.FromSeed(3));
        var record = resume ? XcCheckpoint.Load(checkpoint, xc).Training : null;
        int seen = 0;
        var result = trainer.Train(init, options, 3, s =>
        {
            seen = s.Evaluation;
            if (s.Evaluation == killAt) throw new Killed();
        }, checkpoint, record, validate: Validation(xc), initialiser: k => xc.InitialParameters(RngKey.FromSeed(3).Fold((ulong)k)));
        return (result, seen);
    }

    [Theory]
    [InlineData("lbfgs", "best", 1, 24, 7)]
    [InlineData("lbfgs", "best", 1, 24, 11)]
    [InlineData("lbfgs", "fresh", 3, 10, 19)]
    [InlineData("lbfgs", "best", 3, 8, 13)]
    [InlineData("lbfgs", "best", 3, 8, 17)]
    [InlineData("adam", "best", 1, 24, 6)]
    [InlineData("adam", "fresh", 3, 10, 13)]
    [InlineData("adam", "best", 2, 9, 14)]
    public void AKilledRunResumesToTheUninterruptedResult(string optimiser, string restartFrom, int starts, int budget, int killAt)
    {
        var xc = new KsrLocal(3);
        var options = new TrainingOptions(optimiser, MaxEvaluations: budget, History: 5, LearningRate: 5e-3, CheckpointEvery: 3, ValidateEvery: 2,
            RestartPatience: 2, RestartFrom: restartFrom, Starts: starts);
        var (reference, _) = Run(xc, options, Path.Combine(_dir, "full.json"), -1, resume: false);
        string ck = Path.Combine(_dir, $"killed-{killAt}.json");
        Assert.Throws<Killed>(() => Run(xc, options, ck, killAt, resume: false));
        var saved = XcCheckpoint.Load(ck, xc).Training!;
        Assert.False(saved.Finished);
        Assert.True(saved.Evaluations < killAt, $"checkpoint at {saved.Evaluations}, killed at {killAt}");
        var (resumed, _) = Run(xc, options, ck, -1, resume: true);
        Assert.Equal(reference.Evaluations, resumed.Evaluations);
        Assert.Equal(reference.Restarts, resumed.Restarts);
        Assert.Equal(reference.StartsRun, resumed.StartsRun);
        Assert.Equal(reference.KeptStart, resumed.KeptStart);
        Assert.Equal(reference.LossHistory, resumed.LossHistory);
        Assert.Equal(reference.Parameters.Flatten(), resumed.Parameters.Flatten());
        Assert.Equal(reference.Final!.Flatten(), resumed.Final!.Flatten());
        Assert.Equal(reference.BestValidationEvaluation, resumed.BestValidationEvaluation);
    }

    [Theory]
    [InlineData("lbfgs")]
    [InlineData("adam")]
    public void EveryStartHasItsOwnBudgetAndTheBestValidatedStartIsKept(string optimiser)
    {
        var xc = new KsrLocal(3);
        var single = new TrainingOptions(optimiser, MaxEvaluations: 9, History: 5, LearningRate: 5e-3, CheckpointEvery: 0, ValidateEvery: 2);
        var (one, _) = Run(xc, single, Path.Combine(_dir, "one.json"), -1, resume: false);
        var (three, _) = Run(xc, single with { Starts = 3 }, Path.Combine(_dir, "three.json"), -1, resume: false);
        Assert.Equal(1, one.StartsRun);
        Assert.Equal(3, three.StartsRun);
        // start 0 is the single-start run, evaluation for evaluation; the later starts add a budget each
        Assert.Equal(one.LossHistory, three.LossHistory.Take(one.Evaluations));
        Assert.Equal(3 * one.Evaluations, three.Evaluations);
        var points = three.ValidationHistory!;
        Assert.Equal([0, 1, 2], points.Select(p => p.Start).Distinct().Order());
        // the kept parameters are those of the best score over every start, and the start they came from is named
        var bestPoint = points.MinBy(p => p.Score)!;
        Assert.Equal(bestPoint.Score, three.BestValidation);
        Assert.Equal(bestPoint.Start, three.KeptStart);
        Assert.Equal(bestPoint.Evaluation, three.BestValidationEvaluation);
        Assert.True(three.BestValidation <= one.BestValidation);
        // the starts begin at different initialisations
        int secondStart = points.First(p => p.Start == 1).Evaluation;
        Assert.NotEqual(three.LossHistory[0], three.LossHistory[one.Evaluations]);
        Assert.True(secondStart > one.Evaluations);
    }

    [Fact]
    public void NoFurtherStartBeginsOnceTheValidationTargetIsReached()
    {
        var xc = new KsrLocal(3);
        var options = new TrainingOptions("lbfgs", MaxEvaluations: 9, History: 5, CheckpointEvery: 0, ValidateEvery: 2, Starts: 4);
        var (all, _) = Run(xc, options, Path.Combine(_dir, "all.json"), -1, resume: false);
        Assert.Equal(4, all.StartsRun);
        // a target met by the first start's best score ends training after that start
        double firstBest = all.ValidationHistory!.Where(p => p.Start == 0).Min(p => p.Score);
        var (stopped, _) = Run(xc, options with { TargetValidation = firstBest }, Path.Combine(_dir, "target.json"), -1, resume: false);
        Assert.Equal(1, stopped.StartsRun);
        Assert.Contains("target", stopped.Status);
        Assert.Equal(firstBest, stopped.BestValidation);
        // a target below every score runs every start
        double lowest = all.ValidationHistory!.Min(p => p.Score);
        var (unmet, _) = Run(xc, options with { TargetValidation = lowest / 2 }, Path.Combine(_dir, "unmet.json"), -1, resume: false);
        Assert.Equal(4, unmet.StartsRun);
        Assert.Equal(all.Parameters.Flatten(), unmet.Parameters.Flatten());
    }

    [Fact]
    public void MoreStartsContinueAFinishedRun()
    {
        var xc = new KsrLocal(3);
        var options = new TrainingOptions("lbfgs", MaxEvaluations: 8, History: 5, CheckpointEvery: 0, ValidateEvery: 2, Starts: 2);
        var (two, _) = Run(xc, options, Path.Combine(_dir, "two.json"), -1, resume: false);
        var (three, _) = Run(xc, options with { Starts = 3 }, Path.Combine(_dir, "three.json"), -1, resume: false);
        // the finished two-start run, resumed with three starts, runs only the third and ends where a three-start run ends
        var (continued, _) = Run(xc, options with { Starts = 3 }, Path.Combine(_dir, "two.json"), -1, resume: true);
        Assert.Equal(2, two.StartsRun);
        Assert.Equal(three.LossHistory, continued.LossHistory);
        Assert.Equal(three.Parameters.Flatten(), continued.Parameters.Flatten());
        // resumed again with the same settings there is nothing left to do
        var (again, _) = Run(xc, options with { Starts = 3 }, Path.Combine(_dir, "two.json"), -1, resume: true);
        Assert.Equal("budget already used", again.Status);
        Assert.Equal(three.Evaluations, again.Evaluations);
    }

    [Fact]
    public void AveragesOfTheBestValidatedIteratesAreScoredAndResumeExactly()
    {
        var xc = new KsrLocal(3);
        var options = new TrainingOptions("lbfgs", MaxEvaluations: 14, History: 5, CheckpointEvery: 2, ValidateEvery: 2, AverageBest: 4);
        var (reference, _) = Run(xc, options, Path.Combine(_dir, "avg-full.json"), -1, resume: false);
        var averages = reference.ValidationHistory!.Where(p => p.AveragedOver > 0).ToList();
        Assert.Equal([2, 3, 4], averages.Select(p => p.AveragedOver));
        Assert.InRange(reference.AveragedOver, 1, 4);
        // the kept parameters are the best of all scored candidates
        Assert.Equal(reference.ValidationHistory!.Min(p => p.Score), reference.BestValidation);
        string ck = Path.Combine(_dir, "avg-killed.json");
        Assert.Throws<Killed>(() => Run(xc, options, ck, 9, resume: false));
        var (resumed, _) = Run(xc, options, ck, -1, resume: true);
        Assert.Equal(reference.Parameters.Flatten(), resumed.Parameters.Flatten());
        Assert.Equal(reference.AveragedOver, resumed.AveragedOver);
    }

    [Fact]
    public void TheResumedRunDoesNotEvaluateTheSavedPointAgain()
    {
        var xc = new KsrLocal(1);
        var options = new TrainingOptions("lbfgs", MaxEvaluations: 12, History: 5, CheckpointEvery: 2, ValidateEvery: 3);
        string ck = Path.Combine(_dir, "once.json");
        Assert.Throws<Killed>(() => Run(xc, options, ck, 9, resume: false));
        var saved = XcCheckpoint.Load(ck, xc).Training!;
        var trainer = NewTrainer(xc);
        var first = new List<int>();
        trainer.Train(xc.InitialParameters(RngKey.FromSeed(3)), options, 3, s => first.Add(s.Evaluation), ck, saved, validate: Validation(xc));
        Assert.Equal(saved.Evaluations + 1, first[0]);
        Assert.Equal(12, first[^1]);
    }

    [Fact]
    public void WithoutAnyValidationBeforeTheEndTheFinalIterateIsScoredNotTheInitialOne()
    {
        var xc = new KsrLocal(1);
        var trainer = NewTrainer(xc);
        var init = xc.InitialParameters(RngKey.FromSeed(3));
        // validate_every larger than the budget: the only validation is of the final iterate
        var r = trainer.Train(init, new TrainingOptions("lbfgs", MaxEvaluations: 5, ValidateEvery: 50), 3, validate: Validation(xc));
        Assert.NotEqual(init.Flatten(), r.Parameters.Flatten());
        Assert.Single(r.ValidationHistory!);
        Assert.True(double.IsFinite(r.BestValidation));
    }

    [Theory]
    [InlineData(0, "max_evaluations must be at least 1")]
    [InlineData(-5, "max_evaluations must be at least 1")]
    public void ANonPositiveBudgetIsRefused(int budget, string message)
    {
        var xc = new KsrLocal(1);
        var e = Assert.Throws<ArgumentException>(() => NewTrainer(xc).Train(xc.InitialParameters(RngKey.FromSeed(0)), new TrainingOptions(MaxEvaluations: budget), 0));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(0, 0, "optimiser.starts")]
    [InlineData(1001, 0, "optimiser.starts")]
    [InlineData(1, -1, "optimiser.target_validation")]
    [InlineData(1, double.NaN, "optimiser.target_validation")]
    public void BadStartsAndTargetsAreRefused(int starts, double target, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions(Starts: starts, TargetValidation: target).Validate());
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(0, "history")]
    [InlineData(-1, "history")]
    public void ANonPositiveHistoryIsRefused(int history, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingOptions(History: history).Validate());
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    [InlineData(-1e-3)]
    public void ANonFiniteOrNegativeLearningRateIsRefused(double rate) =>
        Assert.Contains("learning_rate", Assert.Throws<ArgumentException>(() => new TrainingOptions("adam", LearningRate: rate).Validate()).Message);
}
