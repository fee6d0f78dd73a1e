using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Scf;

/// <summary>
/// Density-fitted J and K (RI-J and RI-K in the Coulomb metric, Psi4's <c>scf_type df</c>): with the metric
/// (P|Q) = U diag(lambda) U^T and B_Q,mn = sum_P lambda_Q^(-1/2) U_PQ (P|mn) (eigenvalues below
/// <see cref="MetricCutoff"/> x the largest dropped, as Psi4 does),
/// <c>(mn|kl) ~ sum_Q B_Q,mn B_Q,kl</c>, so J[D]_mn = sum_Q B_Q,mn (sum_kl B_Q,kl D_kl) and, with D = sum_i s_i y_i y_i^T
/// (its eigenvectors scaled by the square roots of |eigenvalue|, s_i the sign), K[D]_mn = sum_Qi s_i X_Qmi X_Qni with
/// X_Q = B_Q Y: two matrix products of n^2 n_aux r flops for a density of rank r. B is kept in memory (n_aux n^2
/// values), refused before allocation beyond the budget.
/// </summary>
public sealed class DensityFittedCoulombExchange : ICoulombExchangeBuilder
{
    private readonly double[] b;     // B[Q, m n], the kept fitting functions Q only
    private readonly int n, naux, workers;

    /// <summary>Computes and keeps the fitted three-center integrals.</summary>
    /// <param name="basis">The orbital basis.</param>
    /// <param name="auxiliary">The fitting basis on the same molecule.</param>
    /// <param name="maxThreads">Upper bound on threads (0: the processor count).</param>
    /// <param name="memoryBudgetBytes">The most the fitted integrals may take (0: half the available memory).</param>
    /// <param name="metricCutoff">Metric eigenvalues below this times the largest are dropped.</param>
    /// <exception cref="InsufficientMemoryException">The fitted integrals would not fit in the budget (nothing is allocated).</exception>
    /// <exception cref="ArgumentException">The fitting basis is empty, or the cutoff is not in (0, 1).</exception>
    public DensityFittedCoulombExchange(BasisSet basis, BasisSet auxiliary, int maxThreads = 0, long memoryBudgetBytes = 0, double metricCutoff = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(auxiliary);
        if (auxiliary.FunctionCount == 0) throw new ArgumentException($"The fitting basis '{auxiliary.Name}' has no functions.", nameof(auxiliary));
        if (!(metricCutoff > 0 && metricCutoff < 1)) throw new ArgumentException($"The metric cutoff must be in (0, 1); got {metricCutoff}.", nameof(metricCutoff));
        n = basis.FunctionCount;
        int na = auxiliary.FunctionCount;
        workers = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        long nn = (long)n * n;
        double need = (double)na * nn * sizeof(double) + (double)na * na * 2 * sizeof(double);
        long budget = memoryBudgetBytes > 0 ? memoryBudgetBytes : MemoryBudget();
        if (need > budget || (double)na * nn > Array.MaxLength)
            throw new InsufficientMemoryException(FormattableString.Invariant(
                $"Density fitting with {na} fitting and {n} orbital basis functions needs {need / (1 << 30):F2} GiB, more than the budget of {budget / (double)(1 << 30):F2} GiB; use exact integrals (direct)."));
        MetricCutoff = metricCutoff;
        AuxiliaryName = auxiliary.Name;
        AuxiliaryFunctionCount = na;

        // the metric's inverse square root, W = diag(lambda^-1/2) U^T over the kept eigenvalues
        var eig = SymmetricEigen.Decompose(Tensor.Wrap(ElectronRepulsionEngine.Metric(auxiliary, workers), na, na));
        var lambda = eig.Values.ToArray();
        var u = eig.Vectors.Span;
        double top = lambda[na - 1];
        var kept = Enumerable.Range(0, na).Where(q => lambda[q] > metricCutoff * top).ToArray();
        naux = kept.Length;
        var w = new double[naux * na];
        for (int q = 0; q < naux; q++)
        {
            double s = 1 / Math.Sqrt(lambda[kept[q]]);
            for (int p = 0; p < na; p++) w[q * na + p] = s * u[p * na + kept[q]];
        }

        // (P|mn), then B = W (P|mn) column block by column block, in place
        var t = new double[na * nn];
        new ElectronRepulsionEngine(basis).ThreeCenter(auxiliary, t, workers);
        const int block = 512;
        var tmp = new double[naux * block];
        for (long c0 = 0; c0 < nn; c0 += block)
        {
            int width = (int)Math.Min(block, nn - c0);
            Gemm.Multiply(false, false, naux, width, na, 1, w, na, t.AsSpan((int)c0), (int)nn, 0, tmp, width, workers);
            for (int q = 0; q < naux; q++) Array.Copy(tmp, q * width, t, q * nn + c0, width);
        }
        b = naux == na ? t : t[..(int)(naux * nn)];
        StoredBytes = (long)b.Length * sizeof(double);
    }

    /// <summary>
    /// The same J and K on an accelerator: the fitted integrals go to the device once (refused before allocation when they
    /// do not fit); each build's products run there (the density's eigendecomposition for K stays on the host).
    /// </summary>
    /// <exception cref="InsufficientMemoryException">The fitted integrals do not fit on the device.</exception>
    public IlgpuDensityFittedCoulombExchange OnDevice(Qex.Kernels.Devices.ComputeDevice device) => new(device, b, naux, n);

    /// <summary>Half the memory available to the process.</summary>
    private static long MemoryBudget() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <inheritdoc />
    public int FunctionCount => n;

    /// <summary>Functions in the fitting basis.</summary>
    public int AuxiliaryFunctionCount { get; }

    /// <summary>Fitting functions kept after the metric cutoff (the rank of the fit).</summary>
    public int FittingRank => naux;

    /// <summary>The fitting basis' name.</summary>
    public string AuxiliaryName { get; }

    /// <summary>Metric eigenvalues below this times the largest are dropped.</summary>
    public double MetricCutoff { get; }

    /// <summary>Bytes held by the fitted integrals.</summary>
    public long StoredBytes { get; }

    /// <summary>Always true: every build is a full one.</summary>
    public bool LastWasFull => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A density of the wrong size, not finite, or not symmetric.</exception>
    public (double[][] Coulomb, double[][] Exchange) Build(IReadOnlyList<double[]> densities, bool full = false, bool exchange = true)
    {
        ArgumentNullException.ThrowIfNull(densities);
        foreach (var d in densities) Check(d);
        var j = densities.Select(Coulomb).ToArray();
        var k = exchange ? densities.Select(Exchange).ToArray() : [];
        return (j, k);
    }

    private void Check(double[] d) => DensityFactorization.CheckSymmetric(d, n);

    /// <summary>J[D] = B^T (B vec D), each sum in a fixed order (the same bits for any thread count).</summary>
    private double[] Coulomb(double[] d)
    {
        long nn = (long)n * n;
        var gamma = new double[naux];
        Parallel.For(0, naux, new ParallelOptions { MaxDegreeOfParallelism = workers },
            q => gamma[q] = System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<double>(b, (int)(q * nn), (int)nn), d));
        var j = new double[nn];
        const int block = 4096;
        int blocks = (int)((nn + block - 1) / block);
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = workers }, c =>
        {
            int c0 = c * block, width = (int)Math.Min(block, nn - c0);
            var jc = j.AsSpan(c0, width);
            for (int q = 0; q < naux; q++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(b, (int)(q * nn + c0), width), gamma[q], jc, jc);
        });
        return j;
    }

    /// <summary>K[D] from the eigenvectors of D: X_Q = B_Q Y, K = sum_Q X_Q S X_Q^T, fitting functions in chunks.</summary>
    private double[] Exchange(double[] d)
    {
        int nn = n * n;
        var k = new double[nn];
        var f = DensityFactorization.Of(d, n);
        if (f.Rank == 0) return k;
        var (y, sign, r) = (f.Y, f.Signs, f.Rank);
        bool definite = f.Definite;
        // fitting functions per chunk so that X stays near 32 MiB
        int chunk = (int)Math.Clamp((32L << 20) / sizeof(double) / ((long)n * r), 1, naux);
        var x = new double[(long)chunk * n * r];
        var z = new double[(long)chunk * n * r];
        var zs = definite ? z : new double[z.Length];
        for (int q0 = 0; q0 < naux; q0 += chunk)
        {
            int qc = Math.Min(chunk, naux - q0), width = qc * r;
            // X[q, m, i] = sum_k B[q0 + q, m, k] Y[k, i]: one product of (qc n) x n by n x r
            Gemm.Multiply(false, false, qc * n, r, n, 1, new ReadOnlySpan<double>(b, q0 * nn, qc * nn), n, y, r, 0, x, r, workers);
            // Z[m, q r + i] = X[q, m, i]
            for (int q = 0; q < qc; q++)
                for (int m = 0; m < n; m++)
                    Array.Copy(x, (q * n + m) * r, z, m * width + q * r, r);
            if (!definite)
                for (int m = 0; m < n; m++)
                    for (int q = 0; q < qc; q++)
                        for (int c = 0; c < r; c++) zs[m * width + q * r + c] = sign[c] * z[m * width + q * r + c];
            Gemm.Multiply(false, true, n, n, width, 1, z, width, zs, width, 1, k, n, workers);
        }
        // the product is symmetric up to round-off: make it exactly so
        DensityFactorization.Symmetrise(k, n);
        return k;
    }
}
