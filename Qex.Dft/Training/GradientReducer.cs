namespace Qex.Dft.Training;

/// <summary>
/// Combines the per-molecule losses and gradients of a batch into the batch mean. The local reducer sums in molecule
/// order, so the result does not depend on how the molecules were scheduled over threads; a reducer across processes
/// must keep that order to give the same bits.
/// </summary>
public interface IGradientReducer
{
    /// <summary>The mean loss and gradient over the molecules of the batch.</summary>
    (double Loss, double[] Gradient) Mean(IReadOnlyList<double> losses, IReadOnlyList<double[]> gradients, int parameters);
}

/// <summary>The in-process reducer: (1/N) sums in a fixed order.</summary>
public sealed class LocalGradientReducer : IGradientReducer
{
    /// <summary>The shared instance (it holds no state).</summary>
    public static LocalGradientReducer Instance { get; } = new();

    /// <inheritdoc />
    public (double Loss, double[] Gradient) Mean(IReadOnlyList<double> losses, IReadOnlyList<double[]> gradients, int parameters)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(gradients);
        if (losses.Count != gradients.Count) throw new ArgumentException($"{losses.Count} losses but {gradients.Count} gradients.");
        int count = losses.Count;
        var g = new double[parameters];
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            if (gradients[i].Length != parameters) throw new ArgumentException($"Gradient {i} has {gradients[i].Length} components; the model has {parameters}.");
            total += losses[i] / count;
            for (int j = 0; j < g.Length; j++) g[j] += gradients[i][j] / count;
        }
        return (total, g);
    }
}
