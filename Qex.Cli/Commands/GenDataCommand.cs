using System.Globalization;
using CommandLine;
using Qex.Cli.Training;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;
using Qex.Core.IO;
using Qex.Cli.Output;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex gen-data</c>.</summary>
[Verb("gen-data", HelpText = "Generate reference data: 1d (exact two-electron 1D references, .npy layout) or molecular (FCI/CCSD/CCSD(T) energies, density matrices and grid densities, one HDF5 file).")]
public sealed class GenDataOptions
{
    /// <summary>Dimension: 1d or molecular.</summary>
    [Value(0, MetaName = "DIMENSION", Required = true, HelpText = "1d | molecular")]
    public string Dimension { get; set; } = "";

    /// <summary>System.</summary>
    [Option("system", Required = true, HelpText = "1d: h2 | heh+ | he | h-. molecular: h2 | h4-chain | h4-square | h2-h2 | lih | h2o | FILE.xyz")]
    public string System { get; set; } = "";

    /// <summary>Molecular scan.</summary>
    [Option("scan", HelpText = "molecular: the scan values R in Angstrom, a list 0.5,0.74,1.0 or a range 0.5:3.0:0.25 (start:stop:step, inclusive).")]
    public string? Scan { get; set; }

    /// <summary>Molecular basis.</summary>
    [Option("basis", Default = "6-31g", HelpText = "molecular: the basis set.")]
    public string Basis { get; set; } = "6-31g";

    /// <summary>Molecular reference method.</summary>
    [Option("method", Default = "fci", HelpText = "molecular: fci | ccsd | ccsd(t) (CC densities are relaxed densities by finite fields).")]
    public string Method { get; set; } = "fci";

    /// <summary>Molecular grid.</summary>
    [Option("radial", Default = 50, HelpText = "molecular: radial grid points per atom of the densities (the training grid's default).")]
    public int Radial { get; set; } = 50;

    /// <summary>Molecular grid.</summary>
    [Option("spherical", Default = 194, HelpText = "molecular: Lebedev points per shell of the densities.")]
    public int Spherical { get; set; } = 194;

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

    /// <summary>No progress output.</summary>
    [Option('q', "quiet", HelpText = "No progress on standard error.")]
    public bool Quiet { get; set; }
}

/// <summary><c>qex gen-data</c>.</summary>
public static class GenDataCommand
{
    /// <summary>The most geometries one command generates.</summary>
    public const int MaxGeometries = 100_000;

    /// <summary>The largest grid the exact two-electron solver accepts here (it holds several n^2 wavefunctions).</summary>
    public const int MaxGridPoints = 4097;

    /// <summary>Parses "128,384" or "32:600:8" (distance keys, at most <see cref="MaxGeometries"/> of them).</summary>
    /// <exception cref="ArgumentException">Malformed list or range, negative keys, or too many geometries.</exception>
    public static int[] ParseDistances(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            if (text.Contains(':', StringComparison.Ordinal))
            {
                var p = text.Split(':').Select(s => int.Parse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
                if (p.Length != 3 || p[2] <= 0 || p[1] < p[0] || p[0] < 0) throw new FormatException();
                long count = ((long)p[1] - p[0]) / p[2] + 1;
                if (count > MaxGeometries) throw new ArgumentException($"--distances '{text}' selects {count} geometries; at most {MaxGeometries} per command.");
                return Enumerable.Range(0, (int)count).Select(i => p[0] + i * p[2]).ToArray();
            }
            var keys = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
            if (keys.Length == 0 || keys.Any(k => k < 0)) throw new FormatException();
            if (keys.Length > MaxGeometries) throw new ArgumentException($"--distances lists {keys.Length} geometries; at most {MaxGeometries} per command.");
            return keys;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"--distances '{text}' is neither a list of non-negative distance_x100 keys like 128,384 nor a range like 32:600:8 (start:stop:step).", e);
        }
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    /// <param name="o">Options.</param>
    /// <param name="output">Results (standard output).</param>
    /// <param name="log">Progress (standard error; defaults to <paramref name="output"/>).</param>
    /// <param name="scheduler">The processes of an MPI job (this process alone when null): the geometries are sharded over them, rank 0 writes.</param>
    public static int Run(GenDataOptions o, TextWriter output, TextWriter? log = null, Qex.Dft.ScaleOut.BatchScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(output);
        log ??= output;
        scheduler ??= Qex.Dft.ScaleOut.BatchScheduler.Local;
        if (o.Dimension.Equals("molecular", StringComparison.OrdinalIgnoreCase))
            return RunMolecular(o, output, log, scheduler);
        if (!o.Dimension.Equals("1d", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"gen-data DIMENSION must be 1d or molecular; got '{o.Dimension}'.");
        if (o.Scan is not null) throw new ArgumentException("--scan is the molecular scan (Angstrom); 1d geometries are --distances (Bohr x 100).");
        if (o.GridPoints < 5 || o.GridPoints % 2 == 0 || o.GridPoints > MaxGridPoints)
            throw new ArgumentException($"--grid-points must be odd, at least 5 and at most {MaxGridPoints} (exact diagonalisation holds several n^2 arrays: {o.GridPoints}^2 doubles would need {EstimateBytes(Math.Max(o.GridPoints, 5)) / 1e9:F1} GB); got {o.GridPoints}.");
        if (!double.IsFinite(o.Spacing) || o.Spacing <= 0 || o.Spacing > 10) throw new ArgumentException($"--spacing must be a positive number up to 10 Bohr; got {o.Spacing}.");
        long need = EstimateBytes(o.GridPoints), available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (need > available) throw new ArgumentException($"--grid-points {o.GridPoints}: exact diagonalisation needs about {need / 1e9:F1} GB; {available / 1e9:F1} GB are available.");
        double extent = (o.GridPoints - 1) / 2 * o.Spacing;
        var grid = Grid1D.Linspace(-extent, extent, o.GridPoints);
        bool atom = o.System.Trim().ToLowerInvariant() is "he" or "h-";
        int[] distances = atom ? [0] : ParseDistances(o.Distances ?? throw new ArgumentException($"--distances is required for {o.System}."));
        if (distances.Distinct().Count() != distances.Length) throw new ArgumentException("--distances lists a geometry twice.");
        var gen = new ExactReferenceGenerator(grid, new ExponentialCoulomb());
        foreach (int d in distances)
        {
            var m = gen.Molecule(o.System, d); // validate every geometry before the long part
            try { m.Validate(grid); }
            catch (ArgumentException e) { throw new ArgumentException($"--distances {d}: {e.Message} (the grid spans +-{extent} Bohr)", e); }
        }
        bool root = scheduler.IsRoot;
        if (root) AtomicFile.EnsureWritableDirectory(o.Out);

        // finished geometries are written as they complete (the whole set, atomically), and a rerun into the same
        // folder keeps the geometries already there (same system and grid) instead of computing them again
        var done = new Dictionary<int, Sample>();
        if (File.Exists(Path.Combine(o.Out, "total_energies.npy")))
        {
            var old = DatasetReader.Load(o.Out);
            if (old.Method == ExactReferenceGenerator.Method && old.Grid.Count == grid.Count && Math.Abs(old.Grid.Spacing - grid.Spacing) < 1e-12)
                foreach (var s in old.Samples)
                {
                    var expected = gen.Molecule(o.System, Math.Max(s.DistanceX100, 0));
                    if (s.Molecule.Electrons == 2 && s.Molecule.Charges.SequenceEqual(expected.Charges) && s.Molecule.Locations.SequenceEqual(expected.Locations))
                        done[s.DistanceX100] = s;
                }
        }
        var todo = distances.Where(d => !done.ContainsKey(atom ? -1 : d)).ToArray();
        log.WriteLine($"exact diagonalisation of {o.System}: {distances.Length} geometr{(distances.Length == 1 ? "y" : "ies")} on {grid.Count} points (h = {grid.Spacing}){(todo.Length < distances.Length ? $", {distances.Length - todo.Length} already in {o.Out}" : "")}{Sharding(scheduler)}");
        var reporter = new ProgressReporter(log, o.Quiet);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // over the ranks of an MPI job: one geometry per rank at a time, each round written by rank 0 as it completes
        int ranks = scheduler.Group.Size;
        reporter.Run(() =>
        {
            for (int start = 0; start < todo.Length; start += ranks)
            {
                var round = todo.Skip(start).Take(ranks).ToArray();
                var solved = scheduler.Map([.. round.Select(_ => 1.0)], k =>
                {
                    var (energy, density) = gen.Solve(o.System, round[k]);
                    return [energy, .. density.Span];
                }, k => $"{o.System} at distance_x100 {round[k]}");
                for (int k = 0; k < round.Length; k++)
                {
                    var one = gen.Sample(o.System, round[k], solved[k][0], Qex.Core.Tensors.Tensor.FromSpan(solved[k].AsSpan(1), grid.Count));
                    done[one.DistanceX100] = one;
                }
                int finished = Math.Min(start + ranks, todo.Length);
                if (root)
                {
                    var ordered = distances.Where(d => done.ContainsKey(atom ? -1 : d)).Select(d => done[atom ? -1 : d]).Select((s, k) => s with { Index = k }).ToList();
                    DatasetWriter.Write(new Dataset(o.System, grid, ordered, ExactReferenceGenerator.Method), o.Out);
                }
                double eta = sw.Elapsed.TotalSeconds / finished * (todo.Length - finished);
                var last = done[atom ? -1 : round[^1]];
                reporter.Update("exact diagonalisation", finished, todo.Length, FormattableString.Invariant($"  {finished}/{todo.Length}  {last.Label}  E = {last.TotalEnergy:F8} Ha  ({sw.Elapsed.TotalSeconds:F0} s, about {eta:F0} s left)"));
            }
            return 0;
        });
        if (!root) return 0;
        var set = DatasetReader.Load(o.Out);
        foreach (var s in set.Samples)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Label,6}  E = {s.TotalEnergy:F8} Ha"));
        log.WriteLine($"wrote {set.Samples.Count} samples to {o.Out} in {sw.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static int RunMolecular(GenDataOptions o, TextWriter output, TextWriter log, Qex.Dft.ScaleOut.BatchScheduler scheduler)
    {
        if (o.Distances is not null) throw new ArgumentException("--distances is the 1d scan (Bohr x 100); a molecular scan is --scan in Angstrom, e.g. --scan 0.5:3.0:0.25.");
        string system = o.System.Trim();
        if (!Qex.Dft.Molecular.Learning.MolecularSystems.IsFile(system)) system = system.ToLowerInvariant();
        var scan = Qex.Dft.Molecular.Learning.MolecularSystems.IsFile(system) ? [] : Qex.Dft.Molecular.Learning.MolecularDataGenerator.ParseScan(o.Scan
            ?? throw new ArgumentException($"--scan is required for system '{system}' (e.g. --scan 0.5:3.0:0.25); known systems: {string.Join(", ", Qex.Dft.Molecular.Learning.MolecularSystems.Names)}, or an .xyz file."));
        if (!Qex.Dft.Molecular.Learning.MolecularSystems.IsFile(system) && !Qex.Dft.Molecular.Learning.MolecularSystems.Names.Contains(system))
            throw new ArgumentException($"Unknown molecular system '{o.System}'; known: {string.Join(", ", Qex.Dft.Molecular.Learning.MolecularSystems.Names)}, or an .xyz file.");
        var grid = Qex.Dft.Molecular.Grids.GridOptions.Build(null, o.Radial, o.Spherical, "treutler", "treutler", "none");
        log.WriteLine($"{o.Method.ToUpperInvariant()}/{o.Basis} references of {system}: {Math.Max(scan.Length, 1)} geometr{(scan.Length == 1 ? "y" : "ies")}, densities on a {o.Radial} x {o.Spherical} grid per atom{Sharding(scheduler)}");
        var reporter = new ProgressReporter(log, o.Quiet);
        var (set, path, reused) = reporter.Run(() => Qex.Dft.Molecular.Learning.MolecularDataGenerator.Generate(system, scan, o.Basis, o.Method, grid, o.Out,
            (i, n, e, seconds) => reporter.Update("references", i, n, FormattableString.Invariant($"  {i}/{n}  {e.Label}  E = {e.Energy:F8} Ha  ({seconds:F0} s, about {seconds / i * (n - i):F0} s left)")),
            scheduler: scheduler));
        if (reused > 0) log.WriteLine($"{reused} geometr{(reused == 1 ? "y was" : "ies were")} already in {path}");
        foreach (var e in set.Entries)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {e.Label,-16}  E = {e.Energy:F8} Ha  (RHF {e.HartreeFockEnergy:F8})"));
        log.WriteLine($"wrote {set.Entries.Count} geometries to {path} ({set.DensityKind})");
        return 0;
    }

    private static string Sharding(Qex.Dft.ScaleOut.BatchScheduler scheduler) =>
        scheduler.Group.Size > 1 ? $"; {scheduler.Group.Description}, one geometry per rank at a time" : "";

    /// <summary>Bytes the exact two-electron solver needs on a grid of n points (about 40 n^2 doubles: Davidson subspace, products, preconditioner).</summary>
    public static long EstimateBytes(int n) => 40L * n * n * sizeof(double);
}
