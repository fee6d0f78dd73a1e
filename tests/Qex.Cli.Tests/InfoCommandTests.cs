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
        foreach (var name in new[] { "cpu", "opencl", "cuda" }) Assert.Contains(name, text);
    }

    [Fact]
    public void JsonIsParseable()
    {
        var w = new StringWriter();
        Assert.Equal(0, InfoCommand.Run(new InfoOptions { Json = true }, w));
        using var doc = JsonDocument.Parse(w.ToString());
        Assert.Equal(Environment.ProcessorCount, doc.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(3, doc.RootElement.GetProperty("backends").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("backends")[0].GetProperty("available").GetBoolean());
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
