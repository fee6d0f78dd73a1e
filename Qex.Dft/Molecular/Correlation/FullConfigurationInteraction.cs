using System.Numerics;
using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>The FCI ground state of a given spin: energy, CI vector over the determinants, and &lt;S^2&gt;.</summary>
/// <param name="Energy">Total energy.</param>
/// <param name="SpinSquared">&lt;S^2&gt; of the state.</param>
/// <param name="Determinants">Number of determinants.</param>
public sealed record FullConfigurationInteractionResult(double Energy, double SpinSquared, int Determinants);

/// <summary>
/// Full configuration interaction in the determinant basis of alpha and beta occupation strings (S_z fixed by the
/// electron counts): the Hamiltonian from the Slater–Condon rules, its lowest eigenpairs, and the lowest root whose
/// &lt;S^2&gt; equals S(S+1) of the requested multiplicity. Dense: for up to a few thousand determinants.
/// </summary>
public static class FullConfigurationInteraction
{
    /// <summary>The largest determinant space handled by the dense solver.</summary>
    public const int MaxDeterminants = 6000;

    /// <summary>Runs FCI for <paramref name="alpha"/> and <paramref name="beta"/> electrons in the given orbitals.</summary>
    /// <exception cref="ArgumentException">Too many determinants for the dense solver, or impossible electron counts.</exception>
    /// <exception cref="InvalidOperationException">No root of the requested spin among the computed ones.</exception>
    public static FullConfigurationInteractionResult Run(MolecularOrbitalIntegrals mo, int alpha, int beta, int multiplicity)
    {
        ArgumentNullException.ThrowIfNull(mo);
        int n = mo.Orbitals;
        if (alpha > n || beta > n || alpha < 0 || beta < 0) throw new ArgumentException($"{alpha} alpha and {beta} beta electrons do not fit in {n} orbitals.");
        var aStr = Strings(n, alpha);
        var bStr = Strings(n, beta);
        long count = (long)aStr.Count * bStr.Count;
        if (count > MaxDeterminants) throw new ArgumentException($"FCI space of {count} determinants exceeds the dense solver's limit ({MaxDeterminants}); a direct (sigma-vector) Davidson solver is needed.");
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
