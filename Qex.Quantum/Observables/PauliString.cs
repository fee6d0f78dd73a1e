namespace Qex.Quantum.Observables;

/// <summary>
/// A tensor product of Pauli operators on some qubits (identity elsewhere), e.g. Z on qubit 0 and X on qubit 2.
/// Acts on basis state |j&gt; as <c>P|j&gt; = i^{nY} (-1)^{popcount(j AND zmask)} |j XOR xmask&gt;</c>.
/// </summary>
public sealed class PauliString
{
    private readonly SortedDictionary<int, char> _ops;

    /// <summary>A Pauli string from (qubit, 'X'|'Y'|'Z'|'I') pairs.</summary>
    /// <exception cref="ArgumentException">A letter other than I, X, Y, Z, a negative or repeated qubit.</exception>
    public PauliString(IEnumerable<(int Qubit, char Pauli)> ops)
    {
        _ops = [];
        foreach (var (q, p) in ops)
        {
            char c = char.ToUpperInvariant(p);
            if (c is not ('I' or 'X' or 'Y' or 'Z')) throw new ArgumentException($"Unknown Pauli operator '{p}' (use I, X, Y or Z).");
            if (q < 0) throw new ArgumentException($"Qubit index {q} is negative.");
            if (_ops.ContainsKey(q)) throw new ArgumentException($"Qubit {q} appears twice in a Pauli string.");
            if (c != 'I') _ops[q] = c;
        }
    }

    /// <summary>A positional Pauli string: character i acts on qubit i ("ZIX" = Z0 X2).</summary>
    public static PauliString Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new PauliString(text.Trim().Select((c, i) => (i, c)));
    }

    /// <summary>Z on one qubit.</summary>
    public static PauliString Z(int qubit) => new([(qubit, 'Z')]);

    /// <summary>The non-identity factors, by qubit.</summary>
    public IReadOnlyDictionary<int, char> Operators => _ops;

    /// <summary>The largest qubit index used (-1 for the identity).</summary>
    public int MaxQubit => _ops.Count == 0 ? -1 : _ops.Keys.Max();

    /// <summary>True when only I and Z appear (the operator is diagonal in the computational basis).</summary>
    public bool IsDiagonal => _ops.Values.All(c => c == 'Z');

    /// <summary>The bit masks on an n-qubit index: x (X or Y) and z (Z or Y), and the number of Y factors.</summary>
    internal (long XMask, long ZMask, int YCount) Masks(int qubitCount)
    {
        long x = 0, z = 0;
        int y = 0;
        foreach (var (q, c) in _ops)
        {
            long bit = 1L << (qubitCount - 1 - q);
            if (c is 'X' or 'Y') x |= bit;
            if (c is 'Z' or 'Y') z |= bit;
            if (c == 'Y') y++;
        }
        return (x, z, y);
    }

    /// <inheritdoc />
    public override string ToString() => _ops.Count == 0 ? "I" : string.Join(" ", _ops.Select(kv => $"{kv.Value}{kv.Key}"));
}

/// <summary>A real-weighted sum of Pauli strings (a Hermitian observable).</summary>
public sealed class Observable
{
    /// <summary>Creates an observable from weighted terms.</summary>
    public Observable(IEnumerable<(double Weight, PauliString Term)> terms)
    {
        Terms = [.. terms];
        if (Terms.Count == 0) throw new ArgumentException("An observable needs at least one term.");
        foreach (var (w, _) in Terms) if (!double.IsFinite(w)) throw new ArgumentException($"Observable weight {w} is not finite.");
    }

    /// <summary>The terms.</summary>
    public IReadOnlyList<(double Weight, PauliString Term)> Terms { get; }

    /// <summary>The largest qubit index used.</summary>
    public int MaxQubit => Terms.Max(t => t.Term.MaxQubit);

    /// <summary>True when every term is diagonal in the computational basis.</summary>
    public bool IsDiagonal => Terms.All(t => t.Term.IsDiagonal);

    /// <summary>Total magnetisation <c>sum_i Z_i</c> on <paramref name="qubitCount"/> qubits (values in [-n, n]).</summary>
    public static Observable TotalMagnetisation(int qubitCount) =>
        new(Enumerable.Range(0, qubitCount).Select(q => (1.0, PauliString.Z(q))));

    /// <summary>One Pauli string with weight 1.</summary>
    public static Observable Of(PauliString term) => new([(1.0, term)]);

    /// <summary>
    /// Parses "0.5*Z0 Z1 + X2 - 2*Y0": terms separated by + or -, each an optional weight and '*', then factors
    /// like Z0 (letter then qubit index), separated by spaces.
    /// </summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static Observable Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<(double, PauliString)>();
        string s = text.Replace(" - ", " + -", StringComparison.Ordinal).Trim();
        foreach (string raw in s.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            double w = 1;
            string body = raw;
            int star = raw.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0)
            {
                string ws = raw[..star].Trim();
                if (ws == "-") w = -1;
                else if (!double.TryParse(ws, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out w))
                    throw new FormatException($"Observable '{text}': '{ws}' is not a number.");
                body = raw[(star + 1)..];
            }
            else if (body.StartsWith('-')) { w = -1; body = body[1..]; }
            var ops = new List<(int, char)>();
            foreach (string f in body.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (f.Length < 2 || !int.TryParse(f[1..], System.Globalization.CultureInfo.InvariantCulture, out int q))
                    throw new FormatException($"Observable '{text}': factor '{f}' is not a Pauli letter followed by a qubit index (like Z0).");
                ops.Add((q, f[0]));
            }
            if (ops.Count == 0) throw new FormatException($"Observable '{text}': empty term.");
            terms.Add((w, new PauliString(ops)));
        }
        return new Observable(terms);
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(" + ", Terms.Select(t => $"{t.Weight}*{t.Term}"));
}
