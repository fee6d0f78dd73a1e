using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Scf;

/// <summary>
/// Incremental J/K builds for an SCF (Almlöf, Faegri and Korsell 1982): J[D_k] = J[D_(k-1)] + J[D_k - D_(k-1)], where the
/// difference density shrinks as the SCF converges, so density screening skips most integral blocks in late iterations.
/// A full build is made every <see cref="RebuildEvery"/> builds, or on request (the SCF asks for one before it accepts
/// convergence, so the result never carries accumulated screening error).
/// </summary>
public sealed class IncrementalCoulombExchange : ICoulombExchangeBuilder
{
    private readonly CoulombExchangeBuilder builder;
    private double[][]? lastDensities, lastJ, lastK;
    private int sinceFull;
    private bool lastHadExchange;

    /// <summary>Wraps <paramref name="builder"/>.</summary>
    /// <param name="builder">The J/K builder.</param>
    /// <param name="threshold">Skip integral blocks whose max|(ab|cd)| x max|delta D| is below this.</param>
    /// <param name="rebuildEvery">Builds between full rebuilds.</param>
    public IncrementalCoulombExchange(CoulombExchangeBuilder builder, double threshold = 1e-14, int rebuildEvery = 8)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (threshold < 0 || rebuildEvery < 1) throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold must be >= 0 and full rebuilds at least every build.");
        this.builder = builder;
        Threshold = threshold;
        RebuildEvery = rebuildEvery;
    }

    /// <inheritdoc />
    public int FunctionCount => builder.FunctionCount;

    /// <summary>The screening threshold.</summary>
    public double Threshold { get; }

    /// <summary>Builds between full rebuilds.</summary>
    public int RebuildEvery { get; }

    /// <inheritdoc />
    public bool LastWasFull { get; private set; }

    /// <inheritdoc />
    public (double[][] Coulomb, double[][] Exchange) Build(IReadOnlyList<double[]> densities, bool full = false, bool exchange = true)
    {
        ArgumentNullException.ThrowIfNull(densities);
        bool incremental = !full && Threshold > 0 && lastDensities is not null && lastDensities.Length == densities.Count && sinceFull < RebuildEvery
            && lastHadExchange == exchange;
        double[][] j, k;
        if (!incremental)
        {
            var (jf, kf) = builder.Build(densities, exchange);
            (j, k) = (jf, kf ?? []);
            sinceFull = 0;
        }
        else
        {
            var delta = densities.Select((d, s) => d.Select((v, i) => v - lastDensities![s][i]).ToArray()).ToArray();
            var (dj, dk) = builder.Build(delta, exchange, Threshold);
            j = lastJ!.Select((x, s) => x.Select((v, i) => v + dj[s][i]).ToArray()).ToArray();
            k = exchange ? lastK!.Select((x, s) => x.Select((v, i) => v + dk![s][i]).ToArray()).ToArray() : [];
            sinceFull++;
        }
        LastWasFull = !incremental;
        lastHadExchange = exchange;
        lastDensities = [.. densities.Select(d => (double[])d.Clone())];
        lastJ = j;
        lastK = k;
        return ([.. j.Select(x => (double[])x.Clone())], [.. k.Select(x => (double[])x.Clone())]);
    }
}
