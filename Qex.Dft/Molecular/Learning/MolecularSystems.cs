using System.Globalization;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// The named geometry scans of molecular training and reference data, one parameter R in Angstrom each:
/// <c>h2</c> (bond R along z), <c>h4-chain</c> (four H on z, spacing R), <c>h4-square</c> (a square of side R),
/// <c>h2-h2</c> (two parallel H2 of bond 0.74 along z, centres R apart along x), <c>lih</c> (bond R), <c>h2o</c>
/// (both O-H bonds R, angle 104.5 degrees), or a path to an XYZ file (one geometry; R is not used).
/// </summary>
public static class MolecularSystems
{
    /// <summary>The named systems.</summary>
    public static IReadOnlyList<string> Names { get; } = ["h2", "h4-chain", "h4-square", "h2-h2", "lih", "h2o"];

    /// <summary>True when <paramref name="system"/> is a file rather than a named scan.</summary>
    public static bool IsFile(string system) => system.EndsWith(".xyz", StringComparison.OrdinalIgnoreCase);

    /// <summary>The geometry of <paramref name="system"/> at R = <paramref name="r"/> Angstrom.</summary>
    /// <exception cref="ArgumentException">An unknown system (the message lists the names) or a distance that is not positive and finite.</exception>
    public static Molecule Create(string system, double r)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (IsFile(system))
        {
            if (!File.Exists(system)) throw new FileNotFoundException($"Geometry file '{system}' does not exist.", system);
            var (charge, multiplicity) = Molecule.ParseXyzComment(File.ReadAllText(system));
            return Molecule.ParseXyz(File.ReadAllText(system), charge ?? 0, multiplicity ?? 1);
        }
        if (!(r > 0) || !double.IsFinite(r) || r > 100)
            throw new ArgumentException(FormattableString.Invariant($"The distance of system '{system}' must be positive and at most 100 Angstrom; got {r}."));
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        string geometry = system switch
        {
            "h2" => $"H 0 0 0\nH 0 0 {F(r)}",
            "h4-chain" => $"H 0 0 0\nH 0 0 {F(r)}\nH 0 0 {F(2 * r)}\nH 0 0 {F(3 * r)}",
            "h4-square" => $"H 0 0 0\nH {F(r)} 0 0\nH 0 {F(r)} 0\nH {F(r)} {F(r)} 0",
            "h2-h2" => $"H 0 0 -0.37\nH 0 0 0.37\nH {F(r)} 0 -0.37\nH {F(r)} 0 0.37",
            "lih" => $"Li 0 0 0\nH 0 0 {F(r)}",
            "h2o" => Water(r),
            _ => throw new ArgumentException($"Unknown system '{system}'; known: {string.Join(", ", Names)}, or a path to an .xyz file."),
        };
        return Molecule.ParseGeometry(geometry);
    }

    private static string Water(double r)
    {
        double half = 104.5 / 2 * Math.PI / 180;
        string y = (r * Math.Sin(half)).ToString("R", CultureInfo.InvariantCulture), z = (-r * Math.Cos(half)).ToString("R", CultureInfo.InvariantCulture);
        return $"O 0 0 0\nH 0 {y} {z}\nH 0 -{y} {z}";
    }
}
