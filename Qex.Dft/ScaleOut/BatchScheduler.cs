using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Qex.Dft.ScaleOut;

/// <summary>
/// Runs the independent per-molecule work of a batch (a loss and its gradient, an evaluation, a reference) over the
/// processes of a group: each item is computed by the process that owns it (<see cref="Shards"/>, balanced by cost),
/// with that process's threads, and every process receives every item's result in item order. A reduction over the
/// results in item order therefore gives the same bits for any number of processes. A failure of any item ends the
/// map on every process with one message naming the rank and the item.
/// </summary>
public sealed class BatchScheduler
{
    /// <summary>This process alone (items in parallel on its threads).</summary>
    public static BatchScheduler Local { get; } = new(SingleProcess.Instance);

    /// <summary>A scheduler over <paramref name="group"/>.</summary>
    public BatchScheduler(IProcessGroup group) => Group = group ?? throw new ArgumentNullException(nameof(group));

    /// <summary>The processes.</summary>
    public IProcessGroup Group { get; }

    private long _gatherTicks, _gatheredBytes, _gathers;

    /// <summary>Time this process spent in gathers (waiting for the slowest rank included), bytes received and gathers made.</summary>
    public (TimeSpan Time, long Bytes, long Count) Communication =>
        (TimeSpan.FromSeconds(Interlocked.Read(ref _gatherTicks) / (double)System.Diagnostics.Stopwatch.Frequency), Interlocked.Read(ref _gatheredBytes), Interlocked.Read(ref _gathers));

    /// <summary>True on the process that writes files and prints (rank 0).</summary>
    public bool IsRoot => Group.Rank == 0;

    /// <summary>The line that says which rank holds which items (null for a single process): "MPI: 2 ranks ...; rank 0 (pid 17 on n1): a, b; ...".</summary>
    public string? ShardMap(IReadOnlyList<double> costs, Func<int, string> label, string what = "training molecules")
    {
        ArgumentNullException.ThrowIfNull(label);
        if (Group.Size == 1) return null;
        var owners = Owners(costs);
        return $"{Group.Description}; {what} per rank: " + string.Join("; ",
            Enumerable.Range(0, Group.Size).Select(r => $"{Group.Member(r)}: {string.Join(", ", Shards.Owned(owners, r).Select(label))}"));
    }

    /// <summary>The line that says what the gathers cost this process (null for a single process).</summary>
    public string? CommunicationSummary(TimeSpan wall)
    {
        if (Group.Size == 1) return null;
        var (time, bytes, count) = Communication;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"MPI (rank {Group.Rank}): {count} gathers, {bytes / 1e6:F2} MB received, {time.TotalSeconds:F2} s in gathers (waiting for the slowest rank included) of {wall.TotalSeconds:F1} s");
    }

    /// <summary>The owning rank of every item of a batch with these costs.</summary>
    public int[] Owners(IReadOnlyList<double> costs) => Shards.Assign(costs, Group.Size);

    /// <summary>
    /// <c>work(i)</c> for every item, each on its owner; returns every result on every process, in item order.
    /// Alone, the items run in parallel on this process's threads and a failure is rethrown as it is.
    /// </summary>
    /// <param name="costs">Expected cost of every item (sets the count).</param>
    /// <param name="work">The work of one item (called concurrently for different items).</param>
    /// <param name="describe">The item's name in a failure message (e.g. "h2 R=3.84").</param>
    /// <exception cref="ScaleOutException">An item failed on a process of a group of several (on every process).</exception>
    public double[][] Map(IReadOnlyList<double> costs, Func<int, double[]> work, Func<int, string> describe)
    {
        ArgumentNullException.ThrowIfNull(work);
        var bytes = MapBytes(costs, i => MemoryMarshal.AsBytes(work(i).AsSpan()).ToArray(), describe);
        return [.. bytes.Select(b => MemoryMarshal.Cast<byte, double>(b.AsSpan()).ToArray())];
    }

    /// <summary>As <see cref="Map"/> for results of any JSON-serialisable type (records of numbers, strings, arrays).</summary>
    public T[] Map<T>(IReadOnlyList<double> costs, Func<int, T> work, Func<int, string> describe)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Group.Size == 1)
        {
            var local = new T[costs.Count];
            Parallel.For(0, costs.Count, Threads(costs.Count), i => local[i] = work(i));
            return local;
        }
        var bytes = MapBytes(costs, i => JsonSerializer.SerializeToUtf8Bytes(work(i), Json), describe);
        return [.. bytes.Select(b => JsonSerializer.Deserialize<T>(b, Json)!)];
    }

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, IncludeFields = true };

    private static ParallelOptions Threads(int items) => new() { MaxDegreeOfParallelism = Math.Max(1, Math.Min(items, Environment.ProcessorCount)) };

    private byte[][] MapBytes(IReadOnlyList<double> costs, Func<int, byte[]> work, Func<int, string> describe)
    {
        ArgumentNullException.ThrowIfNull(costs);
        ArgumentNullException.ThrowIfNull(describe);
        int n = costs.Count;
        if (Group.Size == 1)
        {
            var local = new byte[n][];
            Parallel.For(0, n, Threads(n), i => local[i] = work(i));
            return local;
        }
        var owners = Owners(costs);
        var mine = Shards.Owned(owners, Group.Rank);
        var results = new byte[mine.Length][];
        var failures = new string?[mine.Length];
        Parallel.For(0, mine.Length, Threads(mine.Length), k =>
        {
            try { results[k] = work(mine[k]); }
            catch (Exception e) { failures[k] = Innermost(e); }
        });
        // one record per owned item: [item][length, or -1 for a failure][payload or UTF-8 message]
        using var packed = new MemoryStream();
        Span<byte> header = stackalloc byte[8];
        for (int k = 0; k < mine.Length; k++)
        {
            byte[] body = failures[k] is { } f ? Encoding.UTF8.GetBytes(f) : results[k];
            BinaryPrimitives.WriteInt32LittleEndian(header, mine[k]);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], failures[k] is null ? body.Length : -1 - body.Length);
            packed.Write(header);
            packed.Write(body);
        }
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var all = Group.AllGather(packed.ToArray());
        Interlocked.Add(ref _gatherTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
        Interlocked.Add(ref _gatheredBytes, all.Length);
        Interlocked.Increment(ref _gathers);
        var output = new byte[n][];
        int pos = 0;
        (int Item, string Message)? failed = null;
        while (pos < all.Length)
        {
            int item = BinaryPrimitives.ReadInt32LittleEndian(all.AsSpan(pos));
            int length = BinaryPrimitives.ReadInt32LittleEndian(all.AsSpan(pos + 4));
            pos += 8;
            if (length < 0)
            {
                int m = -1 - length;
                if (failed is null || item < failed.Value.Item) failed = (item, Encoding.UTF8.GetString(all, pos, m));
                pos += m;
                continue;
            }
            output[item] = all.AsSpan(pos, length).ToArray();
            pos += length;
        }
        if (failed is { } x)
            throw new ScaleOutException($"rank {owners[x.Item]} of {Group.Size} failed on {describe(x.Item)}: {x.Message}", owners[x.Item], x.Item);
        for (int i = 0; i < n; i++)
            if (output[i] is null) throw new InvalidOperationException($"Item {i} ({describe(i)}) came back from no process (rank {owners[i]} should have computed it).");
        return output;
    }

    private static string Innermost(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return e.Message.ReplaceLineEndings(" ").Trim();
    }
}

/// <summary>An item of a batch failed on one process of a group; thrown on every process, naming the rank and the item.</summary>
public sealed class ScaleOutException : Exception
{
    /// <summary>A failure of <paramref name="item"/> on <paramref name="rank"/>.</summary>
    public ScaleOutException(string message, int rank, int item) : base(message) => (Rank, Item) = (rank, item);

    /// <summary>The rank that failed.</summary>
    public int Rank { get; }

    /// <summary>The item that failed.</summary>
    public int Item { get; }
}
