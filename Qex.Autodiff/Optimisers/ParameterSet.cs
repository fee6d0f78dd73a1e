using Qex.Core.Tensors;

namespace Qex.Autodiff.Optimisers;

/// <summary>A named parameter tensor.</summary>
/// <param name="Name">Dotted path, such as "conv1.weight".</param>
/// <param name="Value">The values.</param>
public sealed record NamedTensor(string Name, Tensor Value);

/// <summary>
/// An ordered, immutable set of named parameter tensors, with flattening to and from one vector for the
/// optimisers. Nested sets (dictionaries of tensors and dictionaries) flatten to dotted names in insertion order.
/// </summary>
public sealed class ParameterSet
{
    private readonly NamedTensor[] _items;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a set from named tensors (names must be unique).</summary>
    public ParameterSet(IEnumerable<NamedTensor> items)
    {
        _items = items.ToArray();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _items.Length; i++)
            if (!_index.TryAdd(_items[i].Name, i)) throw new ArgumentException($"Duplicate parameter name '{_items[i].Name}'.");
    }

    /// <summary>The tensors in order.</summary>
    public IReadOnlyList<NamedTensor> Items => _items;

    /// <summary>Total number of scalar parameters.</summary>
    public int TotalLength => _items.Sum(t => t.Value.Length);

    /// <summary>The tensor of a name.</summary>
    /// <exception cref="KeyNotFoundException">No such parameter (the message lists the names).</exception>
    public Tensor this[string name] => _index.TryGetValue(name, out int i)
        ? _items[i].Value
        : throw new KeyNotFoundException($"No parameter '{name}'; parameters are: {string.Join(", ", _index.Keys)}.");

    /// <summary>True when a parameter of this name exists.</summary>
    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>
    /// Flattens a tree whose values are <see cref="Tensor"/>s or nested
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/>s of the same kind.
    /// </summary>
    public static ParameterSet FromNested(IReadOnlyDictionary<string, object> tree)
    {
        var items = new List<NamedTensor>();
        void Walk(string prefix, IReadOnlyDictionary<string, object> node)
        {
            foreach (var (key, value) in node)
            {
                string name = prefix.Length == 0 ? key : prefix + "." + key;
                switch (value)
                {
                    case Tensor t: items.Add(new NamedTensor(name, t)); break;
                    case IReadOnlyDictionary<string, object> d: Walk(name, d); break;
                    default: throw new ArgumentException($"Parameter tree entry '{name}' is a {value?.GetType().Name ?? "null"}, not a Tensor or a dictionary.");
                }
            }
        }
        Walk("", tree);
        return new ParameterSet(items);
    }

    /// <summary>All values concatenated in order.</summary>
    public double[] Flatten()
    {
        var flat = new double[TotalLength];
        int off = 0;
        foreach (var t in _items)
        {
            t.Value.Span.CopyTo(flat.AsSpan(off));
            off += t.Value.Length;
        }
        return flat;
    }

    /// <summary>A set of the same names and shapes holding the values of <paramref name="flat"/>.</summary>
    /// <exception cref="ArgumentException">The vector's length differs from <see cref="TotalLength"/>.</exception>
    public ParameterSet Unflatten(ReadOnlySpan<double> flat)
    {
        if (flat.Length != TotalLength)
            throw new ArgumentException($"A flat vector of {flat.Length} values does not fit {TotalLength} parameters.");
        var items = new NamedTensor[_items.Length];
        int off = 0;
        for (int i = 0; i < _items.Length; i++)
        {
            var v = _items[i].Value;
            items[i] = new NamedTensor(_items[i].Name, Tensor.FromSpan(flat.Slice(off, v.Length), v.ShapeArray()));
            off += v.Length;
        }
        return new ParameterSet(items);
    }

    /// <summary>Differentiable leaves for every parameter, in order.</summary>
    public Var[] ToVars() => _items.Select(t => Var.Parameter(t.Value)).ToArray();

    /// <summary>Concatenates gradients (one per parameter, in order) into a flat vector.</summary>
    public double[] FlattenGradients(IReadOnlyList<Var> gradients)
    {
        if (gradients.Count != _items.Length)
            throw new ArgumentException($"{gradients.Count} gradients for {_items.Length} parameters.");
        var flat = new double[TotalLength];
        int off = 0;
        for (int i = 0; i < _items.Length; i++)
        {
            if (!gradients[i].Value.SameShape(_items[i].Value))
                throw new ArgumentException($"Gradient of '{_items[i].Name}' has shape {ShapeUtil.Format(gradients[i].Shape)}, expected {ShapeUtil.Format(_items[i].Value.Shape)}.");
            gradients[i].Value.Span.CopyTo(flat.AsSpan(off));
            off += gradients[i].Length;
        }
        return flat;
    }
}
