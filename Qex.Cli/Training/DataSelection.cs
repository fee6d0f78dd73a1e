using System.Globalization;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;

namespace Qex.Cli.Training;

/// <summary>Samples chosen from one dataset.</summary>
/// <param name="Dataset">The dataset name as configured.</param>
/// <param name="Samples">The chosen samples.</param>
/// <param name="All">Every sample of the dataset (for reference curves).</param>
/// <param name="Grid">The grid of the dataset.</param>
/// <param name="Source">Where the data came from (a folder, or the built-in exact set).</param>
public sealed record DataSelection(string Dataset, IReadOnlyList<Sample> Samples, IReadOnlyList<Sample> All, Grid1D Grid, string Source);

/// <summary>
/// Turns config entries <c>{dataset, split}</c> or <c>{dataset, distances}</c> into samples. When the shared data is
/// absent, "h2" is served by the built-in exact-diagonalisation set (generated on first use into a cache folder,
/// then reused), so training needs no downloads.
/// </summary>
public sealed class DataCatalog(string? root, string cacheDirectory, Interaction interaction, TextWriter log)
{
    private readonly Dictionary<string, (Dataset Set, string Source)> _loaded = new(StringComparer.Ordinal);

    /// <summary>All H2 distance keys of the reference set (0.32 to 6.00 Bohr in steps of 0.08).</summary>
    public static IReadOnlyList<int> H2Distances { get; } = Enumerable.Range(0, 72).Select(i => 32 + 8 * i).ToList();

    /// <summary>Resolves one entry.</summary>
    /// <exception cref="ArgumentException">The entry lacks a dataset, or has both or neither of split and distances.</exception>
    public DataSelection Select(Dictionary<string, object?> entry, string where)
    {
        foreach (string key in entry.Keys)
            if (key is not ("dataset" or "split" or "distances"))
                throw new ArgumentException($"{where}: unknown key '{key}' (use dataset, split or distances).");
        string name = entry.TryGetValue("dataset", out var d) && d is not null ? Convert.ToString(d, CultureInfo.InvariantCulture)!
            : throw new ArgumentException($"{where}: every entry needs a 'dataset'.");
        bool hasSplit = entry.TryGetValue("split", out var split) && split is not null;
        bool hasDistances = entry.TryGetValue("distances", out var dist) && dist is not null;
        if (hasSplit == hasDistances) throw new ArgumentException($"{where}: give either 'split' or 'distances' for dataset '{name}'.");
        int[] keys = hasDistances
            ? dist is List<object?> list ? list.Select(v => int.Parse(Convert.ToString(v, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture)).ToArray()
              : throw new ArgumentException($"{where}: 'distances' must be a list of distance_x100 integers.")
            : [];
        var (ds, source) = Load(name, hasDistances ? keys : SplitKeys(name, Convert.ToString(split, CultureInfo.InvariantCulture)!));
        var samples = hasDistances ? ds.ByDistances(keys) : ds.Split(Convert.ToString(split, CultureInfo.InvariantCulture)!);
        return new DataSelection(name, samples, ds.Samples, ds.Grid, source);
    }

    /// <summary>The distance keys a split needs, so the built-in H2 set generates only those (null: not needed).</summary>
    private static int[]? SplitKeys(string name, string split) => name == "h2" && split != "all" ? (split == "train" ? StandardSplits.Train("h2") : StandardSplits.Test("h2")) : null;

    private (Dataset Set, string Source) Load(string name, int[]? neededKeys)
    {
        if (_loaded.TryGetValue(name, out var cached) && (neededKeys is null || neededKeys.All(k => cached.Set.Samples.Any(s => s.DistanceX100 == k))))
            return cached;
        try
        {
            string dir = DatasetReader.Resolve(name, root);
            return _loaded[name] = (DatasetReader.Load(dir), dir);
        }
        catch (DirectoryNotFoundException) when (name == "h2" && root is null)
        {
            return _loaded[name] = (BuiltInH2(neededKeys ?? H2Distances.ToArray()),
                "built-in exact diagonalisation (" + Path.Combine(cacheDirectory, "h2-exact") + ")");
        }
    }

    /// <summary>The exact H2 set on the standard grid, generated for missing distances and cached.</summary>
    public Dataset BuiltInH2(IReadOnlyList<int> keys)
    {
        string dir = Path.Combine(cacheDirectory, "h2-exact");
        var grid = Grid1D.Standard();
        var have = new Dictionary<int, Sample>();
        if (File.Exists(Path.Combine(dir, "total_energies.npy")))
            foreach (var s in DatasetReader.Load(dir).Samples) have[s.DistanceX100] = s;
        var missing = keys.Where(k => !have.ContainsKey(k)).Distinct().ToList();
        if (missing.Count > 0)
        {
            log.WriteLine($"No shared data found: generating exact H2 references for {missing.Count} distances by exact diagonalisation (cached in {dir}).");
            var gen = new ExactReferenceGenerator(grid, interaction).Generate("h2", missing,
                new SyncProgress<(int Done, int Total)>(p => log.WriteLine($"  exact H2 {p.Done}/{p.Total}")));
            foreach (var s in gen.Samples) have[s.DistanceX100] = s;
            var all = have.Values.OrderBy(s => s.DistanceX100).Select((s, i) => s with { Index = i }).ToList();
            DatasetWriter.Write(new Dataset("h2", grid, all), dir);
        }
        return new Dataset("h2", grid, have.Values.OrderBy(s => s.DistanceX100).Select((s, i) => s with { Index = i }).ToList());
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order.</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
