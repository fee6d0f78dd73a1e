using System.Globalization;
using Qex.Dft.OneD.Data;

namespace Qex.Cli.Training;

/// <summary>Reads config entries <c>{dataset, split}</c>, <c>{dataset, distances}</c> or <c>{dataset, labels}</c> (with an optional <c>density_weight</c>) into <see cref="DataEntry"/> records.</summary>
public static class DataEntries
{
    /// <summary>One entry of a data list (data.train[i], ...).</summary>
    /// <exception cref="ArgumentException">Unknown keys, a missing dataset, or distances that are not integers (the message names <paramref name="where"/>).</exception>
    public static DataEntry FromConfig(Dictionary<string, object?> entry, string where)
    {
        ArgumentNullException.ThrowIfNull(entry);
        foreach (string key in entry.Keys)
            if (key is not ("dataset" or "split" or "distances" or "labels" or "density_weight"))
                throw new ArgumentException($"{where}: unknown key '{key}' (use dataset, split, distances, labels or density_weight).");
        string name = entry.TryGetValue("dataset", out var d) && d is not null ? Convert.ToString(d, CultureInfo.InvariantCulture)!
            : throw new ArgumentException($"{where}: every entry needs a 'dataset'.");
        string? split = entry.TryGetValue("split", out var sp) && sp is not null ? Convert.ToString(sp, CultureInfo.InvariantCulture) : null;
        int[]? distances = null;
        if (entry.TryGetValue("distances", out var dist) && dist is not null)
        {
            if (dist is not List<object?> list) throw new ArgumentException($"{where}: 'distances' must be a list of distance_x100 integers, like [128, 384].");
            distances = list.Select(v =>
            {
                string text = Convert.ToString(v, CultureInfo.InvariantCulture) ?? "";
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) && k >= 0 ? k
                    : throw new ArgumentException($"{where}: distance '{text}' is not a non-negative integer distance_x100 key (e.g. 128 for R = 1.28 Bohr).");
            }).ToArray();
        }
        string[]? labels = null;
        if (entry.TryGetValue("labels", out var lab) && lab is not null)
            labels = lab is List<object?> ls ? [.. ls.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "")]
                : throw new ArgumentException($"{where}: 'labels' must be a list of sample labels, like [H, Li].");
        double? densityWeight = null;
        if (entry.TryGetValue("density_weight", out var dw) && dw is not null)
        {
            string text = Convert.ToString(dw, CultureInfo.InvariantCulture) ?? "";
            densityWeight = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double w) ? w
                : throw new ArgumentException($"{where}: 'density_weight' must be a number >= 0, not '{text}'.");
        }
        var e = new DataEntry(name, split, distances, labels, densityWeight);
        e.Validate(where);
        return e;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order.</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
