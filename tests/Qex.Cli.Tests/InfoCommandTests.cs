using System.Text.Json;
using Qex.Cli.Commands;

namespace Qex.Cli.Tests;

public sealed class InfoCommandTests
{
    [Fact]
    public void TableNamesVersionThreadsAndEveryBackend()
    {
        var w = new StringWriter();
        Assert.Equal(0, InfoCommand.Run(new InfoOptions(), w));
        string text = w.ToString();
        Assert.Contains("Qex 0.1.0", text);
        Assert.Contains($"Threads: {Environment.ProcessorCount}", text);
        foreach (var name in new[] { "cpu", "ilgpu-cpu", "opencl", "cuda", "ILGPU CPU accelerator", "--device auto picks" }) Assert.Contains(name, text);
    }

    [Fact]
    public void JsonIsParseable()
    {
        var w = new StringWriter();
        Assert.Equal(0, InfoCommand.Run(new InfoOptions { Json = true }, w));
        using var doc = JsonDocument.Parse(w.ToString());
        Assert.Equal(Environment.ProcessorCount, doc.RootElement.GetProperty("threads").GetInt32());
        var devices = doc.RootElement.GetProperty("devices");
        Assert.Equal(["cpu", "ilgpu-cpu", "opencl", "cuda"], devices.EnumerateArray().Select(d => d.GetProperty("kind").GetString()));
        // the CPU and ILGPU's CPU accelerator exist everywhere; CUDA and OpenCL say why when they do not
        Assert.True(devices[0].GetProperty("available").GetBoolean());
        Assert.True(devices[1].GetProperty("available").GetBoolean());
        foreach (var d in devices.EnumerateArray()) Assert.False(string.IsNullOrWhiteSpace(d.GetProperty("detail").GetString()));
        string auto = doc.RootElement.GetProperty("auto").GetString()!;
        Assert.Equal(devices[3].GetProperty("available").GetBoolean() ? "cuda" : devices[2].GetProperty("available").GetBoolean() ? "opencl" : "cpu", auto);
    }

    [Fact]
    public void UnknownVerbExitsWithUsageErrorCode()
    {
        var old = Console.Out;
        try
        {
            Console.SetOut(new StringWriter());
            Assert.Equal(2, Program.Main(["no-such-verb"]));
            Assert.Equal(0, Program.Main(["--help"]));
        }
        finally { Console.SetOut(old); }
    }
}
