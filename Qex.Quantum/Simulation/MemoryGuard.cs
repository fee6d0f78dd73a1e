namespace Qex.Quantum.Simulation;

/// <summary>Checks, before allocating, that a simulation fits in memory and in .NET arrays.</summary>
public static class MemoryGuard
{
    /// <summary>The memory this process may use, in bytes (the GC's limit: physical memory or the container limit).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Throws when <paramref name="arrays"/> arrays of <paramref name="doublesEach"/> doubles would not fit.
    /// </summary>
    /// <param name="what">What is being allocated, for the message.</param>
    /// <param name="doublesEach">Doubles per array.</param>
    /// <param name="arrays">Number of arrays.</param>
    /// <exception cref="InsufficientMemoryException">Not enough memory, or an array beyond the .NET array limit.</exception>
    public static void EnsureFits(string what, double doublesEach, int arrays)
    {
        double bytes = doublesEach * 8 * arrays;
        long available = AvailableBytes;
        if (bytes > 0.9 * available)
            throw new InsufficientMemoryException($"{what} needs {bytes / (1 << 30):F2} GiB but only {available / (double)(1 << 30):F2} GiB are available; use fewer qubits or a smaller batch.");
        if (doublesEach > Array.MaxLength)
            throw new InsufficientMemoryException($"{what}: {doublesEach:E3} amplitudes per array exceed the largest .NET array ({Array.MaxLength}); use fewer qubits or a smaller batch.");
    }
}
