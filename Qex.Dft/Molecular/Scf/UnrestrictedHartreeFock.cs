using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

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
/// Spin-unrestricted Hartree–Fock: the RHF machinery with separate alpha and beta Fock matrices
/// (F_s = H + J[D_a + D_b] - K[D_s]), a proportional split of the atomic-density guess, level shift and damping for the
/// first iterations, and DIIS over both spins.
/// </summary>
public static class UnrestrictedHartreeFock
{
    /// <summary>Runs UHF.</summary>
    /// <exception cref="ScfConvergenceException">No convergence within the iteration limit.</exception>
    public static UnrestrictedHartreeFockResult Run(Molecule molecule, BasisSet basis, HartreeFockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        var o = options ?? new HartreeFockOptions();
        int n = basis.FunctionCount, na = molecule.AlphaCount, nb = molecule.BetaCount;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        var h = CoulombIntegrals.CoreHamiltonian(basis, molecule).ToArray();
        if (!(o.Damping >= 0 && o.Damping < 1)) throw new ArgumentException($"Damping must be in [0, 1); got {o.Damping}.");
        if (!(o.LevelShift >= 0) || !double.IsFinite(o.LevelShift)) throw new ArgumentException($"The level shift must be a finite non-negative number (Hartree); got {o.LevelShift}.");
        var eri = RestrictedHartreeFock.Incremental(basis, o);
        var x = RestrictedHartreeFock.Orthogonaliser(s, n, o.LinearDependence, out int m);
        if (na > m) throw new ArgumentException($"{na} alpha electrons do not fit in {m} linearly independent basis functions.");
        double enuc = molecule.NuclearRepulsion();
        double[] da, db;
        if (o.Guess == ScfGuess.Core) { da = new double[n * n]; db = new double[n * n]; }
        else
        {
            var d = RestrictedHartreeFock.SuperpositionOfAtomicDensities(molecule, basis, o);
            da = d.Select(v => v * na / molecule.ElectronCount).ToArray();
            db = d.Select(v => v * nb / molecule.ElectronCount).ToArray();
        }
        var (fa, fb) = Fock(h, eri, da, db, n);
        var history = new List<string>();
        var diisF = new List<double[]>();
        var diisE = new List<double[]>();
        double energy = 0;
        bool early = true;
        for (int it = 1; it <= o.MaxIterations; it++)
        {
            bool shifted = early && o.LevelShift > 0 && it > 1;
            var (ea, ca) = RestrictedHartreeFock.Diagonalise(shifted ? RestrictedHartreeFock.LevelShifted(fa, s, da, 1, o.LevelShift, n) : fa, x, n, m);
            var (eb, cb) = RestrictedHartreeFock.Diagonalise(shifted ? RestrictedHartreeFock.LevelShifted(fb, s, db, 1, o.LevelShift, n) : fb, x, n, m);
            var daNew = Density(ca, n, m, na);
            var dbNew = Density(cb, n, m, nb);
            if (early && o.Damping > 0 && it > 1)
                for (int i = 0; i < daNew.Length; i++)
                {
                    daNew[i] = (1 - o.Damping) * daNew[i] + o.Damping * da[i];
                    dbNew[i] = (1 - o.Damping) * dbNew[i] + o.Damping * db[i];
                }
            da = daNew;
            db = dbNew;
            (fa, fb) = Fock(h, eri, da, db, n);
            var dt = RestrictedHartreeFock.Add(da, db);
            double eNew = 0.5 * (RestrictedHartreeFock.Trace(dt, h, n) + RestrictedHartreeFock.Trace(da, fa, n) + RestrictedHartreeFock.Trace(db, fb, n)) + enuc;
            var err = RestrictedHartreeFock.Commutator(fa, da, s, x, n, m).Concat(RestrictedHartreeFock.Commutator(fb, db, s, x, n, m)).ToArray();
            double errMax = RestrictedHartreeFock.ErrorSize(err, o.ErrorNorm);
            if (it > 1 && Math.Abs(eNew - energy) < o.EnergyTolerance && errMax < o.CommutatorTolerance && !eri.LastWasFull)
            {
                // converged on an incremental build: confirm on a full one
                (fa, fb) = Fock(h, eri, da, db, n, full: true);
                eNew = 0.5 * (RestrictedHartreeFock.Trace(dt, h, n) + RestrictedHartreeFock.Trace(da, fa, n) + RestrictedHartreeFock.Trace(db, fb, n)) + enuc;
                err = RestrictedHartreeFock.Commutator(fa, da, s, x, n, m).Concat(RestrictedHartreeFock.Commutator(fb, db, s, x, n, m)).ToArray();
                errMax = RestrictedHartreeFock.ErrorSize(err, o.ErrorNorm);
            }
            double dE = eNew - energy;
            energy = eNew;
            history.Add(FormattableString.Invariant($"iteration {it}: E = {eNew:F12}, dE = {dE:E2}, |FDS-SDF| = {errMax:E2}"));
            o.Progress?.Invoke("UHF " + history[^1]);
            if (it > 1 && Math.Abs(dE) < o.EnergyTolerance && errMax < o.CommutatorTolerance)
            {
                if (shifted || (early && o.Damping > 0 && it > 1)) { early = false; continue; }
                return new UnrestrictedHartreeFockResult(energy, enuc, it, Tensor.Wrap(ea, m), Tensor.Wrap(eb, m), Tensor.Wrap(da, n, n), Tensor.Wrap(db, n, n),
                    SpinContamination(da, db, s, n, na, nb), Tensor.Wrap(ca, n, m), Tensor.Wrap(cb, n, m));
            }
            if (errMax < o.DiisStart) early = false;
            if (o.DiisSize > 0 && (errMax < o.DiisStart || diisF.Count > 0))
            {
                diisF.Add([.. fa, .. fb]);
                diisE.Add(err);
                if (diisF.Count > o.DiisSize) { diisF.RemoveAt(0); diisE.RemoveAt(0); }
                if (diisF.Count >= 2)
                {
                    var f = RestrictedHartreeFock.Extrapolate(diisF, diisE);
                    fa = f[..(n * n)];
                    fb = f[(n * n)..];
                }
            }
        }
        throw new ScfConvergenceException($"UHF did not converge in {o.MaxIterations} iterations (tolerances: dE {o.EnergyTolerance:E1}, commutator {o.CommutatorTolerance:E1}); last iterations:\n  "
            + string.Join("\n  ", history.TakeLast(5)));
    }

    private static (double[] Fa, double[] Fb) Fock(double[] h, IncrementalCoulombExchange eri, double[] da, double[] db, int n, bool full = false)
    {
        var (j, k) = eri.Build([da, db], full);
        var (ja, jb, ka, kb) = (j[0], j[1], k[0], k[1]);
        var fa = new double[n * n];
        var fb = new double[n * n];
        for (int i = 0; i < n * n; i++)
        {
            fa[i] = h[i] + ja[i] + jb[i] - ka[i];
            fb[i] = h[i] + ja[i] + jb[i] - kb[i];
        }
        return (fa, fb);
    }

    private static double[] Density(double[] c, int n, int m, int occ)
    {
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double v = 0;
                for (int k = 0; k < occ; k++) v += c[i * m + k] * c[j * m + k];
                d[i * n + j] = v;
            }
        return d;
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
