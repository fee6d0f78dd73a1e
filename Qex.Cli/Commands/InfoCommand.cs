using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using CommandLine;
using Qex.Kernels.Backends;
using Spectre.Console;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex info</c>.</summary>
[Verb("info", HelpText = "Show the Qex version, the compute backends found on this machine, and the thread count.")]
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
        var backends = BackendDiscovery.Probe();
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
                backends = backends.Select(b => new { kind = b.Kind.ToString().ToLowerInvariant(), available = b.Available, devices = b.Devices, detail = b.Detail }),
            };
            output.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var console = Qex.Cli.Output.ConsoleOutput.For(output);
        console.MarkupLine($"[bold]Qex[/] {Markup.Escape(version)} on {Markup.Escape(RuntimeInformation.FrameworkDescription)}, {Markup.Escape(RuntimeInformation.OSDescription)}");
        console.MarkupLine($"Threads: {threads} (GC: {(GCSettings.IsServerGC ? "server" : "workstation")})");
        var table = new Table().AddColumns("backend", "available", "devices", "detail");
        foreach (var b in backends)
            table.AddRow(b.Kind.ToString().ToLowerInvariant(), b.Available ? "[green]yes[/]" : "[grey]no[/]",
                Markup.Escape(b.Devices.Count == 0 ? "-" : string.Join("; ", b.Devices)), Markup.Escape(b.Detail));
        console.Write(table);
        return 0;
    }
}
