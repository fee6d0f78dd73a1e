using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Qex.Kernels.Backends;

/// <summary>
/// Finds which compute backends this machine offers, without throwing: missing libraries or devices are reported
/// as unavailable with the reason. The native libraries are loaded by their exact sonames (libOpenCL.so.1,
/// libcuda.so.1), never the toolkit's development stubs.
/// </summary>
public static unsafe class BackendDiscovery
{
    /// <summary>Probes every backend.</summary>
    public static IReadOnlyList<BackendInfo> Probe() => [ProbeCpu(), ProbeOpenCl(), ProbeCuda()];

    /// <summary>
    /// Resolves a <c>--device</c> choice (cpu, opencl, cuda or auto). Auto picks CUDA, then OpenCL, then CPU.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name, or the named backend is unavailable (with the reason).</exception>
    public static BackendInfo Select(string choice)
    {
        var all = Probe();
        BackendInfo Get(BackendKind k) => all.First(b => b.Kind == k);
        switch (choice.Trim().ToLowerInvariant())
        {
            case "auto":
                return all.Where(b => b.Available).OrderByDescending(b => b.Kind).First();
            case "cpu": return Get(BackendKind.Cpu);
            case "opencl":
            case "cuda":
                var kind = choice.Trim().Equals("cuda", StringComparison.OrdinalIgnoreCase) ? BackendKind.Cuda : BackendKind.OpenCl;
                var b = Get(kind);
                return b.Available ? b : throw new ArgumentException($"Backend '{choice}' is not available: {b.Detail}");
            default:
                throw new ArgumentException($"Unknown device '{choice}'; choose cpu, opencl, cuda or auto.");
        }
    }

    /// <summary>The CPU backend: processor count and SIMD width.</summary>
    public static BackendInfo ProbeCpu()
    {
        string simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : Vector128.IsHardwareAccelerated ? "128-bit SIMD" : "no SIMD";
        string fma = System.Runtime.Intrinsics.X86.Fma.IsSupported ? ", FMA" : "";
        return new BackendInfo(BackendKind.Cpu, true,
            [$"{RuntimeInformation.ProcessArchitecture} x {Environment.ProcessorCount} threads"],
            $"{simd}{fma}");
    }

    /// <summary>OpenCL: platforms and devices through the ICD loader.</summary>
    public static BackendInfo ProbeOpenCl()
    {
        if (!NativeLibrary.TryLoad("libOpenCL.so.1", out var lib) && !NativeLibrary.TryLoad("OpenCL.dll", out lib))
            return new BackendInfo(BackendKind.OpenCl, false, [], "libOpenCL.so.1 not found (install ocl-icd-libopencl1 and an ICD such as pocl-opencl-icd)");
        try
        {
            var getPlatforms = (delegate* unmanaged<uint, nint*, uint*, int>)NativeLibrary.GetExport(lib, "clGetPlatformIDs");
            var getDevices = (delegate* unmanaged<nint, ulong, uint, nint*, uint*, int>)NativeLibrary.GetExport(lib, "clGetDeviceIDs");
            var getDeviceInfo = (delegate* unmanaged<nint, uint, nuint, byte*, nuint*, int>)NativeLibrary.GetExport(lib, "clGetDeviceInfo");
            uint np = 0;
            int rc = getPlatforms(0, null, &np);
            if (rc != 0 || np == 0)
                return new BackendInfo(BackendKind.OpenCl, false, [], rc == -1001 ? "no OpenCL platform (ICD) installed" : $"clGetPlatformIDs returned {rc}, {np} platforms");
            var platforms = new nint[np];
            fixed (nint* pp = platforms) getPlatforms(np, pp, null);
            var names = new List<string>();
            const ulong CL_DEVICE_TYPE_ALL = 0xFFFFFFFF;
            const uint CL_DEVICE_NAME = 0x102B, CL_DEVICE_EXTENSIONS = 0x1030;
            foreach (var p in platforms)
            {
                uint nd = 0;
                if (getDevices(p, CL_DEVICE_TYPE_ALL, 0, null, &nd) != 0 || nd == 0) continue;
                var devs = new nint[nd];
                fixed (nint* pd = devs) getDevices(p, CL_DEVICE_TYPE_ALL, nd, pd, null);
                foreach (var d in devs)
                {
                    string name = InfoString(getDeviceInfo, d, CL_DEVICE_NAME);
                    bool fp64 = InfoString(getDeviceInfo, d, CL_DEVICE_EXTENSIONS).Contains("cl_khr_fp64", StringComparison.Ordinal);
                    names.Add(fp64 ? name : name + " (no fp64)");
                }
            }
            return names.Count > 0
                ? new BackendInfo(BackendKind.OpenCl, true, names, $"{np} platform(s)")
                : new BackendInfo(BackendKind.OpenCl, false, [], $"{np} platform(s) but no devices");
        }
        catch (EntryPointNotFoundException e)
        {
            return new BackendInfo(BackendKind.OpenCl, false, [], $"libOpenCL.so.1 lacks {e.Message}");
        }
    }

    private static string InfoString(delegate* unmanaged<nint, uint, nuint, byte*, nuint*, int> get, nint device, uint param)
    {
        nuint size = 0;
        if (get(device, param, 0, null, &size) != 0 || size == 0) return "?";
        var buf = new byte[(int)size];
        fixed (byte* b = buf) get(device, param, size, b, null);
        return Encoding.UTF8.GetString(buf).TrimEnd('\0').Trim();
    }

    /// <summary>CUDA: devices through the driver API.</summary>
    public static BackendInfo ProbeCuda()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var lib))
            return new BackendInfo(BackendKind.Cuda, false, [], "libcuda.so.1 not found (no NVIDIA driver)");
        try
        {
            var init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(lib, "cuInit");
            var count = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(lib, "cuDeviceGetCount");
            var get = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGet");
            var name = (delegate* unmanaged<byte*, int, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGetName");
            var version = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(lib, "cuDriverGetVersion");
            int rc = init(0);
            if (rc != 0) return new BackendInfo(BackendKind.Cuda, false, [], $"cuInit failed with CUDA error {rc}");
            int n = 0, v = 0;
            count(&n);
            version(&v);
            var names = new List<string>();
            var buf = stackalloc byte[256];
            for (int i = 0; i < n; i++)
            {
                int dev;
                if (get(&dev, i) != 0) continue;
                if (name(buf, 256, dev) == 0) names.Add(Marshal.PtrToStringUTF8((nint)buf) ?? $"device {i}");
            }
            return new BackendInfo(BackendKind.Cuda, names.Count > 0, names, $"driver API {v / 1000}.{v % 1000 / 10}");
        }
        catch (EntryPointNotFoundException e)
        {
            return new BackendInfo(BackendKind.Cuda, false, [], $"libcuda.so.1 lacks {e.Message}");
        }
    }
}
