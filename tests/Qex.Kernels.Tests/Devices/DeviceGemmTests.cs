using ILGPU;
using ILGPU.Runtime;
using Qex.Core.LinearAlgebra;
using Qex.Kernels.Devices;

namespace Qex.Kernels.Tests.Devices;

public sealed class DeviceGemmTests
{
    [Theory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(13, 7, 19, false, false, true)]
    [InlineData(11, 12, 3, true, true, true)]
    [InlineData(9, 17, 8, false, true, true)]
    [InlineData(13, 7, 19, false, false)]
    [InlineData(9, 17, 8, false, true)]
    [InlineData(16, 5, 23, true, false)]
    [InlineData(11, 12, 3, true, true)]
    [InlineData(5, 6, 0, false, false)]
    public void MatchesTheCpuProduct(int m, int n, int k, bool ta, bool tb, bool tiled = false)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
        var a = Enumerable.Range(0, (ta ? k : m) * lda + 3).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, (tb ? n : k) * ldb + 1).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var c = Enumerable.Range(0, m * ldc + 2).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var expected = (double[])c.Clone();
        Gemm.Multiply(ta, tb, m, n, k, 0.7, a.AsSpan(3), lda, b.AsSpan(1), ldb, 0.3, expected.AsSpan(2), ldc, 1);
        using var device = DeviceCatalog.Open(DeviceKind.IlgpuCpu);
        double[] Run(DeviceGemm gemm) => device.Run(acc =>
        {
            using var da = acc.Allocate1D(a);
            using var db = acc.Allocate1D(b);
            using var dc = acc.Allocate1D(c);
            gemm.Multiply(da.View, db.View, dc.View, new GemmShape(m, n, k, ta ? 1 : 0, tb ? 1 : 0, lda, ldb, ldc, 3, 1, 2, 0.7, 0.3));
            return dc.GetAsArray1D();
        });
        var got = Run(new DeviceGemm(device.Accelerator, tiled));
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], got[i], 1e-13);
        // the tiled and direct forms sum in the same order: the same bits
        var twin = Run(new DeviceGemm(device.Accelerator, !tiled));
        Assert.Equal(got, twin);
    }
}
