using Qex.Dft.Molecular.Basis;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// Electron-repulsion integrals (ab|cd) by McMurchie–Davidson over precomputed shell pairs. Each shell pair keeps its
/// surviving primitive pairs (|c_a c_b| exp(-mu R_AB^2) above 1e-16) with the Hermite expansion matrix
/// E[ab, tuv] = E^x E^y E^z, into which the contraction coefficients, the cartesian component normalisation and the
/// spherical-harmonic transformation are folded, so a shell quartet is, per primitive quartet, one Boys evaluation, the
/// Hermite integrals R_(t+tau, u+nu, v+phi) and two small matrix products, and comes out directly in the basis'
/// own (spherical or cartesian) functions. Quartets are screened by the Cauchy–Schwarz bound.
/// </summary>
public sealed partial class ElectronRepulsionEngine
{
    private readonly BasisSet basis;
    private readonly ShellPair[] pairs;
    private readonly int lmaxPair;

    /// <summary>Prepares the shell pairs of <paramref name="basis"/>; quartets with Schwarz bound below <paramref name="screening"/> are skipped.</summary>
    public ElectronRepulsionEngine(BasisSet basis, double screening = 1e-14)
    {
        ArgumentNullException.ThrowIfNull(basis);
        this.basis = basis;
        Screening = screening;
        var list = new List<(int, int)>();
        for (int i = 0; i < basis.Shells.Count; i++)
            for (int j = 0; j <= i; j++) list.Add((i, j));
        pairs = new ShellPair[list.Count];
        // the shell with more functions goes second: it is the contiguous (fastest) index of the stored blocks
        Parallel.For(0, list.Count, p =>
        {
            var (i, j) = list[p];
            if (basis.Shells[j].FunctionCount < basis.Shells[i].FunctionCount) (i, j) = (j, i);
            pairs[p] = new ShellPair(basis.Shells[i], basis.Shells[j], i, j);
        });
        lmaxPair = pairs.Length == 0 ? 0 : pairs.Max(p => p.L);
        var scratch = new Scratch(2 * lmaxPair, pairs.Max(p => p.Functions), pairs.Max(p => p.Hermite));
        foreach (var p in pairs) SetBound(p, scratch);
    }

    /// <summary>The pair's Schwarz bound: the square root of the largest diagonal (ab|ab).</summary>
    private static void SetBound(ShellPair p, Scratch scratch)
    {
        Quartet(p, p, scratch);
        double mx = 0;
        int nf = p.Functions;
        for (int x = 0; x < nf; x++) mx = Math.Max(mx, Math.Abs(scratch.Out[x * nf + x]));
        p.Bound = Math.Sqrt(mx);
    }

    /// <summary>The Schwarz threshold.</summary>
    public double Screening { get; }

    /// <summary>Number of basis functions.</summary>
    public int FunctionCount => basis.FunctionCount;

    /// <summary>Number of unique shell quartets that pass the Schwarz test.</summary>
    public long SignificantQuartets()
    {
        long count = 0;
        for (int p = 0; p < pairs.Length; p++)
            for (int q = 0; q <= p; q++)
                if (pairs[p].Bound * pairs[q].Bound >= Screening) count++;
        return count;
    }

    /// <summary>Number of integrals the stored (conventional) mode keeps: the sizes of all significant unique quartet blocks.</summary>
    public long StoredValueCount()
    {
        long count = 0;
        for (int p = 0; p < pairs.Length; p++)
            for (int q = 0; q <= p; q++)
                if (pairs[p].Bound * pairs[q].Bound >= Screening) count += (long)pairs[p].Functions * pairs[q].Functions;
        return count;
    }

    /// <summary>
    /// Computes every significant unique shell quartet (bra pair p, ket pair q &lt;= p), handing each block to
    /// <paramref name="sink"/> on the computing thread (with that thread's index below <paramref name="workers"/>);
    /// with <paramref name="patchBound"/>, quartets whose Schwarz bound times the density patch bound is below <paramref name="threshold"/> are skipped too.
    /// </summary>
    private void ForEachQuartet(int workers, Action<int, ShellPair, ShellPair, double[]> sink, double[]? patchBound = null, double threshold = 0)
    {
        // large bra pairs first for load balance
        var order = Enumerable.Range(0, pairs.Length).OrderByDescending(p => (long)pairs[p].Work * (p + 1)).ToArray();
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var scratch = new Scratch(2 * lmaxPair, pairs.Max(p => p.Functions), pairs.Max(p => p.Hermite));
            int t;
            for (t = w; t < order.Length; t += workers) // static round-robin: the same sums in the same order every run
            {
                int p = order[t];
                var bra = pairs[p];
                for (int q = 0; q <= p; q++)
                {
                    var ket = pairs[q];
                    double bound = bra.Bound * ket.Bound;
                    if (bound < Screening) continue;
                    if (patchBound is not null)
                    {
                        int n = basis.FunctionCount, a = bra.OffsetA, b = bra.OffsetB, c = ket.OffsetA, d = ket.OffsetB;
                        double dmax = Math.Max(Math.Max(Math.Max(patchBound[a * n + b], patchBound[c * n + d]), Math.Max(patchBound[a * n + c], patchBound[a * n + d])),
                            Math.Max(patchBound[b * n + c], patchBound[b * n + d]));
                        if (bound * dmax < threshold) continue;
                    }
                    Quartet(bra, ket, scratch);
                    sink(w, bra, ket, scratch.Out);
                }
            }
        });
    }

    private static double Weight(ShellPair bra, ShellPair ket) =>
        (bra.I == bra.J ? 0.5 : 1) * (ket.I == ket.J ? 0.5 : 1) * (ReferenceEquals(bra, ket) ? 0.5 : 1);

    /// <summary>All significant unique quartet blocks (the conventional, stored mode), one set per worker thread.</summary>
    public IReadOnlyList<EriBlocks> Store(int maxThreads = 0)
    {
        int workers = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        var sets = new EriBlocks[workers];
        for (int w = 0; w < workers; w++) sets[w] = new EriBlocks(FunctionCount);
        ForEachQuartet(workers, (w, bra, ket, block) =>
            sets[w].Add(bra.OffsetA, bra.Na, bra.OffsetB, bra.Nb, ket.OffsetA, ket.Na, ket.OffsetB, ket.Nb, Weight(bra, ket), block));
        foreach (var s in sets) s.Compact();
        return sets;
    }

    /// <summary>
    /// Integral-direct J/K: recomputes the quartets and contracts them batch by batch with <paramref name="kernel"/>,
    /// skipping quartets whose Schwarz bound is below the engine's threshold or, with <paramref name="screening"/>,
    /// whose Schwarz bound times the density patch bound is below its threshold.
    /// Adds J[D_s] and K[D_s] to the outputs as <see cref="ICoulombExchangeKernel.Accumulate"/> does.
    /// </summary>
    public void DirectCoulombExchange(ICoulombExchangeKernel kernel, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> coulomb,
        IReadOnlyList<double[]>? exchange, DensityScreening? screening = null, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(densities);
        int workers = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        int n = FunctionCount, ns = densities.Count;
        var sets = new EriBlocks[workers];
        var j = new double[workers][][];
        var k = new double[workers][][];
        for (int w = 0; w < workers; w++)
        {
            sets[w] = new EriBlocks(n);
            j[w] = [.. Enumerable.Range(0, ns).Select(_ => new double[n * n])];
            k[w] = [.. Enumerable.Range(0, ns).Select(_ => new double[n * n])];
        }
        const long flushAt = 1 << 20;
        ForEachQuartet(workers, (w, bra, ket, block) =>
        {
            var s = sets[w];
            s.Add(bra.OffsetA, bra.Na, bra.OffsetB, bra.Nb, ket.OffsetA, ket.Na, ket.OffsetB, ket.Nb, Weight(bra, ket), block);
            if (s.ValueCount >= flushAt)
            {
                kernel.Accumulate([s], densities, j[w], exchange is null ? null : k[w]);
                s.Clear();
            }
        }, screening?.PatchBound, screening?.Threshold ?? 0);
        for (int w = 0; w < workers; w++)
        {
            if (sets[w].Count > 0) kernel.Accumulate([sets[w]], densities, j[w], exchange is null ? null : k[w]);
            for (int s = 0; s < ns; s++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(coulomb[s], j[w][s], coulomb[s]);
                if (exchange is not null) System.Numerics.Tensors.TensorPrimitives.Add(exchange[s], k[w][s], exchange[s]);
            }
        }
    }

    /// <summary>
    /// The density bound of <see cref="DensityScreening"/>: at every (f, g) the largest |D_s(f', g')| over the shell-pair
    /// patch that holds (f, g) and over all densities.
    /// </summary>
    public double[] PatchBound(IReadOnlyList<double[]> densities)
    {
        ArgumentNullException.ThrowIfNull(densities);
        int n = FunctionCount;
        var shells = basis.Shells;
        var bound = new double[n * n];
        foreach (var sa in shells)
            foreach (var sb in shells)
            {
                double m = 0;
                foreach (var d in densities)
                    for (int a = sa.Offset; a < sa.Offset + sa.FunctionCount; a++)
                        for (int b = sb.Offset; b < sb.Offset + sb.FunctionCount; b++) m = Math.Max(m, Math.Abs(d[a * n + b]));
                for (int a = sa.Offset; a < sa.Offset + sa.FunctionCount; a++)
                    for (int b = sb.Offset; b < sb.Offset + sb.FunctionCount; b++) bound[a * n + b] = m;
            }
        return bound;
    }

    /// <summary>All integrals as a dense n^4 array, index ((a n + b) n + c) n + d.</summary>
    public double[] Dense()
    {
        int n = FunctionCount;
        double count = Math.Pow(n, 4);
        if (count > Array.MaxLength || count * 8 > 0.5 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
            throw new InsufficientMemoryException($"Dense integrals for {n} basis functions need {count * 8 / (1 << 30):F1} GiB.");
        var eri = new double[(long)n * n * n * n];
        ForEachQuartet(Environment.ProcessorCount, (_, bra, ket, block) =>
        {
            int idx = 0;
            for (int a = bra.OffsetA; a < bra.OffsetA + bra.Na; a++)
                for (int b = bra.OffsetB; b < bra.OffsetB + bra.Nb; b++)
                    for (int c = ket.OffsetA; c < ket.OffsetA + ket.Na; c++)
                        for (int d = ket.OffsetB; d < ket.OffsetB + ket.Nb; d++)
                        {
                            double v = block[idx++];
                            long A = a, B = b, C = c, D = d;
                            eri[((A * n + B) * n + C) * n + D] = v; eri[((B * n + A) * n + C) * n + D] = v;
                            eri[((A * n + B) * n + D) * n + C] = v; eri[((B * n + A) * n + D) * n + C] = v;
                            eri[((C * n + D) * n + A) * n + B] = v; eri[((D * n + C) * n + A) * n + B] = v;
                            eri[((C * n + D) * n + B) * n + A] = v; eri[((D * n + C) * n + B) * n + A] = v;
                        }
        });
        return eri;
    }

    /// <summary>
    /// (ab|cd) for shell pair bra = (A, B) and ket = (C, D) into scratch.Out, index (ab) * nf_ket + (cd). Computed as
    /// (cd|ab) and transposed when that order is cheaper (the inner loops run over the ket's functions, so the pair with
    /// more functions and fewer primitives goes there).
    /// </summary>
    private static void Quartet(ShellPair bra, ShellPair ket, Scratch s)
    {
        if (Cost(ket, bra) >= Cost(bra, ket))
        {
            Ordered(bra, ket, s);
            return;
        }
        Ordered(ket, bra, s);
        int nfb = bra.Functions, nfk = ket.Functions;
        var o = s.Out;
        var t = s.Transposed;
        for (int cd = 0; cd < nfk; cd++)
            for (int ab = 0; ab < nfb; ab++) t[ab * nfk + cd] = o[cd * nfb + ab];
        Array.Copy(t, o, nfb * nfk);
    }

    /// <summary>Work estimate of <see cref="Ordered"/>: multiply-adds plus a loop overhead of four per inner loop.</summary>
    private static long Cost(ShellPair bra, ShellPair ket)
    {
        long kets = ket.Count >= 2 ? ket.Batches : ket.Count; // the batched path handles four ket primitives per pass
        return (long)bra.Count * kets * bra.Hermite * (ket.Hermite * (ket.Functions + 4) + 20) + (long)bra.Count * bra.Functions * bra.Hermite * (ket.Functions + 4);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Ordered(ShellPair bra, ShellPair ket, Scratch s)
    {
        if (ket.Count >= 2 && bra.L + ket.L > 0 && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            OrderedBatched(bra, ket, s);
            return;
        }
        int nfb = bra.Functions, nfk = ket.Functions, nhb = bra.Hermite, nhk = ket.Hermite, lt = bra.L + ket.L;
        int dim = lt + 1, d3 = dim * dim * dim;
        var steps = RecursionSteps[lt].Value;
        fixed (double* op = s.Out, wp = s.W, rp = s.RWork, fp = s.F, eb0 = bra.HermiteE, ek0 = ket.SignedHermiteT)
        fixed (double* bp = bra.P, kp = ket.P, bexp = bra.Exponent, kexp = ket.Exponent, bmax = bra.MaxE, kmax = ket.MaxE)
        fixed (int* ri = s.RIndex, st = steps)
        {
            new Span<double>(op, nfb * nfk).Clear();
            HermiteSumIndex(bra, ket, dim, 1, ri);
            for (int p = 0; p < bra.Count; p++)
            {
                double pe = bexp[p], px = bp[3 * p], py = bp[3 * p + 1], pz = bp[3 * p + 2];
                new Span<double>(wp, nhb * nfk).Clear();
                double braMax = bmax[p];
                for (int q = 0; q < ket.Count; q++)
                {
                    double qe = kexp[q], sum = pe + qe, alpha = pe * qe / sum;
                    double pref = twoPi25 / (pe * qe * Math.Sqrt(sum));
                    // primitive screening: |E_bra| |E_ket| 2 pi^(5/2) / (p q sqrt(p + q)) bounds the (ss|ss)-like size of this term
                    if (braMax * kmax[q] * pref < PrimitiveThreshold) continue;
                    double x = px - kp[3 * q], y = py - kp[3 * q + 1], z = pz - kp[3 * q + 2];
                    double targ = alpha * (x * x + y * y + z * z);
                    if (lt == 0)
                    {
                        wp[0] += pref * Boys.Evaluate0(targ) * ek0[q];
                        continue;
                    }
                    // R^n_000 = (-2 alpha)^n F_n, then the compiled recursion down to n = 0
                    Boys.Evaluate(targ, new Span<double>(fp, lt + 1));
                    double m2a = -2 * alpha, pw = pref;
                    for (int n = 0; n <= lt; n++)
                    {
                        rp[n * d3] = pw * fp[n];
                        pw *= m2a;
                    }
                    for (int i = 0; i < steps.Length; i += 5)
                    {
                        int axis = st[i + 4];
                        double c = axis == 0 ? x : axis == 1 ? y : z;
                        rp[st[i]] = st[i + 3] * rp[st[i + 1]] + c * rp[st[i + 2]];
                    }
                    // W[hb, cd] += sum_hk pref R[hb + hk] E~_ket[hk, cd] (pref is inside R)
                    double* ek = ek0 + q * nhk * nfk;
                    for (int hb = 0; hb < nhb; hb++)
                    {
                        double* wrow = wp + hb * nfk;
                        int* rrow = ri + hb * nhk;
                        for (int hk = 0; hk < nhk; hk++)
                        {
                            double rv = rp[rrow[hk]];
                            double* erow = ek + hk * nfk;
                            Qex.Kernels.Fock.SimdRows.Axpy(rv, erow, wrow, nfk);
                        }
                    }
                }
                ContractBra(eb0 + p * nfb * nhb, wp, op, nfb, nhb, nfk);
            }
        }
    }

    /// <summary>
    /// <see cref="Ordered"/> with the ket primitives four at a time in SIMD lanes: the Hermite integrals R of four primitive
    /// quartets are built together, accumulated into lane-wise W, and the lanes summed once per bra primitive.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void OrderedBatched(ShellPair bra, ShellPair ket, Scratch s)
    {
        int nfb = bra.Functions, nfk = ket.Functions, nhb = bra.Hermite, nhk = ket.Hermite, lt = bra.L + ket.L;
        int dim = lt + 1, d3 = dim * dim * dim, batches = ket.Batches;
        var steps = RecursionSteps[lt].Value;
        var vtwo = System.Runtime.Intrinsics.Vector256.Create(twoPi25);
        fixed (double* op = s.Out, wp = s.W, wv = s.WLanes, rv = s.RLanes, fl = s.FLanes, eb0 = bra.HermiteE, ek0 = ket.BatchE)
        fixed (double* bp = bra.P, bexp = bra.Exponent, bmax = bra.MaxE, kx = ket.BatchX, ky = ket.BatchY, kz = ket.BatchZ, kexp = ket.BatchExponent, kmax = ket.BatchMaxE)
        fixed (int* ri = s.RIndex, st = steps)
        {
            new Span<double>(op, nfb * nfk).Clear();
            HermiteSumIndex(bra, ket, dim, 4, ri);
            for (int p = 0; p < bra.Count; p++)
            {
                double pe = bexp[p];
                var vpe = System.Runtime.Intrinsics.Vector256.Create(pe);
                var vpx = System.Runtime.Intrinsics.Vector256.Create(bp[3 * p]);
                var vpy = System.Runtime.Intrinsics.Vector256.Create(bp[3 * p + 1]);
                var vpz = System.Runtime.Intrinsics.Vector256.Create(bp[3 * p + 2]);
                new Span<double>(wv, 4 * nhb * nfk).Clear();
                double braMax = bmax[p];
                for (int b = 0; b < batches; b++)
                {
                    var qe = System.Runtime.Intrinsics.Vector256.Load(kexp + 4 * b);
                    var sum = vpe + qe;
                    var alpha = vpe * qe / sum;
                    var pref = vtwo / (vpe * qe * System.Runtime.Intrinsics.Vector256.Sqrt(sum));
                    double prefMax = System.Math.Max(System.Math.Max(pref[0], pref[1]), System.Math.Max(pref[2], pref[3]));
                    if (braMax * kmax[b] * prefMax < PrimitiveThreshold) continue;
                    var x = vpx - System.Runtime.Intrinsics.Vector256.Load(kx + 4 * b);
                    var y = vpy - System.Runtime.Intrinsics.Vector256.Load(ky + 4 * b);
                    var z = vpz - System.Runtime.Intrinsics.Vector256.Load(kz + 4 * b);
                    var targ = alpha * (x * x + y * y + z * z);
                    Boys.Evaluate4(targ, lt, new Span<double>(fl, 4 * (lt + 1)));
                    var m2a = System.Runtime.Intrinsics.Vector256.Create(-2.0) * alpha;
                    var pw = pref;
                    for (int n = 0; n <= lt; n++)
                    {
                        System.Runtime.Intrinsics.Vector256.Store(pw * System.Runtime.Intrinsics.Vector256.Load(fl + 4 * n), rv + 4 * n * d3);
                        pw *= m2a;
                    }
                    for (int i = 0; i < steps.Length; i += 5)
                    {
                        int axis = st[i + 4];
                        var c = axis == 0 ? x : axis == 1 ? y : z;
                        var r = System.Runtime.Intrinsics.Vector256.Create((double)st[i + 3]) * System.Runtime.Intrinsics.Vector256.Load(rv + 4 * st[i + 1])
                            + c * System.Runtime.Intrinsics.Vector256.Load(rv + 4 * st[i + 2]);
                        System.Runtime.Intrinsics.Vector256.Store(r, rv + 4 * st[i]);
                    }
                    // lane-wise W[hb, cd] += sum_hk R[hb + hk] E~[hk, cd]
                    double* ek = ek0 + 4 * b * nhk * nfk;
                    for (int hb = 0; hb < nhb; hb++)
                    {
                        double* wrow = wv + 4 * hb * nfk;
                        int* rrow = ri + hb * nhk;
                        for (int hk = 0; hk < nhk; hk++)
                        {
                            var r = System.Runtime.Intrinsics.Vector256.Load(rv + rrow[hk]);
                            double* erow = ek + 4 * hk * nfk;
                            for (int c = 0; c < nfk; c++)
                                System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Load(wrow + 4 * c) + r * System.Runtime.Intrinsics.Vector256.Load(erow + 4 * c), wrow + 4 * c);
                        }
                    }
                }
                for (int i = 0; i < nhb * nfk; i++) wp[i] = System.Runtime.Intrinsics.Vector256.Sum(System.Runtime.Intrinsics.Vector256.Load(wv + 4 * i));
                ContractBra(eb0 + p * nfb * nhb, wp, op, nfb, nhb, nfk);
            }
        }
    }

    /// <summary>index[hb * nhk + hk] = stride x the flat R index of the summed Hermite triples (t + t', u + u', v + v').</summary>
    private static unsafe void HermiteSumIndex(ShellPair bra, ShellPair ket, int dim, int stride, int* index)
    {
        int nhk = ket.Hermite;
        for (int hb = 0; hb < bra.Hermite; hb++)
        {
            var (t, u, v) = bra.HermiteIndex[hb];
            for (int hk = 0; hk < nhk; hk++)
            {
                var (tt, uu, vv) = ket.HermiteIndex[hk];
                index[hb * nhk + hk] = (((t + tt) * dim + u + uu) * dim + v + vv) * stride;
            }
        }
    }

    /// <summary>out[ab, cd] += sum_hb E_bra[ab, hb] W[hb, cd] for one bra primitive pair.</summary>
    private static unsafe void ContractBra(double* eb, double* w, double* o, int nfb, int nhb, int nfk)
    {
        for (int ab = 0; ab < nfb; ab++)
        {
            double* orow = o + ab * nfk;
            double* erow = eb + ab * nhb;
            for (int hb = 0; hb < nhb; hb++)
            {
                double e = erow[hb];
                if (e != 0) Qex.Kernels.Fock.SimdRows.Axpy(e, w + hb * nfk, orow, nfk);
            }
        }
    }

    /// <summary>2 pi^(5/2), the prefactor of (ss|ss).</summary>
    private const double twoPi25 = 34.986836655249725;

    /// <summary>Primitive quartets bounded below this ((ss|ss)-like size) are skipped.</summary>
    private const double PrimitiveThreshold = 1e-20;

    private const int MaxRecursionOrder = 2 * 2 * 6;

    /// <summary>
    /// Per lt: (target, source t-1 [or any zero slot], source, coefficient t-1, axis) for every R^n_tuv, highest n first;
    /// each order's table is built on first use (a basis up to d functions needs lt &lt;= 8: building all 25 orders
    /// up front cost 25 ms and 8 MB at every start).
    /// </summary>
    private static readonly Lazy<int[]>[] RecursionSteps = [.. Enumerable.Range(0, MaxRecursionOrder + 1).Select(lt => new Lazy<int[]>(() => BuildSteps(lt)))];

    private static int[] BuildSteps(int lt)
    {
        int dim = lt + 1, d3 = dim * dim * dim;
        int count = 0;
        for (int top = 1; top <= lt; top++) count += (top + 1) * (top + 2) * (top + 3) / 6 - 1;
        var steps = new int[5 * count];
        int k = 0;
        int Idx(int n, int t, int u, int v) => n * d3 + (t * dim + u) * dim + v;
        void Add(int target, int zeroSource, int source, int coefficient, int axis)
        {
            steps[k] = target;
            steps[k + 1] = zeroSource;
            steps[k + 2] = source;
            steps[k + 3] = coefficient;
            steps[k + 4] = axis;
            k += 5;
        }
        for (int n = lt - 1; n >= 0; n--)
        {
            int top = lt - n;
            for (int t = 0; t <= top; t++)
                for (int u = 0; u <= top - t; u++)
                    for (int v = 0; v <= top - t - u; v++)
                    {
                        if (t == 0 && u == 0 && v == 0) continue;
                        // the zero-coefficient source points at a valid slot (its factor is 0)
                        if (t > 0) Add(Idx(n, t, u, v), t > 1 ? Idx(n + 1, t - 2, u, v) : 0, Idx(n + 1, t - 1, u, v), Math.Max(t - 1, 0), 0);
                        else if (u > 0) Add(Idx(n, t, u, v), u > 1 ? Idx(n + 1, t, u - 2, v) : 0, Idx(n + 1, t, u - 1, v), Math.Max(u - 1, 0), 1);
                        else Add(Idx(n, t, u, v), v > 1 ? Idx(n + 1, t, u, v - 2) : 0, Idx(n + 1, t, u, v - 1), Math.Max(v - 1, 0), 2);
                    }
        }
        return k == steps.Length ? steps : throw new InvalidOperationException($"Recursion table of order {lt}: {k / 5} steps, {count} expected.");
    }

    private sealed class Scratch
    {
        public Scratch(int lmax, int maxFunctions, int maxHermite)
        {
            int dim = lmax + 1;
            F = new double[dim];
            RWork = new double[dim * dim * dim * dim];
            W = new double[maxHermite * maxFunctions];
            Out = new double[maxFunctions * maxFunctions];
            Transposed = new double[maxFunctions * maxFunctions];
            WLanes = new double[4 * maxHermite * maxFunctions];
            RLanes = new double[4 * dim * dim * dim * dim];
            FLanes = new double[4 * dim];
            RIndex = new int[maxHermite * maxHermite];
        }

        public double[] F { get; }
        public double[] RWork { get; }
        public double[] W { get; }
        public double[] Out { get; }
        public double[] Transposed { get; }
        public double[] WLanes { get; }
        public double[] RLanes { get; }
        public double[] FLanes { get; }
        public int[] RIndex { get; }
    }

    /// <summary>A shell pair (A, B) with its primitive-pair Hermite data.</summary>
    private sealed class ShellPair
    {
        public ShellPair(Shell a, Shell b, int i, int j)
        {
            I = i;
            J = j;
            OffsetA = a.Offset;
            OffsetB = b.Offset;
            Na = a.FunctionCount;
            Nb = b.FunctionCount;
            int la = a.AngularMomentum, lb = b.AngularMomentum;
            L = la + lb;
            Functions = Na * Nb;
            var herm = new List<(int, int, int)>();
            for (int t = 0; t <= L; t++)
                for (int u = 0; u <= L - t; u++)
                    for (int v = 0; v <= L - t - u; v++) herm.Add((t, u, v));
            HermiteIndex = [.. herm];
            Hermite = herm.Count;
            var ca = OneElectronIntegrals.Components(la);
            var cb = OneElectronIntegrals.Components(lb);
            var ta = SphericalTransform.ShellMatrix(a);
            var tb = SphericalTransform.ShellMatrix(b);
            var e = new List<double>();
            var et = new List<double>();
            var pList = new List<double>();
            var expList = new List<double>();
            var maxE = new List<double>();
            var cart = new double[ca.Length * cb.Length * Hermite];
            for (int p = 0; p < a.Exponents.Length; p++)
                for (int q = 0; q < b.Exponents.Length; q++)
                {
                    double ea = a.Exponents[p], eb = b.Exponents[q], pp = ea + eb;
                    double r2 = 0;
                    for (int d = 0; d < 3; d++) r2 += (a.Center[d] - b.Center[d]) * (a.Center[d] - b.Center[d]);
                    double coef = a.Coefficients[p] * b.Coefficients[q];
                    if (Math.Abs(coef) * Math.Exp(-ea * eb / pp * r2) < 1e-16) continue;
                    var ex = McMurchieDavidson.Hermite(la, lb, ea, eb, a.Center[0], b.Center[0]);
                    var ey = McMurchieDavidson.Hermite(la, lb, ea, eb, a.Center[1], b.Center[1]);
                    var ez = McMurchieDavidson.Hermite(la, lb, ea, eb, a.Center[2], b.Center[2]);
                    Array.Clear(cart);
                    for (int x = 0; x < ca.Length; x++)
                        for (int y = 0; y < cb.Length; y++)
                        {
                            var (l1, m1, n1) = ca[x];
                            var (l2, m2, n2) = cb[y];
                            for (int h = 0; h < Hermite; h++)
                            {
                                var (t, u, v) = HermiteIndex[h];
                                if (t > l1 + l2 || u > m1 + m2 || v > n1 + n2) continue;
                                cart[(x * cb.Length + y) * Hermite + h] = coef * ex[l1, l2, t] * ey[m1, m2, u] * ez[n1, n2, v];
                            }
                        }
                    // fold in the (component normalisation and spherical) shell transformations: E'[a'b', h] = sum T_a'a T_b'b E[ab, h]
                    var sph = new double[Functions * Hermite];
                    for (int x2 = 0; x2 < Na; x2++)
                        for (int x = 0; x < ca.Length; x++)
                        {
                            double t1 = ta[x2 * ca.Length + x];
                            if (t1 == 0) continue;
                            for (int y2 = 0; y2 < Nb; y2++)
                                for (int y = 0; y < cb.Length; y++)
                                {
                                    double t2 = t1 * tb[y2 * cb.Length + y];
                                    if (t2 == 0) continue;
                                    for (int h = 0; h < Hermite; h++) sph[(x2 * Nb + y2) * Hermite + h] += t2 * cart[(x * cb.Length + y) * Hermite + h];
                                }
                        }
                    e.AddRange(sph);
                    maxE.Add(sph.Max(Math.Abs));
                    // ket form: transposed [h, a'b'] with the Hermite sign (-1)^(t+u+v)
                    for (int h = 0; h < Hermite; h++)
                    {
                        var (t, u, v) = HermiteIndex[h];
                        double sign = ((t + u + v) & 1) == 0 ? 1 : -1;
                        for (int f = 0; f < Functions; f++) et.Add(sign * sph[f * Hermite + h]);
                    }
                    for (int d = 0; d < 3; d++) pList.Add((ea * a.Center[d] + eb * b.Center[d]) / pp);
                    expList.Add(pp);
                }
            HermiteE = [.. e];
            SignedHermiteT = [.. et];
            P = [.. pList];
            Exponent = [.. expList];
            MaxE = [.. maxE];
            Count = expList.Count;
            // the primitive pairs four at a time (ket use); padding lanes have exponent 1, P = 0 and E = 0
            Batches = (Count + 3) / 4;
            BatchExponent = new double[4 * Batches];
            BatchX = new double[4 * Batches];
            BatchY = new double[4 * Batches];
            BatchZ = new double[4 * Batches];
            BatchMaxE = new double[Batches];
            BatchE = new double[4 * Batches * Hermite * Functions];
            for (int q = 0; q < 4 * Batches; q++)
            {
                int bt = q / 4, lane = q % 4;
                if (q >= Count) { BatchExponent[q] = 1; continue; }
                BatchExponent[q] = Exponent[q];
                BatchX[q] = P[3 * q];
                BatchY[q] = P[3 * q + 1];
                BatchZ[q] = P[3 * q + 2];
                BatchMaxE[bt] = Math.Max(BatchMaxE[bt], MaxE[q]);
                for (int hf = 0; hf < Hermite * Functions; hf++) BatchE[(bt * Hermite * Functions + hf) * 4 + lane] = SignedHermiteT[q * Hermite * Functions + hf];
            }
            Work = Count * Functions;
        }

        public int I { get; }
        public int J { get; }
        public int OffsetA { get; }
        public int OffsetB { get; }
        public int Na { get; }
        public int Nb { get; }
        public int L { get; }
        public int Functions { get; }
        public int Hermite { get; }
        public (int T, int U, int V)[] HermiteIndex { get; }
        public double[] HermiteE { get; }
        public double[] SignedHermiteT { get; }
        public double[] P { get; }
        public double[] Exponent { get; }
        public double[] MaxE { get; }
        public int Batches { get; }
        public double[] BatchExponent { get; }
        public double[] BatchX { get; }
        public double[] BatchY { get; }
        public double[] BatchZ { get; }
        public double[] BatchMaxE { get; }
        public double[] BatchE { get; }
        public int Count { get; }
        public long Work { get; }
        public double Bound { get; set; }
    }
}
