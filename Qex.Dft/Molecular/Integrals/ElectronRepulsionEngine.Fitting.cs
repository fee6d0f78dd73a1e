using Qex.Dft.Molecular.Basis;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// The two- and three-center Coulomb integrals of density fitting, (P|Q) and (P|mn), on the same McMurchie–Davidson
/// machinery as the four-center ones: a fitting function P is the shell pair (1 P) of a unit s function (exponent 0,
/// coefficient 1: the constant 1) on P's atom with P's shell, so (P|mn) = (1P|mn) and (P|Q) = (1P|1Q) are ordinary
/// quartets, screened by the same Schwarz bounds.
/// </summary>
public sealed partial class ElectronRepulsionEngine
{
    /// <summary>The fitting shells of <paramref name="auxiliary"/> as (unit s, shell) pairs with their Schwarz bounds sqrt((P|P)).</summary>
    private static ShellPair[] FittingPairs(BasisSet auxiliary)
    {
        var shells = auxiliary.Shells;
        var pairs = new ShellPair[shells.Count];
        for (int k = 0; k < shells.Count; k++)
        {
            var p = shells[k];
            var unit = new Shell(p.Atom, p.Center, 0, [0.0], [1.0], false, 0);
            pairs[k] = new ShellPair(unit, p, -1, k);
        }
        if (pairs.Length == 0) return pairs;
        var scratch = ScratchFor(pairs, pairs);
        foreach (var p in pairs) SetBound(p, scratch);
        return pairs;
    }

    private static Scratch ScratchFor(ShellPair[] bra, ShellPair[] ket) =>
        new(bra.Max(p => p.L) + ket.Max(p => p.L), Math.Max(bra.Max(p => p.Functions), ket.Max(p => p.Functions)),
            Math.Max(bra.Max(p => p.Hermite), ket.Max(p => p.Hermite)));

    /// <summary>The Coulomb metric (P|Q) of a fitting basis: n_aux x n_aux, row-major, symmetric.</summary>
    /// <param name="auxiliary">The fitting basis.</param>
    /// <param name="maxThreads">Upper bound on threads (0: the processor count).</param>
    public static double[] Metric(BasisSet auxiliary, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(auxiliary);
        int na = auxiliary.FunctionCount;
        var metric = new double[(long)na * na];
        var pairs = FittingPairs(auxiliary);
        if (pairs.Length == 0) return metric;
        int workers = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var scratch = ScratchFor(pairs, pairs);
            for (int a = w; a < pairs.Length; a += workers)
                for (int b = 0; b <= a; b++)
                {
                    // every element is written by one thread, from one quartet: the same bits for any thread count
                    var (pa, pb) = (pairs[a], pairs[b]);
                    Quartet(pa, pb, scratch);
                    int nb = pb.Functions;
                    for (int x = 0; x < pa.Functions; x++)
                        for (int y = 0; y < nb; y++)
                        {
                            double v = scratch.Out[x * nb + y];
                            metric[(long)(pa.OffsetB + x) * na + pb.OffsetB + y] = v;
                            metric[(long)(pb.OffsetB + y) * na + pa.OffsetB + x] = v;
                        }
                }
        });
        return metric;
    }

    /// <summary>
    /// The three-center integrals (P|mn) of a fitting basis with this engine's basis into <paramref name="target"/>,
    /// index P n^2 + m n + k (both triangles of each P's n x n block); blocks below the Schwarz threshold stay zero.
    /// </summary>
    /// <param name="auxiliary">The fitting basis.</param>
    /// <param name="target">n_aux n^2 values, overwritten.</param>
    /// <param name="maxThreads">Upper bound on threads (0: the processor count).</param>
    public void ThreeCenter(BasisSet auxiliary, Span<double> target, int maxThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(auxiliary);
        int n = FunctionCount;
        long nn = (long)n * n, need = auxiliary.FunctionCount * nn;
        if (target.Length != need) throw new ArgumentException($"The three-center integrals need {need} values; the target holds {target.Length}.", nameof(target));
        target.Clear();
        var fitting = FittingPairs(auxiliary);
        if (fitting.Length == 0 || pairs.Length == 0) return;
        int workers = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        // large fitting shells first, dealt round-robin to the threads
        var order = Enumerable.Range(0, fitting.Length).OrderByDescending(k => (long)fitting[k].Functions * fitting[k].Count).ThenBy(k => k).ToArray();
        unsafe
        {
            fixed (double* t0 = target)
            {
                double* t = t0;
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                {
                    var scratch = ScratchFor(fitting, pairs);
                    for (int o = w; o < order.Length; o += workers)
                    {
                        var pa = fitting[order[o]];
                        foreach (var pq in pairs)
                        {
                            if (pa.Bound * pq.Bound < Screening) continue;
                            Quartet(pa, pq, scratch);
                            int nf = pq.Functions;
                            for (int x = 0; x < pa.Functions; x++)
                            {
                                double* block = t + (pa.OffsetB + x) * nn;
                                int idx = x * nf;
                                for (int a = pq.OffsetA; a < pq.OffsetA + pq.Na; a++)
                                    for (int b = pq.OffsetB; b < pq.OffsetB + pq.Nb; b++)
                                    {
                                        double v = scratch.Out[idx++];
                                        block[(long)a * n + b] = v;
                                        block[(long)b * n + a] = v;
                                    }
                            }
                        }
                    }
                });
            }
        }
    }
}
