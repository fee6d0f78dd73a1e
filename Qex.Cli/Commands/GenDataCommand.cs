using System.Globalization;
using CommandLine;
using Qex.Cli.Training;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex gen-data</c>.</summary>
[Verb("gen-data", HelpText = "Generate exact two-electron 1D references (exact diagonalisation) in the .npy dataset layout.")]
public sealed class GenDataOptions
{
    /// <summary>Dimension (only 1d).</summary>
    [Value(0, MetaName = "DIMENSION", Required = true, HelpText = "1d")]
    public string Dimension { get; set; } = "";

    /// <summary>System.</summary>
    [Option("system", Required = true, HelpText = "h2 | heh+ | he | h-")]
    public string System { get; set; } = "";

    /// <summary>Distances.</summary>
    [Option("distances", HelpText = "Distances x 100 (Bohr): a list 128,384 or a range 32:600:8 (start:stop:step, inclusive).")]
    public string? Distances { get; set; }

    /// <summary>Output folder.</summary>
    [Option("out", Required = true, HelpText = "Output folder for the .npy files.")]
    public string Out { get; set; } = "";

    /// <summary>Grid points.</summary>
    [Option("grid-points", Default = 513, HelpText = "Grid points (the grid spans +-(points-1)/2 x 0.08 Bohr by default).")]
    public int GridPoints { get; set; } = 513;

    /// <summary>Grid spacing.</summary>
    [Option("spacing", Default = 0.08, HelpText = "Grid spacing (Bohr).")]
    public double Spacing { get; set; } = 0.08;
}

/// <summary><c>qex gen-data</c>.</summary>
public static class GenDataCommand
{
    /// <summary>Parses "128,384" or "32:600:8".</summary>
    /// <exception cref="ArgumentException">Malformed list or range.</exception>
    public static int[] ParseDistances(string text)
    {
        try
        {
            if (text.Contains(':', StringComparison.Ordinal))
            {
                var p = text.Split(':').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                if (p.Length != 3 || p[2] <= 0 || p[1] < p[0]) throw new FormatException();
                return Enumerable.Range(0, (p[1] - p[0]) / p[2] + 1).Select(i => p[0] + i * p[2]).ToArray();
            }
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--distances '{text}' is neither a list like 128,384 nor a range like 32:600:8.");
        }
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(GenDataOptions o, TextWriter output)
    {
        if (!o.Dimension.Equals("1d", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"gen-data supports '1d' only; got '{o.Dimension}'.");
        if (o.GridPoints < 5 || o.GridPoints % 2 == 0) throw new ArgumentException($"--grid-points must be odd and at least 5; got {o.GridPoints}.");
        double extent = (o.GridPoints - 1) / 2 * o.Spacing;
        var grid = Grid1D.Linspace(-extent, extent, o.GridPoints);
        bool atom = o.System.Trim().ToLowerInvariant() is "he" or "h-";
        int[] distances = atom ? [0] : ParseDistances(o.Distances ?? throw new ArgumentException($"--distances is required for {o.System}."));
        var gen = new ExactReferenceGenerator(grid, new ExponentialCoulomb());
        foreach (int d in distances) gen.Molecule(o.System, d); // validate every geometry before the long part
        output.WriteLine($"exact diagonalisation of {o.System}: {distances.Length} geometr{(distances.Length == 1 ? "y" : "ies")} on {grid.Count} points (h = {grid.Spacing})");
        var set = gen.Generate(o.System, distances, new SyncProgress<(int Done, int Total)>(p =>
            output.WriteLine($"  {p.Done}/{p.Total}")));
        DatasetWriter.Write(set, o.Out);
        foreach (var s in set.Samples)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Label,6}  E = {s.TotalEnergy:F8} Ha"));
        output.WriteLine($"wrote {set.Samples.Count} samples to {o.Out}");
        return 0;
    }
}
