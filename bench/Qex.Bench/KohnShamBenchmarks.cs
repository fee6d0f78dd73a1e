using BenchmarkDotNet.Attributes;
using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Random;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Training;

namespace Qex.Bench;

/// <summary>
/// The default training batch of <c>qex train</c>: KSR-global (1568 parameters) on H2 at R = 1.28 and 3.84, 15 KS
/// iterations each. The Ratio column of LossAndGradient is its time over the forward alone. Uses ../shared/data when
/// present, else the same geometries from exact diagonalisation (the timing does not depend on the references).
/// </summary>
public class KohnShamTrainingBenchmarks
{
    private KohnShamSolver _solver = null!;
    private KsrGlobal _functional = null!;
    private ParameterSet _parameters = null!;
    private IReadOnlyList<Sample> _batch = null!;
    private Trainer _trainer = null!;
    private double[] _flat = null!;

    [GlobalSetup]
    public void Setup()
    {
        var interaction = new ExponentialCoulomb();
        if (SharedData.Resolve("jaxdft", "h2") is not null)
            _batch = DatasetReader.Load("h2").ByDistances([128, 384]);
        else
            _batch = new ExactReferenceGenerator(Grid1D.Standard(), interaction).Generate("h2", [128, 384]).Samples;
        _solver = new KohnShamSolver(Grid1D.Standard(), interaction);
        _functional = new KsrGlobal();
        _parameters = _functional.InitialParameters(RngKey.FromSeed(0));
        _flat = _parameters.Flatten();
        _trainer = new Trainer(new KohnShamObjective1D(_solver, _functional, _batch));
    }

    /// <summary>The loss alone, molecules in parallel exactly as the trainer evaluates them.</summary>
    [Benchmark(Baseline = true, Description = "forward (loss only)")]
    public double Forward()
    {
        var consts = _parameters.Items.Select(p => Var.Constant(p.Value)).ToArray();
        var losses = new double[_batch.Count];
        Parallel.For(0, _batch.Count, i =>
            losses[i] = TrajectoryLoss.Molecule(_solver.Run(_batch[i].Molecule, _functional, consts), _batch[i], _solver.Grid.Spacing).ToScalar());
        return losses.Average();
    }

    [Benchmark(Description = "loss and gradient")]
    public double LossAndGradient() => _trainer.Evaluate(_parameters, _flat).Loss;
}
