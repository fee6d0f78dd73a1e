using Qex.Core.IO;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Data;

/// <summary>Writes a dataset in the jaxdft .npy layout that <see cref="DatasetReader"/> reads.</summary>
public static class DatasetWriter
{
    /// <summary>Writes every array of the layout into <paramref name="directory"/> (each file atomically).</summary>
    /// <exception cref="ArgumentException">The samples disagree in electron count or number of atoms.</exception>
    public static void Write(Dataset dataset, string directory)
    {
        var s = dataset.Samples;
        if (s.Count == 0) throw new ArgumentException("Cannot write an empty dataset.");
        int g = dataset.Grid.Count, atoms = s[0].Molecule.Locations.Length, electrons = s[0].Molecule.Electrons;
        if (s.Any(x => x.Molecule.Locations.Length != atoms || x.Molecule.Electrons != electrons))
            throw new ArgumentException("All samples of a dataset must have the same number of atoms and electrons.");
        Directory.CreateDirectory(directory);
        void Save(string name, NpyArray a) => Npy.Write(Path.Combine(directory, name + ".npy"), a);
        Save("grids", NpyArray.FromTensor(dataset.Grid.Points));
        Save("densities", new NpyArray(NpyDType.Float64, [s.Count, g], s.SelectMany(x => x.Density.ToArray()).ToArray()));
        Save("external_potentials", new NpyArray(NpyDType.Float64, [s.Count, g], s.SelectMany(x => x.ExternalPotential.ToArray()).ToArray()));
        Save("locations", new NpyArray(NpyDType.Float64, [s.Count, atoms], s.SelectMany(x => x.Molecule.Locations).ToArray()));
        Save("nuclear_charges", new NpyArray(NpyDType.Float64, [s.Count, atoms], s.SelectMany(x => x.Molecule.Charges).ToArray()));
        Save("total_energies", new NpyArray(NpyDType.Float64, [s.Count], s.Select(x => x.TotalEnergy).ToArray()));
        Save("num_electrons", new NpyArray(NpyDType.Int64, [], new[] { (long)electrons }));
        if (s.All(x => x.DistanceX100 >= 0))
        {
            Save("distances_x100", new NpyArray(NpyDType.Int64, [s.Count], s.Select(x => (long)x.DistanceX100).ToArray()));
            Save("distances", new NpyArray(NpyDType.Float64, [s.Count], s.Select(x => x.DistanceX100 / 100.0).ToArray()));
        }
        if (dataset.Method is { } method)
            AtomicFile.WriteAllText(Path.Combine(directory, DatasetReader.MetadataFile),
                System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["format"] = "qex.dataset-1d", ["method"] = method, ["name"] = dataset.Name }));
    }

    /// <summary>
    /// Writes the dataset into a fresh sibling folder and renames it to <paramref name="directory"/>, so readers see
    /// either no folder or a complete one, never a partial set (an existing folder is replaced).
    /// </summary>
    public static void WriteDirectoryAtomically(Dataset dataset, string directory)
    {
        string full = Path.GetFullPath(directory.TrimEnd('/', '\\'));
        string tmp = full + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        AtomicFile.RemoveStaleTemporariesOf(full);
        try
        {
            Write(dataset, tmp);
            AtomicFile.ReplaceDirectory(tmp, full);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }
}
