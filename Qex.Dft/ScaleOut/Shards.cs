namespace Qex.Dft.ScaleOut;

/// <summary>
/// Which process computes which item of a batch: balanced by expected cost (longest first, each to the least loaded
/// process; ties to the lower item index and the lower rank), so every process computes the same assignment.
/// </summary>
public static class Shards
{
    /// <summary>The owning rank of every item.</summary>
    /// <param name="costs">Expected cost of every item (any positive scale; equal costs give a round robin).</param>
    /// <param name="processes">Processes in the group.</param>
    /// <exception cref="ArgumentException">No processes, or a cost that is negative or not finite.</exception>
    public static int[] Assign(IReadOnlyList<double> costs, int processes)
    {
        ArgumentNullException.ThrowIfNull(costs);
        if (processes < 1) throw new ArgumentException($"A group has at least one process; got {processes}.");
        for (int i = 0; i < costs.Count; i++)
            if (!double.IsFinite(costs[i]) || costs[i] < 0) throw new ArgumentException($"The cost of item {i} must be a finite non-negative number; got {costs[i]}.");
        var owners = new int[costs.Count];
        if (processes == 1) return owners;
        var order = Enumerable.Range(0, costs.Count).OrderByDescending(i => costs[i]).ThenBy(i => i).ToArray();
        var load = new double[processes];
        foreach (int i in order)
        {
            int best = 0;
            for (int r = 1; r < processes; r++) if (load[r] < load[best]) best = r;
            owners[i] = best;
            load[best] += costs[i];
        }
        return owners;
    }

    /// <summary>The items a rank owns, in item order.</summary>
    public static int[] Owned(int[] owners, int rank)
    {
        ArgumentNullException.ThrowIfNull(owners);
        return [.. Enumerable.Range(0, owners.Length).Where(i => owners[i] == rank)];
    }
}
