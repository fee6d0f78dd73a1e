using Qex.Kernels.Devices;

namespace Qex.Dft.Tests;

/// <summary>A fact that needs a CUDA device; skipped with the reason (no driver, no device) when there is none.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        var cuda = DeviceCatalog.ProbeCuda();
        if (!cuda.Available) Skip = $"No CUDA device: {cuda.Detail}.";
    }
}
