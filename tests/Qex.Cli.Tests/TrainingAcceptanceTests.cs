using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

/// <summary>The acceptance run: `qex train` defaults reach chemical accuracy on the H2 test split (about 4 minutes).</summary>
public sealed class TrainingAcceptanceTests
{
    [SharedDataFact("jaxdft", "h2")]
    [Trait("Category", "Slow")]
    public void DefaultTrainingReachesChemicalAccuracyOnTheHeldOutH2Geometries()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-accept-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Equal(0, TrainCommand.Run(new TrainOptions { Out = dir }, new StringWriter()));
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
            var summary = report.RootElement.GetProperty("test")[0].GetProperty("summary");
            Assert.Equal(32, summary.GetProperty("count").GetInt32());
            Assert.True(summary.GetProperty("within_chemical_accuracy").GetInt32() >= 30, summary.ToString());
            Assert.True(summary.GetProperty("mae_mha").GetDouble() <= 1.0, summary.ToString());
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }
}
