using Qex.Core.LinearAlgebra;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>
/// The FCI Hamiltonian as a product sigma = H c on CI matrices c[I_alpha, I_beta] (row-major, beta fastest):
/// H = H_alpha (x) 1 + 1 (x) H_beta + sum_(kl,ij) (kl|ij) E^alpha_kl E^beta_ij, where the one-spin parts are dense
/// string-space matrices applied by matrix products and the alpha-beta part runs per orbital pair kl as gather
/// (rows of c reached by E^alpha_kl), sparse product with the beta replacements, scatter.
/// </summary>
internal sealed class FciSigma
{
    private readonly MolecularOrbitalIntegrals mo;
    private readonly OccupationStrings a, b;
    private readonly double[] hAlpha, hBeta;
    /// <summary>Per orbital pair kl: (source row J, target row I, sign) with E_kl |J&gt; = sign |I&gt;.</summary>
    private readonly (int Source, int Target, int Sign)[][] alphaPairs;
    private readonly int maxPairs;

    private readonly int parity;

    /// <summary>
    /// Prepares H; with <paramref name="spinFlipParity"/> = +1 or -1 (S_z = 0 only) every vector it is applied to must
    /// satisfy c[I, J] = parity c[J, I], and the alpha-alpha part is then the parity-transpose of the beta-beta part.
    /// </summary>
    public FciSigma(MolecularOrbitalIntegrals mo, OccupationStrings alpha, OccupationStrings beta, int spinFlipParity = 0)
    {
        parity = ReferenceEquals(alpha, beta) ? spinFlipParity : 0;
        this.mo = mo;
        a = alpha;
        b = beta;
        int n = mo.Orbitals;
        var hp = new double[n * n];
        for (int k = 0; k < n; k++)
            for (int l = 0; l < n; l++)
            {
                double v = mo.OneElectron[k * n + l];
                for (int j = 0; j < n; j++) v -= 0.5 * mo.Eri(k, j, j, l);
                hp[k * n + l] = v;
            }
        hAlpha = a.SameSpinHamiltonian(mo, hp);
        hBeta = ReferenceEquals(a, b) ? hAlpha : b.SameSpinHamiltonian(mo, hp);
        var lists = new List<(int, int, int)>[n * n];
        for (int i = 0; i < lists.Length; i++) lists[i] = [];
        for (int j = 0; j < a.Count; j++)
            foreach (var (t, pq, s) in a.Singles[j]) lists[pq].Add((j, t, s));
        // sorted by target row, so that with spin-flip symmetry the rows at or below a column form a suffix
        alphaPairs = [.. lists.Select(l => l.OrderBy(t => t.Item2).ThenBy(t => t.Item1).ToArray())];
        maxPairs = alphaPairs.Max(p => p.Length);
    }

    /// <summary>The exact diagonal of H (without nuclear repulsion).</summary>
    public double[] Diagonal()
    {
        int n = mo.Orbitals, na = a.Count, nb = b.Count;
        var d = new double[(long)na * nb];
        Parallel.For(0, na, i =>
        {
            ulong sa = a.Strings[i];
            for (int j = 0; j < nb; j++)
            {
                ulong sb = b.Strings[j];
                double v = hAlpha[(long)i * na + i] + hBeta[(long)j * nb + j];
                for (int p = 0; p < n; p++)
                {
                    if ((sa >> p & 1) == 0) continue;
                    for (int q = 0; q < n; q++)
                        if ((sb >> q & 1) != 0) v += mo.Eri(p, p, q, q);
                }
                d[(long)i * nb + j] = v;
            }
        });
        return d;
    }

    /// <summary>sigma = H c (electronic part).</summary>
    public void Apply(double[] c, double[] sigma)
    {
        int n = mo.Orbitals, na = a.Count, nb = b.Count, n2 = n * n;
        // same-spin parts: sigma = H_alpha c + c H_beta (both symmetric); for spin-flip-adapted c (c^T = p c, same
        // strings for both spins) H_alpha c = p (c H_beta)^T, so one product serves both
        Gemm.Multiply(false, false, na, nb, nb, 1, c, nb, hBeta, nb, 0, sigma, nb);
        if (parity != 0)
        {
            for (int i = 0; i < na; i++)
                for (int j = 0; j <= i; j++)
                {
                    double a = sigma[i * nb + j], bT = sigma[j * nb + i];
                    sigma[i * nb + j] = a + parity * bT;
                    if (i != j) sigma[j * nb + i] = bT + parity * a;
                }
        }
        else Gemm.Multiply(false, false, na, nb, na, 1, hAlpha, na, c, nb, 1, sigma, nb);
        // alpha-beta part: workers take orbital pairs kl in turn, each with its own buffers and accumulator. With
        // spin-flip symmetry only the elements with I_alpha >= I_beta are formed and the rest follow by transposition.
        var eri = mo.TwoElectron;
        bool half = parity != 0;
        int workers = Math.Min(Environment.ProcessorCount, n2);
        var partial = new double[workers][];
        Parallel.For(0, workers, w =>
        {
            var acc = w == 0 && !half ? sigma : new double[sigma.Length];
            var ct = new double[(long)nb * maxPairs];
            var vt = new double[(long)nb * maxPairs];
            int kl;
            for (kl = w; kl < n2; kl += workers) // static round-robin: the same sums in the same order every run
            {
                var pairs = alphaPairs[kl];
                int m = pairs.Length;
                if (m == 0) continue;
                for (int x = 0; x < m; x++)
                {
                    var (src, _, sgn) = pairs[x];
                    var row = c.AsSpan(src * nb, nb);
                    for (int jb = 0; jb < nb; jb++) ct[jb * m + x] = sgn * row[jb];
                }
                long klBase = (long)kl * n2;
                // V[ib, x] = sum over <ib|E_ij|jb> = s of s (kl|ij) C'[jb, x]; by the symmetry of H these are the
                // replacements E_ji |ib> = s |jb>, and (kl|ij) = (kl|ji): each row of V is summed in cache
                int xs = 0;
                for (int ib = 0; ib < nb; ib++)
                {
                    if (half) while (xs < m && pairs[xs].Target < ib) xs++;
                    int len = m - xs;
                    var to = vt.AsSpan(ib * m + xs, len);
                    to.Clear();
                    if (len == 0) continue;
                    foreach (var (jb, ji, s) in b.Singles[ib])
                    {
                        double coef = s * eri[klBase + ji];
                        if (coef == 0) continue;
                        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ct.AsSpan(jb * m + xs, len), coef, to, to);
                    }
                }
                // scatter (worker 0 without symmetry adds straight into sigma, which no other worker touches until the reduction)
                for (int x = 0; x < m; x++)
                {
                    int target = pairs[x].Target, top = half ? Math.Min(nb - 1, target) : nb - 1;
                    var dst = acc.AsSpan(target * nb, nb);
                    for (int ib = 0; ib <= top; ib++) dst[ib] += vt[ib * m + x];
                }
            }
            partial[w] = acc;
        });
        if (!half)
        {
            for (int w = 1; w < workers; w++) System.Numerics.Tensors.TensorPrimitives.Add(sigma, partial[w], sigma);
            return;
        }
        for (int w = 1; w < workers; w++) System.Numerics.Tensors.TensorPrimitives.Add(partial[0], partial[w], partial[0]);
        var ab = partial[0];
        for (int i = 0; i < na; i++)
            for (int j = 0; j <= i; j++)
            {
                double v = ab[i * nb + j];
                sigma[i * nb + j] += v;
                if (i != j) sigma[j * nb + i] += parity * v;
            }
    }
}
