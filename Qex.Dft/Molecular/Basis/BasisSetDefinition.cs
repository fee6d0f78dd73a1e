using System.Collections.Immutable;
using System.Globalization;

namespace Qex.Dft.Molecular.Basis;

/// <summary>
/// One contracted shell of an element's basis as a file gives it: angular momentum, primitive exponents and the
/// contraction coefficients (which refer to normalised primitives).
/// </summary>
/// <param name="AngularMomentum">L (0 = s, 1 = p, ...).</param>
/// <param name="Exponents">Primitive exponents (Bohr^-2).</param>
/// <param name="Coefficients">Contraction coefficients of normalised primitives.</param>
public sealed record ShellDefinition(int AngularMomentum, ImmutableArray<double> Exponents, ImmutableArray<double> Coefficients);

/// <summary>A named basis set: per element, its shells; and whether d and higher shells are spherical (pure).</summary>
public sealed class BasisSetDefinition
{
    /// <summary>Creates a definition.</summary>
    public BasisSetDefinition(string name, bool pure, IReadOnlyDictionary<int, IReadOnlyList<ShellDefinition>> shells)
    {
        Name = name;
        Pure = pure;
        Shells = shells;
    }

    /// <summary>The basis set's name.</summary>
    public string Name { get; }

    /// <summary>True for spherical (pure) shells, false for cartesian ones.</summary>
    public bool Pure { get; }

    /// <summary>Shells by atomic number.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<ShellDefinition>> Shells { get; }

    /// <summary>The shells of an element.</summary>
    /// <exception cref="ArgumentException">The basis set has no functions for the element.</exception>
    public IReadOnlyList<ShellDefinition> For(int atomicNumber) => Shells.TryGetValue(atomicNumber, out var s) ? s
        : throw new ArgumentException($"Basis set '{Name}' has no functions for {Elements.Symbol(atomicNumber)}; it covers {string.Join(" ", Shells.Keys.Order().Select(Elements.Symbol))}.");
}

/// <summary>Reads Gaussian94 (.gbs) basis set files, the format of Psi4's and the Basis Set Exchange's files.</summary>
public static class GaussianBasisParser
{
    private const string ShellLetters = "SPDFGHI";

    /// <summary>
    /// Parses a .gbs text: an optional "spherical"/"cartesian" header (default cartesian), '!' comments, element blocks
    /// ("Sym 0", shells "L nprim scale" with "exponent coefficient" lines, SP shells with two coefficients) separated
    /// by "****". Exponents are multiplied by scale^2; Fortran "D" exponents are accepted. Elements beyond Kr are
/// skipped, as is a trailing effective-core-potential section (def2 files have one for Rb and heavier).
    /// </summary>
    /// <exception cref="FormatException">Malformed shells or numbers (with the line number).</exception>
    public static BasisSetDefinition Parse(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        bool pure = false;
        var shells = new Dictionary<int, IReadOnlyList<ShellDefinition>>();
        int i = 0;
        string Clean(string l) { int c = l.IndexOf('!', StringComparison.Ordinal); return (c >= 0 ? l[..c] : l).Trim(); }
        while (i < lines.Length)
        {
            string l = Clean(lines[i]);
            if (l.Length == 0 || l == "****") { i++; continue; }
            if (l.Equals("spherical", StringComparison.OrdinalIgnoreCase)) { pure = true; i++; continue; }
            if (l.Equals("cartesian", StringComparison.OrdinalIgnoreCase)) { pure = false; i++; continue; }
            // element header
            var head = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (head.Length != 2 || head[1] != "0") throw new FormatException($"{name} line {i + 1}: expected an element header like 'H 0', got '{l}'.");
            int z = -1;
            try { z = Elements.AtomicNumber(head[0]); } catch (ArgumentException) { }
            int headerLine = i;
            i++;
            var list = new List<ShellDefinition>();
            while (i < lines.Length && Clean(lines[i]) != "****")
            {
                string sl = Clean(lines[i]);
                if (sl.Length == 0) { i++; continue; }
                var f = sl.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 2 && f[1] == "0" && !ShellLetters.Contains(f[0].ToUpperInvariant(), StringComparison.Ordinal) && f[0].ToUpperInvariant() != "SP")
                    throw new FormatException($"{name} line {i + 1}: '{sl}' looks like the next element's header; the '****' line that ends the block of line {headerLine + 1} is missing.");
                if (f.Length < 2 || !int.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
                    throw new FormatException($"{name} line {i + 1}: expected a shell header like 'S 3 1.00', got '{sl}'.");
                if (i + n >= lines.Length) throw new FormatException($"{name}: the shell at line {i + 1} announces {n} primitives but the file ends after {lines.Length - i - 1} more lines.");
                double scale = f.Length > 2 ? Number(f[2], name, i) : 1.0;
                if (!(scale > 0)) throw new FormatException($"{name} line {i + 1}: the scale factor must be positive; got {f[2]}.");
                string type = f[0].ToUpperInvariant();
                if (type.EndsWith("-ECP", StringComparison.Ordinal))
                {
                    // an effective-core-potential section (def2 files put them after all basis blocks, for Rb and
                    // heavier): Qex covers H to Kr, all-electron, so the rest of the file is not needed
                    if (z > 0) throw new FormatException($"{name} line {i + 1}: an effective core potential for {Elements.Symbol(z)} is not supported.");
                    i = lines.Length;
                    break;
                }
                bool sp = type == "SP";
                if (!sp && (type.Length != 1 || !ShellLetters.Contains(type[0], StringComparison.Ordinal)))
                    throw new FormatException($"{name} line {i + 1}: unknown shell type '{f[0]}' (S, P, SP, D, F, G, H, I).");
                var exps = new double[n];
                var c1 = new double[n];
                var c2 = new double[n];
                for (int k = 0; k < n; k++)
                {
                    int li = i + 1 + k;
                    if (li >= lines.Length) throw new FormatException($"{name}: shell at line {i + 1} ends early.");
                    var p = Clean(lines[li]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (p.Length < (sp ? 3 : 2)) throw new FormatException($"{name} line {li + 1}: expected 'exponent coefficient{(sp ? " coefficient" : "")}'.");
                    exps[k] = Number(p[0], name, li) * scale * scale;
                    if (!(exps[k] > 0) || !double.IsFinite(exps[k])) throw new FormatException($"{name} line {li + 1}: exponent '{p[0]}' must be a positive number.");
                    c1[k] = Number(p[1], name, li);
                    if (sp) c2[k] = Number(p[2], name, li);
                }
                if (sp)
                {
                    list.Add(new ShellDefinition(0, [.. exps], [.. c1]));
                    list.Add(new ShellDefinition(1, [.. exps], [.. c2]));
                }
                else
                {
                    int lq = ShellLetters.IndexOf(type[0], StringComparison.Ordinal);
                    list.Add(new ShellDefinition(lq, [.. exps], [.. c1]));
                }
                if (c1.All(c => c == 0) && (!sp || c2.All(c => c == 0)))
                    throw new FormatException($"{name} line {i + 1}: every contraction coefficient of the shell is zero.");
                i += n + 1;
            }
            if (list.Count == 0 && z > 0) throw new FormatException($"{name} line {headerLine + 1}: the block of {head[0]} has no shells.");
            if (z > 0 && !shells.ContainsKey(z)) shells[z] = list;
        }
        if (shells.Count == 0) throw new FormatException($"{name}: no element blocks found (is this a Gaussian94 .gbs file?).");
        return new BasisSetDefinition(name, pure, shells);
    }

    private static double Number(string s, string name, int line) =>
        double.TryParse(s.Replace('D', 'E').Replace('d', 'e'), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
        : throw new FormatException($"{name} line {line + 1}: '{s}' is not a number.");
}
