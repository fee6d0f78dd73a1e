using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Qex.Cli.Commands;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

/// <summary>The 1D models shipped under models/ evaluate, with no flag but --params, to the numbers models/README.md states.</summary>
public sealed partial class ShippedModelTests
{
    [SharedDataFact("ksr_dft", "ions", "dmrg")]
    public void LsdaIonsReproducesItsTable() => Reproduces("lsda_ions.json");

    [SharedDataFact("jaxdft", "h4")]
    public void KsrH2H4ReproducesItsTableOnH2H4AndH2H2() => Reproduces("ksr_h2_h4.json");

    [SharedDataFact("jaxdft", "h2")]
    public void NoiseTrainedQnnLocalReproducesItsTableUnderItsTrainingNoise() => Reproduces("qnn_local_h2_noisy_best.json");

    private static void Reproduces(string file)
    {
        string root = RepositoryPaths.Root();
        string readme = File.ReadAllText(Path.Combine(root, "models", "README.md"));
        string row = readme.Split('\n').Single(l => l.StartsWith($"| `{file}` |", StringComparison.Ordinal));
        var stated = TableNumbers().Matches(row);
        Assert.True(stated.Count > 0, $"models/README.md has no 'MAE .. mHa, max .. mHa, k/n within 1.6 mHa' for {file}: {row}");
        string json = Path.Combine(Path.GetTempPath(), "qex-shipped-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            Assert.Equal(0, EvalCommand.Run(new EvalOptions { Params = Path.Combine(root, "models", file), Json = json }, new StringWriter()));
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var sets = doc.RootElement.GetProperty("sets").EnumerateArray().ToList();
            Assert.Equal(stated.Count, sets.Count);   // one stated result per test set, in the checkpoint's order
            for (int i = 0; i < sets.Count; i++)
            {
                var (m, summary) = (stated[i], sets[i].GetProperty("summary"));
                Assert.Equal(double.Parse(m.Groups["mae"].Value, CultureInfo.InvariantCulture), summary.GetProperty("mae_mha").GetDouble(), 3);
                Assert.Equal(double.Parse(m.Groups["max"].Value, CultureInfo.InvariantCulture), summary.GetProperty("max_mha").GetDouble(), 3);
                Assert.Equal(int.Parse(m.Groups["within"].Value, CultureInfo.InvariantCulture), summary.GetProperty("within_1_6_mha").GetInt32());
                Assert.Equal(int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture), summary.GetProperty("count").GetInt32());
            }
        }
        finally { File.Delete(json); }
    }

    [GeneratedRegex(@"MAE (?<mae>[0-9.]+) mHa, max (?<max>[0-9.]+) mHa, (?<within>\d+)/(?<count>\d+) within 1\.6 mHa")]
    private static partial Regex TableNumbers();

}
