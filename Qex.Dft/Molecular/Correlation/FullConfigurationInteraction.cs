using System.Numerics;
using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>An FCI state of a given spin.</summary>
/// <param name="Energy">Total energy (including nuclear repulsion).</param>
/// <param name="SpinSquared">&lt;S^2&gt; of the state.</param>
/// <param name="Determinants">Size of the determinant space (alpha strings x beta strings).</param>
/// <param name="Iterations">Davidson iterations (0 for the dense solver).</param>
/// <param name="AlphaDensity">One-particle density matrix of the alpha electrons in the orbital basis, gamma_pq = &lt;a+_p a_q&gt; (n x n); null from the dense solver.</param>
/// <param name="BetaDensity">The same for the beta electrons.</param>
public sealed record FullConfigurationInteractionResult(double Energy, double SpinSquared, long Determinants, int Iterations = 0,
    Tensor? AlphaDensity = null, Tensor? BetaDensity = null)
{
    /// <summary>
    /// The total one-particle density matrix in the atomic-orbital basis, P = C (gamma_alpha + gamma_beta) C^T, for the
    /// orbital coefficients C (n_ao x n_mo) the integrals were transformed with; the density target of learned functionals.
    /// </summary>
    public Tensor AtomicOrbitalDensity(Tensor coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (AlphaDensity is null || BetaDensity is null) throw new InvalidOperationException("This FCI result carries no density matrices (dense solver).");
        var g = TensorMath.Binary(BinaryOp.Add, AlphaDensity, BetaDensity);
        return Gemm.MatMul(Gemm.MatMul(coefficients, g), coefficients, transB: true);
    }
}

/// <summary>Settings of the direct FCI solver.</summary>
/// <param name="ResidualTolerance">Davidson residual norm (energy error is of order its square).</param>
/// <param name="Roots">Roots computed at first in the S_z (and spin-flip parity) space; the lowest of the requested spin is chosen, and when none has it the solve is repeated with more roots (up to 16).</param>
/// <param name="MaxIterations">Davidson iterations before giving up.</param>
/// <param name="Progress">Receives a line per Davidson iteration (energies and residual norms), for long runs.</param>
public sealed record FullConfigurationInteractionOptions(double ResidualTolerance = 1e-6, int Roots = 1, int MaxIterations = 200,
    Action<string>? Progress = null);

/// <summary>
/// Full configuration interaction over determinants |I_alpha I_beta&gt; of alpha and beta occupation strings (S_z fixed
/// by the electron counts). <see cref="Run"/> is the direct solver: sigma = H c from string replacement lists
/// (same-spin parts as dense string-space matrices, the alpha-beta part as Olsen's gather / sparse-product /
/// scatter per orbital pair), Davidson for the lowest roots, the spin-flip parity (-1)^S imposed on the CI matrix
/// when S_z = 0, and the lowest root whose &lt;S^2&gt; equals S(S+1) returned with its one-particle density matrices.
/// <see cref="Dense"/> builds H from the Slater–Condon rules and diagonalises it (a few thousand determinants; an
/// independent check of the direct solver).
/// </summary>
public static class FullConfigurationInteraction
{
    /// <summary>The largest determinant space handled by the dense solver.</summary>
    public const int MaxDeterminants = 6000;

    /// <summary>The largest number of strings of one spin (the same-spin Hamiltonians are stored dense).</summary>
    public const int MaxStrings = 8000;

    /// <summary>Direct FCI for <paramref name="alpha"/> and <paramref name="beta"/> electrons in the given orbitals.</summary>
    /// <exception cref="ArgumentException">Impossible electron counts or multiplicity, or a space too large.</exception>
    /// <exception cref="ConvergenceException">Davidson did not converge.</exception>
    /// <exception cref="InvalidOperationException">No computed root has the requested spin.</exception>
    public static FullConfigurationInteractionResult Run(MolecularOrbitalIntegrals mo, int alpha, int beta, int multiplicity,
        FullConfigurationInteractionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mo);
        options ??= new FullConfigurationInteractionOptions();
        int n = mo.Orbitals;
        CheckCounts(n, alpha, beta, multiplicity);
        long ca = MemoryEstimate.Binomial(n, alpha), cb = MemoryEstimate.Binomial(n, beta);
        if (ca > MaxStrings || cb > MaxStrings)
            throw new ArgumentException($"FCI with {Math.Max(ca, cb)} strings of one spin exceeds the limit of {MaxStrings} (the determinant space would be {(double)ca * cb:G4}).");
        var (determinants, bytes) = MemoryEstimate.Fci(n, alpha, beta);
        MemoryEstimate.Require(bytes, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"FCI of {alpha} alpha and {beta} beta electrons in {n} orbitals ({determinants:G4} determinants)"));
        var a = new OccupationStrings(n, alpha);
        var b = beta == alpha ? a : new OccupationStrings(n, beta);
        if (a.Count > MaxStrings || b.Count > MaxStrings)
            throw new ArgumentException($"FCI with {Math.Max(a.Count, b.Count)} strings of one spin exceeds the limit of {MaxStrings} (the determinant space would be {(long)a.Count * b.Count}).");
        long nd = (long)a.Count * b.Count;
        if (nd > Array.MaxLength / 2) throw new ArgumentException($"FCI space of {nd} determinants is too large.");

        int dim = (int)nd;
        double s = (multiplicity - 1) / 2.0, target = s * (s + 1);
        // S_z = 0: the CI matrix is symmetric (even S) or antisymmetric (odd S) under swapping alpha and beta strings
        int flip = ((int)Math.Round(s) & 1) == 0 ? 1 : -1;
        Action<double[]>? parity = alpha == beta ? x => SpinFlipProject(x, a.Count, flip) : null;
        var sigma = new FciSigma(mo, a, b, alpha == beta ? flip : 0);
        var diag = sigma.Diagonal();
        int space = parity is null ? dim : (((int)Math.Round(s) & 1) == 0 ? a.Count * (a.Count + 1) / 2 : a.Count * (a.Count - 1) / 2);
        if (space == 0) throw new ArgumentException($"No determinant of {alpha} alpha and {beta} beta electrons in {n} orbitals can form multiplicity {multiplicity}.");
        var byDiagonal = new int[dim];
        for (int i = 0; i < dim; i++) byDiagonal[i] = i;
        var keys = (double[])diag.Clone();
        Array.Sort(keys, byDiagonal); // (ties: the introsort order is deterministic for the same input)
        var seen = new List<string>();
        int roots = Math.Min(Math.Max(1, options.Roots), space), iterations = 0;
        while (true)
        {
            var guesses = new List<double[]>();
            foreach (int i in byDiagonal.Take(Math.Min(dim, 2 * roots + 4)))
            {
                var g = new double[dim];
                g[i] = 1;
                guesses.Add(g);
            }
            var dav = Davidson.Lowest(dim, roots, sigma.Apply, diag, guesses,
                new DavidsonOptions(options.ResidualTolerance, options.MaxIterations,
                    Progress: options.Progress is null ? null : (k, e, r) => options.Progress(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"FCI iteration {k}: E = {e[0] + mo.NuclearRepulsion:F10}, residual {r.Max():E2}"))), parity);
            iterations += dav.Iterations;
            if (!dav.Converged)
                throw new ConvergenceException("FCI", $"FCI Davidson did not converge in {dav.Iterations} iterations: residual norms {string.Join(", ", dav.ResidualNorms.Select(r => r.ToString("E2", System.Globalization.CultureInfo.InvariantCulture)))} (tolerance {options.ResidualTolerance:E1}).");
            seen.Clear();
            for (int r = 0; r < roots; r++)
            {
                double s2 = SpinSquared(dav.Vectors[r], a, b);
                seen.Add($"E = {dav.Values[r] + mo.NuclearRepulsion:F8}, <S^2> = {s2:F4}");
                if (Math.Abs(s2 - target) < 1e-5)
                {
                    var (ga, gb) = OneParticleDensities(dav.Vectors[r], a, b);
                    return new FullConfigurationInteractionResult(dav.Values[r] + mo.NuclearRepulsion, s2, nd, iterations, ga, gb);
                }
            }
            if (roots >= Math.Min(16, space)) break;
            roots = Math.Min(Math.Min(16, space), 4 * roots);
        }
        throw new InvalidOperationException($"None of the {roots} lowest FCI roots has multiplicity {multiplicity} (<S^2> = {target}): {string.Join("; ", seen)}.");
    }

    private static void CheckCounts(int n, int alpha, int beta, int multiplicity)
    {
        if (alpha > n || beta > n || alpha < 0 || beta < 0) throw new ArgumentException($"{alpha} alpha and {beta} beta electrons do not fit in {n} orbitals.");
        if (multiplicity < 1 || multiplicity - 1 < Math.Abs(alpha - beta) || (multiplicity - 1 - Math.Abs(alpha - beta)) % 2 != 0)
            throw new ArgumentException($"Multiplicity {multiplicity} is impossible with {alpha} alpha and {beta} beta electrons (S_z = {(alpha - beta) / 2.0}).");
    }

    /// <summary>x[I, J] = (x[I, J] + p x[J, I]) / 2 for a square CI matrix.</summary>
    private static void SpinFlipProject(double[] x, int m, int p)
    {
        Parallel.For(0, m, i =>
        {
            for (int j = 0; j <= i; j++)
            {
                double v = 0.5 * (x[i * m + j] + p * x[j * m + i]);
                x[i * m + j] = v;
                x[j * m + i] = p * v;
            }
        });
    }

    /// <summary>&lt;S^2&gt; = |S+ c|^2 + S_z (S_z + 1), with S+ = sum_p a+_(p alpha) a_(p beta), gathered per target determinant.</summary>
    private static double SpinSquared(double[] c, OccupationStrings a, OccupationStrings b)
    {
        double sz = (a.Electrons - b.Electrons) / 2.0, norm = 0;
        if (b.Electrons > 0 && a.Electrons < a.Orbitals)
        {
            var ta = new OccupationStrings(a.Orbitals, a.Electrons + 1);
            var tb = new OccupationStrings(b.Orbitals, b.Electrons - 1);
            var partial = new double[ta.Count];
            Parallel.For(0, ta.Count, ka =>
            {
                ulong sa = ta.Strings[ka];
                double acc = 0;
                for (int kb = 0; kb < tb.Count; kb++)
                {
                    ulong sb = tb.Strings[kb];
                    double v = 0;
                    for (int p = 0; p < a.Orbitals; p++)
                    {
                        if ((sa >> p & 1) == 0 || (sb >> p & 1) != 0) continue;
                        ulong ia = sa & ~(1UL << p), ib = sb | (1UL << p);
                        ulong below = (1UL << p) - 1;
                        int sign = ((BitOperations.PopCount(ia & below) + BitOperations.PopCount(ib & below)) & 1) == 0 ? 1 : -1;
                        v += sign * c[(long)a.IndexOf(ia) * b.Count + b.IndexOf(ib)];
                    }
                    acc += v * v;
                }
                partial[ka] = acc;
            });
            norm = partial.Sum();
        }
        return norm + sz * (sz + 1);
    }

    /// <summary>gamma^sigma_pq = &lt;c| a+_(p sigma) a_(q sigma) |c&gt; for a normalised CI vector.</summary>
    private static (Tensor Alpha, Tensor Beta) OneParticleDensities(double[] c, OccupationStrings a, OccupationStrings b)
    {
        int n = a.Orbitals, nb = b.Count;
        var ga = new double[n * n];
        var gb = new double[n * n];
        var lockObj = new object();
        Parallel.For(0, a.Count, () => (new double[n * n], new double[n * n]), (ja, _, acc) =>
        {
            var row = c.AsSpan(ja * nb, nb);
            foreach (var (ia, pq, s) in a.Singles[ja])
                acc.Item1[pq] += s * System.Numerics.Tensors.TensorPrimitives.Dot(c.AsSpan(ia * nb, nb), row);
            for (int jb = 0; jb < nb; jb++)
            {
                double cj = row[jb];
                if (cj == 0) continue;
                foreach (var (ib, pq, s) in b.Singles[jb]) acc.Item2[pq] += s * cj * row[ib];
            }
            return acc;
        }, acc =>
        {
            lock (lockObj)
            {
                for (int i = 0; i < n * n; i++) { ga[i] += acc.Item1[i]; gb[i] += acc.Item2[i]; }
            }
        });
        return (Tensor.Wrap(ga, n, n), Tensor.Wrap(gb, n, n));
    }

    /// <summary>
    /// Dense FCI: H from the Slater–Condon rules over all determinants, its lowest eigenpairs, and the lowest root of
    /// the requested multiplicity. For up to <see cref="MaxDeterminants"/> determinants.
    /// </summary>
    /// <exception cref="ArgumentException">Too many determinants, or impossible electron counts.</exception>
    /// <exception cref="InvalidOperationException">No root of the requested spin among the computed ones.</exception>
    public static FullConfigurationInteractionResult Dense(MolecularOrbitalIntegrals mo, int alpha, int beta, int multiplicity)
    {
        ArgumentNullException.ThrowIfNull(mo);
        int n = mo.Orbitals;
        CheckCounts(n, alpha, beta, multiplicity);
        var aStr = Strings(n, alpha);
        var bStr = Strings(n, beta);
        long count = (long)aStr.Count * bStr.Count;
        if (count > MaxDeterminants) throw new ArgumentException($"FCI space of {count} determinants exceeds the dense solver's limit ({MaxDeterminants}); use the direct solver (Run).");
        int nd = (int)count;
        // spin-orbital bitmasks: alpha orbital p is bit p, beta orbital p is bit n + p (alpha operators first)
        var dets = new ulong[nd];
        for (int i = 0; i < aStr.Count; i++)
            for (int j = 0; j < bStr.Count; j++) dets[i * bStr.Count + j] = aStr[i] | (bStr[j] << n);
        var h = new double[nd * nd];
        Parallel.For(0, nd, i =>
        {
            for (int j = 0; j <= i; j++)
            {
                double v = Element(mo, dets[i], dets[j]);
                h[i * nd + j] = v;
                h[j * nd + i] = v;
            }
        });
        int roots = Math.Min(nd, 12);
        var eig = SymmetricEigen.Lowest(Tensor.Wrap(h, nd, nd), roots);
        double s = (multiplicity - 1) / 2.0, target = s * (s + 1);
        for (int r = 0; r < roots; r++)
        {
            var c = new double[nd];
            for (int i = 0; i < nd; i++) c[i] = eig.Vectors[i, r];
            double s2 = SpinSquared(c, dets, n, alpha, beta);
            if (Math.Abs(s2 - target) < 1e-6) return new FullConfigurationInteractionResult(eig.Values[r] + mo.NuclearRepulsion, s2, nd);
        }
        throw new InvalidOperationException($"None of the {roots} lowest FCI roots has multiplicity {multiplicity}.");
    }

    private static List<ulong> Strings(int n, int k)
    {
        var r = new List<ulong>();
        for (ulong m = 0; m < 1UL << n; m++) if (BitOperations.PopCount(m) == k) r.Add(m);
        return r;
    }

    /// <summary>Spatial orbital and spin of spin orbital i.</summary>
    private static (int P, int S) Orb(int i, int n) => i < n ? (i, 0) : (i - n, 1);

    /// <summary>&lt;ij|ab&gt; (physicists') over spin orbitals.</summary>
    private static double Phys(MolecularOrbitalIntegrals mo, int i, int j, int a, int b)
    {
        int n = mo.Orbitals;
        var (pi, si) = Orb(i, n);
        var (pj, sj) = Orb(j, n);
        var (pa, sa) = Orb(a, n);
        var (pb, sb) = Orb(b, n);
        return si == sa && sj == sb ? mo.Eri(pi, pa, pj, pb) : 0;
    }

    private static double Anti(MolecularOrbitalIntegrals mo, int i, int j, int a, int b) => Phys(mo, i, j, a, b) - Phys(mo, i, j, b, a);

    private static double OneBody(MolecularOrbitalIntegrals mo, int i, int a)
    {
        int n = mo.Orbitals;
        var (pi, si) = Orb(i, n);
        var (pa, sa) = Orb(a, n);
        return si == sa ? mo.OneElectron[pi * n + pa] : 0;
    }

    /// <summary>(-1)^(number of occupied spin orbitals strictly between i and a).</summary>
    private static int Phase(ulong det, int i, int a)
    {
        int lo = Math.Min(i, a), hi = Math.Max(i, a);
        ulong mask = hi - lo <= 1 ? 0 : ((1UL << hi) - 1) & ~((1UL << (lo + 1)) - 1);
        return (BitOperations.PopCount(det & mask) & 1) == 0 ? 1 : -1;
    }

    private static double Element(MolecularOrbitalIntegrals mo, ulong bra, ulong ket)
    {
        ulong diff = bra ^ ket;
        int ndiff = BitOperations.PopCount(diff);
        if (ndiff > 4) return 0;
        int nso = 2 * mo.Orbitals;
        if (ndiff == 0)
        {
            double e = 0;
            var occ = Occupied(ket, nso);
            foreach (int i in occ) e += OneBody(mo, i, i);
            for (int x = 0; x < occ.Count; x++)
                for (int y = 0; y < x; y++) e += Anti(mo, occ[x], occ[y], occ[x], occ[y]);
            return e;
        }
        var holes = Occupied(ket & diff, nso);   // in ket, not in bra
        var parts = Occupied(bra & diff, nso);   // in bra, not in ket
        if (ndiff == 2)
        {
            int i = holes[0], a = parts[0];
            double v = OneBody(mo, a, i);
            foreach (int j in Occupied(ket & ~(1UL << i), nso)) v += Anti(mo, a, j, i, j);
            return Phase(ket, i, a) * v;
        }
        {
            int i = holes[0], j = holes[1], a = parts[0], b = parts[1];
            // ket -> (i -> a) -> (j -> b)
            int p1 = Phase(ket, i, a);
            ulong mid = (ket & ~(1UL << i)) | (1UL << a);
            int p2 = Phase(mid, j, b);
            return p1 * p2 * Anti(mo, a, b, i, j);
        }
    }

    private static List<int> Occupied(ulong det, int nso)
    {
        var r = new List<int>();
        for (int i = 0; i < nso; i++) if ((det >> i & 1) != 0) r.Add(i);
        return r;
    }

    /// <summary>&lt;S^2&gt; = |S+ c|^2 + S_z (S_z + 1), S+ = sum_p a+_(p alpha) a_(p beta).</summary>
    private static double SpinSquared(double[] c, ulong[] dets, int n, int alpha, int beta)
    {
        double sz = (alpha - beta) / 2.0;
        var plus = new Dictionary<ulong, double>();
        for (int d = 0; d < dets.Length; d++)
        {
            if (c[d] == 0) continue;
            ulong det = dets[d];
            for (int p = 0; p < n; p++)
            {
                int ib = n + p;
                if ((det >> ib & 1) == 0 || (det >> p & 1) != 0) continue;
                // annihilate beta p (sign: occupied spin orbitals before it), then create alpha p (sign: occupied before p)
                int s1 = (BitOperations.PopCount(det & ((1UL << ib) - 1)) & 1) == 0 ? 1 : -1;
                ulong mid = det & ~(1UL << ib);
                int s2 = (BitOperations.PopCount(mid & ((1UL << p) - 1)) & 1) == 0 ? 1 : -1;
                ulong res = mid | (1UL << p);
                plus[res] = plus.GetValueOrDefault(res) + s1 * s2 * c[d];
            }
        }
        double norm = plus.Values.Sum(v => v * v);
        return norm + sz * (sz + 1);
    }
}
