using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Response;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// How a distilled (student) functional compares with its teacher on one molecule (the DI-loss paper's metrics).
/// </summary>
/// <param name="Label">The molecule.</param>
/// <param name="StudentEnergy">E_S[P_S], the student's energy at its own converged density (Hartree).</param>
/// <param name="TeacherEnergy">E_T[P*].</param>
/// <param name="DensityDrivenError">E_rho = E_T[P_S] - E_T[P*]: the teacher's energy of the student's density, against its own minimum (&gt;= 0 up to convergence).</param>
/// <param name="DipoleError">|mu[P_S] - mu[P*]| (atomic units).</param>
/// <param name="DensityL2">sqrt(int (rho_S - rho*)^2) on the student's grid.</param>
/// <param name="TeacherIterationsFromGuess">The teacher's SCF iterations from the standard (atomic) guess.</param>
/// <param name="TeacherIterationsFromStudent">The teacher's SCF iterations started from the student's density.</param>
/// <param name="StudentExcitations">The student's lowest TDA singlet excitations (Hartree), at its own integer-occupation RKS; null for a global model.</param>
/// <param name="TeacherExcitations">The teacher's lowest TDA singlet excitations (Hartree); null when not asked.</param>
public sealed record DistillationMetrics(string Label, double StudentEnergy, double TeacherEnergy, double DensityDrivenError, double DipoleError, double DensityL2,
    int TeacherIterationsFromGuess, int TeacherIterationsFromStudent, double[]? StudentExcitations, double[]? TeacherExcitations)
{
    /// <summary>E_S[P_S] - E_T[P*].</summary>
    public double EnergyError => StudentEnergy - TeacherEnergy;

    /// <summary>
    /// The metrics of a student (<paramref name="model"/> with <paramref name="parameters"/>, its differentiable SCF
    /// <paramref name="scf"/> converged to the fixed point) against the teacher reference of <paramref name="sample"/>
    /// (<see cref="MolecularReferences.Compute"/> with a functional), with <paramref name="excitations"/> TDA singlets
    /// of each (0: none).
    /// </summary>
    /// <exception cref="ArgumentException">A reference without a teacher functional.</exception>
    public static DistillationMetrics Evaluate(MolecularSample sample, MolecularReference reference, IMolecularXcModel model, ParameterSet parameters,
        DifferentiableScfOptions scf, int excitations = 0)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(scf);
        if (reference.Teacher is not { } teacher || reference.Coefficients is null || reference.OrbitalEnergies is null)
            throw new ArgumentException($"The {reference.Method} reference of '{sample.Label}' is not a teacher functional: distillation metrics compare with one.");
        if (excitations < 0) throw new ArgumentException($"The number of excitations must not be negative; got {excitations}.");
        var problem = sample.Problem;
        var mol = problem.Molecule;
        var basis = problem.Basis;
        var vars = parameters.ToVars().Select(v => v.Detach()).ToArray();
        var (ps, _) = DifferentiableKohnSham.FixedPoint(problem, model, vars, scf);
        double es = DifferentiableKohnSham.Energy(problem, model, vars, Var.Constant(ps)).ToScalar();
        var fock = new KohnShamFock(mol, basis, teacher, MolecularReferences.TeacherGrid);
        double erho = fock.Build([Symmetric(ps)]).Energy - fock.Build([reference.Density.ToArray()]).Energy;
        var mus = Properties.Dipole(mol, basis, ps);
        var mut = Properties.Dipole(mol, basis, reference.Density);
        double dipole = Math.Sqrt(mus.Zip(mut, (a, b) => (a - b) * (a - b)).Sum());
        var rho = problem.Density.FeaturesOf(ps).Span;
        var rhoT = sample.GridDensity.Span;
        double l2 = 0;
        for (int g = 0; g < problem.Density.Points; g++) l2 += problem.Density.Weights[g] * (rho[g] - rhoT[g]) * (rho[g] - rhoT[g]);
        var fromStudent = KohnSham.Run(mol, basis, teacher, MolecularReferences.TeacherGrid, MolecularReferences.TeacherScf with { InitialDensity = ps });
        double[]? studentX = null, teacherX = null;
        if (excitations > 0)
        {
            var options = new ExcitationOptions(excitations);
            teacherX = [.. new LinearResponse(mol, basis, teacher, reference.Coefficients.ToArray(), reference.OrbitalEnergies, MolecularReferences.TeacherGrid)
                .Solve(options).States.Select(x => x.Energy)];
            if (model.IsLocal)
            {
                // the student as an ordinary functional: its own RKS with integer occupations, then its response
                var functional = XcFunctional.FromComponent(model.Name, model.Component(parameters));
                var grid = scf.Grid ?? DifferentiableScfOptions.DefaultGrid;
                var ks = KohnSham.Run(mol, basis, functional, grid, MolecularReferences.TeacherScf with { InitialDensity = ps });
                studentX = [.. new LinearResponse(mol, basis, functional, ks.Coefficients[0].ToArray(), ks.OrbitalEnergies[0].ToArray(), grid)
                    .Solve(options).States.Select(x => x.Energy)];
            }
        }
        return new DistillationMetrics(sample.Label, es, reference.Energy, erho, dipole, Math.Sqrt(l2), reference.Iterations, fromStudent.Iterations, studentX, teacherX);
    }

    private static double[] Symmetric(Tensor p)
    {
        int n = p.Dim(0);
        var a = p.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
        return a;
    }
}
