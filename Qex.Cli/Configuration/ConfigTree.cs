using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Qex.Cli.Configuration;

/// <summary>
/// A configuration as a tree of string-keyed maps, lists and scalars, validated against the default tree: a key that
/// the defaults do not have is an error that names the key and the keys that exist at that level.
/// </summary>
public sealed class ConfigTree
{
    private readonly Dictionary<string, object?> _root;

    private ConfigTree(Dictionary<string, object?> root) => _root = root;

    /// <summary>The defaults, overlaid with a YAML document (may be null or empty) and key=value overrides.</summary>
    /// <exception cref="ArgumentException">Unknown keys, malformed YAML or overrides (the message says which).</exception>
    public static ConfigTree Build(string defaultsYaml, string? yaml, IEnumerable<string> overrides)
    {
        var defaults = Parse(defaultsYaml, "the built-in defaults") as Dictionary<string, object?> ?? [];
        var root = Clone(defaults);
        if (!string.IsNullOrWhiteSpace(yaml))
        {
            var user = Parse(yaml, "the config file");
            if (user is not null)
            {
                if (user is not Dictionary<string, object?> map) throw new ArgumentException("The config file must be a mapping of keys to values.");
                Merge(root, defaults, map, "");
            }
        }
        foreach (string o in overrides)
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"Override '{o}' is not of the form key.path=value.");
            string path = o[..eq].Trim();
            object? value = Parse(o[(eq + 1)..], $"the value of --set {path}");
            Set(root, defaults, path, value);
        }
        return new ConfigTree(root);
    }

    /// <summary>
    /// The top-level <c>kind</c> of a config document and overrides (a <c>--set kind=...</c> wins), or null when neither
    /// says: which default tree the document is checked against.
    /// </summary>
    /// <exception cref="ArgumentException">Malformed YAML.</exception>
    public static string? Kind(string? yaml, IEnumerable<string> overrides)
    {
        string? kind = null;
        if (!string.IsNullOrWhiteSpace(yaml) && Parse(yaml, "the config file") is Dictionary<string, object?> map && map.TryGetValue("kind", out var k) && k is not null)
            kind = Convert.ToString(k, CultureInfo.InvariantCulture);
        foreach (string o in overrides ?? [])
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && o[..eq].Trim() == "kind") kind = o[(eq + 1)..].Trim();
        }
        return kind?.Trim().ToLowerInvariant();
    }

    /// <summary>The largest config document read (characters).</summary>
    public const int MaxDocumentLength = 1 << 20;

    /// <summary>The deepest nesting of mappings and lists accepted.</summary>
    public const int MaxDepth = 32;

    /// <summary>The most nodes (scalars, mappings, lists) a config document may have.</summary>
    public const int MaxNodes = 100_000;

    private static object? Parse(string yaml, string what)
    {
        if (yaml.Length > MaxDocumentLength)
            throw new ArgumentException($"{Capitalise(what)} is {yaml.Length} characters long; a Qex config is at most {MaxDocumentLength} characters.");
        try
        {
            CheckStructure(yaml, what);
            var raw = new DeserializerBuilder().WithDuplicateKeyChecking().Build().Deserialize<object?>(yaml);
            return Normalize(raw);
        }
        catch (YamlException e)
        {
            string message = e.InnerException is { } inner && e.Message.Contains("Exception during deserialization", StringComparison.Ordinal) ? inner.Message : e.Message;
            throw new ArgumentException($"Could not parse {what}: {message}", e);
        }
    }

    /// <summary>
    /// Walks the YAML events before anything is built: anchors and aliases are refused (an alias bomb expands a
    /// few hundred bytes into gigabytes), and so are nesting deeper than <see cref="MaxDepth"/> and more than
    /// <see cref="MaxNodes"/> nodes.
    /// </summary>
    private static void CheckStructure(string yaml, string what)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0, nodes = 0, documents = 0;
        while (parser.MoveNext())
        {
            var ev = parser.Current;
            switch (ev)
            {
                case AnchorAlias alias:
                    throw new ArgumentException($"Could not parse {what}: YAML aliases (*{alias.Value}) are not supported in Qex configs (line {alias.Start.Line}); write the values out.");
                case NodeEvent node when !node.Anchor.IsEmpty:
                    throw new ArgumentException($"Could not parse {what}: YAML anchors (&{node.Anchor}) are not supported in Qex configs (line {node.Start.Line}); write the values out.");
                case DocumentStart:
                    if (++documents > 1) throw new ArgumentException($"Could not parse {what}: it holds more than one YAML document (line {ev.Start.Line}).");
                    break;
            }
            if (ev is MappingStart or SequenceStart)
            {
                if (++depth > MaxDepth) throw new ArgumentException($"Could not parse {what}: nesting deeper than {MaxDepth} levels (line {ev.Start.Line}).");
            }
            else if (ev is MappingEnd or SequenceEnd) depth--;
            if (ev is NodeEvent && ++nodes > MaxNodes) throw new ArgumentException($"Could not parse {what}: more than {MaxNodes} values.");
        }
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static object? Normalize(object? o) => o switch
    {
        IDictionary<object, object?> d => d.ToDictionary(kv => Convert.ToString(kv.Key, CultureInfo.InvariantCulture)!, kv => Normalize(kv.Value)),
        IList<object?> l => l.Select(Normalize).ToList(),
        string s when s is "null" or "~" => null,
        _ => o,
    };

    private static Dictionary<string, object?> Clone(Dictionary<string, object?> d) =>
        d.ToDictionary(kv => kv.Key, kv => kv.Value is Dictionary<string, object?> m ? Clone(m) : kv.Value);

    private static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> schema, Dictionary<string, object?> source, string prefix)
    {
        foreach (var (key, value) in source)
        {
            string path = prefix.Length == 0 ? key : prefix + "." + key;
            if (!schema.TryGetValue(key, out var sub))
                throw new ArgumentException($"Config key '{path}' does not exist; keys{(prefix.Length == 0 ? "" : $" under '{prefix}'")} are: {string.Join(", ", schema.Keys)}.");
            if (sub is Dictionary<string, object?> subSchema)
            {
                if (value is not Dictionary<string, object?> subSource)
                    throw new ArgumentException($"Config key '{path}' must be a mapping (with keys {string.Join(", ", subSchema.Keys)}).");
                Merge((Dictionary<string, object?>)target[key]!, subSchema, subSource, path);
            }
            else target[key] = value;
        }
    }

    private static void Set(Dictionary<string, object?> root, Dictionary<string, object?> schema, string path, object? value)
    {
        var parts = path.Split('.');
        var node = root;
        var sch = schema;
        for (int i = 0; i < parts.Length; i++)
        {
            string prefix = string.Join('.', parts[..i]);
            if (!sch.TryGetValue(parts[i], out var sub))
                throw new ArgumentException($"Config key '{path}' does not exist; keys{(i == 0 ? "" : $" under '{prefix}'")} are: {string.Join(", ", sch.Keys)}.");
            if (i == parts.Length - 1)
            {
                if (sub is Dictionary<string, object?> subSection)
                {
                    if (value is not Dictionary<string, object?> map)
                        throw new ArgumentException($"Config key '{path}' is a section; set one of its keys ({string.Join(", ", subSection.Keys)}).");
                    Merge((Dictionary<string, object?>)node[parts[i]]!, subSection, map, path);
                    return;
                }
                node[parts[i]] = value;
                return;
            }
            if (sub is not Dictionary<string, object?> subSchema)
                throw new ArgumentException($"Config key '{string.Join('.', parts[..(i + 1)])}' is a value, not a section.");
            sch = subSchema;
            node = (Dictionary<string, object?>)node[parts[i]]!;
        }
    }

    /// <summary>The value at a dotted path (null when null).</summary>
    public object? Get(string path)
    {
        object? node = _root;
        foreach (string p in path.Split('.'))
            node = node is Dictionary<string, object?> d && d.TryGetValue(p, out var v) ? v : throw new KeyNotFoundException($"Config key '{path}' does not exist.");
        return node;
    }

    /// <summary>A string value (null stays null).</summary>
    public string? GetString(string path) => Get(path) is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    /// <summary>A number.</summary>
    /// <exception cref="ArgumentException">Not a number.</exception>
    public double GetDouble(string path) =>
        double.TryParse(GetString(path), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
        : throw new ArgumentException($"Config key '{path}' must be a number; got '{GetString(path)}'.");

    /// <summary>An integer.</summary>
    /// <exception cref="ArgumentException">Not an integer.</exception>
    public int GetInt(string path) =>
        int.TryParse(GetString(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i
        : throw new ArgumentException($"Config key '{path}' must be an integer; got '{GetString(path)}'.");

    /// <summary>A 64-bit integer (seeds).</summary>
    /// <exception cref="ArgumentException">Not an integer.</exception>
    public long GetLong(string path) =>
        long.TryParse(GetString(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out long i) ? i
        : throw new ArgumentException($"Config key '{path}' must be an integer; got '{GetString(path)}'.");

    /// <summary>A boolean.</summary>
    /// <exception cref="ArgumentException">Not true/false.</exception>
    public bool GetBool(string path) =>
        bool.TryParse(GetString(path), out bool b) ? b : throw new ArgumentException($"Config key '{path}' must be true or false; got '{GetString(path)}'.");

    /// <summary>A list of mappings (e.g. data.train).</summary>
    /// <exception cref="ArgumentException">Not a list of mappings.</exception>
    public IReadOnlyList<Dictionary<string, object?>> GetMaps(string path) => Get(path) switch
    {
        List<object?> l when l.All(x => x is Dictionary<string, object?>) => l.Cast<Dictionary<string, object?>>().ToList(),
        null => [],
        _ => throw new ArgumentException($"Config key '{path}' must be a list of mappings like {{dataset: h2, split: test}}."),
    };

    /// <summary>The whole tree as YAML (for reports).</summary>
    public string ToYaml() => new SerializerBuilder().Build().Serialize(_root);

    /// <summary>The whole tree (for JSON reports).</summary>
    public IReadOnlyDictionary<string, object?> Root => _root;
}
