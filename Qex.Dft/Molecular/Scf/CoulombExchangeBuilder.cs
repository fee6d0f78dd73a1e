using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Scf;

/// <summary>How the SCF gets its electron-repulsion integrals.</summary>
public enum IntegralMode
{
    /// <summary>Stored when they fit in the memory budget, direct otherwise.</summary>
    Auto,

    /// <summary>Conventional: every significant unique quartet computed once and kept.</summary>
    Stored,

    /// <summary>Integral-direct: quartets recomputed for every J/K build (memory of order n^2).</summary>
    Direct,

    /// <summary>Density fitting (RI-J and RI-K) with a fitting basis: <see cref="DensityFittedCoulombExchange"/>.</summary>
    DensityFitting,
}

/// <summary>
/// J and K matrices for density matrices of one basis: integrals from <see cref="ElectronRepulsionEngine"/>, stored or
/// recomputed (<see cref="IntegralMode"/>), contracted by a <see cref="ICoulombExchangeKernel"/> (the CPU kernel unless
/// another backend's is given).
/// </summary>
public sealed class CoulombExchangeBuilder
{
    private readonly ElectronRepulsionEngine engine;
    private readonly ICoulombExchangeKernel kernel;
    private readonly IReadOnlyList<EriBlocks>? stored;

    /// <summary>Prepares the integrals of <paramref name="basis"/>.</summary>
    /// <param name="basis">The basis.</param>
    /// <param name="mode">Stored, direct, or chosen by size.</param>
    /// <param name="kernel">The J/K kernel (null: CPU).</param>
    /// <param name="memoryBudgetBytes">Largest integral store the automatic mode keeps (0: a quarter of the available memory, at most 16 GiB).</param>
    /// <param name="screening">Schwarz threshold.</param>
    /// <exception cref="InsufficientMemoryException">Stored mode asked for a store beyond the budget.</exception>
    public CoulombExchangeBuilder(BasisSet basis, IntegralMode mode = IntegralMode.Auto, ICoulombExchangeKernel? kernel = null,
        long memoryBudgetBytes = 0, double screening = 1e-14)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if (mode == IntegralMode.DensityFitting) throw new ArgumentException("Density fitting has its own builder (DensityFittedCoulombExchange).", nameof(mode));
        engine = new ElectronRepulsionEngine(basis, screening);
        this.kernel = kernel ?? new CpuCoulombExchangeKernel();
        long budget = memoryBudgetBytes > 0 ? memoryBudgetBytes : Math.Min(16L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        long values = engine.StoredValueCount();
        long need = values * sizeof(double);
        bool fits = need <= budget;
        if (mode == IntegralMode.Stored && !fits)
            throw new InsufficientMemoryException($"Stored integrals need {need / (double)(1 << 30):F2} GiB, more than the budget of {budget / (double)(1 << 30):F2} GiB; use the direct mode.");
        Mode = mode == IntegralMode.Auto ? (fits ? IntegralMode.Stored : IntegralMode.Direct) : mode;
        if (Mode == IntegralMode.Stored) stored = engine.Store();
        StoredBytes = stored?.Sum(s => s.Bytes) ?? 0;
    }

    /// <summary>The mode in use (Stored or Direct).</summary>
    public IntegralMode Mode { get; }

    /// <summary>Bytes held by stored integrals (0 in direct mode).</summary>
    public long StoredBytes { get; }

    /// <summary>Number of basis functions.</summary>
    public int FunctionCount => engine.FunctionCount;

    /// <summary>
    /// J[D_s] and (when <paramref name="exchange"/>) K[D_s] for each density D_s (n x n, symmetric, row-major); with
    /// <paramref name="screeningThreshold"/> &gt; 0, contributions bounded below it by max|(ab|cd)| x max|D| are skipped.
    /// </summary>
    public (double[][] Coulomb, double[][]? Exchange) Build(IReadOnlyList<double[]> densities, bool exchange = true, double screeningThreshold = 0)
    {
        ArgumentNullException.ThrowIfNull(densities);
        int nn = FunctionCount * FunctionCount;
        foreach (var d in densities)
            if (d.Length != nn) throw new ArgumentException($"Density matrices must be {FunctionCount} x {FunctionCount}; got {d.Length} elements.");
        var j = densities.Select(_ => new double[nn]).ToArray();
        var k = exchange ? densities.Select(_ => new double[nn]).ToArray() : null;
        var screening = screeningThreshold > 0 ? new DensityScreening(engine.PatchBound(densities), screeningThreshold) : null;
        if (stored is not null) kernel.Accumulate(stored, densities, j, k, screening);
        else engine.DirectCoulombExchange(kernel, densities, j, k, screening);
        return (j, k);
    }
}
