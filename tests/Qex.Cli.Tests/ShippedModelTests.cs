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

    /// <summary>
    /// The molecular H2 model deployed by <c>qex energy --functional</c> (the production RKS, converged) against FCI from
    /// <c>qex energy --method fci</c> on its five test geometries: the errors, MAE, max and count that models/README.md states.
    /// </summary>
    [Fact]
    public void MolecularH2ModelReproducesItsTableAgainstFci()
    {
        string root = RepositoryPaths.Root();
        string row = File.ReadAllText(Path.Combine(root, "models", "README.md")).Split('\n').Single(l => l.StartsWith("| `h2_6-31g_classical.json` |", StringComparison.Ordinal));
        var m = TableNumbers().Match(row);
        Assert.True(m.Success, row);
        var stated = Regex.Match(row, @"errors (?<list>[-+0-9., ]+)\)").Groups["list"].Value.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        double[] distances = [0.8, 1.3, 1.75, 2.25, 2.75];
        Assert.Equal(distances.Length, stated.Length);
        string dir = Path.Combine(Path.GetTempPath(), "qex-shipped-mol-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            double Energy(string xyz, string? functional, string method)
            {
                string json = Path.Combine(dir, "e.json");
                var o = new EnergyOptions { Molecule = xyz, Basis = "6-31g", Method = method, Json = json, Quiet = true };
                if (functional is not null) o.Functional = functional;
                Assert.Equal(0, EnergyCommand.Run(o, new StringWriter()));
                using var doc = JsonDocument.Parse(File.ReadAllText(json));
                return doc.RootElement.GetProperty("energy").GetDouble();
            }
            var errors = distances.Select(r =>
            {
                string xyz = Path.Combine(dir, $"h2_{r.ToString(CultureInfo.InvariantCulture)}.xyz");
                File.WriteAllText(xyz, FormattableString.Invariant($"2\nH2\nH 0 0 0\nH 0 0 {r}\n"));
                return 1000 * (Energy(xyz, Path.Combine(root, "models", "h2_6-31g_classical.json"), "hf") - Energy(xyz, null, "fci"));
            }).ToArray();
            for (int i = 0; i < errors.Length; i++) Assert.Equal(stated[i], errors[i], 2);
            Assert.Equal(double.Parse(m.Groups["mae"].Value, CultureInfo.InvariantCulture), errors.Average(Math.Abs), 3);
            Assert.Equal(double.Parse(m.Groups["max"].Value, CultureInfo.InvariantCulture), errors.Max(Math.Abs), 3);
            Assert.Equal(int.Parse(m.Groups["within"].Value, CultureInfo.InvariantCulture), errors.Count(e => Math.Abs(e) < 1.6));
            Assert.Equal(int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture), errors.Length);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [GeneratedRegex(@"MAE (?<mae>[0-9.]+) mHa, max (?<max>[0-9.]+) mHa, (?<within>\d+)/(?<count>\d+) within 1\.6 mHa")]
    private static partial Regex TableNumbers();

}
