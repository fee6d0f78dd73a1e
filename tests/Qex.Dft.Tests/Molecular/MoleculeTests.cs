using Qex.Dft.Molecular;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.Molecular;

public sealed class MoleculeTests
{
    [SharedDataFact("psi4")]
    public void NuclearRepulsionMatchesEveryPsi4Entry()
    {
        int n = 0;
        foreach (var file in new[] { "reference_energies.jsonl", "fci_ccsdt.jsonl" })
            foreach (var e in Psi4References.Read(file))
            {
                int charge = e.TryGetProperty("charge", out var c) ? c.GetInt32() : 0;
                int mult = e.TryGetProperty("multiplicity", out var m) ? m.GetInt32() : 1;
                var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!, charge, mult);
                double expected = e.GetProperty("nuclear_repulsion").GetDouble();
                Assert.True(Math.Abs(mol.NuclearRepulsion() - expected) < 1e-10 * Math.Max(1, expected), $"{file}: {mol.NuclearRepulsion()} vs {expected}");
                n++;
            }
        Assert.True(n > 150);
    }

    [Fact]
    public void XyzFilesAndUnits()
    {
        var water = Molecule.ParseXyz("3\nwater, Angstrom\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nh 0 -0.7572 -0.4692\n");
        Assert.Equal(10, water.ElectronCount);
        Assert.Equal(8, water.Atoms[0].AtomicNumber);
        Assert.Equal(0.7572 / 0.52917721067, water.Atoms[1].Y, 12);
        var bohr = Molecule.ParseGeometry("H 0 0 0; H 0 0 1.4", bohr: true);
        Assert.Equal(1 / 1.4, bohr.NuclearRepulsion(), 14);
        var oh = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.97", charge: 0, multiplicity: 2);
        Assert.Equal((5, 4), (oh.AlphaCount, oh.BetaCount));
        Assert.Equal(water.NuclearRepulsion(), Molecule.ParseGeometry(water.ToXyzBody()).NuclearRepulsion(), 8);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        Assert.Contains("header says 3 atoms but 2", Assert.Throws<FormatException>(() => Molecule.ParseXyz("3\n\nH 0 0 0\nH 0 0 1\n")).Message);
        Assert.Contains("number of atoms", Assert.Throws<FormatException>(() => Molecule.ParseXyz("two\n\nH 0 0 0\nH 0 0 1\n")).Message);
        Assert.Contains("Unknown element 'Xx'", Assert.Throws<FormatException>(() => Molecule.ParseXyz("1\n\nXx 0 0 0\n")).Message);
        Assert.Contains("Unknown element 'Rb'", Assert.Throws<FormatException>(() => Molecule.ParseGeometry("Rb 0 0 0")).Message);
        Assert.Contains("'0.x' is not a number", Assert.Throws<FormatException>(() => Molecule.ParseXyz("1\n\nH 0 0.x 0\n")).Message);
        Assert.Contains("expected 'element x y z'", Assert.Throws<FormatException>(() => Molecule.ParseGeometry("H 0 0")).Message);
        Assert.Contains("cannot have multiplicity 2", Assert.Throws<ArgumentException>(() => Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74", 0, 2)).Message);
        Assert.Contains("leaves -1 electrons", Assert.Throws<ArgumentException>(() => Molecule.ParseGeometry("H 0 0 0", charge: 2)).Message);
        Assert.Contains("unpaired", Assert.Throws<ArgumentException>(() => Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74", 0, 5)).Message);
        Assert.Contains("apart", Assert.Throws<ArgumentException>(() => Molecule.ParseGeometry("H 0 0 0\nH 0 0 0")).Message);
        Assert.Contains("coordinate", Assert.Throws<ArgumentException>(() => Molecule.ParseGeometry("H 0 0 0\nH 0 0 1e200")).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => Molecule.ParseGeometry("H 0 0 0", charge: 1)).Message);
    }
}
