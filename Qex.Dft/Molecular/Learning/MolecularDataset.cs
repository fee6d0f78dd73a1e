using System.Globalization;
using PureHDF;
using Qex.Core.IO;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Learning;

/// <summary>One geometry of a molecular reference dataset.</summary>
/// <param name="Label">Its label, e.g. "h2 0.74".</param>
/// <param name="Distance">The scan value R (Angstrom; 0 for a file).</param>
/// <param name="AtomicNumbers">Nuclear charges.</param>
/// <param name="Coordinates">Nuclear positions (Bohr), atoms x 3, row-major.</param>
/// <param name="Energy">The reference total energy (Hartree).</param>
/// <param name="HartreeFockEnergy">The RHF energy.</param>
/// <param name="NuclearRepulsion">E_nn.</param>
/// <param name="DensityMatrix">The AO one-particle density matrix (n x n).</param>
/// <param name="Grid">The integration grid the density is given on.</param>
/// <param name="Density">The density on <paramref name="Grid"/>.</param>
public sealed record MolecularDatasetEntry(string Label, double Distance, int[] AtomicNumbers, double[] Coordinates, double Energy, double HartreeFockEnergy,
    double NuclearRepulsion, Tensor DensityMatrix, Grids.MolecularGrid Grid, double[] Density)
{
    /// <summary>The molecule (neutral singlet) of the entry.</summary>
    public Molecule Molecule() => new([.. AtomicNumbers.Select((z, a) => new Atom(z, Coordinates[3 * a], Coordinates[3 * a + 1], Coordinates[3 * a + 2]))]);
}

/// <summary>
/// A molecular reference dataset, one self-describing HDF5 file (readable with h5py): root attributes
/// <c>format</c> ("qex.molecular-reference"), <c>version</c>, <c>system</c>, <c>basis</c>, <c>method</c>,
/// <c>density_kind</c>, <c>grid_radial</c>, <c>grid_spherical</c>, <c>units</c>, <c>qex_version</c>; root datasets
/// <c>labels</c>, <c>distances</c> (Angstrom), <c>energies</c>, <c>hf_energies</c>, <c>nuclear_repulsion</c> (Hartree), in
/// scan order; and one group per geometry, <c>geometries/NNNN</c>, with <c>atomic_numbers</c>, <c>coordinates</c>
/// (atoms x 3, Bohr), <c>density_matrix</c> (n x n, AO basis of <c>basis</c> in Qex's function order),
/// <c>grid_coordinates</c> (points x 3, Bohr), <c>grid_weights</c>, <c>grid_atoms</c> (the atom each point belongs to) and <c>density</c> (points), and the attributes
/// <c>label</c>, <c>distance</c>, <c>energy</c>.
/// </summary>
/// <param name="System">The system (a name of <see cref="MolecularSystems"/> or a file name).</param>
/// <param name="Basis">Basis set.</param>
/// <param name="Method">fci | ccsd | ccsd(t).</param>
/// <param name="DensityKind">How the densities were obtained.</param>
/// <param name="RadialPoints">Grid radial points per atom.</param>
/// <param name="SphericalPoints">Grid angular points.</param>
/// <param name="Entries">The geometries in scan order.</param>
public sealed record MolecularDataset(string System, string Basis, string Method, string DensityKind, int RadialPoints, int SphericalPoints,
    IReadOnlyList<MolecularDatasetEntry> Entries)
{
    /// <summary>The format tag.</summary>
    public const string Format = "qex.molecular-reference";

    /// <summary>The version written and read.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The file name of a dataset: system_basis_method.h5 (parentheses dropped: ccsd(t) -> ccsd_t).</summary>
    public static string FileName(string system, string basis, string method)
    {
        string Clean(string s) => new([.. s.Trim().ToLowerInvariant().Replace("(", "_", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal)
            .Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '+' ? ch : '_')]);
        string name = MolecularSystems.IsFile(system) ? Path.GetFileNameWithoutExtension(system) : system;
        return $"{Clean(name)}_{Clean(basis)}_{Clean(method)}.h5";
    }

    /// <summary>Writes the file atomically (a temporary file renamed over the target).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var geometries = new H5Group();
        for (int i = 0; i < Entries.Count; i++)
        {
            var e = Entries[i];
            int atoms = e.AtomicNumbers.Length, n = e.DensityMatrix.Dim(0), g = e.Grid.Count;
            var coords = new double[3 * g];
            for (int p = 0; p < g; p++) (coords[3 * p], coords[3 * p + 1], coords[3 * p + 2]) = (e.Grid.X[p], e.Grid.Y[p], e.Grid.Z[p]);
            geometries[i.ToString("D4", CultureInfo.InvariantCulture)] = new H5Group
            {
                ["atomic_numbers"] = e.AtomicNumbers,
                ["coordinates"] = new H5Dataset(e.Coordinates, fileDims: [(ulong)atoms, 3]),
                ["density_matrix"] = new H5Dataset(e.DensityMatrix.ToArray(), fileDims: [(ulong)n, (ulong)n]),
                ["grid_coordinates"] = new H5Dataset(coords, fileDims: [(ulong)g, 3]),
                ["grid_weights"] = e.Grid.W,
                ["grid_atoms"] = e.Grid.Atom,
                ["density"] = e.Density,
                Attributes = new() { ["label"] = e.Label, ["distance"] = e.Distance, ["energy"] = e.Energy },
            };
        }
        var file = new H5File
        {
            ["labels"] = Entries.Select(e => e.Label).ToArray(),
            ["distances"] = Entries.Select(e => e.Distance).ToArray(),
            ["energies"] = Entries.Select(e => e.Energy).ToArray(),
            ["hf_energies"] = Entries.Select(e => e.HartreeFockEnergy).ToArray(),
            ["nuclear_repulsion"] = Entries.Select(e => e.NuclearRepulsion).ToArray(),
            ["geometries"] = geometries,
            Attributes = new()
            {
                ["format"] = Format, ["version"] = CurrentVersion, ["qex_version"] = OneD.Training.XcCheckpoint.ThisQexVersion,
                ["system"] = System, ["basis"] = Basis, ["method"] = Method, ["density_kind"] = DensityKind,
                ["grid_radial"] = RadialPoints, ["grid_spherical"] = SphericalPoints,
                ["units"] = "energies in Hartree; distances in Angstrom; coordinates in Bohr (1 Bohr = 0.52917721067 Angstrom); densities in electrons per Bohr^3",
            },
        };
        using var stream = new MemoryStream();
        file.Write(stream);
        AtomicFile.WriteAllBytes(path, stream.ToArray());
    }

    /// <summary>Reads a dataset file and checks its shapes.</summary>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a Qex molecular reference file, another version, or inconsistent contents.</exception>
    public static MolecularDataset Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No dataset at '{path}'.", path);
        try
        {
            using var file = H5File.OpenRead(path);
            string Text(string name) => file.Attribute(name).Read<string>();
            if (!file.AttributeExists("format") || Text("format") != Format) throw new InvalidDataException($"'{path}' is not a Qex molecular reference dataset (no format tag '{Format}').");
            int version = file.Attribute("version").Read<int>();
            if (version != CurrentVersion) throw new InvalidDataException($"'{path}' has dataset version {version}; this Qex reads version {CurrentVersion}.");
            var labels = file.Dataset("labels").Read<string[]>();
            var distances = file.Dataset("distances").Read<double[]>();
            var energies = file.Dataset("energies").Read<double[]>();
            var hf = file.Dataset("hf_energies").Read<double[]>();
            var nn = file.Dataset("nuclear_repulsion").Read<double[]>();
            if (new[] { distances.Length, energies.Length, hf.Length, nn.Length }.Any(l => l != labels.Length))
                throw new InvalidDataException($"'{path}': the root datasets have different lengths.");
            var entries = new List<MolecularDatasetEntry>();
            for (int i = 0; i < labels.Length; i++)
            {
                var g = file.Group("geometries/" + i.ToString("D4", CultureInfo.InvariantCulture));
                var z = g.Dataset("atomic_numbers").Read<int[]>();
                var coords = g.Dataset("coordinates").Read<double[]>();
                var dm = g.Dataset("density_matrix");
                var dims = dm.Space.Dimensions;
                if (dims.Length != 2 || dims[0] != dims[1]) throw new InvalidDataException($"'{path}': geometry {i}: the density matrix is not square.");
                var d = dm.Read<double[]>();
                var gc = g.Dataset("grid_coordinates").Read<double[]>();
                var w = g.Dataset("grid_weights").Read<double[]>();
                var rho = g.Dataset("density").Read<double[]>();
                var owner = g.Dataset("grid_atoms").Read<int[]>();
                if (coords.Length != 3 * z.Length || gc.Length != 3 * w.Length || rho.Length != w.Length || owner.Length != w.Length)
                    throw new InvalidDataException($"'{path}': geometry {i} ('{labels[i]}'): inconsistent array sizes.");
                var grid = new Grids.MolecularGrid([.. Enumerable.Range(0, w.Length).Select(p => gc[3 * p])], [.. Enumerable.Range(0, w.Length).Select(p => gc[3 * p + 1])],
                    [.. Enumerable.Range(0, w.Length).Select(p => gc[3 * p + 2])], w, owner);
                entries.Add(new MolecularDatasetEntry(labels[i], distances[i], z, coords, energies[i], hf[i], nn[i], Tensor.Wrap(d, (int)dims[0], (int)dims[1]), grid, rho));
            }
            return new MolecularDataset(Text("system"), Text("basis"), Text("method"), Text("density_kind"), file.Attribute("grid_radial").Read<int>(),
                file.Attribute("grid_spherical").Read<int>(), entries);
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException)
        {
            throw new InvalidDataException($"'{path}' is not a readable Qex molecular reference dataset: {e.Message}", e);
        }
    }
}
