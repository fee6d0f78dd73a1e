using System.Globalization;
using Qex.Dft.Molecular.Basis;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Grids;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// Makes a molecular reference dataset (<see cref="MolecularDataset"/>): the reference of every geometry of a scan,
/// its density matrix and its density on the grid. The file is rewritten (atomically) after every geometry, and a
/// rerun into the same folder keeps the geometries already there when system, basis, method and grid agree, so an
/// interrupted run loses nothing it finished; geometries of the file outside the scan stay in it (sorted by R), and a
/// file on another grid, or with another geometry under the same label, is refused rather than overwritten. Over the
/// ranks of an MPI job the geometries go one per rank at a time, each round written by rank 0 as it completes; the
/// file is the one process's, bit for bit.
/// </summary>
public static class MolecularDataGenerator
{
    /// <summary>Generates (or completes) the dataset of <paramref name="system"/> in <paramref name="directory"/>; returns it and its path.</summary>
    /// <param name="system">A name of <see cref="MolecularSystems"/> or an .xyz file.</param>
    /// <param name="distances">Scan values R (Angstrom); ignored for a file.</param>
    /// <param name="basisName">Basis set.</param>
    /// <param name="method">fci | ccsd | ccsd(t).</param>
    /// <param name="grid">The grid of the densities.</param>
    /// <param name="directory">Output folder.</param>
    /// <param name="progress">Called after each computed geometry: (done, to do, entry, seconds).</param>
    /// <param name="cancel">Stops between geometries (finished ones stay in the file).</param>
    /// <param name="scheduler">The processes of an MPI job (this process alone when null): geometries are sharded over them, rank 0 writes.</param>
    /// <exception cref="ArgumentException">Unknown system or method, bad distances, an open shell.</exception>
    /// <exception cref="ScaleOut.ScaleOutException">A geometry failed on a rank of a group of several (on every rank).</exception>
    public static (MolecularDataset Dataset, string Path, int Reused) Generate(string system, IReadOnlyList<double> distances, string basisName, string method,
        GridOptions grid, string directory, Action<int, int, MolecularDatasetEntry, double>? progress = null, CancellationToken cancel = default,
        ScaleOut.BatchScheduler? scheduler = null)
    {
        scheduler ??= ScaleOut.BatchScheduler.Local;
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(distances);
        ArgumentNullException.ThrowIfNull(grid);
        string m = method.Trim().ToLowerInvariant();
        if (!MolecularReferences.Methods.Contains(m)) throw new ArgumentException($"Unknown reference method '{method}'; known: {string.Join(", ", MolecularReferences.Methods)}.");
        var definition = BasisSetLibrary.Load(basisName);
        var entry = new MolecularDataEntry(system, distances);
        if (!MolecularSystems.IsFile(system) && distances.Count == 0) throw new ArgumentException($"System '{system}' needs scan distances (--scan).");
        if (distances.Distinct().Count() != distances.Count) throw new ArgumentException("The scan lists a distance twice.");
        var geometries = entry.Geometries().ToList();    // every geometry is built (and checked) before the long part
        foreach (var (label, _, mol) in geometries)
            if (mol.Multiplicity != 1 || mol.ElectronCount % 2 != 0)
                throw new ArgumentException($"{label}: the references are closed-shell; it has {mol.ElectronCount} electrons.");
        if (scheduler.IsRoot) Core.IO.AtomicFile.EnsureWritableDirectory(directory);
        string path = Path.Combine(directory, MolecularDataset.FileName(system, definition.Name, m));
        var done = new Dictionary<string, MolecularDatasetEntry>();
        var kept = new List<MolecularDatasetEntry>();   // geometries of the file outside this scan: kept, never dropped
        string kind = "";
        if (File.Exists(path))
        {
            var old = MolecularDataset.Load(path);
            if (old.RadialPoints != grid.RadialPoints || old.SphericalPoints != grid.SphericalPoints)
                throw new ArgumentException($"'{path}' holds densities on a {old.RadialPoints} x {old.SphericalPoints} grid; this run asks for {grid.RadialPoints} x {grid.SphericalPoints}. Use that grid to add to it, or another --out.");
            foreach (var e in old.Entries)
            {
                var g = geometries.FirstOrDefault(x => x.Label == e.Label);
                if (g.Molecule is null) kept.Add(e);
                else if (SameGeometry(g.Molecule, e)) done[e.Label] = e;
                else throw new ArgumentException($"'{path}' holds a geometry '{e.Label}' that differs from this run's; use another --out.");
            }
            kind = old.DensityKind;
        }
        int reused = done.Count;
        var todo = geometries.Where(g => !done.ContainsKey(g.Label)).ToList();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        MolecularDataset Current() => new(system, definition.Name, m, kind, grid.RadialPoints, grid.SphericalPoints,
            [.. kept.Concat(geometries.Where(g => done.ContainsKey(g.Label)).Select(g => done[g.Label])).OrderBy(e => e.Distance)]);
        // one geometry per rank at a time (every rank read the file before the first gather, so all agree on what is
        // left); each result goes to every rank, and rank 0 writes the file after every round
        int ranks = scheduler.Group.Size;
        for (int start = 0; start < todo.Count; start += ranks)
        {
            cancel.ThrowIfCancellationRequested();
            var round = todo.Skip(start).Take(ranks).ToList();
            Computed[] computed;
            try { computed = scheduler.Map([.. round.Select(_ => 1.0)], k => Compute(round[k].Molecule, definition, m, grid), k => $"{round[k].Label} ({m}/{definition.Name})"); }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                // alone, a geometry's failure is its own exception (as in one loop), not the thread pool's wrapper
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
            for (int k = 0; k < round.Count; k++)
            {
                var (label, r, mol) = round[k];
                var c = computed[k];
                int n = (int)Math.Round(Math.Sqrt(c.DensityMatrix.Length));
                var coords = mol.Atoms.SelectMany(a => new[] { a.X, a.Y, a.Z }).ToArray();
                done[label] = new MolecularDatasetEntry(label, r, [.. mol.Atoms.Select(a => a.AtomicNumber)], coords, c.Energy, c.HartreeFockEnergy,
                    mol.NuclearRepulsion(), Tensor.FromSpan(c.DensityMatrix, n, n), MolecularGrid.Create(mol, grid), c.Density);
                kind = c.DensityKind;
            }
            if (scheduler.IsRoot) Current().Save(path);
            int finished = start + round.Count;
            progress?.Invoke(finished, todo.Count, done[round[^1].Label], sw.Elapsed.TotalSeconds);
        }
        return (Current(), path, reused);
    }

    /// <summary>What one geometry's reference sends to the other ranks.</summary>
    private sealed record Computed(double Energy, double HartreeFockEnergy, string DensityKind, double[] DensityMatrix, double[] Density);

    private static Computed Compute(Molecule mol, BasisSetDefinition definition, string method, GridOptions grid)
    {
        var basis = BasisSet.For(mol, definition);
        var reference = MolecularReferences.Compute(mol, basis, method);
        var molecularGrid = MolecularGrid.Create(mol, grid);
        var features = new GridDensity(basis, molecularGrid).FeaturesOf(reference.Density);
        return new Computed(reference.Energy, reference.HartreeFockEnergy, reference.DensityKind, reference.Density.ToArray(), features.Span[..molecularGrid.Count].ToArray());
    }

    private static bool SameGeometry(Molecule m, MolecularDatasetEntry e) =>
        m.Atoms.Count == e.AtomicNumbers.Length && m.Atoms.Select((a, i) => a.AtomicNumber == e.AtomicNumbers[i]
            && Math.Abs(a.X - e.Coordinates[3 * i]) < 1e-10 && Math.Abs(a.Y - e.Coordinates[3 * i + 1]) < 1e-10 && Math.Abs(a.Z - e.Coordinates[3 * i + 2]) < 1e-10).All(b => b);

    /// <summary>Parses a scan: a list "0.5,0.74,1.0" or a range "0.5:3.0:0.25" (start:stop:step, inclusive), Angstrom.</summary>
    /// <exception cref="ArgumentException">Malformed, non-positive, or more than 10000 geometries.</exception>
    public static double[] ParseScan(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            double P(string s) => double.Parse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
            double[] values;
            if (text.Contains(':', StringComparison.Ordinal))
            {
                var p = text.Split(':').Select(P).ToArray();
                if (p.Length != 3 || !(p[2] > 0) || p[1] < p[0]) throw new FormatException();
                long count = (long)Math.Floor((p[1] - p[0]) / p[2] + 1e-9) + 1;
                if (count > 10_000) throw new ArgumentException($"--scan '{text}' selects {count} geometries; at most 10000.");
                values = [.. Enumerable.Range(0, (int)count).Select(i => Math.Round(p[0] + i * p[2], 10))];
            }
            else values = [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(P)];
            if (values.Length == 0 || values.Any(v => !(v > 0) || !double.IsFinite(v))) throw new FormatException();
            if (values.Length > 10_000) throw new ArgumentException($"--scan lists {values.Length} geometries; at most 10000.");
            return values;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"--scan '{text}' is neither a list of positive distances in Angstrom like 0.5,0.74,1.0 nor a range like 0.5:3.0:0.25 (start:stop:step).", e);
        }
    }
}
