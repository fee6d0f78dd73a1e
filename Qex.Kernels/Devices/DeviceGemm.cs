using ILGPU;
using ILGPU.Runtime;

namespace Qex.Kernels.Devices;

/// <summary>The shape of one product C = alpha op(A) op(B) + beta C (row-major, leading dimensions and offsets in elements).</summary>
internal readonly record struct GemmShape(int M, int N, int K, int TransA, int TransB, int Lda, int Ldb, int Ldc, int OffsetA, int OffsetB, int OffsetC,
    double Alpha, double Beta);

/// <summary>
/// Dense double-precision matrix products on a device. On GPUs, tiles of <see cref="Tile"/> x <see cref="Tile"/> outputs
/// per group of threads with the inner dimension staged through shared memory; on ILGPU's CPU accelerator, whose group
/// barriers cost tens of microseconds each (a 64 x 64 x 64 product took a second tiled, 10 ms direct), one thread per
/// output reading its row and column directly. Either way every output element sums its products in the order of the
/// inner index (no atomics), so results are deterministic, and the two forms agree to the last bit.
/// </summary>
internal sealed class DeviceGemm
{
    /// <summary>Output tile edge (a group has Tile x Tile threads; the CPU accelerator's groups are sized to match).</summary>
    public const int Tile = 8;

    private readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, GemmShape>? _tiled;
    private readonly Action<Index2D, ArrayView<double>, ArrayView<double>, ArrayView<double>, GemmShape>? _direct;

    /// <summary>The products on <paramref name="accelerator"/>: tiled on GPUs, direct on the CPU accelerator unless <paramref name="tiled"/> says otherwise.</summary>
    public DeviceGemm(Accelerator accelerator, bool? tiled = null)
    {
        if (tiled ?? accelerator.AcceleratorType != AcceleratorType.CPU)
            _tiled = accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, GemmShape>(Kernel);
        else
            _direct = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<double>, ArrayView<double>, ArrayView<double>, GemmShape>(DirectKernel);
    }

    /// <summary>C = alpha op(A) op(B) + beta C, queued on the accelerator's default stream.</summary>
    public void Multiply(ArrayView<double> a, ArrayView<double> b, ArrayView<double> c, in GemmShape s)
    {
        if (s.M == 0 || s.N == 0) return;
        if (_tiled is not null) _tiled(new KernelConfig(new Index2D((s.N + Tile - 1) / Tile, (s.M + Tile - 1) / Tile), new Index2D(Tile, Tile)), a, b, c, s);
        else _direct!(new Index2D(s.N, s.M), a, b, c, s);
    }

    private static void DirectKernel(Index2D index, ArrayView<double> a, ArrayView<double> b, ArrayView<double> c, GemmShape s)
    {
        int row = index.Y, col = index.X;
        double sum = 0;
        for (int k = 0; k < s.K; k++)
            sum += a[s.OffsetA + (s.TransA != 0 ? k * s.Lda + row : row * s.Lda + k)] * b[s.OffsetB + (s.TransB != 0 ? col * s.Ldb + k : k * s.Ldb + col)];
        int o = s.OffsetC + row * s.Ldc + col;
        c[o] = s.Beta == 0 ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[o];
    }

    private static void Kernel(ArrayView<double> a, ArrayView<double> b, ArrayView<double> c, GemmShape s)
    {
        var ta = SharedMemory.Allocate<double>(Tile * Tile);
        var tb = SharedMemory.Allocate<double>(Tile * Tile);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = ILGPU.Grid.IdxY * Tile + ty, col = ILGPU.Grid.IdxX * Tile + tx;
        double sum = 0;
        for (int k0 = 0; k0 < s.K; k0 += Tile)
        {
            // A(row, k0 + tx) and B(k0 + ty, col) into the tiles (zero outside the matrices)
            int ka = k0 + tx, kb = k0 + ty;
            ta[ty * Tile + tx] = row < s.M && ka < s.K ? a[s.OffsetA + (s.TransA != 0 ? ka * s.Lda + row : row * s.Lda + ka)] : 0.0;
            tb[ty * Tile + tx] = col < s.N && kb < s.K ? b[s.OffsetB + (s.TransB != 0 ? col * s.Ldb + kb : kb * s.Ldb + col)] : 0.0;
            Group.Barrier();
            for (int k = 0; k < Tile; k++) sum += ta[ty * Tile + k] * tb[k * Tile + tx];
            Group.Barrier();
        }
        if (row < s.M && col < s.N)
        {
            int o = s.OffsetC + row * s.Ldc + col;
            c[o] = s.Beta == 0 ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[o];
        }
    }
}
