namespace Qex.Cli.Configuration;

/// <summary>Reads a config file (optional) into a <see cref="ConfigTree"/> over the built-in defaults, with --set overrides.</summary>
public static class ConfigFiles
{
    /// <summary>The tree of defaults, the file at <paramref name="path"/> (if any) and the overrides.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The file is too large, a folder, or not a valid config (the message names it).</exception>
    public static ConfigTree Build(string? path, IEnumerable<string> overrides) => Build(path, overrides, DefaultTrainingConfig.Yaml);

    /// <summary>The config kind of a file and overrides: "1d" (the default) or "molecular".</summary>
    /// <exception cref="ArgumentException">Another kind (the message lists both).</exception>
    public static string Kind(string? path, IEnumerable<string> overrides)
    {
        string? yaml = path is not null && File.Exists(path) && new FileInfo(path).Length <= ConfigTree.MaxDocumentLength ? File.ReadAllText(path) : null;
        string kind;
        try { kind = ConfigTree.Kind(yaml, overrides ?? []) ?? "1d"; }
        catch (ArgumentException e) when (path is not null) { throw new ArgumentException($"{path}: {e.Message}", e); }
        return kind is "1d" or "molecular" ? kind : throw new ArgumentException($"Config key 'kind' must be 1d or molecular; got '{kind}'.");
    }

    /// <summary>The tree of the molecular defaults, the file and the overrides.</summary>
    public static ConfigTree BuildMolecular(string? path, IEnumerable<string> overrides) => Build(path, overrides, DefaultTrainingConfig.MolecularYaml);

    private static ConfigTree Build(string? path, IEnumerable<string> overrides, string defaults)
    {
        string? yaml = null;
        if (path is not null)
        {
            if (Directory.Exists(path)) throw new ArgumentException($"Config '{path}' is a folder, not a YAML file.");
            if (!File.Exists(path)) throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
            long length = new FileInfo(path).Length;
            if (length > ConfigTree.MaxDocumentLength) throw new ArgumentException($"Config file '{path}' is {length} bytes; a Qex config is at most {ConfigTree.MaxDocumentLength} bytes.");
            yaml = File.ReadAllText(path);
        }
        try
        {
            return ConfigTree.Build(defaults, yaml, overrides ?? []);
        }
        catch (ArgumentException e) when (path is not null && !e.Message.Contains("--set", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{path}: {e.Message}", e);
        }
    }
}
