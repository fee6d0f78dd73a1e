using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Qex.Kernels.Devices;

/// <summary>
/// Finds the compute devices of this machine through ILGPU (CUDA, OpenCL, its CPU accelerator) besides the managed CPU
/// backend, resolves a <c>--device</c> choice and opens it. Probing never throws: a missing driver, library or device is
/// reported as unavailable with the reason. ILGPU loads the drivers by their development names (libcuda.so,
/// libOpenCL.so); where only the drivers' versioned sonames exist (a machine with the driver and no toolkit), they are
/// loaded instead.
/// </summary>
public static class DeviceCatalog
{
    /// <summary>The choices of <c>--device</c>, as the help and error messages list them.</summary>
    public const string Choices = "cpu, cuda, opencl, ilgpu-cpu or auto";

    /// <summary>Threads of one simulated warp of the ILGPU CPU accelerator.</summary>
    internal const int CpuAcceleratorWarp = 4;

    /// <summary>Warps of one simulated group of the ILGPU CPU accelerator (groups of 64 threads, as the tiled kernels use).</summary>
    internal const int CpuAcceleratorWarps = 16;

    static DeviceCatalog() => AssemblyLoadContext.Default.ResolvingUnmanagedDll += ResolveDriver;

    /// <summary>ILGPU's <c>[DllImport("cuda")]</c> and <c>("OpenCL")</c> fall back to the drivers' sonames.</summary>
    private static nint ResolveDriver(Assembly assembly, string name)
    {
        if (assembly != typeof(Context).Assembly) return 0;
        string? soname = name switch
        {
            "cuda" or "nvcuda" => "libcuda.so.1",
            "OpenCL" => "libOpenCL.so.1",
            _ => null,
        };
        return soname is not null && NativeLibrary.TryLoad(soname, out var handle) ? handle : 0;
    }

    /// <summary>The command-line name of a backend.</summary>
    public static string NameOf(DeviceKind kind) => kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.IlgpuCpu => "ilgpu-cpu",
        DeviceKind.OpenCl => "opencl",
        DeviceKind.Cuda => "cuda",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Probes every backend, in the order cpu, ilgpu-cpu, opencl, cuda.</summary>
    public static IReadOnlyList<DeviceInfo> Probe() => [ProbeCpu(), ProbeIlgpuCpu(), ProbeOpenCl(), ProbeCuda()];

    /// <summary>
    /// Resolves a <c>--device</c> choice: <c>auto</c> picks CUDA, then an OpenCL device ILGPU accepts, then the CPU; a named
    /// backend must be available.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the choices), or an unavailable backend (with the reason).</exception>
    public static DeviceInfo Select(string choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        string c = choice.Trim().ToLowerInvariant();
        if (c == "auto")
        {
            var cuda = ProbeCuda();
            if (cuda.Available) return cuda;
            var cl = ProbeOpenCl();
            return cl.Available ? cl : ProbeCpu();
        }
        DeviceInfo info = c switch
        {
            "cpu" => ProbeCpu(),
            "ilgpu-cpu" => ProbeIlgpuCpu(),
            "opencl" => ProbeOpenCl(),
            "cuda" => ProbeCuda(),
            _ => throw new ArgumentException($"Unknown device '{choice}'; choose {Choices}."),
        };
        return info.Available ? info : throw new ArgumentException($"Device '{c}' is not available: {info.Detail}");
    }

    /// <summary>
    /// Opens the first device of an accelerator backend (the caller disposes it). The managed CPU backend has no device
    /// object: ask for <see cref="DeviceKind.IlgpuCpu"/>, <see cref="DeviceKind.OpenCl"/> or <see cref="DeviceKind.Cuda"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The backend is the managed CPU, or has no usable device (with the reason).</exception>
    public static ComputeDevice Open(DeviceKind kind)
    {
        if (kind == DeviceKind.Cpu) throw new ArgumentException("The managed CPU backend runs without an accelerator device; open ilgpu-cpu, opencl or cuda.");
        var info = kind switch
        {
            DeviceKind.IlgpuCpu => ProbeIlgpuCpu(),
            DeviceKind.OpenCl => ProbeOpenCl(),
            _ => ProbeCuda(),
        };
        if (!info.Available) throw new ArgumentException($"Device '{NameOf(kind)}' is not available: {info.Detail}");
        var context = CreateContext(kind);
        try
        {
            Device device = kind switch
            {
                DeviceKind.IlgpuCpu => context.GetCPUDevice(0),
                DeviceKind.OpenCl => List<CLDevice>(context.GetCLDevices()).First(Accepted),
                _ => context.GetCudaDevice(0),
            };
            return new ComputeDevice(kind, context, kind == DeviceKind.IlgpuCpu
                ? context.GetCPUDevice(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel)
                : device.CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>A context with one backend (and the double-precision math of ILGPU.Algorithms).</summary>
    internal static Context CreateContext(DeviceKind kind) => Context.Create(b =>
    {
        _ = kind switch
        {
            DeviceKind.IlgpuCpu => b.CPU(new CPUDevice(CpuAcceleratorWarp, CpuAcceleratorWarps, 1)),
            DeviceKind.OpenCl => b.OpenCL(_ => true),
            DeviceKind.Cuda => b.Cuda(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        b.Math(MathMode.Default).EnableAlgorithms();
    });

    /// <summary>The managed CPU backend: threads and SIMD width.</summary>
    public static DeviceInfo ProbeCpu()
    {
        string simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : Vector128.IsHardwareAccelerated ? "128-bit SIMD" : "no SIMD";
        string fma = System.Runtime.Intrinsics.X86.Fma.IsSupported ? ", FMA" : "";
        return new DeviceInfo(DeviceKind.Cpu, true, [$"{RuntimeInformation.ProcessArchitecture} x {Environment.ProcessorCount} threads"], $"managed SIMD ({simd}{fma})");
    }

    /// <summary>ILGPU's CPU accelerator (always available where ILGPU loads).</summary>
    public static DeviceInfo ProbeIlgpuCpu() => Guard(DeviceKind.IlgpuCpu, () =>
    {
        using var context = CreateContext(DeviceKind.IlgpuCpu);
        var d = context.GetCPUDevice(0);
        return new DeviceInfo(DeviceKind.IlgpuCpu, true, [$"ILGPU CPU accelerator ({d.NumMultiprocessors} x {d.MaxNumThreadsPerGroup} simulated threads)"],
            "simulated warps on CPU threads: slow, for checks");
    });

    /// <summary>OpenCL devices through the ICD loader; those ILGPU cannot use are listed with the reason.</summary>
    public static DeviceInfo ProbeOpenCl() => Guard(DeviceKind.OpenCl, () =>
    {
        if (!NativeLibrary.TryLoad("libOpenCL.so.1", out _) && !NativeLibrary.TryLoad("libOpenCL.so", out _) && !NativeLibrary.TryLoad("OpenCL.dll", out _))
            return new DeviceInfo(DeviceKind.OpenCl, false, [], "libOpenCL.so.1 not found (install ocl-icd-libopencl1 and a vendor ICD)");
        using var context = CreateContext(DeviceKind.OpenCl);
        var all = List<CLDevice>(context.GetCLDevices());
        if (all.Count == 0) return new DeviceInfo(DeviceKind.OpenCl, false, [], "no OpenCL platform or device (is an ICD installed?)");
        var names = all.Select(d => Refusal(d) is { } why ? $"{d.Name} (refused: {why})" : d.Name).ToList();
        bool any = all.Any(Accepted);
        return new DeviceInfo(DeviceKind.OpenCl, any, names, any ? $"{all.Count} device(s)" : "no OpenCL device ILGPU accepts (it needs OpenCL C 2.0, or 3.0 with the generic address space, and cl_khr_fp64)");
    });

    /// <summary>CUDA devices through the driver.</summary>
    public static DeviceInfo ProbeCuda() => Guard(DeviceKind.Cuda, () =>
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out _) && !NativeLibrary.TryLoad("libcuda.so", out _) && !NativeLibrary.TryLoad("nvcuda.dll", out _))
            return new DeviceInfo(DeviceKind.Cuda, false, [], "libcuda.so.1 not found (no NVIDIA driver)");
        using var context = CreateContext(DeviceKind.Cuda);
        var all = List<CudaDevice>(context.GetCudaDevices());
        if (all.Count == 0) return new DeviceInfo(DeviceKind.Cuda, false, [], "the NVIDIA driver loads but reports no CUDA device ILGPU supports");
        var d0 = all[0];
        return new DeviceInfo(DeviceKind.Cuda, true, [.. all.Select(d => $"{d.Name} ({d.MemorySize / (1L << 30)} GiB, {d.Architecture})")],
            $"driver {d0.DriverVersion}");
    });

    /// <summary>Why ILGPU cannot use an OpenCL device (null: it can).</summary>
    private static string? Refusal(CLDevice d)
    {
        if (!d.Capabilities.Float64) return "no fp64";
        if (d.CVersion.Major < 2) return $"OpenCL C {d.CVersion.Major}.{d.CVersion.Minor}";
        if (d.CVersion.Major >= 3 && !d.Capabilities.GenericAddressSpace) return "no generic address space";
        return null;
    }

    /// <summary>A device collection as a list (ILGPU's collections confuse LINQ's overload resolution).</summary>
    private static List<T> List<T>(Context.DeviceCollection<T> devices) where T : Device
    {
        var list = new List<T>();
        foreach (var d in devices) list.Add(d);
        return list;
    }

    private static bool Accepted(Device d) => d is CLDevice cl && Refusal(cl) is null;

    /// <summary>A probe that fails for any reason reports the backend unavailable with the reason instead of throwing.</summary>
    private static DeviceInfo Guard(DeviceKind kind, Func<DeviceInfo> probe)
    {
        try
        {
            return probe();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or NotSupportedException
                                      or TypeInitializationException or AcceleratorException or ExternalException)
        {
            return new DeviceInfo(kind, false, [], $"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
    }
}
