using Qex.Core.Random;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.ScaleOut;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.ScaleOut;

public sealed class ScaleOutTests
{
    private static readonly Grid1D Grid = Grid1D.Linspace(-6.4, 6.4, 81);
    private static readonly Lazy<IReadOnlyList<Sample>> Batch = new(() =>
        new ExactReferenceGenerator(Grid, new ExponentialCoulomb()).Generate("h2", [96, 128, 192, 256, 320]).Samples);

    [Fact]
    public void EqualCostsAreDealtRoundRobinAndUnequalOnesBalanced()
    {
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], Shards.Assign([1, 1, 1, 1, 1, 1, 1], 3));
        // longest first, each to the least loaded: 8 -> r0, 7 -> r1, 3 -> r1 (7 < 8), 2 -> r0 (8 < 10), 1 -> r0 (10 = 10: lower rank)
        var owners = Shards.Assign([3, 8, 1, 7, 2], 2);
        Assert.Equal([1, 0, 0, 1, 0], owners);
        Assert.Equal(11, new[] { 3.0, 8, 1, 7, 2 }.Where((_, i) => owners[i] == 0).Sum());
        Assert.Equal([1, 2, 4], Shards.Owned(owners, 0));
        Assert.All(Shards.Assign([1, 2, 3], 1), o => Assert.Equal(0, o));
        Assert.Equal([0, 1, 2], Shards.Assign([5, 5, 5], 8));   // more ranks than items: some ranks own none
        Assert.Contains("item 1", Assert.Throws<ArgumentException>(() => Shards.Assign([1, double.NaN], 2)).Message);
        Assert.Throws<ArgumentException>(() => Shards.Assign([1], 0));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void ShardedLossAndGradientEqualTheSingleProcessBitForBit(int ranks)
    {
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new KsrLocal(3);
        var layout = xc.InitialParameters(RngKey.FromSeed(4));
        var flat = layout.Flatten();
        var scf = new ScfOptions(Iterations: 5);
        var weights = new LossWeights(EnergySteps: 2);
        var single = new KohnShamObjective1D(solver, xc, Batch.Value, scf, weights).Evaluate(layout, flat);
        var sharded = InProcessGroup.Run(ranks, g => new KohnShamObjective1D(solver, xc, Batch.Value, scf, weights, new BatchScheduler(g)).Evaluate(layout, flat));
        foreach (var r in sharded)
        {
            Assert.Equal(single.Loss, r.Loss);
            Assert.Equal(single.Gradient, r.Gradient);
            Assert.Equal(single.EnergyErrors, r.EnergyErrors);
        }
    }

    [Fact]
    public void ShardedEvaluationGivesTheSameRowsOnEveryRank()
    {
        var solver = new KohnShamSolver(Grid, new ExponentialCoulomb());
        var xc = new KsrLocal(3);
        var p = xc.InitialParameters(RngKey.FromSeed(4));
        var scf = new ScfOptions(Iterations: 5);
        var single = Evaluator.Run(solver, xc, p, "h2", Batch.Value, scf);
        var sharded = InProcessGroup.Run(2, g => Evaluator.Run(solver, xc, p, "h2", Batch.Value, scf, scheduler: new BatchScheduler(g)));
        Assert.All(sharded, rows => Assert.Equal(single, rows));
    }

    [Fact]
    public void AFailureOnOneRankEndsTheMapOnEveryRankNamingTheRankAndTheItem()
    {
        var errors = InProcessGroup.Run(3, g =>
        {
            try
            {
                new BatchScheduler(g).Map([1, 1, 1, 1, 1], i => i == 4 ? throw new InvalidOperationException("no convergence") : new[] { (double)i }, i => $"molecule {i}");
                return null;
            }
            catch (ScaleOutException e) { return e; }
        });
        // item 4 of five equal items belongs to rank 1 (round robin)
        Assert.All(errors, e =>
        {
            Assert.NotNull(e);
            Assert.Equal("rank 1 of 3 failed on molecule 4: no convergence", e!.Message);
            Assert.Equal((1, 4), (e.Rank, e.Item));
        });
        // alone, the failure is the original exception
        var alone = Assert.Throws<AggregateException>(() => BatchScheduler.Local.Map([1, 1], i => i == 1 ? throw new InvalidOperationException("no convergence") : new[] { 0.0 }, i => $"m{i}"));
        Assert.IsType<InvalidOperationException>(alone.InnerException);
    }

    private sealed record Row(string Label, double Energy, double[] Excitations);

    [Fact]
    public void RecordsAndEmptyBatchesComeBackInItemOrder()
    {
        var rows = InProcessGroup.Run(3, g => new BatchScheduler(g).Map([1, 2, 3, 4], i => new Row($"m{i}", i / 3.0, [i, double.NaN]), i => $"m{i}"));
        Assert.All(rows, r =>
        {
            Assert.Equal(["m0", "m1", "m2", "m3"], r.Select(x => x.Label));
            Assert.Equal(1 / 3.0, r[1].Energy);   // exact through the text form
            Assert.True(double.IsNaN(r[3].Excitations[1]));
        });
        var empty = InProcessGroup.Run(2, g => new BatchScheduler(g).Map([], i => new[] { 1.0 }, i => ""));
        Assert.All(empty, Assert.Empty);
    }

    [Fact]
    public void LaunchersAreRecognisedFromTheirEnvironment()
    {
        static Func<string, string?> Env(params (string Key, string Value)[] vars) => k => vars.FirstOrDefault(v => v.Key == k).Value;
        Assert.Equal(1, ProcessGroups.LaunchedRanks(Env()));
        Assert.Equal(4, ProcessGroups.LaunchedRanks(Env(("PMI_SIZE", "4"), ("PMI_RANK", "2"))));
        Assert.Equal(2, ProcessGroups.LaunchedRanks(Env(("MV2_COMM_WORLD_SIZE", "2"))));
        Assert.Contains("mpiexec.mpich", Assert.Throws<NotSupportedException>(() => ProcessGroups.LaunchedRanks(Env(("OMPI_COMM_WORLD_SIZE", "2")))).Message);
        Assert.Contains("PMI_SIZE='two'", Assert.Throws<ArgumentException>(() => ProcessGroups.LaunchedRanks(Env(("PMI_SIZE", "two")))).Message);
        // one rank, or no launcher: this process alone, no MPI library loaded
        Assert.Same(SingleProcess.Instance, ProcessGroups.FromEnvironment(Env(("PMI_SIZE", "1"))));
        Assert.Same(SingleProcess.Instance, ProcessGroups.FromEnvironment(Env()));
    }

    [Fact]
    public void TheBatchMeanSumsInMoleculeOrder()
    {
        var (loss, g) = BatchMean.Of([1, 2, 4], [[1, 0], [0, 2], [3, 3]], 2);
        Assert.Equal(7 / 3.0, loss, 14);
        Assert.Equal(4 / 3.0, g[0], 14);
        Assert.Equal(5 / 3.0, g[1], 14);
        var packed = BatchMean.Pack(0.5, -1e-3, [1, 2]);
        var (l2, g2, errors) = BatchMean.Unpack([packed, packed], 2);
        Assert.Equal(0.5, l2);
        Assert.Equal([1.0, 2.0], g2);
        Assert.Equal([-1e-3, -1e-3], errors);
        Assert.Contains("3 components", Assert.Throws<ArgumentException>(() => BatchMean.Of([1], [[1, 2, 3]], 2)).Message);
    }
}
