using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Core.IO;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

public sealed class EvalCommandTests
{
    [SharedDataFact("jaxdft", "ksr_checkpoints", "h2_optimal")]
    public void PublishedH2OptimalThroughTheCli()
    {
        string json = Path.Combine(Path.GetTempPath(), "qex-eval-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var output = new StringWriter();
            int rc = EvalCommand.Run(new EvalOptions
            {
                Functional = "ksr-global",
                Params = SharedData.Resolve("jaxdft", "ksr_checkpoints", "h2_optimal"),
                Dataset = "h2",
                Split = "test",
                Json = json,
            }, output);
            Assert.Equal(0, rc);
            Assert.Contains("32/32 within 1.6 mHa", output.ToString());
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var summary = doc.RootElement.GetProperty("summary");
            Assert.InRange(summary.GetProperty("mae_mha").GetDouble(), 0.56, 0.60);   // science-1d.md: 0.58 +- 0.02
            Assert.InRange(summary.GetProperty("max_mha").GetDouble(), 1.18, 1.28);   // 1.23 +- 0.05
            Assert.Equal(32, doc.RootElement.GetProperty("rows").GetArrayLength());
            var row = doc.RootElement.GetProperty("rows")[0];
            foreach (string key in new[] { "distance_x100", "energy", "reference_energy", "error_ha", "density_error", "last_step_change_ha" })
                Assert.True(row.TryGetProperty(key, out _), key);
            // the published model's 15-iteration SCF has settled on every H2 test geometry (no warning)
            foreach (var r in doc.RootElement.GetProperty("rows").EnumerateArray())
                Assert.InRange(r.GetProperty("last_step_change_ha").GetDouble(), 0, 1e-4);
        }
        finally { File.Delete(json); }
    }

    [Fact]
    public void TrainableFunctionalWithoutParametersIsAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => EvalCommand.Run(new EvalOptions { Functional = "ksr-gga", Dataset = "h2" }, new StringWriter()));
        Assert.Contains("--params", ex.Message);
    }
}
