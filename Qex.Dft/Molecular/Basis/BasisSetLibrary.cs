namespace Qex.Dft.Molecular.Basis;

/// <summary>
/// The basis sets shipped with Qex (embedded copies of Psi4's .gbs files), by name, or any .gbs file by path.
/// </summary>
public static class BasisSetLibrary
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sto-3g"] = "sto-3g", ["6-31g"] = "6-31g", ["6-31g*"] = "6-31gs", ["6-31g(d)"] = "6-31gs", ["6-31gs"] = "6-31gs",
        ["6-31g**"] = "6-31gss", ["6-31g(d,p)"] = "6-31gss", ["6-31gss"] = "6-31gss", ["def2-svp"] = "def2-svp",
        ["def2-tzvp"] = "def2-tzvp", ["cc-pvdz"] = "cc-pvdz", ["def2-svp-jkfit"] = "def2-svp-jkfit", ["def2-svp-ri"] = "def2-svp-ri",
    };

    /// <summary>The names accepted by <see cref="Load"/> besides file paths.</summary>
    public static IReadOnlyCollection<string> Names => Files.Keys;

    /// <summary>A basis set by name (sto-3g, 6-31g, 6-31g*, 6-31g**, def2-svp, def2-tzvp, cc-pvdz, ...) or by path to a .gbs file.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    /// <exception cref="FormatException">A malformed file.</exception>
    public static BasisSetDefinition Load(string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        string key = nameOrPath.Trim();
        if (Files.TryGetValue(key, out string? file))
        {
            using var stream = typeof(BasisSetLibrary).Assembly.GetManifestResourceStream($"Qex.Basis.{file}.gbs")
                ?? throw new InvalidOperationException($"The shipped basis set '{file}' is missing from the assembly.");
            using var reader = new StreamReader(stream);
            return GaussianBasisParser.Parse(reader.ReadToEnd(), key.ToLowerInvariant());
        }
        if (File.Exists(key))
        {
            long length = new FileInfo(key).Length;
            if (length > 64L << 20) throw new FormatException($"{key}: {length >> 20} MiB is far larger than any basis set file.");
            return GaussianBasisParser.Parse(File.ReadAllText(key), key);
        }
        if (Directory.Exists(key)) throw new ArgumentException($"Basis '{key}' is a folder; give a .gbs file or a basis name ({string.Join(", ", Files.Keys.Order())}).");
        throw new ArgumentException($"Unknown basis set '{nameOrPath}'; known: {string.Join(", ", Files.Keys.Order())}, or a path to a .gbs file.");
    }
}
