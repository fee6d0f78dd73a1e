using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;

namespace Qex.Kernels.Devices;

/// <summary>
/// An open accelerator (CUDA, OpenCL or ILGPU's CPU accelerator) and the kernels loaded on it. Loading a kernel compiles
/// it (hundreds of milliseconds), so each kernel set is loaded once per device and kept. One computation runs on the
/// device at a time (<see cref="Run{T}"/>): ILGPU's streams are not shared between threads.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    /// <summary>Share of the device memory a computation may plan to use (the rest: the driver, kernels, fragmentation).</summary>
    public const double UsableMemoryShare = 0.9;

    private readonly Context _context;
    private readonly ConcurrentDictionary<Type, object> _kernels = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    internal ComputeDevice(DeviceKind kind, Context context, Accelerator accelerator)
    {
        Kind = kind;
        _context = context;
        Accelerator = accelerator;
    }

    /// <summary>The backend.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The device's name.</summary>
    public string Name => Accelerator.Name;

    /// <summary>Device memory in bytes (the CPU accelerator reports the host's addressable memory).</summary>
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>A one-line description: backend, name and memory.</summary>
    public string Description => Kind == DeviceKind.IlgpuCpu
        ? $"{DeviceCatalog.NameOf(Kind)}: {Name}"
        : $"{DeviceCatalog.NameOf(Kind)}: {Name}, {MemoryBytes / (double)(1L << 30):F1} GiB";

    internal Accelerator Accelerator { get; }

    /// <summary>
    /// Refuses, before anything is allocated, a computation whose device buffers need more than the usable share of the
    /// device memory, with the estimate.
    /// </summary>
    /// <exception cref="InsufficientMemoryException">The buffers do not fit.</exception>
    public void EnsureFits(double bytes, string what)
    {
        double usable = UsableMemoryShare * MemoryBytes;
        if (bytes > usable)
            throw new InsufficientMemoryException(
                $"{what} needs {bytes / (1 << 20):F0} MiB of device memory; {Name} has {MemoryBytes / (double)(1 << 20):F0} MiB ({UsableMemoryShare:P0} usable). Use --device cpu, or a smaller problem.");
    }

    /// <summary>The kernel set of type <typeparamref name="T"/> on this device, loaded (compiled) on first use.</summary>
    internal T Kernels<T>(Func<Accelerator, T> load) where T : class =>
        (T)_kernels.GetOrAdd(typeof(T), _ => load(Accelerator));

    /// <summary>Runs a computation on the device, one at a time.</summary>
    internal T Run<T>(Func<Accelerator, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work(Accelerator);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Accelerator.Dispose();
            _context.Dispose();
        }
    }
}
