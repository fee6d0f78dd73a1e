using System.Numerics;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>One single replacement E_pq |source&gt; = sign |target&gt; (p == q included: the occupation count).</summary>
/// <param name="Target">Index of the resulting string.</param>
/// <param name="Pq">p * orbitals + q.</param>
/// <param name="Sign">+1 or -1.</param>
internal readonly record struct Replacement(int Target, int Pq, int Sign);

/// <summary>
/// All occupation strings of k electrons of one spin in n orbitals (bit p set: orbital p occupied), in ascending
/// bit-pattern order, with their single-replacement lists E_pq = a+_p a_q (the Knowles–Handy / Olsen string
/// machinery of determinant FCI).
/// </summary>
internal sealed class OccupationStrings
{
    private readonly Dictionary<ulong, int> index;

    public OccupationStrings(int orbitals, int electrons)
    {
        if (orbitals > 63) throw new ArgumentException($"FCI strings support at most 63 orbitals; got {orbitals}.");
        Orbitals = orbitals;
        Electrons = electrons;
        var list = new List<ulong>();
        if (electrons >= 0 && electrons <= orbitals)
        {
            // Gosper's hack: next bit pattern with the same number of set bits
            ulong s = electrons == 0 ? 0 : (1UL << electrons) - 1, limit = 1UL << orbitals;
            while (s < limit)
            {
                list.Add(s);
                if (s == 0) break;
                ulong c = s & (ulong)-(long)s, r = s + c;
                s = (((r ^ s) >> 2) / c) | r;
            }
        }
        Strings = [.. list];
        index = new Dictionary<ulong, int>(Strings.Length);
        for (int i = 0; i < Strings.Length; i++) index[Strings[i]] = i;
        Singles = new Replacement[Strings.Length][];
        Parallel.For(0, Strings.Length, i =>
        {
            ulong s = Strings[i];
            var r = new List<Replacement>(electrons * (orbitals - electrons + 1));
            for (int q = 0; q < orbitals; q++)
            {
                if ((s >> q & 1) == 0) continue;
                ulong removed = s & ~(1UL << q);
                int s1 = BitOperations.PopCount(s & ((1UL << q) - 1));
                for (int p = 0; p < orbitals; p++)
                {
                    if ((removed >> p & 1) != 0) continue;
                    int s2 = BitOperations.PopCount(removed & ((1UL << p) - 1));
                    r.Add(new Replacement(index[removed | (1UL << p)], p * orbitals + q, ((s1 + s2) & 1) == 0 ? 1 : -1));
                }
            }
            Singles[i] = [.. r];
        });
    }

    /// <summary>Number of orbitals.</summary>
    public int Orbitals { get; }

    /// <summary>Number of electrons of this spin.</summary>
    public int Electrons { get; }

    /// <summary>The strings.</summary>
    public ulong[] Strings { get; }

    /// <summary>Number of strings.</summary>
    public int Count => Strings.Length;

    /// <summary>Singles[I]: every E_pq |I&gt; that is not zero.</summary>
    public Replacement[][] Singles { get; }

    /// <summary>Index of a string, or -1.</summary>
    public int IndexOf(ulong s) => index.TryGetValue(s, out int i) ? i : -1;

    /// <summary>
    /// The one-spin Hamiltonian over these strings, dense (count x count): sum_kl h'_kl E_kl + 1/2 sum (ij|kl) E_ij E_kl
    /// with h' = h - 1/2 sum_j (kj|jl); together with the alpha-beta coupling it gives the FCI Hamiltonian.
    /// </summary>
    public double[] SameSpinHamiltonian(MolecularOrbitalIntegrals mo, double[] hPrime)
    {
        int n = Orbitals, count = Count, n2 = n * n;
        var h = new double[(long)count * count];
        var eri = mo.TwoElectron;
        Parallel.For(0, count, j =>
        {
            // column j: E_ij E_kl |J>
            foreach (var (k, kl, s1) in Singles[j])
            {
                h[(long)k * count + j] += s1 * hPrime[kl];
                foreach (var (i, ij, s2) in Singles[k])
                    h[(long)i * count + j] += 0.5 * s1 * s2 * eri[(long)ij * n2 + kl];
            }
        });
        return h;
    }
}
