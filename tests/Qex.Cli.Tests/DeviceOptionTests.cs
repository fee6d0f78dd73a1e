using Qex.Cli.Commands;
using Qex.Kernels.Devices;

namespace Qex.Cli.Tests;

/// <summary>--device on every verb that computes: an unknown or missing device is a clear error before any work, and a chosen one is said with what runs there.</summary>
public sealed class DeviceOptionTests
{
    private static string Temp() => Path.Combine(Path.GetTempPath(), "qex-devopt-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void UnknownDevicesAreRefusedBeforeAnyWork()
    {
        string dir = Temp();
        var train = Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Out = dir, Device = "tpu" }, new StringWriter()));
        Assert.Contains(DeviceCatalog.Choices, train.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir), "nothing was written");
        var eval = Assert.Throws<ArgumentException>(() => EvalCommand.Run(new EvalOptions { Functional = "lda", Dataset = "h2", Device = "gpu0" }, new StringWriter()));
        Assert.Contains(DeviceCatalog.Choices, eval.Message, StringComparison.Ordinal);
        if (!DeviceCatalog.ProbeCuda().Available)
        {
            var missing = Assert.Throws<ArgumentException>(() => TrainCommand.Run(new TrainOptions { Out = dir, Device = "cuda" }, new StringWriter()));
            Assert.Contains("not available", missing.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AClassicalModelSaysNothingRunsOnTheDevice()
    {
        var log = new StringWriter();
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Functional = "lda", Dataset = "h2", Distances = "128", Device = "ilgpu-cpu" }, new StringWriter(), log));
        Assert.Contains("device: ilgpu-cpu", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("nothing of lda", log.ToString(), StringComparison.Ordinal);
    }
}
