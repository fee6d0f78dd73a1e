using System.Text.Json;
using Qex.Core.IO;

namespace Qex.Tests.Common;

/// <summary>One entry of ../shared/data/psi4/reference_energies.jsonl.</summary>
/// <param name="Molecule">Name (h2o, oh, ...).</param>
/// <param name="Geometry">'element x y z' lines in Angstrom.</param>
/// <param name="Charge">Charge.</param>
/// <param name="Multiplicity">Multiplicity.</param>
/// <param name="Basis">Basis set.</param>
/// <param name="Method">hf, svwn, pbe, b3lyp, ...</param>
/// <param name="Reference">rhf, uhf, rks, uks.</param>
/// <param name="Energy">Psi4's total energy.</param>
public sealed record Psi4Entry(string Molecule, string Geometry, int Charge, int Multiplicity, string Basis, string Method, string Reference, double Energy);

/// <summary>The Psi4 reference entries of ../shared/data/psi4 (one JSON object per line).</summary>
internal static class Psi4References
{
    public static IEnumerable<JsonElement> Read(string file)
    {
        string path = SharedData.Resolve("psi4", file) ?? throw new FileNotFoundException($"psi4/{file} is not in the shared data.");
        foreach (string line in File.ReadLines(path))
            if (line.Trim().Length > 0) yield return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>The entries of reference_energies.jsonl.</summary>
    public static IEnumerable<Psi4Entry> Energies() =>
        Read("reference_energies.jsonl").Select(e => new Psi4Entry(e.GetProperty("molecule").GetString()!, e.GetProperty("geometry_angstrom").GetString()!,
            e.GetProperty("charge").GetInt32(), e.GetProperty("multiplicity").GetInt32(), e.GetProperty("basis").GetString()!, e.GetProperty("method").GetString()!,
            e.GetProperty("reference").GetString()!, e.GetProperty("energy").GetDouble()));

    /// <summary>The one entry of a molecule, basis and method.</summary>
    public static Psi4Entry Find(string molecule, string basis, string method) =>
        Energies().Single(e => e.Molecule == molecule && e.Basis == basis && e.Method == method);
}
