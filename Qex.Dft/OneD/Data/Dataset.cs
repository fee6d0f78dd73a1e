using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Data;

/// <summary>One reference sample: a molecule with its reference energy and density.</summary>
/// <param name="Index">Position in the dataset.</param>
/// <param name="Label">Distance key (distances_x100) as text, or the symbol of an atom or ion.</param>
/// <param name="DistanceX100">Integer distance key, or -1 when the set has none.</param>
/// <param name="Molecule">Nuclei and electrons.</param>
/// <param name="TotalEnergy">Reference electronic energy (E_nn excluded).</param>
/// <param name="Density">Reference density on the grid.</param>
/// <param name="ExternalPotential">External potential on the grid as stored.</param>
public sealed record Sample(int Index, string Label, int DistanceX100, Molecule1D Molecule, double TotalEnergy, Tensor Density, Tensor ExternalPotential);

/// <summary>A 1D reference dataset (the jaxdft/ksr_dft .npy layout) on one grid.</summary>
/// <param name="Name">Set name (h2, h4, ...).</param>
/// <param name="Grid">The grid.</param>
/// <param name="Samples">The samples, in file order.</param>
/// <param name="Method">The reference method, when the folder records it (metadata.json), e.g. "exact diagonalisation".</param>
public sealed record Dataset(string Name, Grid1D Grid, IReadOnlyList<Sample> Samples, string? Method = null)
{
    /// <summary>The sample with a distance key.</summary>
    /// <exception cref="KeyNotFoundException">No such distance (the message lists the range).</exception>
    public Sample ByDistance(int distanceX100) =>
        Samples.FirstOrDefault(s => s.DistanceX100 == distanceX100)
        ?? throw new KeyNotFoundException($"Dataset '{Name}' has no sample at distance_x100 = {distanceX100} (it has {Samples.Count} samples, {DescribeKeys()}).");

    /// <summary>The samples with the given distance keys, in that order.</summary>
    public IReadOnlyList<Sample> ByDistances(IEnumerable<int> keys) => keys.Select(ByDistance).ToList();

    /// <summary>The samples with these labels (latex_symbols, e.g. H, He$^+$, Li), in the order given.</summary>
    /// <exception cref="KeyNotFoundException">A label the set does not hold (the message lists its labels).</exception>
    public IReadOnlyList<Sample> ByLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return [.. labels.Select(l => Samples.FirstOrDefault(s => s.Label == l)
            ?? throw new KeyNotFoundException($"No sample labelled '{l}' in {Name}; its labels: {string.Join(", ", Samples.Select(s => s.Label))}."))];
    }

    /// <summary>The samples of a split: "train", "validation", "test" or "all" (see <see cref="StandardSplits"/>).</summary>
    /// <exception cref="ArgumentException">Unknown split, or a split this set does not define.</exception>
    public IReadOnlyList<Sample> Split(string split) => split.Trim().ToLowerInvariant() switch
    {
        "all" => Samples,
        "train" => ByDistances(StandardSplits.Train(Name)),
        "validation" => ByDistances(StandardSplits.Validation(Name)),
        "test" => ByDistances(StandardSplits.Test(Name)),
        _ => throw new ArgumentException($"Unknown split '{split}'; use train, validation, test or all."),
    };

    private string DescribeKeys()
    {
        var keys = Samples.Where(s => s.DistanceX100 >= 0).Select(s => s.DistanceX100).ToList();
        return keys.Count == 0 ? "none with distances" : $"distances {keys.Min()}..{keys.Max()}";
    }
}

/// <summary>The standard train and test splits of science-1d.md (distances_x100 keys).</summary>
public static class StandardSplits
{
    /// <summary>The 8-distance H2 training set of the quantum-XC paper.</summary>
    public static readonly int[] QuantumH2Train = [80, 128, 192, 240, 384, 448, 544, 592];

    private static readonly int[] H2Test = [40, 56, 72, 88, 104, 120, 136, 152, 184, 200, 216, 232, 248, 264, 280, 312, 328, 344, 360, 376, 392, 408, 424, 456, 472, 488, 504, 520, 536, 568, 584, 600];
    private static readonly int[] H4Test = [104, 120, 136, 152, 168, 200, 216, 232, 248, 280, 296, 312, 344, 360, 376, 392, 408, 424, 440, 456, 472, 488, 520, 536, 552, 568, 584, 600];
    private static readonly int[] H2H2Test = Enumerable.Range(0, 31).Select(i => 16 + 32 * i).ToArray();

    /// <summary>The paper's training distances of a set.</summary>
    /// <exception cref="ArgumentException">The set has no standard training split.</exception>
    public static int[] Train(string set) => Normalize(set) switch
    {
        "h2" => [128, 384],
        _ => throw new ArgumentException($"No standard training split for '{set}'; list distances explicitly."),
    };

    /// <summary>
    /// The validation distances of a set: every geometry of the reference set that is in neither the standard
    /// training nor the standard test split (for H2 the 38 keys 32, 48, 64, ..., disjoint from both), so early
    /// stopping sees the whole curve without touching the test geometries.
    /// </summary>
    /// <exception cref="ArgumentException">The set has no standard validation split.</exception>
    public static int[] Validation(string set) => Normalize(set) switch
    {
        "h2" => H2Validation,
        _ => throw new ArgumentException($"No standard validation split for '{set}'; list distances explicitly."),
    };

    private static readonly int[] H2Validation = Enumerable.Range(0, 72).Select(i => 32 + 8 * i)
        .Where(d => Array.IndexOf(H2Test, d) < 0 && d is not (128 or 384)).ToArray();

    /// <summary>The standard test distances of a set.</summary>
    /// <exception cref="ArgumentException">The set has no standard test split.</exception>
    public static int[] Test(string set) => Normalize(set) switch
    {
        "h2" => H2Test,
        "h4" => H4Test,
        "h2_h2" => H2H2Test,
        _ => throw new ArgumentException($"No standard test split for '{set}'; use split 'all' or list distances."),
    };

    private static string Normalize(string set) => Path.GetFileName(set.TrimEnd('/', '\\')).ToLowerInvariant();
}
