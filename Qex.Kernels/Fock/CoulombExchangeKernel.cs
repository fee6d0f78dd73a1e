namespace Qex.Kernels.Fock;

/// <summary>
/// Density screening for a J/K build (used by incremental Fock builds, where the density is a small difference): a block
/// is skipped when its largest integral times the largest density element of the six function patches it touches is
/// below <paramref name="Threshold"/>.
/// </summary>
/// <param name="PatchBound">n x n: at (f, g) the largest |D| of the shell-pair patch holding (f, g), over all densities.</param>
/// <param name="Threshold">Skip when max|(ab|cd)| x bound is below this.</param>
public sealed record DensityScreening(double[] PatchBound, double Threshold);

/// <summary>
/// The J/K build: Coulomb J[D]_ab = sum_cd (ab|cd) D_cd and exchange K[D]_ac = sum_bd (ab|cd) D_bd from integrals stored
/// as <see cref="EriBlocks"/>, for one or more symmetric density matrices (RHF: one; UHF: alpha and beta). The hot kernel
/// of Hartree–Fock and hybrid DFT; every backend implements this interface.
/// </summary>
public interface ICoulombExchangeKernel
{
    /// <summary>
    /// Adds J[D_s] to <paramref name="coulomb"/>[s] and, when <paramref name="exchange"/> is not null, K[D_s] to
    /// <paramref name="exchange"/>[s], for every density D_s (n x n, row-major, symmetric).
    /// </summary>
    /// <param name="blocks">The integrals.</param>
    /// <param name="densities">Symmetric densities.</param>
    /// <param name="coulomb">Accumulators for J.</param>
    /// <param name="exchange">Accumulators for K, or null.</param>
    /// <param name="screening">Skip blocks whose contribution is bounded below a threshold (null: none).</param>
    void Accumulate(IReadOnlyList<EriBlocks> blocks, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> coulomb, IReadOnlyList<double[]>? exchange,
        DensityScreening? screening = null);
}

/// <summary>
/// The CPU J/K kernel: blocks shared out among threads in chunks, each thread accumulating half-matrices (every integral
/// touches 2 Coulomb and 4 exchange elements, whose transposes follow from symmetry), summed and symmetrised at the end.
/// </summary>
public sealed class CpuCoulombExchangeKernel : ICoulombExchangeKernel
{
    private readonly int threads;

    /// <summary>A kernel using up to <paramref name="maxThreads"/> threads (0: the processor count).</summary>
    public CpuCoulombExchangeKernel(int maxThreads = 0) => threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;

    /// <inheritdoc />
    public void Accumulate(IReadOnlyList<EriBlocks> blocks, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> coulomb, IReadOnlyList<double[]>? exchange,
        DensityScreening? screening = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(densities);
        ArgumentNullException.ThrowIfNull(coulomb);
        if (blocks.Count == 0) return;
        int n = blocks[0].FunctionCount, ns = densities.Count, nn = n * n;
        foreach (var b in blocks)
            if (b.FunctionCount != n) throw new ArgumentException($"Integral blocks for {b.FunctionCount} and {n} functions mixed.");
        if (coulomb.Count != ns || (exchange is not null && exchange.Count != ns))
            throw new ArgumentException($"{ns} densities need as many Coulomb (and exchange) matrices; got {coulomb.Count} and {exchange?.Count}.");
        for (int s = 0; s < ns; s++)
            if (densities[s].Length != nn || coulomb[s].Length != nn || (exchange is not null && exchange[s].Length != nn))
                throw new ArgumentException($"Density, Coulomb and exchange matrices must be {n} x {n}.");
        bool wantK = exchange is not null;
        if (screening is not null && screening.PatchBound.Length != nn) throw new ArgumentException($"The screening bound must be {n} x {n}.");
        // chunks of blocks: (set, first, end)
        var chunks = new List<(int Set, int From, int To)>();
        for (int s = 0; s < blocks.Count; s++)
            for (int f = 0; f < blocks[s].Count; f += 256) chunks.Add((s, f, Math.Min(blocks[s].Count, f + 256)));
        int workers = Math.Max(1, Math.Min(threads, chunks.Count));
        var jAcc = new double[workers][];
        var kAcc = new double[workers][];
        var dens = densities.ToArray();
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var j = new double[ns * nn];
            var k = wantK ? new double[ns * nn] : [];
            int c;
            for (c = w; c < chunks.Count; c += workers) // static round-robin: the same sums in the same order every run
            {
                var (set, from, to) = chunks[c];
                Range(blocks[set], from, to, dens, j, k, n, wantK, screening);
            }
            jAcc[w] = j;
            kAcc[w] = k;
        });
        for (int s = 0; s < ns; s++)
        {
            Symmetrise(jAcc, s * nn, n, coulomb[s]);
            if (wantK) Symmetrise(kAcc, s * nn, n, exchange![s]);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization | System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static unsafe void Range(EriBlocks eb, int from, int to, double[][] dens, double[] j, double[] k, int n, bool wantK, DensityScreening? screening)
    {
        int nn = n * n;
        double[] bound = screening?.PatchBound ?? [];
        double threshold = screening?.Threshold ?? 0;
        fixed (double* jp = j, kp = k)
        {
            for (int s = 0; s < dens.Length; s++)
            {
                fixed (double* dm = dens[s])
                {
                    for (int i = from; i < to; i++)
                    {
                        var (shape, weight, chunk, offset, max) = eb.Raw(i);
                        if (screening is not null)
                        {
                            int a0 = shape[8 * i], b0 = shape[8 * i + 2], c0 = shape[8 * i + 4], d0 = shape[8 * i + 6];
                            double dmax = Math.Max(Math.Max(Math.Max(bound[a0 * n + b0], bound[c0 * n + d0]), Math.Max(bound[a0 * n + c0], bound[a0 * n + d0])),
                                Math.Max(bound[b0 * n + c0], bound[b0 * n + d0]));
                            if (max * dmax < threshold) continue;
                        }
                        fixed (int* sh = shape)
                        fixed (double* v = &chunk[offset])
                            Block(sh + 8 * i, weight, v, dm, jp + s * nn, kp + s * nn, n, wantK);
                    }
                }
            }
        }
    }

    private static void Symmetrise(double[][] parts, int offset, int n, double[] target)
    {
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double v = 0;
                foreach (var p in parts) v += p[offset + a * n + b] + p[offset + b * n + a];
                target[a * n + b] += v;
            }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Block(int* shape, double weight, double* v, double* dm, double* js, double* ks, int n, bool wantK)
    {
        int a0 = shape[0], na = shape[1], b0 = shape[2], nb = shape[3], c0 = shape[4], nc = shape[5], d0 = shape[6], nd = shape[7];
        if (nc == 1 && nd == 1)
        {
            // (ab|cd) with one ket function pair: rows run along b instead (transposed targets are fine, both
            // accumulators are symmetrised at the end)
            int cn0 = c0 * n, dn0 = d0 * n;
            double dcd = 2 * weight * dm[cn0 + d0], jcd = 0;
            for (int a = a0; a < a0 + na; a++, v += nb)
            {
                int an = a * n;
                jcd += SimdRows.Dot(v, dm + an + b0, nb);
                SimdRows.Axpy(dcd, v, js + an + b0, nb);
                if (!wantK) continue;
                ks[an + c0] += weight * SimdRows.Dot(v, dm + dn0 + b0, nb);
                ks[an + d0] += weight * SimdRows.Dot(v, dm + cn0 + b0, nb);
                SimdRows.Axpy(weight * dm[an + d0], v, ks + cn0 + b0, nb);
                SimdRows.Axpy(weight * dm[an + c0], v, ks + dn0 + b0, nb);
            }
            js[cn0 + d0] += 2 * weight * jcd;
            return;
        }
        // rows of nd integrals (ab|c d0..d0+nd): each element of J and K they touch is a dot product or an axpy along d
        for (int a = a0; a < a0 + na; a++)
            for (int b = b0; b < b0 + nb; b++)
            {
                int an = a * n, bn = b * n;
                double dab = 2 * weight * dm[an + b], jab = 0;
                for (int c = c0; c < c0 + nc; c++, v += nd)
                {
                    int cn = c * n;
                    jab += SimdRows.Dot(v, dm + cn + d0, nd);
                    SimdRows.Axpy(dab, v, js + cn + d0, nd);
                    if (!wantK) continue;
                    ks[an + c] += weight * SimdRows.Dot(v, dm + bn + d0, nd);
                    ks[bn + c] += weight * SimdRows.Dot(v, dm + an + d0, nd);
                    SimdRows.Axpy(weight * dm[bn + c], v, ks + an + d0, nd);
                    SimdRows.Axpy(weight * dm[an + c], v, ks + bn + d0, nd);
                }
                js[an + b] += 2 * weight * jab;
            }
    }
}
