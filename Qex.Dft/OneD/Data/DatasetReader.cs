using Qex.Core.IO;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Data;

/// <summary>
/// Reads a 1D dataset in the jaxdft/ksr_dft .npy layout: densities (S, G), external_potentials (S, G),
/// locations (S, A), nuclear_charges (S, A), total_energies (S), grids (G), num_electrons () or (S), and optionally
/// distances_x100 (S), num_unpaired_electrons (S), latex_symbols (S). Shapes are checked against each other.
/// </summary>
public static class DatasetReader
{
    /// <summary>The optional metadata file of a dataset folder (JSON: format, name, method).</summary>
    public const string MetadataFile = "metadata.json";

    /// <summary>
    /// Resolves a set name or a path: an existing directory is used as is; otherwise the name is looked up below
    /// <paramref name="dataRoot"/> (default: ../shared/data), in jaxdft/, ksr_dft/, ksr_dft/molecules/ and ksr_dft/ions/.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Nothing matches (the message says where it looked).</exception>
    public static string Resolve(string nameOrPath, string? dataRoot = null)
    {
        if (Directory.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        string? root = dataRoot ?? SharedData.Root;
        var tried = new List<string>();
        if (root is not null)
            foreach (string prefix in new[] { "", "jaxdft", "ksr_dft", Path.Combine("ksr_dft", "molecules"), Path.Combine("ksr_dft", "ions") })
            {
                string p = Path.Combine(root, prefix, nameOrPath);
                tried.Add(p);
                if (File.Exists(Path.Combine(p, "total_energies.npy"))) return Path.GetFullPath(p);
            }
        throw new DirectoryNotFoundException(root is null
            ? $"Dataset '{nameOrPath}' is not a directory, and no shared data folder was found (set {SharedData.EnvironmentVariable} or pass --data)."
            : $"Dataset '{nameOrPath}' was not found; looked in: {string.Join(", ", tried)}.");
    }

    /// <summary>Loads a dataset directory (or a name resolved by <see cref="Resolve"/>).</summary>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">Shapes disagree (the message names the files and shapes).</exception>
    public static Dataset Load(string nameOrPath, string? dataRoot = null)
    {
        string dir = Resolve(nameOrPath, dataRoot);
        NpyArray Need(string file)
        {
            string p = Path.Combine(dir, file + ".npy");
            if (!File.Exists(p)) throw new FileNotFoundException($"Dataset '{dir}' lacks {file}.npy.", p);
            return Npy.Read(p);
        }
        NpyArray? Maybe(string file)
        {
            string p = Path.Combine(dir, file + ".npy");
            return File.Exists(p) ? Npy.Read(p) : null;
        }
        var grids = Need("grids").ToTensor();
        var densities = Need("densities").ToTensor();
        var potentials = Need("external_potentials").ToTensor();
        var locations = Need("locations").ToTensor();
        var charges = Need("nuclear_charges").ToTensor();
        var energies = Need("total_energies").ToTensor();
        var electrons = Need("num_electrons").ToInt64();
        var distances = Maybe("distances_x100")?.ToInt64();
        var unpaired = Maybe("num_unpaired_electrons")?.ToInt64();
        var symbols = Maybe("latex_symbols")?.ToStrings();

        if (grids.Rank != 1) throw Bad(dir, $"grids.npy has shape {ShapeUtil.Format(grids.Shape)}, expected (G)");
        int g = grids.Length;
        if (energies.Rank != 1) throw Bad(dir, $"total_energies.npy has shape {ShapeUtil.Format(energies.Shape)}, expected (S)");
        int s = energies.Length;
        void Expect(Tensor t, string file, params int[] shape)
        {
            if (!t.Shape.SequenceEqual(shape))
                throw Bad(dir, $"{file}.npy has shape {ShapeUtil.Format(t.Shape)}, expected {ShapeUtil.Format(shape)} (S = {s} samples from total_energies.npy, G = {g} grid points)");
        }
        Expect(densities, "densities", s, g);
        Expect(potentials, "external_potentials", s, g);
        if (locations.Rank != 2 || locations.Dim(0) != s) throw Bad(dir, $"locations.npy has shape {ShapeUtil.Format(locations.Shape)}, expected ({s}, atoms)");
        Expect(charges, "nuclear_charges", s, locations.Dim(1));
        if (electrons.Length != 1 && electrons.Length != s) throw Bad(dir, $"num_electrons.npy has {electrons.Length} values for {s} samples");
        if (distances is not null && distances.Length != s) throw Bad(dir, $"distances_x100.npy has {distances.Length} values for {s} samples");
        if (unpaired is not null && unpaired.Length != s) throw Bad(dir, $"num_unpaired_electrons.npy has {unpaired.Length} values for {s} samples");
        if (symbols is not null && symbols.Length != s) throw Bad(dir, $"latex_symbols.npy has {symbols.Length} values for {s} samples");

        RequireFinite(dir, "grids", grids.Span, 1);
        RequireFinite(dir, "densities", densities.Span, g);
        RequireFinite(dir, "external_potentials", potentials.Span, g);
        RequireFinite(dir, "locations", locations.Span, locations.Dim(1));
        RequireFinite(dir, "nuclear_charges", charges.Span, locations.Dim(1));
        RequireFinite(dir, "total_energies", energies.Span, 1);
        for (int i = 0; i < electrons.Length; i++)
            if (electrons[i] < 1 || electrons[i] > 1000)
                throw Bad(dir, $"num_electrons.npy entry {i} is {electrons[i]}; a sample needs between 1 and 1000 electrons");
        if (unpaired is not null)
            for (int i = 0; i < s; i++)
                if (unpaired[i] < 0 || unpaired[i] > electrons[electrons.Length == 1 ? 0 : i])
                    throw Bad(dir, $"num_unpaired_electrons.npy entry {i} is {unpaired[i]}, outside 0..num_electrons");
        if (distances is not null)
            for (int i = 0; i < s; i++)
                if (distances[i] < 0 || distances[i] > 1_000_000)
                    throw Bad(dir, $"distances_x100.npy entry {i} is {distances[i]}; distance keys are between 0 and 1000000");
        var (method, recordedName) = ReadMetadata(dir);
        Grid1D grid;
        try { grid = new Grid1D(grids); }
        catch (ArgumentException e) { throw Bad(dir, $"grids.npy: {e.Message.TrimEnd('.')}"); }
        int atoms = locations.Dim(1);
        var samples = new List<Sample>(s);
        for (int i = 0; i < s; i++)
        {
            var loc = new double[atoms];
            var z = new double[atoms];
            for (int a = 0; a < atoms; a++) { loc[a] = locations[i, a]; z[a] = charges[i, a]; }
            int ne = (int)electrons[electrons.Length == 1 ? 0 : i];
            var molecule = new Molecule1D(loc, z, ne, unpaired is null ? -1 : (int)unpaired[i]);
            int key = distances is null ? -1 : (int)distances[i];
            string label = symbols?[i] ?? (key >= 0 ? key.ToString(System.Globalization.CultureInfo.InvariantCulture) : i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            samples.Add(new Sample(i, label, key, molecule, energies[i],
                Tensor.FromSpan(densities.Span.Slice(i * g, g), g), Tensor.FromSpan(potentials.Span.Slice(i * g, g), g)));
        }
        // a folder that records its set name (gen-data and the built-in sets do) keeps it, so its standard splits apply
        return new Dataset(recordedName ?? Path.GetFileName(dir.TrimEnd('/', '\\')), grid, samples, method);
    }

    /// <summary>Rejects NaN and infinite entries, naming the file and the sample (row of <paramref name="rowLength"/> values).</summary>
    private static void RequireFinite(string dir, string file, ReadOnlySpan<double> values, int rowLength)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw Bad(dir, rowLength > 1
                    ? $"{file}.npy holds {values[i]} at sample {i / rowLength}, entry {i % rowLength}; reference data must be finite"
                    : $"{file}.npy holds {values[i]} at entry {i}; reference data must be finite");
    }

    private static (string? Method, string? Name) ReadMetadata(string dir)
    {
        string path = Path.Combine(dir, MetadataFile);
        if (!File.Exists(path)) return (null, null);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            string? Get(string key) => doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty(key, out var m)
                && m.ValueKind == System.Text.Json.JsonValueKind.String ? m.GetString() : null;
            return (Get("method"), Get("name"));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Bad(dir, $"{MetadataFile} is not valid JSON ({e.Message})");
        }
    }

    private static InvalidDataException Bad(string dir, string message) => new($"Dataset '{dir}': {message}.");
}
