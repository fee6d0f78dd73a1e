using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Qex.Dft.ScaleOut;

/// <summary>
/// The ranks of an MPI job (MPI.NET over an MPI library with MPICH's ABI: MPICH, Intel MPI, MVAPICH, Cray MPICH).
/// MPI.NET is built against MS-MPI's <c>msmpi.dll</c>, whose ABI is MPICH's; a resolver maps that name to the
/// MPICH-ABI library of this machine (<c>QEX_MPI_LIBRARY</c> if set, else libmpich.so.12, then libmpi.so.12).
/// </summary>
public sealed class MpiProcessGroup : IProcessGroup, IDisposable
{
    /// <summary>The libraries tried, in order, when <c>QEX_MPI_LIBRARY</c> is not set.</summary>
    public static IReadOnlyList<string> Libraries { get; } = ["libmpich.so.12", "libmpi.so.12", "libmpich.so"];

    private static readonly Lazy<string?> Registration = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly MPI.Environment _environment;
    private readonly MPI.Intracommunicator _world;
    private bool _disposed;

    private MpiProcessGroup(MPI.Environment environment, MPI.Intracommunicator world)
    {
        _environment = environment;
        _world = world;
        Rank = world.Rank;
        Size = world.Size;
        _members = [.. Encoding.UTF8.GetString(AllGather(Encoding.UTF8.GetBytes($"{Environment.ProcessId}\t{MPI.Environment.ProcessorName}\n")))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t', 2)).Select(p => (Pid: p[0], Host: p[1]))];
        Nodes = _members.Select(m => m.Host).Distinct(StringComparer.Ordinal).Count();
        RanksOnThisNode = _members.Count(m => m.Host == MPI.Environment.ProcessorName);
    }

    private readonly (string Pid, string Host)[] _members;

    /// <inheritdoc />
    public string Member(int rank) => $"rank {rank} (pid {_members[rank].Pid} on {_members[rank].Host})";

    /// <summary>Initialises MPI (once per process) and joins the world communicator.</summary>
    /// <exception cref="DllNotFoundException">No MPI library with MPICH's ABI was found (the message lists what was tried).</exception>
    public static MpiProcessGroup Start()
    {
        if (Registration.Value is { } missing) throw new DllNotFoundException(missing);
        string[] args = [];
        var environment = new MPI.Environment(ref args, MPI.Threading.Serialized);
        return new MpiProcessGroup(environment, MPI.Communicator.world);
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>Distinct hosts of the job.</summary>
    public int Nodes { get; }

    /// <summary>Ranks on this rank's host (they share its cores).</summary>
    public int RanksOnThisNode { get; }

    /// <inheritdoc />
    public string Description => $"MPI: {Size} ranks on {Nodes} node{(Nodes == 1 ? "" : "s")}, {Environment.ProcessorCount} thread{(Environment.ProcessorCount == 1 ? "" : "s")} per rank";

    /// <inheritdoc />
    public byte[] AllGather(byte[] mine)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int[] counts = _world.Allgather(mine.Length);
        long total = counts.Sum(c => (long)c);
        if (total > int.MaxValue)   // every rank sees the same counts, so every rank stops here
            throw new InvalidOperationException($"A gather of {total / 1e9:F1} GB exceeds MPI's 2 GB message limit; use fewer molecules per batch.");
        return _world.AllgatherFlattened(mine, counts);
    }

    /// <inheritdoc />
    public void Abort(int exitCode) => _world.Abort(exitCode);

    /// <summary>Finalises MPI.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _environment.Dispose();
    }

    // The resolver is a process-wide hook of the runtime (one per assembly, set once): returns null when a library
    // was found, else the message naming what was tried.
    private static string? Register()
    {
        string? chosen = null;
        var tried = new List<string>();
        string? requested = Environment.GetEnvironmentVariable("QEX_MPI_LIBRARY");
        foreach (var name in string.IsNullOrWhiteSpace(requested) ? Libraries : [requested])
        {
            tried.Add(name);
            if (NativeLibrary.TryLoad(name, out var handle)) { NativeLibrary.Free(handle); chosen = name; break; }
        }
        if (chosen is null)
            return $"This job was started by an MPI launcher, but no MPI library with MPICH's ABI was found (tried {string.Join(", ", tried)}): install MPICH (Debian: apt-get install mpich) or set QEX_MPI_LIBRARY to the library's path.";
        NativeLibrary.SetDllImportResolver(typeof(MPI.Environment).Assembly, (name, assembly, path) =>
            name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) ? NativeLibrary.Load(chosen, assembly, path) : IntPtr.Zero);
        return null;
    }
}
