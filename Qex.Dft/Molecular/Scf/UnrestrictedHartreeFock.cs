using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Scf;

/// <summary>The outcome of a UHF calculation: energies, and per spin orbital energies, coefficients and densities.</summary>
/// <param name="Energy">Total energy.</param>
/// <param name="NuclearRepulsion">Nuclear repulsion.</param>
/// <param name="Iterations">Iterations used.</param>
/// <param name="AlphaOrbitalEnergies">Alpha orbital energies.</param>
/// <param name="BetaOrbitalEnergies">Beta orbital energies.</param>
/// <param name="AlphaDensity">Alpha density matrix.</param>
/// <param name="BetaDensity">Beta density matrix.</param>
/// <param name="SpinContamination">&lt;S^2&gt; - S(S+1).</param>
/// <param name="AlphaCoefficients">Alpha MO coefficients (basis functions x orbitals).</param>
/// <param name="BetaCoefficients">Beta MO coefficients.</param>
public sealed record UnrestrictedHartreeFockResult(double Energy, double NuclearRepulsion, int Iterations, Tensor AlphaOrbitalEnergies, Tensor BetaOrbitalEnergies,
    Tensor AlphaDensity, Tensor BetaDensity, double SpinContamination, Tensor AlphaCoefficients, Tensor BetaCoefficients);

/// <summary>
/// Spin-unrestricted Hartree–Fock on <see cref="ScfDriver"/>: separate alpha and beta Fock matrices
/// F_s = H + J[D_a + D_b] - K[D_s], started from a proportional split of the atomic-density guess.
/// </summary>
public static class UnrestrictedHartreeFock
{
    /// <summary>Runs UHF.</summary>
    /// <exception cref="ArgumentException">Bad settings, or a chosen occupation (maximum overlap is for RHF).</exception>
    /// <exception cref="ConvergenceException">No convergence within the iteration limit.</exception>
    public static UnrestrictedHartreeFockResult Run(Molecule molecule, BasisSet basis, HartreeFockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        var o = options ?? new HartreeFockOptions();
        o.Validate();
        int n = basis.FunctionCount, na = molecule.AlphaCount, nb = molecule.BetaCount;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        if (o.OneElectronPerturbation is not null) throw new ArgumentException("A one-electron perturbation is supported by RHF only.");
        if (o.InitialDensity is not null) throw new ArgumentException("An initial density matrix is supported by Kohn-Sham only (HartreeFockOptions.InitialDensity); Hartree-Fock starts from its guess.");
        var h = CoulombIntegrals.CoreHamiltonian(basis, molecule).ToArray();
        var model = new UnrestrictedHartreeFockModel(h, RestrictedHartreeFock.CoulombExchange(molecule, basis, o), na, nb);
        double[] da, db;
        if (o.Guess == ScfGuess.Core) { da = new double[n * n]; db = new double[n * n]; }
        else
        {
            var d = AtomicDensityGuess.SuperpositionOfAtomicDensities(molecule, basis, o);
            da = d.Select(v => v * na / molecule.ElectronCount).ToArray();
            db = d.Select(v => v * nb / molecule.ElectronCount).ToArray();
        }
        var r = ScfDriver.Run(model, s, molecule.NuclearRepulsion(), [da, db], null, o);
        r = Response.StabilityFollowing.Follow(r, molecule, basis, Xc.XcFunctional.Parse("hf_x"), null, o, [na, nb],
            dens => ScfDriver.Run(model, s, molecule.NuclearRepulsion(), dens, null, o));
        int m = r.Orbitals;
        return new UnrestrictedHartreeFockResult(r.Energy, molecule.NuclearRepulsion(), r.Iterations, Tensor.Wrap(r.OrbitalEnergies[0], m), Tensor.Wrap(r.OrbitalEnergies[1], m),
            Tensor.Wrap(r.Densities[0], n, n), Tensor.Wrap(r.Densities[1], n, n), SpinContamination(r.Densities[0], r.Densities[1], s, n, na, nb),
            Tensor.Wrap(r.Coefficients[0], n, m), Tensor.Wrap(r.Coefficients[1], n, m));
    }

    /// <summary>&lt;S^2&gt; - S(S+1) = N_b - Tr(D_a S D_b S).</summary>
    private static double SpinContamination(double[] da, double[] db, double[] s, int n, int na, int nb)
    {
        var dS = Mul(da, s, n);
        var dbS = Mul(db, s, n);
        double tr = 0;
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) tr += dS[i * n + k] * dbS[k * n + i];
        return nb - tr;
    }

    private static double[] Mul(double[] a, double[] b, int n)
    {
        var r = new double[n * n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) { double v = a[i * n + k]; for (int j = 0; j < n; j++) r[i * n + j] += v * b[k * n + j]; }
        return r;
    }
}

/// <summary>The unrestricted Hartree–Fock model: alpha and beta channels, one electron per orbital.</summary>
internal sealed class UnrestrictedHartreeFockModel(double[] core, ICoulombExchangeBuilder jk, int alpha, int beta) : IScfModel
{
    public string Name => "UHF";

    public double OrbitalOccupation => 1;

    public IReadOnlyList<int> Occupied { get; } = [alpha, beta];

    public bool LastBuildWasFull => jk.LastWasFull;

    public ScfFockBuild Build(IReadOnlyList<double[]> densities, bool full)
    {
        int n = jk.FunctionCount;
        var (da, db) = (densities[0], densities[1]);
        var (j, k) = jk.Build([da, db], full);
        var (ja, jb, ka, kb) = (j[0], j[1], k[0], k[1]);
        var fa = new double[n * n];
        var fb = new double[n * n];
        for (int i = 0; i < n * n; i++)
        {
            fa[i] = core[i] + ja[i] + jb[i] - ka[i];
            fb[i] = core[i] + ja[i] + jb[i] - kb[i];
        }
        var dt = ScfMath.Add(da, db);
        double e1 = ScfMath.Trace(dt, core, n);
        double energy = 0.5 * (e1 + ScfMath.Trace(da, fa, n) + ScfMath.Trace(db, fb, n));
        return new ScfFockBuild([fa, fb], energy, e1, energy - e1);
    }
}
