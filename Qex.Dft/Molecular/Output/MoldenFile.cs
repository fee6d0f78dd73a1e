using System.Globalization;
using System.Text;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Molecular.Output;

/// <summary>One set of molecular orbitals for a Molden file.</summary>
/// <param name="Coefficients">MO coefficients (basis functions x orbitals), in Qex's function order and normalisation.</param>
/// <param name="Energies">Orbital energies (Hartree).</param>
/// <param name="Occupations">Occupation of each orbital.</param>
/// <param name="Spin">"Alpha" or "Beta".</param>
public sealed record MoldenOrbitals(Tensor Coefficients, IReadOnlyList<double> Energies, IReadOnlyList<double> Occupations, string Spin = "Alpha");

/// <summary>
/// Writes orbitals in the Molden format (read by Jmol, Avogadro, IboView, Multiwfn): atoms in Bohr, the contracted basis
/// with coefficients of normalised primitives, [5D7F] for spherical sets, and the MO coefficients in Molden's function
/// order (cartesian d: xx yy zz xy xz yz; f: xxx yyy zzz xyy xxy xxz xzz yzz yyz xyz; spherical: m = 0, +1, -1, +2, -2, ...),
/// cartesian components scaled to Molden's convention of one normalisation per shell (that of x^L).
/// </summary>
public static class MoldenFile
{
    private static readonly (int, int, int)[][] CartesianOrder =
    [
        [(0, 0, 0)],
        [(1, 0, 0), (0, 1, 0), (0, 0, 1)],
        [(2, 0, 0), (0, 2, 0), (0, 0, 2), (1, 1, 0), (1, 0, 1), (0, 1, 1)],
        [(3, 0, 0), (0, 3, 0), (0, 0, 3), (1, 2, 0), (2, 1, 0), (2, 0, 1), (1, 0, 2), (0, 1, 2), (0, 2, 1), (1, 1, 1)],
    ];

    /// <summary>The Molden text for a molecule, its basis and one or two (alpha, beta) orbital sets.</summary>
    /// <exception cref="ArgumentException">Coefficients that do not match the basis, or shells beyond f.</exception>
    public static string Format(Molecule molecule, BasisSet basis, IReadOnlyList<MoldenOrbitals> orbitals)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(orbitals);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("[Molden Format]");
        sb.AppendLine("[Title]");
        sb.AppendLine(ci, $"Qex, basis {basis.Name}");
        sb.AppendLine("[Atoms] AU");
        for (int a = 0; a < molecule.Atoms.Count; a++)
        {
            var at = molecule.Atoms[a];
            sb.AppendLine(ci, $"{at.Symbol,-3} {a + 1,4} {at.AtomicNumber,4} {at.X,20:F12} {at.Y,20:F12} {at.Z,20:F12}");
        }
        sb.AppendLine("[GTO]");
        for (int a = 0; a < molecule.Atoms.Count; a++)
        {
            sb.AppendLine(ci, $"{a + 1,4} 0");
            foreach (var sh in basis.Shells.Where(s => s.Atom == a))
            {
                if (sh.AngularMomentum > 3) throw new ArgumentException($"Molden output supports shells up to f; this basis has L = {sh.AngularMomentum}.");
                sb.AppendLine(ci, $" {"spdf"[sh.AngularMomentum]} {sh.Exponents.Length,4} 1.00");
                for (int p = 0; p < sh.Exponents.Length; p++)
                    sb.AppendLine(ci, $"{sh.Exponents[p],22:E14} {sh.Coefficients[p] / BasisSet.PrimitiveNorm(sh.AngularMomentum, sh.Exponents[p]),22:E14}");
            }
            sb.AppendLine();
        }
        bool pureD = basis.Shells.Any(s => s.AngularMomentum == 2 && s.Pure), pureF = basis.Shells.Any(s => s.AngularMomentum == 3 && s.Pure);
        if (pureD && pureF) sb.AppendLine("[5D7F]");
        else if (pureD) sb.AppendLine("[5D10F]");
        else if (pureF) sb.AppendLine("[7F]");
        sb.AppendLine("[MO]");
        int n = basis.FunctionCount;
        foreach (var set in orbitals)
        {
            if (set.Coefficients.Dim(0) != n) throw new ArgumentException($"Orbital coefficients have {set.Coefficients.Dim(0)} rows for {n} basis functions.");
            int m = set.Coefficients.Dim(1);
            if (set.Energies.Count != m || set.Occupations.Count != m) throw new ArgumentException($"{m} orbitals need as many energies and occupations.");
            for (int k = 0; k < m; k++)
            {
                sb.AppendLine(" Sym= A");
                sb.AppendLine(ci, $" Ene= {set.Energies[k]:F10}");
                sb.AppendLine(ci, $" Spin= {set.Spin}");
                sb.AppendLine(ci, $" Occup= {set.Occupations[k]:F6}");
                int index = 1;
                foreach (var sh in basis.Shells)
                {
                    if (sh.Pure && sh.AngularMomentum >= 2)
                    {
                        for (int f = 0; f < sh.FunctionCount; f++)
                            sb.AppendLine(ci, $"{index++,5} {set.Coefficients[sh.Offset + f, k],22:E14}");
                        continue;
                    }
                    var ours = OneElectronIntegrals.Components(sh.AngularMomentum);
                    foreach (var comp in CartesianOrder[sh.AngularMomentum])
                    {
                        int f = Array.IndexOf(ours, comp);
                        double c = set.Coefficients[sh.Offset + f, k] * McMurchieDavidson.ComponentScale(comp, sh.AngularMomentum);
                        sb.AppendLine(ci, $"{index++,5} {c,22:E14}");
                    }
                }
            }
        }
        return sb.ToString();
    }

}
