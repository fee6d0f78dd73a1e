using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Molecular.Scf;

/// <summary>SCF settings.</summary>
/// <param name="MaxIterations">Iteration limit.</param>
/// <param name="EnergyTolerance">Convergence: change of the energy between iterations (Hartree).</param>
/// <param name="CommutatorTolerance">Convergence: size of the orthogonalised commutator FDS - SDF (see <paramref name="ErrorNorm"/>).</param>
/// <param name="DiisSize">DIIS subspace size (0: plain iterations).</param>
/// <param name="LinearDependence">Overlap eigenvalues below this are dropped (canonical orthogonalisation).</param>
/// <param name="DiisStart">DIIS starts once the commutator's largest element is below this.</param>
/// <param name="Guess">Initial density: superposition of atomic densities (default) or the core Hamiltonian (from which
/// N2/STO-3G converges to an excited self-consistent solution, 0.73 Ha too high).</param>
/// <param name="LevelShift">Virtual orbitals are raised by this much (Hartree) before DIIS takes over: F + b (S - S D_s S) with
/// D_s the density per electron of one spin (for hard cases: small gaps, oscillating occupations). 0: off.</param>
/// <param name="Damping">Before DIIS takes over, the new density is mixed with the old: D = (1 - a) D_new + a D_old. 0: off.</param>
/// <param name="Integrals">Stored or direct electron-repulsion integrals (automatic: stored when they fit).</param>
/// <param name="Occupation">Orbitals to occupy at the first iteration (0-based, in ascending energy of the guess's
/// orbitals); later iterations keep the occupied space by maximum overlap with the previous one (MOM, Gilbert, Besley and
/// Gill 2008). Null: aufbau. For excited or symmetry-constrained self-consistent solutions.</param>
/// <param name="Progress">Receives a line per SCF iteration, for long runs.</param>
/// <param name="ErrorNorm">How the commutator is measured against <paramref name="CommutatorTolerance"/>: its largest
/// element (default, the stricter) or its root mean square (Psi4's default, DIIS_RMS_ERROR).</param>
/// <param name="IncrementalThreshold">Incremental Fock builds from the density change, skipping integral blocks whose
/// contribution is bounded below this; convergence is always confirmed on a full build. 0 (default): a full build every
/// iteration. At thresholds that leave the SCF path unchanged (1e-14) it saved nothing measurable on benzene/def2-SVP
/// (stored or direct); it is there for large, sparse systems.</param>
public sealed record HartreeFockOptions(int MaxIterations = 200, double EnergyTolerance = 1e-10, double CommutatorTolerance = 1e-8, int DiisSize = 8,
    double LinearDependence = 1e-7, double DiisStart = 0.1, ScfGuess Guess = ScfGuess.SuperpositionOfAtomicDensities,
    double LevelShift = 0, double Damping = 0, IntegralMode Integrals = IntegralMode.Auto, double IncrementalThreshold = 0,
    ScfErrorNorm ErrorNorm = ScfErrorNorm.MaxElement, IReadOnlyList<int>? Occupation = null, Action<string>? Progress = null);

/// <summary>How the SCF error (the orthogonalised commutator FDS - SDF) is measured for convergence.</summary>
public enum ScfErrorNorm
{
    /// <summary>The largest absolute element.</summary>
    MaxElement,

    /// <summary>The root mean square of the elements.</summary>
    RootMeanSquare,
}

/// <summary>The initial density of an SCF.</summary>
public enum ScfGuess
{
    /// <summary>Superposition of atomic densities: spherically averaged, fractionally occupied atomic Hartree–Fock per element.</summary>
    SuperpositionOfAtomicDensities,

    /// <summary>Diagonalise the core Hamiltonian.</summary>
    Core,
}

/// <summary>The outcome of an SCF: energies, orbitals and the density matrix.</summary>
/// <param name="Energy">Total energy (Hartree).</param>
/// <param name="NuclearRepulsion">Nuclear repulsion.</param>
/// <param name="OneElectronEnergy">Tr(D H).</param>
/// <param name="TwoElectronEnergy">Electron–electron energy.</param>
/// <param name="Iterations">Iterations used.</param>
/// <param name="OrbitalEnergies">Orbital energies (ascending; with a chosen occupation, the occupied orbitals come first).</param>
/// <param name="Coefficients">MO coefficients (basis functions x orbitals).</param>
/// <param name="Density">Total density matrix.</param>
public sealed record HartreeFockResult(double Energy, double NuclearRepulsion, double OneElectronEnergy, double TwoElectronEnergy, int Iterations,
    Tensor OrbitalEnergies, Tensor Coefficients, Tensor Density);

/// <summary>An SCF that did not converge: the message gives the last energy changes and commutator norms.</summary>
public sealed class ScfConvergenceException(string message) : Exception(message);

/// <summary>
/// Closed-shell (restricted) Hartree–Fock: canonical orthogonalisation, atomic-density or core guess, level shift and
/// damping for the first iterations, DIIS on the commutator FDS - SDF, J/K from stored or direct integrals
/// (<see cref="CoulombExchangeBuilder"/>); converged on the energy change and the commutator norm.
/// </summary>
public static class RestrictedHartreeFock
{
    /// <summary>Runs RHF.</summary>
    /// <exception cref="ArgumentException">An open-shell molecule (use UHF).</exception>
    /// <exception cref="ScfConvergenceException">No convergence within the iteration limit.</exception>
    public static HartreeFockResult Run(Molecule molecule, BasisSet basis, HartreeFockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        var o = options ?? new HartreeFockOptions();
        if (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0)
            throw new ArgumentException($"RHF needs a closed-shell singlet; this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity}.");
        int n = basis.FunctionCount, occ = molecule.ElectronCount / 2;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        var h = CoulombIntegrals.CoreHamiltonian(basis, molecule).ToArray();
        if (!(o.Damping >= 0 && o.Damping < 1)) throw new ArgumentException($"Damping must be in [0, 1); got {o.Damping}.");
        if (!(o.LevelShift >= 0) || !double.IsFinite(o.LevelShift)) throw new ArgumentException($"The level shift must be a finite non-negative number (Hartree); got {o.LevelShift}.");
        var eri = Incremental(basis, o);
        var x = Orthogonaliser(s, n, o.LinearDependence, out int m);
        if (occ > m) throw new ArgumentException($"{occ} occupied orbitals do not fit in {m} linearly independent basis functions.");
        double enuc = molecule.NuclearRepulsion();
        var d = o.Guess == ScfGuess.Core ? new double[n * n] : SuperpositionOfAtomicDensities(molecule, basis, o);
        var f = o.Guess == ScfGuess.Core ? (double[])h.Clone() : Add(h, TwoElectron(eri, d, n));
        double energy = 0;
        var history = new List<string>();
        var diisF = new List<double[]>();
        var diisE = new List<double[]>();
        double[] eps = [], c = [];
        bool early = true; // before DIIS: level shift and damping apply
        if (o.Occupation is { } chosen && (chosen.Count != occ || chosen.Distinct().Count() != occ || chosen.Any(k => k < 0 || k >= m)))
            throw new ArgumentException($"The occupation must name {occ} distinct orbitals among 0 .. {m - 1}; got [{string.Join(", ", chosen)}].");
        int[] occupied = o.Occupation is null ? [.. Enumerable.Range(0, occ)] : [.. o.Occupation];
        double[]? previous = null; // occupied coefficients of the last iteration (MOM)
        for (int it = 1; it <= o.MaxIterations; it++)
        {
            bool shifted = early && o.LevelShift > 0 && it > 1;
            (eps, c) = Diagonalise(shifted ? LevelShifted(f, s, d, 0.5, o.LevelShift, n) : f, x, n, m);
            if (o.Occupation is not null && previous is not null) occupied = MaximumOverlap(previous, c, s, n, m, occ);
            previous = new double[n * occ];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < occ; k++) previous[i * occ + k] = c[i * m + occupied[k]];
            var dNew = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = 0;
                    for (int k = 0; k < occ; k++) v += previous[i * occ + k] * previous[j * occ + k];
                    dNew[i * n + j] = 2 * v;
                }
            if (early && o.Damping > 0 && it > 1)
                for (int i = 0; i < dNew.Length; i++) dNew[i] = (1 - o.Damping) * dNew[i] + o.Damping * d[i];
            d = dNew;
            var g = TwoElectron(eri, d, n);
            f = Add(h, g);
            double e1 = Trace(d, h, n), e2 = 0.5 * Trace(d, g, n);
            double eNew = e1 + e2 + enuc;
            var err = Commutator(f, d, s, x, n, m);
            double errMax = ErrorSize(err, o.ErrorNorm);
            if (it > 1 && Math.Abs(eNew - energy) < o.EnergyTolerance && errMax < o.CommutatorTolerance && !eri.LastWasFull)
            {
                // converged on an incremental build: confirm on a full one
                g = TwoElectron(eri, d, n, full: true);
                f = Add(h, g);
                (e1, e2) = (Trace(d, h, n), 0.5 * Trace(d, g, n));
                eNew = e1 + e2 + enuc;
                err = Commutator(f, d, s, x, n, m);
                errMax = ErrorSize(err, o.ErrorNorm);
            }
            double dE = eNew - energy;
            energy = eNew;
            history.Add(FormattableString.Invariant($"iteration {it}: E = {eNew:F12}, dE = {dE:E2}, |FDS-SDF| = {errMax:E2}"));
            o.Progress?.Invoke("RHF " + history[^1]);
            if (it > 1 && Math.Abs(dE) < o.EnergyTolerance && errMax < o.CommutatorTolerance)
            {
                if (shifted || (early && o.Damping > 0 && it > 1)) { early = false; continue; } // one clean step: orbitals of the unshifted F
                if (o.Occupation is not null) (eps, c) = OccupiedFirst(eps, c, occupied, n, m);
                return new HartreeFockResult(energy, enuc, e1, e2, it, Tensor.Wrap(eps, m), Tensor.Wrap(c, n, m), Tensor.Wrap(d, n, n));
            }
            if (errMax < o.DiisStart) early = false;
            if (o.DiisSize > 0 && (errMax < o.DiisStart || diisF.Count > 0))
            {
                diisF.Add((double[])f.Clone());
                diisE.Add(err);
                if (diisF.Count > o.DiisSize) { diisF.RemoveAt(0); diisE.RemoveAt(0); }
                if (diisF.Count >= 2) f = Extrapolate(diisF, diisE);
            }
        }
        throw new ScfConvergenceException($"RHF did not converge in {o.MaxIterations} iterations (tolerances: dE {o.EnergyTolerance:E1}, commutator {o.CommutatorTolerance:E1}); last iterations:\n  "
            + string.Join("\n  ", history.TakeLast(5)));
    }

    /// <summary>
    /// Block-diagonal sum of atomic densities, each from a spin-averaged atomic SCF whose electrons fill the lowest
    /// orbitals, a partly filled degenerate set sharing its electrons equally (so the atom stays spherical).
    /// </summary>
    internal static double[] SuperpositionOfAtomicDensities(Molecule molecule, BasisSet basis, HartreeFockOptions o)
    {
        int n = basis.FunctionCount;
        var d = new double[n * n];
        var cache = new Dictionary<int, double[]>();
        for (int a = 0; a < molecule.Atoms.Count; a++)
        {
            var atom = molecule.Atoms[a];
            var shells = basis.Shells.Where(s => s.Atom == a).ToList();
            int offset = shells[0].Offset, na = shells.Sum(s => s.FunctionCount);
            if (!cache.TryGetValue(atom.AtomicNumber, out var da))
            {
                var single = new Molecule([atom with { X = 0, Y = 0, Z = 0 }], 0, atom.AtomicNumber % 2 == 0 ? 1 : 2);
                da = AtomicDensity(single, BasisSet.For(single, new BasisSetDefinition(basis.Name, shells[0].Pure,
                    new Dictionary<int, IReadOnlyList<ShellDefinition>> { [atom.AtomicNumber] = DefinitionsOf(shells) })), o);
                cache[atom.AtomicNumber] = da;
            }
            for (int i = 0; i < na; i++) for (int j = 0; j < na; j++) d[(offset + i) * n + offset + j] = da[i * na + j];
        }
        return d;
    }

    private static List<ShellDefinition> DefinitionsOf(List<Shell> shells) =>
        [.. shells.Select(s => new ShellDefinition(s.AngularMomentum, [.. s.Exponents], [.. s.Coefficients.Select((c, i) => c / BasisSet.PrimitiveNorm(s.AngularMomentum, s.Exponents[i]))]))];


    private static double[] AtomicDensity(Molecule atom, BasisSet basis, HartreeFockOptions o)
    {
        int n = basis.FunctionCount, electrons = atom.ElectronCount;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        var h = CoulombIntegrals.CoreHamiltonian(basis, atom).ToArray();
        var eri = new IncrementalCoulombExchange(new CoulombExchangeBuilder(basis, IntegralMode.Stored), 0);
        var x = Orthogonaliser(s, n, o.LinearDependence, out int m);
        var f = (double[])h.Clone();
        var d = new double[n * n];
        for (int it = 0; it < 100; it++)
        {
            var (eps, c) = Diagonalise(f, x, n, m);
            var occ = new double[m];
            double left = electrons;
            for (int k = 0; k < m && left > 1e-12;)
            {
                int g = k;
                while (g + 1 < m && Math.Abs(eps[g + 1] - eps[k]) < 1e-4 * Math.Max(1, Math.Abs(eps[k]))) g++;
                int size = g - k + 1;
                double put = Math.Min(left, 2.0 * size);
                for (int t = k; t <= g; t++) occ[t] = put / size;
                left -= put;
                k = g + 1;
            }
            var dNew = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = 0;
                    for (int k = 0; k < m; k++) if (occ[k] > 0) v += occ[k] * c[i * m + k] * c[j * m + k];
                    dNew[i * n + j] = 0.5 * v + 0.5 * d[i * n + j]; // damped
                }
            double change = 0;
            for (int i = 0; i < n * n; i++) change = Math.Max(change, Math.Abs(dNew[i] - d[i]));
            d = it == 0 ? dNew.Select(v => 2 * v).ToArray() : dNew;
            f = Add(h, TwoElectron(eri, d, n));
            if (it > 0 && change < 1e-6) break;
        }
        return d;
    }

    internal static double[] Add(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] + b[i];
        return r;
    }

    internal static double Trace(double[] a, double[] b, int n)
    {
        double t = 0;
        for (int i = 0; i < n * n; i++) t += a[i] * b[i];
        return t;
    }

    /// <summary>X = U s^-1/2 over the overlap eigenvalues above the threshold (n x m).</summary>
    internal static double[] Orthogonaliser(double[] s, int n, double threshold, out int m)
    {
        var e = SymmetricEigen.Decompose(Tensor.Wrap((double[])s.Clone(), n, n));
        var keep = Enumerable.Range(0, n).Where(i => e.Values[i] > threshold).ToArray();
        m = keep.Length;
        var x = new double[n * m];
        for (int k = 0; k < m; k++)
        {
            double f = 1 / Math.Sqrt(e.Values[keep[k]]);
            for (int i = 0; i < n; i++) x[i * m + k] = e.Vectors[i, keep[k]] * f;
        }
        return x;
    }

    internal static (double[] Eps, double[] C) Diagonalise(double[] f, double[] x, int n, int m)
    {
        var fp = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(x, n, m), Tensor.Wrap(f, n, n), transA: true), Tensor.Wrap(x, n, m));
        var sym = fp.ToArray();
        for (int i = 0; i < m; i++) for (int j = 0; j < i; j++) sym[i * m + j] = sym[j * m + i] = 0.5 * (sym[i * m + j] + sym[j * m + i]);
        var e = SymmetricEigen.Decompose(Tensor.Wrap(sym, m, m));
        var c = Gemm.MatMul(Tensor.Wrap(x, n, m), e.Vectors);
        return (e.Values.ToArray(), c.ToArray());
    }

    /// <summary>The J/K builder of an SCF with its incremental-build setting.</summary>
    internal static IncrementalCoulombExchange Incremental(BasisSet basis, HartreeFockOptions o)
    {
        if (o.IncrementalThreshold < 0) throw new ArgumentException($"The incremental-build threshold must not be negative; got {o.IncrementalThreshold}.");
        return new IncrementalCoulombExchange(new CoulombExchangeBuilder(basis, o.Integrals), o.IncrementalThreshold);
    }

    /// <summary>G = J - K/2 for a total density D.</summary>
    internal static double[] TwoElectron(IncrementalCoulombExchange eri, double[] d, int n, bool full = false)
    {
        var (j, k) = eri.Build([d], full);
        var g = j[0];
        for (int i = 0; i < g.Length; i++) g[i] -= 0.5 * k[0][i];
        return g;
    }

    /// <summary>F + shift (S - f S D S): raises the virtual space (D S f is the projector on the occupied space, f = 1/occupation).</summary>
    internal static double[] LevelShifted(double[] f, double[] s, double[] d, double perElectron, double shift, int n)
    {
        var sds = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(s, n, n), Tensor.Wrap(d, n, n)), Tensor.Wrap(s, n, n)).ToArray();
        var r = new double[n * n];
        for (int i = 0; i < r.Length; i++) r[i] = f[i] + shift * (s[i] - perElectron * sds[i]);
        return r;
    }

    /// <summary>The occ orbitals of C (n x m) with the largest projection sum_i |(C_prev^T S C)_ij|^2 on the previous occupied space.</summary>
    internal static int[] MaximumOverlap(double[] previous, double[] c, double[] s, int n, int m, int occ)
    {
        var o = Gemm.MatMul(Gemm.MatMul(Tensor.Wrap(previous, n, occ), Tensor.Wrap(s, n, n), transA: true), Tensor.Wrap(c, n, m)).ToArray();
        var p = new double[m];
        for (int i = 0; i < occ; i++)
            for (int j = 0; j < m; j++) p[j] += o[i * m + j] * o[i * m + j];
        return [.. Enumerable.Range(0, m).OrderByDescending(j => p[j]).ThenBy(j => j).Take(occ).Order()];
    }

    /// <summary>Reorders orbitals so that the occupied ones come first (each group in ascending energy).</summary>
    private static (double[] Eps, double[] C) OccupiedFirst(double[] eps, double[] c, int[] occupied, int n, int m)
    {
        var order = occupied.Concat(Enumerable.Range(0, m).Except(occupied)).ToArray();
        var e2 = order.Select(k => eps[k]).ToArray();
        var c2 = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < m; k++) c2[i * m + k] = c[i * m + order[k]];
        return (e2, c2);
    }

    /// <summary>The size of an SCF error vector in the chosen norm.</summary>
    internal static double ErrorSize(double[] err, ScfErrorNorm norm) =>
        norm == ScfErrorNorm.RootMeanSquare ? Math.Sqrt(err.Sum(v => v * v) / err.Length) : err.Max(Math.Abs);

    /// <summary>X^T (FDS - SDF) X, flattened (m x m).</summary>
    internal static double[] Commutator(double[] f, double[] d, double[] s, double[] x, int n, int m)
    {
        var F = Tensor.Wrap(f, n, n);
        var D = Tensor.Wrap(d, n, n);
        var S = Tensor.Wrap(s, n, n);
        var fds = Gemm.MatMul(Gemm.MatMul(F, D), S).ToArray();
        var comm = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) comm[i * n + j] = fds[i * n + j] - fds[j * n + i]; // SDF = (FDS)^T
        var X = Tensor.Wrap(x, n, m);
        return Gemm.MatMul(Gemm.MatMul(X, Tensor.Wrap(comm, n, n), transA: true), X).ToArray();
    }

    /// <summary>Pulay DIIS: the combination of stored Fock matrices whose errors combine to the smallest norm.</summary>
    internal static double[] Extrapolate(List<double[]> fs, List<double[]> es)
    {
        int k = fs.Count;
        var b = new double[(k + 1) * (k + 1)];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double v = 0;
                for (int t = 0; t < es[i].Length; t++) v += es[i][t] * es[j][t];
                b[i * (k + 1) + j] = v;
            }
        for (int i = 0; i < k; i++) { b[i * (k + 1) + k] = -1; b[k * (k + 1) + i] = -1; }
        var rhs = new double[k + 1];
        rhs[k] = -1;
        double[] w;
        try { w = LinearSolve.Solve(Tensor.Wrap(b, k + 1, k + 1), Tensor.Wrap(rhs, k + 1)).ToArray(); }
        catch (Exception ex) when (ex is ArithmeticException or ArgumentException) { return fs[^1]; } // a singular DIIS matrix (errors already tiny): plain step
        var f = new double[fs[0].Length];
        for (int i = 0; i < k; i++) for (int t = 0; t < f.Length; t++) f[t] += w[i] * fs[i][t];
        return f;
    }
}
