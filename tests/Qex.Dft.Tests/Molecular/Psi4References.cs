using System.Text.Json;
using Qex.Core.IO;

namespace Qex.Dft.Tests.Molecular;

/// <summary>The Psi4 reference entries of ../shared/data/psi4 (one JSON object per line).</summary>
internal static class Psi4References
{
    public static IEnumerable<JsonElement> Read(string file)
    {
        string path = SharedData.Resolve("psi4", file) ?? throw new FileNotFoundException($"psi4/{file} is not in the shared data.");
        foreach (string line in File.ReadLines(path))
            if (line.Trim().Length > 0) yield return JsonDocument.Parse(line).RootElement.Clone();
    }
}
