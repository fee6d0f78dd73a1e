using Qex.Kernels.Backends;

namespace Qex.Kernels.Tests;

public sealed class BackendDiscoveryTests
{
    [Fact]
    public void CpuIsAlwaysAvailableAndListedFirst()
    {
        var all = BackendDiscovery.Probe();
        Assert.Equal([BackendKind.Cpu, BackendKind.OpenCl, BackendKind.Cuda], all.Select(b => b.Kind));
        Assert.True(all[0].Available);
        Assert.Contains(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), all[0].Devices[0]);
        Assert.All(all, b => Assert.False(string.IsNullOrWhiteSpace(b.Detail)));
    }

    [Fact]
    public void AutoPicksTheMostCapableAvailableBackend()
    {
        var all = BackendDiscovery.Probe();
        var expected = all.Last(b => b.Available).Kind; // order: cpu, opencl, cuda
        Assert.Equal(expected, BackendDiscovery.Select("auto").Kind);
        Assert.Equal(BackendKind.Cpu, BackendDiscovery.Select("CPU").Kind);
    }

    [Fact]
    public void UnknownOrMissingBackendsAreClearErrors()
    {
        var ex = Assert.Throws<ArgumentException>(() => BackendDiscovery.Select("tpu"));
        Assert.Contains("cpu, opencl, cuda or auto", ex.Message);
        foreach (var b in BackendDiscovery.Probe().Where(b => !b.Available))
        {
            var e = Assert.Throws<ArgumentException>(() => BackendDiscovery.Select(b.Kind.ToString()));
            Assert.Contains("not available", e.Message);
            Assert.Contains(b.Detail, e.Message);
        }
    }
}
