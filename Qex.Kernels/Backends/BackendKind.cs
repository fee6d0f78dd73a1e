namespace Qex.Kernels.Backends;

/// <summary>The kinds of compute backend Qex can run its hot loops on.</summary>
public enum BackendKind
{
    /// <summary>Managed code with SIMD intrinsics and threads; always available, the reference for the others.</summary>
    Cpu,
    /// <summary>OpenCL through libOpenCL.so.1 (PoCL gives a real device on CPU-only machines).</summary>
    OpenCl,
    /// <summary>CUDA through the driver API (libcuda.so.1) and NVRTC.</summary>
    Cuda,
}

/// <summary>What probing found for one backend.</summary>
/// <param name="Kind">The backend.</param>
/// <param name="Available">True when at least one usable device was found.</param>
/// <param name="Devices">Names of the devices found (may be empty).</param>
/// <param name="Detail">A one-line explanation: library version, or why it is unavailable.</param>
public sealed record BackendInfo(BackendKind Kind, bool Available, IReadOnlyList<string> Devices, string Detail);
