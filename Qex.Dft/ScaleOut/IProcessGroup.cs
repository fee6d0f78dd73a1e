namespace Qex.Dft.ScaleOut;

/// <summary>
/// The processes of one job (MPI ranks, or this process alone): who this process is and the two collective operations
/// a data-parallel job needs. Every process of the group must make the same collective calls in the same order.
/// </summary>
public interface IProcessGroup
{
    /// <summary>This process's rank, 0 to <see cref="Size"/> - 1; rank 0 writes files and prints.</summary>
    int Rank { get; }

    /// <summary>Processes in the group.</summary>
    int Size { get; }

    /// <summary>What the group is, for progress lines ("1 process", "MPI: 4 ranks on 2 nodes").</summary>
    string Description { get; }

    /// <summary>
    /// A rank as a launcher's messages name it: "rank 1 (pid 577 on node7)" (an MPI launcher reports a killed rank by
    /// its process id and host).
    /// </summary>
    string Member(int rank);

    /// <summary>Every process passes its part (any length, possibly empty); each receives all parts concatenated in rank order.</summary>
    byte[] AllGather(byte[] mine);

    /// <summary>Ends every process of the group now with <paramref name="exitCode"/> (a failure only this process knows of, which the others would wait on forever).</summary>
    void Abort(int exitCode);
}

/// <summary>This process alone: collectives return the caller's part.</summary>
public sealed class SingleProcess : IProcessGroup
{
    /// <summary>The instance (it holds no state).</summary>
    public static SingleProcess Instance { get; } = new();

    private SingleProcess() { }

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public string Description => "1 process";

    /// <inheritdoc />
    public string Member(int rank) => rank == 0 ? $"rank 0 (pid {Environment.ProcessId})" : throw new ArgumentOutOfRangeException(nameof(rank), $"A single process has rank 0 only; got {rank}.");

    /// <inheritdoc />
    public byte[] AllGather(byte[] mine) => (byte[])(mine ?? throw new ArgumentNullException(nameof(mine))).Clone();

    /// <inheritdoc />
    public void Abort(int exitCode) => Environment.Exit(exitCode);
}
