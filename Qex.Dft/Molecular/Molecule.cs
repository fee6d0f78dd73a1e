using System.Globalization;
using Qex.Core.Units;

namespace Qex.Dft.Molecular;

/// <summary>An atom: atomic number and position in Bohr.</summary>
/// <param name="AtomicNumber">Atomic number (nuclear charge).</param>
/// <param name="X">x (Bohr).</param>
/// <param name="Y">y (Bohr).</param>
/// <param name="Z">z (Bohr).</param>
public sealed record Atom(int AtomicNumber, double X, double Y, double Z)
{
    /// <summary>The element symbol.</summary>
    public string Symbol => Elements.Symbol(AtomicNumber);
}

/// <summary>
/// A molecule: atoms (positions in Bohr), total charge and spin multiplicity 2S + 1. Immutable; the constructor checks
/// that the charge and multiplicity are possible for the number of electrons.
/// </summary>
public sealed class Molecule
{
    /// <summary>Creates a molecule.</summary>
    /// <exception cref="ArgumentException">No atoms, or an impossible charge/multiplicity combination (the message says why).</exception>
    public Molecule(IEnumerable<Atom> atoms, int charge = 0, int multiplicity = 1)
    {
        Atoms = [.. atoms];
        if (Atoms.Count == 0) throw new ArgumentException("A molecule needs at least one atom.");
        for (int a = 0; a < Atoms.Count; a++)
        {
            var p = Atoms[a];
            foreach (double x in new[] { p.X, p.Y, p.Z })
                if (!double.IsFinite(x) || Math.Abs(x) > MaxCoordinate)
                    throw new ArgumentException($"Atom {a + 1} ({p.Symbol}) has a coordinate of {x} Bohr; coordinates must be finite and within +-{MaxCoordinate} Bohr.");
            for (int b = 0; b < a; b++)
            {
                var q = Atoms[b];
                double r = Math.Sqrt((p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y) + (p.Z - q.Z) * (p.Z - q.Z));
                if (r < MinDistance)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"Atoms {b + 1} ({q.Symbol}) and {a + 1} ({p.Symbol}) are {r * PhysicalConstants.BohrInAngstrom:G3} Angstrom apart; nuclei closer than {MinDistance * PhysicalConstants.BohrInAngstrom:G2} Angstrom are not a molecule (a duplicated line, or Bohr coordinates read as Angstrom?)."));
            }
        }
        Charge = charge;
        Multiplicity = multiplicity;
        int electrons = Atoms.Sum(a => a.AtomicNumber) - charge;
        if (electrons < 1) throw new ArgumentException($"Charge {charge} leaves {electrons} electrons (nuclear charge {Atoms.Sum(a => a.AtomicNumber)}); a calculation needs at least one.");
        if (multiplicity < 1) throw new ArgumentException($"Multiplicity must be at least 1; got {multiplicity}.");
        int unpaired = multiplicity - 1;
        if (unpaired > electrons) throw new ArgumentException($"Multiplicity {multiplicity} needs {unpaired} unpaired electrons, but there are only {electrons}.");
        if ((electrons - unpaired) % 2 != 0)
            throw new ArgumentException($"{electrons} electrons cannot have multiplicity {multiplicity}: an {(electrons % 2 == 0 ? "even" : "odd")} electron count needs an {(electrons % 2 == 0 ? "odd" : "even")} multiplicity.");
        ElectronCount = electrons;
    }

    /// <summary>The smallest distance between two nuclei accepted (Bohr; about 0.05 Angstrom).</summary>
    public const double MinDistance = 0.1;

    /// <summary>The largest coordinate accepted (Bohr).</summary>
    public const double MaxCoordinate = 1e5;

    /// <summary>The atoms.</summary>
    public IReadOnlyList<Atom> Atoms { get; }

    /// <summary>Total charge.</summary>
    public int Charge { get; }

    /// <summary>Spin multiplicity 2S + 1.</summary>
    public int Multiplicity { get; }

    /// <summary>Number of electrons.</summary>
    public int ElectronCount { get; }

    /// <summary>Alpha electrons.</summary>
    public int AlphaCount => (ElectronCount + Multiplicity - 1) / 2;

    /// <summary>Beta electrons.</summary>
    public int BetaCount => ElectronCount - AlphaCount;

    /// <summary>The nuclear repulsion energy sum_{A&lt;B} Z_A Z_B / R_AB (Hartree).</summary>
    /// <exception cref="InvalidOperationException">Two atoms at the same position.</exception>
    public double NuclearRepulsion()
    {
        double e = 0;
        for (int a = 0; a < Atoms.Count; a++)
            for (int b = 0; b < a; b++)
            {
                var (p, q) = (Atoms[a], Atoms[b]);
                double r = Math.Sqrt((p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y) + (p.Z - q.Z) * (p.Z - q.Z));
                if (r < 1e-8) throw new InvalidOperationException($"Atoms {b + 1} ({q.Symbol}) and {a + 1} ({p.Symbol}) are at the same position.");
                e += p.AtomicNumber * q.AtomicNumber / r;
            }
        return e;
    }

    /// <summary>
    /// Parses an XYZ file's text: the atom count, a comment line (may be empty), then one "symbol x y z" line per
    /// atom, in Angstrom.
    /// </summary>
    /// <exception cref="FormatException">Wrong counts, unknown elements, non-numeric coordinates (with the line number).</exception>
    public static Molecule ParseXyz(string text, int charge = 0, int multiplicity = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        int first = 0;
        while (first < lines.Length && lines[first].Trim().Length == 0) first++;
        if (first == lines.Length) throw new FormatException("XYZ: the file is empty.");
        if (!int.TryParse(lines[first].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new FormatException($"XYZ line {first + 1}: expected the number of atoms, got '{lines[first].Trim()}'.");
        var atomLines = lines.Skip(first + 2).Select((l, i) => (Text: l, Line: first + 3 + i)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (atomLines.Count != count)
            throw new FormatException($"XYZ: the header says {count} atoms but {atomLines.Count} atom lines follow the comment line.");
        return new Molecule(atomLines.Select(l => ParseAtom(l.Text, l.Line, 1 / PhysicalConstants.BohrInAngstrom)), charge, multiplicity);
    }

    /// <summary>
    /// Charge and multiplicity written in an XYZ comment line: <c>charge=1 multiplicity=2</c> (also <c>mult=</c>,
    /// <c>spin=</c> for 2S+1, <c>q=</c>, with '=' or ':'), or a line holding just the two integers
    /// <c>0 1</c>; null for values that are absent.
    /// </summary>
    /// <exception cref="FormatException">A keyword with a value that is not an integer.</exception>
    public static (int? Charge, int? Multiplicity) ParseXyzComment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        int first = 0;
        while (first < lines.Length && lines[first].Trim().Length == 0) first++;
        if (first + 1 >= lines.Length) return (null, null);
        string comment = lines[first + 1].Trim();
        var bare = comment.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (bare.Length == 2 && int.TryParse(bare[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int q0)
            && int.TryParse(bare[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m0))
            return (q0, m0);
        int? charge = null, multiplicity = null;
        var m = System.Text.RegularExpressions.Regex.Matches(comment, @"(?<![\w-])(charge|q|multiplicity|mult|spin)\s*[=:]\s*([+-]?\d+)(?![\w.])", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        foreach (System.Text.RegularExpressions.Match x in m)
        {
            string key = x.Groups[1].Value.ToLowerInvariant();
            if (!int.TryParse(x.Groups[2].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
                throw new FormatException($"XYZ comment line: '{x.Value}' does not give an integer {key}.");
            if (key is "charge" or "q") charge = v; else multiplicity = v;
        }
        return (charge, multiplicity);
    }

    /// <summary>
    /// Parses an inline geometry: "symbol x y z" entries separated by newlines or ';', in Angstrom (or Bohr when
    /// <paramref name="bohr"/> is true).
    /// </summary>
    /// <exception cref="FormatException">Unknown elements, non-numeric coordinates, no atoms.</exception>
    public static Molecule ParseGeometry(string geometry, int charge = 0, int multiplicity = 1, bool bohr = false)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var entries = geometry.Replace("\r", "", StringComparison.Ordinal).Split(['\n', ';'])
            .Select((l, i) => (Text: l, Line: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (entries.Count == 0) throw new FormatException("Geometry: no atoms.");
        double scale = bohr ? 1 : 1 / PhysicalConstants.BohrInAngstrom;
        return new Molecule(entries.Select(e => ParseAtom(e.Text, e.Line, scale)), charge, multiplicity);
    }

    private static Atom ParseAtom(string line, int lineNumber, double toBohr)
    {
        var f = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 4) throw new FormatException($"Line {lineNumber}: expected 'element x y z', got '{line.Trim()}'.");
        int z;
        try { z = int.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? (n is >= 1 and <= Elements.MaxAtomicNumber ? n : throw new ArgumentException($"Unknown element number {n} (Qex supports 1..36).")) : Elements.AtomicNumber(f[0]); }
        catch (ArgumentException e) { throw new FormatException($"Line {lineNumber}: {e.Message}", e); }
        var c = new double[3];
        for (int i = 0; i < 3; i++)
            if (!double.TryParse(f[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out c[i]) || !double.IsFinite(c[i]))
                throw new FormatException($"Line {lineNumber}: coordinate '{f[i + 1]}' is not a number.");
        return new Atom(z, c[0] * toBohr, c[1] * toBohr, c[2] * toBohr);
    }

    /// <summary>The geometry as "symbol x y z" lines in Angstrom.</summary>
    public string ToXyzBody() => string.Join('\n', Atoms.Select(a => string.Create(CultureInfo.InvariantCulture,
        $"{a.Symbol} {a.X * PhysicalConstants.BohrInAngstrom:F10} {a.Y * PhysicalConstants.BohrInAngstrom:F10} {a.Z * PhysicalConstants.BohrInAngstrom:F10}")));
}
