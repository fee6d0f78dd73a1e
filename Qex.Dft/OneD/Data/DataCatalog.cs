using System.Globalization;
using Qex.Core.IO;
using Qex.Dft.OneD.Reference;

namespace Qex.Dft.OneD.Data;

/// <summary>A choice of samples from a named dataset: a standard split, explicit distance keys, or sample labels (one of them).</summary>
/// <param name="Dataset">Dataset name (h2, h4, h2_h2, ions/dmrg, ...) or a folder in the .npy layout.</param>
/// <param name="Split">train | validation | test | all (see <see cref="StandardSplits"/>).</param>
/// <param name="Distances">distance_x100 keys.</param>
/// <param name="Labels">Sample labels (latex_symbols: H, He$^+$, Li, ... of the ions set).</param>
/// <param name="DensityWeight">
/// In a training list, a multiplier of the loss's density term for these samples (null: 1). 0 trains them on their
/// energies alone: the density of a strongly correlated geometry (stretched H4) that no semilocal-looking Kohn–Sham
/// density can match otherwise outweighs every energy term of the batch.
/// </param>
public sealed record DataEntry(string Dataset, string? Split = null, IReadOnlyList<int>? Distances = null, IReadOnlyList<string>? Labels = null,
    double? DensityWeight = null)
{
    /// <summary>Checks the entry: a dataset name and exactly one of split, distances and labels.</summary>
    /// <exception cref="ArgumentException">Names the entry (<paramref name="where"/>) and the problem.</exception>
    public void Validate(string where)
    {
        if (string.IsNullOrWhiteSpace(Dataset)) throw new ArgumentException($"{where}: every entry needs a 'dataset'.");
        if ((Split is null ? 0 : 1) + (Distances is null ? 0 : 1) + (Labels is null ? 0 : 1) != 1)
            throw new ArgumentException($"{where}: give one of 'split', 'distances' or 'labels' for dataset '{Dataset}'.");
        if (Distances is { Count: 0 }) throw new ArgumentException($"{where}: 'distances' for dataset '{Dataset}' is empty.");
        if (Labels is { Count: 0 }) throw new ArgumentException($"{where}: 'labels' for dataset '{Dataset}' is empty.");
        if (DensityWeight is { } w && !(w >= 0 && double.IsFinite(w)))
            throw new ArgumentException($"{where}: 'density_weight' must be a finite number >= 0, not {w.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>The entry in words: "h2 (test)", "h2 (3 distances)", "ions/dmrg (He+, Li++)".</summary>
    public string Describe() =>
        Dataset + (Split is not null ? $" ({Split})" : Distances is not null ? $" ({Distances.Count} distances)" : Labels is not null ? $" ({string.Join(", ", Labels)})" : "");
}

/// <summary>Samples chosen from one dataset.</summary>
/// <param name="Dataset">The dataset name as given.</param>
/// <param name="Samples">The chosen samples.</param>
/// <param name="All">Every sample of the dataset (for reference curves).</param>
/// <param name="Grid">The grid of the dataset.</param>
/// <param name="Source">Where the data came from (a folder, or the built-in exact set).</param>
/// <param name="Method">The reference method (DMRG, exact diagonalisation, ...).</param>
public sealed record DataSelection(string Dataset, IReadOnlyList<Sample> Samples, IReadOnlyList<Sample> All, Grid1D Grid, string Source, string Method);

/// <summary>
/// Resolves dataset names the same way for every verb: below the data root (default <c>../shared/data</c>), or a
/// folder path; when no shared data is found and no root is given, <c>h2</c> is served by the built-in
/// exact-diagonalisation set, which covers every distance of the reference set (0.32 to 6.00 Bohr in steps of
/// 0.08), is generated once and kept in a cache folder, published atomically (a killed generation leaves no
/// partial cache behind).
/// </summary>
public sealed class DataCatalog
{
    /// <summary>The version of the built-in cache layout (part of its folder name).</summary>
    public const int BuiltInCacheVersion = 2;

    private readonly string? _root;
    private readonly string _cacheDirectory;
    private readonly Interaction _interaction;
    private readonly IProgress<(int Done, int Total)>? _progress;
    private readonly Action<string>? _log;
    private readonly Dictionary<string, (Dataset Set, string Source, string Method)> _loaded = new(StringComparer.Ordinal);

    /// <summary>A catalog.</summary>
    /// <param name="root">Data root (null: the shared data folder when one is found).</param>
    /// <param name="cacheDirectory">Where built-in references are cached (see <see cref="DefaultCacheDirectory"/>).</param>
    /// <param name="interaction">The electron-electron interaction of built-in references.</param>
    /// <param name="progress">Progress of a built-in generation (geometries done, total).</param>
    /// <param name="log">Diagnostic lines (what is generated, where it is cached).</param>
    public DataCatalog(string? root, string cacheDirectory, Interaction interaction, IProgress<(int Done, int Total)>? progress = null, Action<string>? log = null)
    {
        _root = root;
        _cacheDirectory = cacheDirectory;
        _interaction = interaction;
        _progress = progress;
        _log = log;
    }

    /// <summary>All H2 distance keys of the reference set (0.32 to 6.00 Bohr in steps of 0.08).</summary>
    public static IReadOnlyList<int> H2Distances { get; } = Enumerable.Range(0, 72).Select(i => 32 + 8 * i).ToList();

    /// <summary>The cache folder of generated reference data ($XDG_CACHE_HOME/qex or ~/.cache/qex).</summary>
    public static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "qex");
    }

    /// <summary>Resolves one entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="where">Where the entry was given (for messages), e.g. <c>data.train[0]</c>.</param>
    /// <exception cref="ArgumentException">A malformed entry, an unknown split or a missing distance (the message names <paramref name="where"/>).</exception>
    public DataSelection Select(DataEntry entry, string where)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.Validate(where);
        var (ds, source, method) = Load(entry.Dataset);
        try
        {
            var samples = entry.Distances is { } keys ? ds.ByDistances(keys) : entry.Labels is { } labels ? ds.ByLabels(labels) : ds.Split(entry.Split!);
            return new DataSelection(entry.Dataset, samples, ds.Samples, ds.Grid, source, method);
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            throw new ArgumentException($"{where}: {e.Message}", e);
        }
    }

    /// <summary>Loads a dataset by name or folder (cached per catalog).</summary>
    /// <exception cref="DirectoryNotFoundException">Nothing matches and no built-in set has that name.</exception>
    public (Dataset Set, string Source, string Method) Load(string name)
    {
        if (_loaded.TryGetValue(name, out var cached)) return cached;
        try
        {
            string dir = DatasetReader.Resolve(name, _root);
            var set = DatasetReader.Load(dir);
            string method = set.Method ?? (SharedData.Root is { } shared && Path.GetFullPath(dir).StartsWith(shared, StringComparison.Ordinal) ? "DMRG" : "reference");
            return _loaded[name] = (set, dir, method);
        }
        catch (DirectoryNotFoundException) when (IsBuiltIn(name) && _root is null)
        {
            return _loaded[name] = (BuiltInH2(), "built-in exact diagonalisation (" + BuiltInDirectory + ")", ExactReferenceGenerator.Method);
        }
    }

    /// <summary>True for the names the catalog can generate when no shared data is found.</summary>
    public static bool IsBuiltIn(string name) => name.Trim().Equals("h2", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder of the built-in H2 set for this catalog's interaction.</summary>
    public string BuiltInDirectory => Path.Combine(_cacheDirectory, $"h2-exact-{_interaction.Name}-v{BuiltInCacheVersion}");

    /// <summary>
    /// The exact H2 set on the standard grid at every distance of <see cref="H2Distances"/>: read from the cache, or
    /// generated (progress reported) and published into the cache atomically.
    /// </summary>
    public Dataset BuiltInH2()
    {
        string dir = BuiltInDirectory;
        if (TryReadCache(dir) is { } cached) return cached;
        _log?.Invoke($"No shared data found: generating the exact H2 references ({H2Distances.Count} distances, 0.32 to 6.00 Bohr) by exact diagonalisation; cached in {dir}.");
        var grid = Grid1D.Standard();
        var set = new ExactReferenceGenerator(grid, _interaction).Generate("h2", H2Distances, _progress);
        DatasetWriter.WriteDirectoryAtomically(set, dir);
        return TryReadCache(dir) ?? set;
    }

    private static Dataset? TryReadCache(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "total_energies.npy"))) return null;
        try
        {
            var set = DatasetReader.Load(dir);
            var keys = set.Samples.Select(s => s.DistanceX100).ToHashSet();
            return H2Distances.All(keys.Contains) ? set : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;   // an unreadable cache (written by hand or by another version) is regenerated
        }
    }

    /// <summary>Formats distance keys for messages.</summary>
    public static string Describe(IEnumerable<int> keys) => string.Join(", ", keys.Select(k => k.ToString(CultureInfo.InvariantCulture)));
}
