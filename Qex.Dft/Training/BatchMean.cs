namespace Qex.Dft.Training;

/// <summary>
/// The batch mean of per-molecule losses and gradients, summed in molecule order: the result does not depend on how
/// the molecules were scheduled over threads or processes (<see cref="ScaleOut.BatchScheduler"/> returns every
/// molecule's result to every process in molecule order), so it has the same bits for any number of either.
/// </summary>
public static class BatchMean
{
    /// <summary>(1/N) sum of the losses and of the gradients, in molecule order.</summary>
    /// <exception cref="ArgumentException">Counts or gradient lengths that do not match.</exception>
    public static (double Loss, double[] Gradient) Of(IReadOnlyList<double> losses, IReadOnlyList<double[]> gradients, int parameters)
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

    /// <summary>
    /// Packs a molecule's loss, energy error and gradient into one vector (what a process sends), and unpacks a batch
    /// of them into the batch mean and the errors.
    /// </summary>
    public static double[] Pack(double loss, double energyError, double[] gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        var v = new double[gradient.Length + 2];
        v[0] = loss;
        v[1] = energyError;
        gradient.CopyTo(v, 2);
        return v;
    }

    /// <summary>The batch mean and the per-molecule energy errors of packed results (<see cref="Pack"/>), in molecule order.</summary>
    public static (double Loss, double[] Gradient, double[] EnergyErrors) Unpack(IReadOnlyList<double[]> packed, int parameters)
    {
        ArgumentNullException.ThrowIfNull(packed);
        var (loss, g) = Of([.. packed.Select(p => p[0])], [.. packed.Select(p => p[2..])], parameters);
        return (loss, g, [.. packed.Select(p => p[1])]);
    }
}
