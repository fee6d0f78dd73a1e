using Qex.Core.Random;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Learning;
using Qex.Dft.ScaleOut;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.ScaleOut;

/// <summary>
/// The molecular side of the scale-out: the differentiable-SCF loss and gradient sharded over ranks, and a whole
/// training run whose references (a teacher functional with its orbitals and Hessian products) are computed one per
/// rank and sent to all, give the single process's numbers bit for bit.
/// </summary>
public sealed class MolecularScaleOutTests : IDisposable
{
    private static readonly GridOptions Small = new(30, 110);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-molscale-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void ShardedMolecularLossAndGradientEqualTheSingleProcessBitForBit()
    {
        var definition = BasisSetLibrary.Load("6-31g");
        var batch = new[] { ("h2", 0.74), ("h2", 1.1), ("h4-square", 1.2) }.Select(x =>
        {
            var mol = MolecularSystems.Create(x.Item1, x.Item2);
            var basis = BasisSet.For(mol, definition);
            var (energy, density) = MolecularReferences.Fci(mol, basis);
            return new MolecularSample($"{x.Item1} {x.Item2}", new MolecularProblem(mol, basis, Small), energy, density);
        }).ToList();
        var model = new MolecularModelSpec("enhancement-gga", 6, 5).Create();
        var layout = model.InitialParameters(RngKey.FromSeed(4));
        var rng = RngKey.FromSeed(8).CreateGenerator();
        var flat = layout.Flatten().Select(v => v + 0.05 * rng.Normal()).ToArray();
        var scf = new DifferentiableScfOptions(Iterations: 6, Grid: Small);
        var weights = new LossWeights(EnergySteps: 3);
        var single = new MolecularObjective(model, batch, scf, weights).Evaluate(layout, flat);
        var sharded = InProcessGroup.Run(2, g => new MolecularObjective(model, batch, scf, weights, new BatchScheduler(g)).Evaluate(layout, flat));
        foreach (var r in sharded)
        {
            Assert.Equal(single.Loss, r.Loss);
            Assert.Equal(single.Gradient, r.Gradient);
            Assert.Equal(single.EnergyErrors, r.EnergyErrors);
        }
    }

    [Fact]
    public void AReferenceSentToAnotherRankIsTheComputedOneBitForBit()
    {
        var mol = MolecularSystems.Create("h2", 0.8);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("6-31g"));
        var reference = MolecularReferences.Compute(mol, basis, "b3lyp");
        var teacher = TeacherDerivatives.Of(mol, basis, reference, 2, 5);
        var fci = MolecularReferences.Compute(mol, basis, "fci");
        // item 0 is rank 0's, item 1 rank 1's: each rank receives the other's through the text form
        var received = InProcessGroup.Run(2, g => new BatchScheduler(g).Map([1, 1], i => i == 0 ? ReferencePayload.Of(reference, teacher) : ReferencePayload.Of(fci, null), i => $"m{i}"));
        foreach (var payloads in received)
        {
            var (r, t) = payloads[0].Restore();
            Assert.Equal(reference.Density.ToArray(), r.Density.ToArray());
            Assert.Equal(reference.Coefficients!.ToArray(), r.Coefficients!.ToArray());
            Assert.Equal(reference.Coefficients.ShapeArray(), r.Coefficients.ShapeArray());
            Assert.Equal(reference.OrbitalEnergies, r.OrbitalEnergies);
            Assert.Equal((reference.Method, reference.Energy, reference.DensityKind, reference.Iterations), (r.Method, r.Energy, r.DensityKind, r.Iterations));
            Assert.True(double.IsNaN(r.HartreeFockEnergy));
            Assert.Equal(reference.Teacher!.Name, r.Teacher!.Name);
            Assert.Equal(teacher.Coefficients.ToArray(), t!.Coefficients.ToArray());
            Assert.Equal(teacher.Occupied, t.Occupied);
            Assert.Equal(teacher.Directions, t.Directions);
            Assert.Equal(teacher.HessianProducts, t.HessianProducts);
            var (f, none) = payloads[1].Restore();
            Assert.Null(none);
            Assert.Null(f.Teacher);
            Assert.Equal((fci.Energy, fci.HartreeFockEnergy), (f.Energy, f.HartreeFockEnergy));
            Assert.Equal(fci.Density.ToArray(), f.Density.ToArray());
        }
        var broken = ReferencePayload.Of(fci, null) with { Density = [1.0, 2.0] };
        Assert.Contains("does not fit its sizes", Assert.Throws<InvalidDataException>(() => broken.Restore()).Message);
    }

    [Fact]
    public void ATeacherRunOnTwoRanksTrainsLikeOneProcess()
    {
        // B3LYP as the teacher with the derivative-informed gradient term: the training molecules' references carry
        // orbitals and Hessian products, which rank 1 computes for its share and sends to rank 0
        var config = new MolecularTrainingConfig(new MolecularModelSpec("enhancement-gga", 6, 5), 3, "6-31g", "b3lyp",
            [new MolecularDataEntry("h2", [0.7, 0.9])], [], [new MolecularDataEntry("h2", [0.8])],
            new DifferentiableScfOptions(Iterations: 6, Grid: Small), new LossWeights(EnergySteps: 3, GradientWeight: 1, HessianDirections: 2),
            new TrainingOptions(MaxEvaluations: 3, ValidateEvery: 0)) { DistillationExcitations = 0 };
        var single = new MolecularTrainingRun(config, Path.Combine(_dir, "one")).Execute(resume: false);
        var pair = InProcessGroup.Run(2, g => new MolecularTrainingRun(config, Path.Combine(_dir, "two"), scheduler: new BatchScheduler(g)).Execute(resume: false));
        foreach (var r in pair)
        {
            Assert.Equal(single.Parameters.Flatten(), r.Parameters.Flatten());
            Assert.Equal(single.Tests.Single().Rows, r.Tests.Single().Rows);
            Assert.Equal(single.Distillation.Select(d => (d.StudentEnergy, d.TeacherEnergy, d.DensityDrivenError, d.TeacherIterationsFromStudent)), r.Distillation.Select(d => (d.StudentEnergy, d.TeacherEnergy, d.DensityDrivenError, d.TeacherIterationsFromStudent)));
            Assert.NotEmpty(r.Distillation);
        }
        Assert.True(File.Exists(Path.Combine(_dir, "two", "checkpoint.json")));
    }
}
