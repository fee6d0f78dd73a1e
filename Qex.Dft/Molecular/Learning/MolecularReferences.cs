using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Molecular.Learning;

/// <summary>A correlated reference of one geometry: the energies and the one-particle density matrix.</summary>
/// <param name="Method">fci | ccsd | ccsd(t).</param>
/// <param name="Energy">The total energy (Hartree, E_nn included).</param>
/// <param name="HartreeFockEnergy">The RHF energy it is built on.</param>
/// <param name="Density">The one-particle density matrix, AO basis (n x n), trace with the overlap = N.</param>
/// <param name="DensityKind">How the density was obtained (FCI: its 1-RDM; CC: the relaxed density by finite fields).</param>
public sealed record MolecularReference(string Method, double Energy, double HartreeFockEnergy, Tensor Density, string DensityKind)
{
    /// <summary>A teacher functional's orbitals (basis functions x orbitals; the first N/2 occupied), for the derivative-informed terms; null for correlated methods.</summary>
    public Tensor? Coefficients { get; init; }

    /// <summary>The teacher functional (null for correlated methods).</summary>
    public Xc.XcFunctional? Teacher { get; init; }

    /// <summary>A teacher functional's orbital energies (null for correlated methods).</summary>
    public double[]? OrbitalEnergies { get; init; }

    /// <summary>SCF iterations of a teacher functional from the standard guess (0 for correlated methods).</summary>
    public int Iterations { get; init; }
}

/// <summary>
/// Reference energies and densities of the correlated methods. FCI gives its one-particle reduced density matrix.
/// CCSD and CCSD(T) are not variational, so their density is defined as the derivative of their energy by the
/// one-electron Hamiltonian, D_pq = dE/dh_pq (the relaxed density, orbital response included; the density the energy
/// gradients and one-electron properties of these methods use): it is computed here by finite fields, a fourth-order
/// central difference of RHF + CC energies with h + e (E_pq + E_qp), n(n+1)/2 x 4 runs, which is cheap for the small
/// systems of training (H2 6-31G: 40 runs, H4: 144, water: 364). For FCI the same construction reproduces its 1-RDM
/// (the energy is stationary in the orbitals); that is the test of the construction.
/// </summary>
public static class MolecularReferences
{
    /// <summary>The methods.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["fci", "ccsd", "ccsd(t)"];

    /// <summary>The field step of the finite-field densities (Hartree).</summary>
    public const double FieldStep = 1e-4;

    /// <summary>The largest basis whose finite-field CC density is computed (n(n+1)/2 x 4 CC runs).</summary>
    public const int MaxFiniteFieldFunctions = 40;

    private static readonly HartreeFockOptions Tight = new(EnergyTolerance: 1e-13, CommutatorTolerance: 1e-11, MaxIterations: 500);

    /// <summary>
    /// FCI on top of RHF in <paramref name="basis"/>: the total energy and the AO density matrix of the FCI ground state
    /// (singlet).
    /// </summary>
    public static (double Energy, Tensor Density) Fci(Molecule molecule, BasisSet basis)
    {
        var r = Compute(molecule, basis, "fci");
        return (r.Energy, r.Density);
    }

    /// <summary>The grid of teacher-functional references (Psi4's default, 75 x 302).</summary>
    public static Grids.GridOptions TeacherGrid { get; } = Grids.GridOptions.Psi4(75, 302);

    /// <summary>The SCF settings of teacher-functional references.</summary>
    public static HartreeFockOptions TeacherScf { get; } = new(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10);

    /// <summary>True for a correlated method of <see cref="Methods"/> or a density functional (a teacher for distillation).</summary>
    public static bool IsKnown(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        string m = method.Trim().ToLowerInvariant();
        if (Methods.Contains(m)) return true;
        try { _ = Xc.XcFunctional.Parse(m); return true; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>
    /// The reference of <paramref name="method"/> for a closed-shell molecule: a correlated method of <see cref="Methods"/>,
    /// or a density functional (a teacher, B3LYP say: its converged RKS energy, density and orbitals on
    /// <see cref="TeacherGrid"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown method (the message lists them), an open shell, or a basis too large for finite fields.</exception>
    public static MolecularReference Compute(Molecule molecule, BasisSet basis, string method)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(method);
        string m = method.Trim().ToLowerInvariant();
        if (!Methods.Contains(m))
        {
            Xc.XcFunctional teacher;
            try { teacher = Xc.XcFunctional.Parse(m); }
            catch (ArgumentException e) { throw new ArgumentException($"Unknown reference method '{method}'; known: {string.Join(", ", Methods)}, or a density functional as a teacher ({e.Message})", e); }
            if (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0)
                throw new ArgumentException($"The references are closed-shell; this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity}.");
            var ks = Dft.KohnSham.Run(molecule, basis, teacher, TeacherGrid, TeacherScf);
            return new MolecularReference(m, ks.Energy, double.NaN, ks.Densities[0], $"{m.ToUpperInvariant()} SCF density (teacher, {TeacherGrid.RadialPoints} x {TeacherGrid.SphericalPoints} grid)")
            {
                Coefficients = ks.Coefficients[0],
                Teacher = teacher,
                OrbitalEnergies = ks.OrbitalEnergies[0].ToArray(),
                Iterations = ks.Iterations,
            };
        }
        if (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0)
            throw new ArgumentException($"The references are closed-shell (RHF based); this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity}.");
        int n = basis.FunctionCount;
        if (m != "fci" && n > MaxFiniteFieldFunctions)
            throw new ArgumentException($"The finite-field {m.ToUpperInvariant()} density needs {n * (n + 1) * 2} CC runs for {n} basis functions; this Qex computes it up to {MaxFiniteFieldFunctions} functions.");
        var rhf = RestrictedHartreeFock.Run(molecule, basis, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10));
        if (m == "fci")
        {
            var mo = MolecularOrbitalIntegrals.For(molecule, basis, rhf.Coefficients);
            var fci = FullConfigurationInteraction.Run(mo, molecule.AlphaCount, molecule.BetaCount, molecule.Multiplicity,
                new FullConfigurationInteractionOptions(ResidualTolerance: 1e-8));
            return new MolecularReference(m, fci.Energy, rhf.Energy, fci.AtomicOrbitalDensity(rhf.Coefficients), "FCI one-particle reduced density matrix");
        }
        bool triples = m == "ccsd(t)";
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        var core = CoulombIntegrals.CoreHamiltonian(basis, molecule);
        double Energy(Tensor? field) => CoupledClusterEnergy(molecule, basis, core, eri, field, triples);
        double e0 = Energy(null);
        var density = FiniteFieldDensity(Energy, n, FieldStep);
        return new MolecularReference(m, e0, rhf.Energy, density, $"relaxed {m.ToUpperInvariant()} density (finite fields, step {FieldStep:G2} Ha, fourth-order differences)");
    }

    /// <summary>RHF with h + field, then CCSD [(T)] on its canonical orbitals with the same one-electron operator.</summary>
    internal static double CoupledClusterEnergy(Molecule molecule, BasisSet basis, Tensor core, double[] eri, Tensor? field, bool triples)
    {
        var rhf = RestrictedHartreeFock.Run(molecule, basis, Tight with { OneElectronPerturbation = field });
        var h = field is null ? core : TensorMath.Binary(BinaryOp.Add, core, field);
        var mo = MolecularOrbitalIntegrals.Transform(h, eri, rhf.Coefficients, molecule.NuclearRepulsion());
        var cc = RestrictedCoupledCluster.Run(mo, molecule.ElectronCount / 2, tolerance: 1e-13, maxIterations: 500, triples: triples);
        return triples ? cc.CcsdTEnergy : cc.CcsdEnergy;
    }

    /// <summary>
    /// D_pq = dE/dh_pq of an energy function of a symmetric one-electron perturbation, by fourth-order central
    /// differences along e (E_pq + E_qp) (p &lt; q: dE/de = 2 D_pq) and e E_pp.
    /// </summary>
    public static Tensor FiniteFieldDensity(Func<Tensor?, double> energy, int functions, double step)
    {
        ArgumentNullException.ThrowIfNull(energy);
        if (functions < 1) throw new ArgumentException($"The basis must have functions; got {functions}.");
        if (!(step > 0) || !double.IsFinite(step)) throw new ArgumentException($"The field step must be positive; got {step}.");
        int n = functions;
        var pairs = new List<(int P, int Q)>();
        for (int p = 0; p < n; p++)
            for (int q = p; q < n; q++) pairs.Add((p, q));
        var d = new double[n * n];
        Parallel.For(0, pairs.Count, k =>
        {
            var (p, q) = pairs[k];
            double At(double t)
            {
                var v = new double[n * n];
                v[p * n + q] += t;
                if (p != q) v[q * n + p] += t;
                return energy(Tensor.Wrap(v, n, n));
            }
            double slope = (8 * (At(step) - At(-step)) - (At(2 * step) - At(-2 * step))) / (12 * step);
            d[p * n + q] = d[q * n + p] = p == q ? slope : slope / 2;
        });
        return Tensor.Wrap(d, n, n);
    }
}
