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
        ["def2-universal-jkfit"] = "def2-svp-jkfit", ["def2-tzvp-jkfit"] = "def2-svp-jkfit", ["cc-pvdz-jkfit"] = "cc-pvdz-jkfit",
    };

    /// <summary>
    /// Psi4's JK fitting sets for the shipped orbital bases (its DF_BASIS_SCF defaults, as Psi4 1.3.2 picks them):
    /// def2-universal-jkfit (Weigend 2008; Psi4's def2-svp-jkfit and, up to Kr, def2-tzvp-jkfit) for the def2 sets and
    /// STO-3G, cc-pvdz-jkfit for cc-pVDZ and the 6-31G family.
    /// </summary>
    private static readonly Dictionary<string, string> Fitting = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sto-3g"] = "def2-universal-jkfit", ["def2-svp"] = "def2-universal-jkfit", ["def2-tzvp"] = "def2-universal-jkfit",
        ["6-31g"] = "cc-pvdz-jkfit", ["6-31g*"] = "cc-pvdz-jkfit", ["6-31g(d)"] = "cc-pvdz-jkfit", ["6-31gs"] = "cc-pvdz-jkfit",
        ["6-31g**"] = "cc-pvdz-jkfit", ["6-31g(d,p)"] = "cc-pvdz-jkfit", ["6-31gss"] = "cc-pvdz-jkfit", ["cc-pvdz"] = "cc-pvdz-jkfit",
    };

    /// <summary>The fitting set density-fitted J/K use with an orbital basis by default (Psi4's choice).</summary>
    /// <exception cref="ArgumentException">No fitting set is known for the basis (a file, or a fitting set itself): the message names the shipped ones.</exception>
    public static string FittingSetFor(string basisName)
    {
        ArgumentNullException.ThrowIfNull(basisName);
        return Fitting.TryGetValue(basisName.Trim(), out string? f) ? f
            : throw new ArgumentException($"No fitting set is known for the basis '{basisName}'; give one (qex energy --aux-basis NAME|FILE, HartreeFockOptions.FittingBasis; shipped: def2-universal-jkfit, cc-pvdz-jkfit). "
                + $"The defaults: {string.Join(", ", Fitting.GroupBy(kv => kv.Value).Select(g => $"{g.Key} for {string.Join(" ", g.Select(kv => kv.Key))}"))}.");
    }

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
