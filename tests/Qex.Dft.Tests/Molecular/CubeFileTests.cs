using System.Globalization;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Output;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Tests.Molecular;

/// <summary>Cube files: the header, and the density and an orbital integrate to the electron count and to one on the cube's grid.</summary>
public sealed class CubeFileTests
{
    private static (int[] Counts, double Spacing, double[] Values) Parse(string text, int atoms)
    {
        var lines = text.Split('\n');
        int[] counts = new int[3];
        double spacing = 0;
        for (int k = 0; k < 3; k++)
        {
            var f = lines[3 + k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            counts[k] = int.Parse(f[0], CultureInfo.InvariantCulture);
            spacing = double.Parse(f[1 + k], CultureInfo.InvariantCulture);
        }
        Assert.Equal(atoms, int.Parse(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture));
        var values = lines.Skip(6 + atoms).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return (counts, spacing, values);
    }

    [Fact]
    public void DensityAndOrbitalIntegrateOnTheCube()
    {
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74", 0, 1);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var r = RestrictedHartreeFock.Run(mol, basis);
        var grid = CubeGrid.Around(mol, 0.15, 6.0);
        var (counts, h, rho) = Parse(CubeFile.Density(mol, basis, r.Density.ToArray(), grid), 2);
        Assert.Equal([grid.Nx, grid.Ny, grid.Nz], counts);
        Assert.Equal(grid.Count, rho.Length);
        Assert.Equal(2, rho.Sum() * h * h * h, 4);
        var (_, _, psi) = Parse(CubeFile.Orbital(mol, basis, r.Coefficients.ToArray(), 1, grid), 2);
        Assert.Equal(1, psi.Sum(v => v * v) * h * h * h, 4);
        // the antibonding orbital changes sign across the bond's midplane
        Assert.True(psi.Min() < -0.1 && psi.Max() > 0.1);
    }

    [Fact]
    public void BadCubesAreRefusedBeforeAnyWork()
    {
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74", 0, 1);
        Assert.Contains("spacing", Assert.Throws<ArgumentException>(() => CubeGrid.Around(mol, 0)).Message, StringComparison.Ordinal);
        Assert.Contains("larger spacing", Assert.Throws<ArgumentException>(() => CubeGrid.Around(mol, 0.001)).Message, StringComparison.Ordinal);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => CubeFile.Orbital(mol, basis, new double[4], 5, CubeGrid.Around(mol))).Message, StringComparison.Ordinal);
    }
}
