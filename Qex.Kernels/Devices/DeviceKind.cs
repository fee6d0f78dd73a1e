namespace Qex.Kernels.Devices;

/// <summary>The compute backends Qex can run its hot loops on (the <c>--device</c> choices, <c>auto</c> aside).</summary>
public enum DeviceKind
{
    /// <summary>The managed CPU code (SIMD intrinsics, threads): always available, the default and the reference for the others.</summary>
    Cpu,

    /// <summary>ILGPU's CPU accelerator: the device kernels run as simulated warps on CPU threads (slow; for checks and tests).</summary>
    IlgpuCpu,

    /// <summary>An OpenCL device ILGPU accepts (OpenCL C 2.0 or 3.0 with the generic address space, and fp64).</summary>
    OpenCl,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend (the driver's libcuda; ILGPU generates the PTX itself).</summary>
    Cuda,
}

/// <summary>What probing found for one backend.</summary>
/// <param name="Kind">The backend.</param>
/// <param name="Available">True when a usable device was found.</param>
/// <param name="Devices">The devices found, usable or not (a refused one says why in its entry).</param>
/// <param name="Detail">One line: the driver or library, or why the backend is unavailable.</param>
public sealed record DeviceInfo(DeviceKind Kind, bool Available, IReadOnlyList<string> Devices, string Detail)
{
    /// <summary>The name used on the command line (cpu, ilgpu-cpu, opencl, cuda).</summary>
    public string Name => DeviceCatalog.NameOf(Kind);
}
