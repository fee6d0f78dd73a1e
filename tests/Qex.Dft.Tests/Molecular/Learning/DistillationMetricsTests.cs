using Qex.Core.Random;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Learning;

namespace Qex.Dft.Tests.Molecular.Learning;

/// <summary>
/// The distillation metrics on the case with a known answer: a student that is its teacher (the enhancement model at
/// its initial parameters is Slater exchange, the teacher is Slater exchange, on the same grid, with negligible smearing)
/// has no error of any kind; a perturbed student has a positive density-driven error.
/// </summary>
public sealed class DistillationMetricsTests
{
    [Fact]
    public void AStudentEqualToItsTeacherHasNoErrorAndAPerturbedOneDoes()
    {
        var mol = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var reference = MolecularReferences.Compute(mol, basis, "slater");
        var sample = new MolecularSample("water", new MolecularProblem(mol, basis, MolecularReferences.TeacherGrid), reference.Energy, reference.Density);
        var model = new EnhancementXcModel(MolecularXcFeatures.Gga, 4, 4);
        var p = model.InitialParameters(RngKey.FromSeed(2));
        // 1e-3 Ha smearing: with water's gap (about 0.3 Ha) the occupations are 2 and 0 to far below rounding
        var scf = new DifferentiableScfOptions(Smearing: 1e-3, Grid: MolecularReferences.TeacherGrid, FixedPointTolerance: 1e-10);
        var m = DistillationMetrics.Evaluate(sample, reference, model, p, scf, excitations: 3);
        Assert.True(Math.Abs(m.EnergyError) < 1e-8, $"energy error {m.EnergyError:E2}");
        Assert.True(Math.Abs(m.DensityDrivenError) < 1e-9, $"E_rho {m.DensityDrivenError:E2}");
        Assert.True(m.DipoleError < 1e-6 && m.DensityL2 < 1e-6, $"dipole {m.DipoleError:E2}, L2 {m.DensityL2:E2}");
        Assert.True(m.TeacherIterationsFromStudent < m.TeacherIterationsFromGuess, $"{m.TeacherIterationsFromStudent} iterations from the student's density, {m.TeacherIterationsFromGuess} from the guess");
        for (int k = 0; k < 3; k++) Assert.Equal(m.TeacherExcitations![k], m.StudentExcitations![k], 7);

        // a student that is not its teacher: the teacher's energy of its density lies above the teacher's minimum
        var flat = p.Flatten();
        var rng = new Rng(8);
        for (int i = 0; i < flat.Length; i++) flat[i] += 0.3 * rng.Normal();
        var off = DistillationMetrics.Evaluate(sample, reference, model, p.Unflatten(flat), scf);
        Assert.True(off.DensityDrivenError > 1e-7, $"E_rho {off.DensityDrivenError:E2} of a different functional");
        Assert.True(off.DensityL2 > 1e-4 && Math.Abs(off.EnergyError) > 1e-4);
        Assert.Null(off.StudentExcitations);

        var fci = MolecularReferences.Compute(MolecularSystems.Create("h2", 0.74), BasisSet.For(MolecularSystems.Create("h2", 0.74), BasisSetLibrary.Load("sto-3g")), "fci");
        Assert.Contains("not a teacher functional", Assert.Throws<ArgumentException>(() => DistillationMetrics.Evaluate(sample, fci, model, p, scf)).Message);
    }
}
