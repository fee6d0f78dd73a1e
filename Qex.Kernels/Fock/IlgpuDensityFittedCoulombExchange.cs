using ILGPU;
using ILGPU.Runtime;
using Qex.Kernels.Devices;

namespace Qex.Kernels.Fock;

/// <summary>
/// Density-fitted J and K on an accelerator, from the fitted three-index integrals B[Q, mn] (naux x n^2, kept on the
/// device): J = B^T (B vec D) as two products, K = sum_Q (B_Q Y) S (B_Q Y)^T with D = Y S Y^T (the density's
/// eigendecomposition, on the host) as products over chunks of fitting functions. Every product sums in a fixed order:
/// the same device gives the same matrices every time; they agree with the CPU's to rounding.
/// </summary>
public sealed class IlgpuDensityFittedCoulombExchange : ICoulombExchangeBuilder, IDisposable
{
    private readonly ComputeDevice _device;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _b;
    private readonly int _n, _naux;
    private readonly long _chunkBytes;
    private readonly Action<Index2D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, PermuteShape> _permute;

    /// <summary>Uploads the fitted integrals <paramref name="fitted"/> (fittingRank x n^2, row-major) to <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentException">The array does not hold fittingRank x n^2 values.</exception>
    /// <exception cref="InsufficientMemoryException">They do not fit on the device (nothing is allocated).</exception>
    public IlgpuDensityFittedCoulombExchange(ComputeDevice device, ReadOnlyMemory<double> fitted, int fittingRank, int n)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        if (n < 1 || fittingRank < 1 || fitted.Length != (long)fittingRank * n * n)
            throw new ArgumentException($"Fitted integrals of {fittingRank} fitting functions and {n} basis functions hold {(long)fittingRank * n * n} values; got {fitted.Length}.");
        if (fitted.Length > int.MaxValue)
            throw new InsufficientMemoryException($"Fitted integrals of {fitted.Length} values exceed the device kernels' 2^31-element index range; use --device cpu.");
        (_n, _naux) = (n, fittingRank);
        double usable = ComputeDevice.UsableMemoryShare * device.MemoryBytes;
        _chunkBytes = (long)Math.Clamp(usable / 8, 1 << 20, 256L << 20);
        device.EnsureFits(8.0 * fitted.Length + 2.0 * _chunkBytes + 8.0 * 4 * n * n, $"Density-fitted J/K ({fittingRank} fitting x {n} basis functions)");
        // uploaded straight from the caller's array (no host copy of what may be gigabytes)
        (_b, _permute) = device.Run(acc =>
        {
            var b = acc.Allocate1D<double>(fitted.Length);
            ((ArrayView<double>)b.View).CopyFromCPU(fitted.Span);
            return (b, acc.LoadAutoGroupedStreamKernel<Index2D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, PermuteShape>(PermuteKernel));
        });
    }

    /// <inheritdoc />
    public int FunctionCount => _n;

    /// <summary>Always true: every build is a full one.</summary>
    public bool LastWasFull => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A density of the wrong size, not finite, or not symmetric.</exception>
    public (double[][] Coulomb, double[][] Exchange) Build(IReadOnlyList<double[]> densities, bool full = false, bool exchange = true)
    {
        ArgumentNullException.ThrowIfNull(densities);
        foreach (var d in densities) DensityFactorization.CheckSymmetric(d, _n);
        var factors = exchange ? densities.Select(d => DensityFactorization.Of(d, _n)).ToArray() : [];
        return _device.Run(acc =>
        {
            var gemm = _device.Kernels(a => new DeviceGemm(a));
            var j = densities.Select(d => Coulomb(acc, gemm, d)).ToArray();
            var k = factors.Select(f => Exchange(acc, gemm, f)).ToArray();
            return (j, k);
        });
    }

    private double[] Coulomb(Accelerator acc, DeviceGemm gemm, double[] d)
    {
        int nn = _n * _n;
        using var dd = acc.Allocate1D(d);
        using var gamma = acc.Allocate1D<double>(_naux);
        using var j = acc.Allocate1D<double>(nn);
        // gamma = B vec(D) (naux x 1), J = gamma^T B (1 x n^2)
        gemm.Multiply(_b.View, dd.View, gamma.View, new GemmShape(_naux, 1, nn, 0, 0, nn, 1, 1, 0, 0, 0, 1, 0));
        gemm.Multiply(gamma.View, _b.View, j.View, new GemmShape(1, nn, _naux, 0, 0, _naux, nn, nn, 0, 0, 0, 1, 0));
        return j.GetAsArray1D();
    }

    private double[] Exchange(Accelerator acc, DeviceGemm gemm, DensityFactorization f)
    {
        int n = _n, nn = n * n, r = f.Rank;
        if (r == 0) return new double[nn];
        int chunk = (int)Math.Clamp(_chunkBytes / sizeof(double) / ((long)n * r), 1, _naux);
        using var y = acc.Allocate1D(f.Y);
        using var signs = acc.Allocate1D(f.Signs);
        using var x = acc.Allocate1D<double>((long)chunk * n * r);
        using var z = acc.Allocate1D<double>((long)chunk * n * r);
        using var zs = acc.Allocate1D<double>((long)chunk * n * r);
        using var k = acc.Allocate1D<double>(nn);
        for (int q0 = 0; q0 < _naux; q0 += chunk)
        {
            int qc = Math.Min(chunk, _naux - q0), width = qc * r;
            // X[q, m, i] = sum_k B[q0 + q, m, k] Y[k, i]; Z[m, q r + i] = X[q, m, i], Zs = Z S; K += Z Zs^T
            gemm.Multiply(_b.View, y.View, x.View, new GemmShape(qc * n, r, n, 0, 0, n, r, r, q0 * nn, 0, 0, 1, 0));
            _permute(new Index2D(width, n), x.View, signs.View, z.View, zs.View, new PermuteShape(n, r, width));
            gemm.Multiply(z.View, zs.View, k.View, new GemmShape(n, n, width, 0, 1, width, width, n, 0, 0, 0, 1, q0 == 0 ? 0 : 1));
        }
        var result = k.GetAsArray1D();
        DensityFactorization.Symmetrise(result, n);
        return result;
    }

    /// <summary>Z[m, q r + i] = X[(q n + m) r + i] and Zs = Z times the sign of column i.</summary>
    private static void PermuteKernel(Index2D index, ArrayView<double> x, ArrayView<double> signs, ArrayView<double> z, ArrayView<double> zs, PermuteShape s)
    {
        int col = index.X, m = index.Y;
        int q = col / s.Rank, i = col % s.Rank;
        double v = x[(q * s.N + m) * s.Rank + i];
        z[m * s.Width + col] = v;
        zs[m * s.Width + col] = v * signs[i];
    }

    /// <inheritdoc />
    public void Dispose() => _b.Dispose();
}

/// <summary>The shape of the exchange permutation: basis functions, density rank, and the chunk's columns (fitting functions x rank).</summary>
internal readonly record struct PermuteShape(int N, int Rank, int Width);
