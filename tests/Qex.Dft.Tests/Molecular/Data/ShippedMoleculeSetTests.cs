using System.Globalization;
using Qex.Dft.Molecular;

namespace Qex.Dft.Tests.Molecular.Data;

/// <summary>The shipped H, C, N, O molecule set (configs/molecules/hcno): every file is a closed-shell neutral molecule of those elements, as its index says.</summary>
public sealed class ShippedMoleculeSetTests
{
    private static string Folder() => Path.Combine(Qex.Tests.Common.RepositoryPaths.Root(), "configs", "molecules", "hcno");

    [Fact]
    public void EveryIndexedFileIsAClosedShellHcnoMoleculeWithItsSource()
    {
        string folder = Folder();
        var lines = File.ReadAllLines(Path.Combine(folder, "index.csv"));
        Assert.Equal("file,formula,heavy_atoms,atoms,electrons,database,entry,fragment", lines[0]);
        var files = Directory.GetFiles(folder, "*.xyz").Select(Path.GetFileName).ToHashSet();
        Assert.Equal(files.Count, lines.Length - 1);
        Assert.InRange(files.Count, 300, 1000);
        int previousHeavy = 0;
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            Assert.Contains(f[0], files);
            string xyz = File.ReadAllText(Path.Combine(folder, f[0]));
            var (charge, multiplicity) = Molecule.ParseXyzComment(xyz);
            Assert.Equal(0, charge);
            Assert.Equal(1, multiplicity);
            Assert.Contains("source: psi4 1.3.2 database " + f[5], xyz.Split('\n')[1]);
            var mol = Molecule.ParseXyz(xyz, 0, 1);
            Assert.All(mol.Atoms, a => Assert.Contains(a.Symbol, new[] { "H", "C", "N", "O" }));
            Assert.Equal(int.Parse(f[3], CultureInfo.InvariantCulture), mol.Atoms.Count);
            Assert.Equal(int.Parse(f[4], CultureInfo.InvariantCulture), mol.ElectronCount);
            int heavy = mol.Atoms.Count(a => a.Symbol != "H");
            Assert.Equal(int.Parse(f[2], CultureInfo.InvariantCulture), heavy);
            Assert.True(heavy >= previousHeavy, "the index is sorted by heavy atoms");
            previousHeavy = heavy;
        }
    }
}
