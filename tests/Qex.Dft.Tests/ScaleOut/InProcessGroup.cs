using Qex.Dft.ScaleOut;

namespace Qex.Dft.Tests.ScaleOut;

/// <summary>
/// A test double of an MPI job inside one process: P ranks that run on P threads and gather through shared slots
/// and a barrier (the collective semantics of MPI_Allgatherv: every rank calls it, each receives all parts in rank order).
/// </summary>
internal sealed class InProcessGroup : IProcessGroup
{
    private sealed class Shared(int size)
    {
        public readonly byte[][] Slots = new byte[size][];
        public readonly Barrier Barrier = new(size);
    }

    private readonly Shared _shared;

    private InProcessGroup(Shared shared, int rank, int size) => (_shared, Rank, Size) = (shared, rank, size);

    /// <summary>The ranks of one simulated job.</summary>
    public static InProcessGroup[] Create(int size)
    {
        var shared = new Shared(size);
        return [.. Enumerable.Range(0, size).Select(r => new InProcessGroup(shared, r, size))];
    }

    /// <summary>Runs <paramref name="body"/> on every rank (one thread each) and returns the ranks' results.</summary>
    public static T[] Run<T>(int size, Func<InProcessGroup, T> body)
    {
        var ranks = Create(size);
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = ranks.Select(g => new Thread(() =>
        {
            try { results[g.Rank] = body(g); }
            catch (Exception e) { errors[g.Rank] = e; }
        }, 64 << 20)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw new AggregateException(errors.Where(e => e is not null)!);
        return results;
    }

    public int Rank { get; }

    public int Size { get; }

    public string Description => $"{Size} in-process ranks";

    public string Member(int rank) => $"rank {rank} (thread)";

    public byte[] AllGather(byte[] mine)
    {
        _shared.Slots[Rank] = (byte[])mine.Clone();
        _shared.Barrier.SignalAndWait();
        var all = _shared.Slots.SelectMany(s => s).ToArray();
        _shared.Barrier.SignalAndWait();   // nobody overwrites a slot before everyone has read it
        return all;
    }

    public void Abort(int exitCode) => throw new InvalidOperationException($"abort {exitCode}");
}
