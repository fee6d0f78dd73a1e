using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using CommandLine;
using Qex.Kernels.Devices;
using Spectre.Console;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex info</c>.</summary>
[Verb("info", HelpText = "Show the Qex version, the compute devices ILGPU finds on this machine (CUDA, OpenCL, its CPU accelerator) besides the CPU, and the thread count.")]
public sealed class InfoOptions
{
    /// <summary>Print machine-readable JSON instead of a table.</summary>
    [Option("json", HelpText = "Print JSON instead of a table.")]
    public bool Json { get; set; }
}

/// <summary><c>qex info</c>: version, runtime, threads and backends.</summary>
public static class InfoCommand
{
    /// <summary>Runs the command.</summary>
    public static int Run(InfoOptions options, TextWriter output)
    {
        string version = typeof(InfoCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "unknown";
        var backends = DeviceCatalog.Probe();
        int threads = Environment.ProcessorCount;
        if (options.Json)
        {
            var doc = new
            {
                version,
                runtime = RuntimeInformation.FrameworkDescription,
                os = RuntimeInformation.OSDescription,
                threads,
                gc = GCSettings.IsServerGC ? "server" : "workstation",
                devices = backends.Select(b => new { kind = b.Name, available = b.Available, devices = b.Devices, detail = b.Detail }),
                auto = DeviceCatalog.Select("auto").Name,
            };
            output.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var console = Qex.Cli.Output.ConsoleOutput.For(output);
        console.MarkupLine($"[bold]Qex[/] {Markup.Escape(version)} on {Markup.Escape(RuntimeInformation.FrameworkDescription)}, {Markup.Escape(RuntimeInformation.OSDescription)}");
        console.MarkupLine($"Threads: {threads} (GC: {(GCSettings.IsServerGC ? "server" : "workstation")})");
        var table = new Table().AddColumns("--device", "available", "devices", "detail");
        foreach (var b in backends)
            table.AddRow(b.Name, b.Available ? "[green]yes[/]" : "[grey]no[/]",
                Markup.Escape(b.Devices.Count == 0 ? "-" : string.Join("; ", b.Devices)), Markup.Escape(b.Detail));
        console.Write(table);
        console.MarkupLine($"--device auto picks: {DeviceCatalog.Select("auto").Name}");
        return 0;
    }
}
