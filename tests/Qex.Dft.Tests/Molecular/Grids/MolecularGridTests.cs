using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Grids;

namespace Qex.Dft.Tests.Molecular.Grids;

/// <summary>Radial quadratures, the Becke partition and molecular grids against analytic integrals.</summary>
public sealed class MolecularGridTests
{
    private static readonly Molecule Water = Molecule.ParseXyz("3\n\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");

    [Theory]
    [InlineData(RadialScheme.TreutlerAhlrichs)]
    [InlineData(RadialScheme.MuraKnowles)]
    [InlineData(RadialScheme.GaussChebyshev)]
    public void RadialGridsIntegrateSlaterAndGaussianFunctions(RadialScheme scheme)
    {
        foreach (int z in new[] { 1, 6, 8, 17 })
        {
            var g = RadialGrid.Create(scheme, 150, z);
            Assert.True(g.R.Zip(g.R.Skip(1)).All(p => p.First < p.Second), "ascending radii");
            // int r^2 exp(-zeta r) dr = 2 / zeta^3 (densities decay at least like the hydrogen 1s density, exp(-2r): the
            // M4 and log3 maps converge algebraically for slower tails);  int r^2 exp(-a r^2) dr = sqrt(pi / a^3) / 4
            foreach (double zeta in new[] { 2.0, 4.0, 8.0 })
            {
                double q = g.R.Select((r, i) => g.W[i] * Math.Exp(-zeta * r)).Sum();
                Assert.True(Math.Abs(q / (2 / (zeta * zeta * zeta)) - 1) < 1e-9, $"{scheme} Z={z}: exp(-{zeta} r) gives {q}");
            }
            foreach (double a in new[] { 0.3, 1.0, 30.0 })
            {
                double q = g.R.Select((r, i) => g.W[i] * Math.Exp(-a * r * r)).Sum();
                Assert.True(Math.Abs(q / (Math.Sqrt(Math.PI / (a * a * a)) / 4) - 1) < 1e-9, $"{scheme} Z={z}: exp(-{a} r^2) gives {q}");
            }
        }
    }

    [Theory]
    [InlineData(PartitionScheme.Becke, SizeAdjustment.None)]
    [InlineData(PartitionScheme.Becke, SizeAdjustment.Becke)]
    [InlineData(PartitionScheme.Becke, SizeAdjustment.Treutler)]
    [InlineData(PartitionScheme.Stratmann, SizeAdjustment.None)]
    public void CellWeightsArePositiveSumToOneAndBelongToTheNearAtom(PartitionScheme scheme, SizeAdjustment adjustment)
    {
        var p = new BeckePartition(Water, scheme, adjustment);
        var scratch = new double[3];
        var rng = new Random(7);
        for (int t = 0; t < 200; t++)
        {
            double x = rng.NextDouble() * 6 - 3, y = rng.NextDouble() * 6 - 3, z = rng.NextDouble() * 6 - 3;
            double sum = 0;
            for (int a = 0; a < 3; a++)
            {
                double w = p.Weight(a, x, y, z, scratch);
                Assert.InRange(w, 0, 1);
                sum += w;
            }
            Assert.Equal(1, sum, 12);
        }
        // on a nucleus, the cell is that atom's
        foreach (var (a, atom) in Water.Atoms.Select((at, i) => (i, at)))
            Assert.Equal(1, p.Weight(a, atom.X, atom.Y, atom.Z, scratch), 10);
    }

    [Theory]
    [InlineData(PartitionScheme.Becke, SizeAdjustment.Treutler, 75, 302)]
    [InlineData(PartitionScheme.Becke, SizeAdjustment.Becke, 75, 302)]
    [InlineData(PartitionScheme.Stratmann, SizeAdjustment.None, 150, 590)]   // its finite-support step needs a finer grid
    public void AMolecularGridIntegratesAtomCentredGaussians(PartitionScheme scheme, SizeAdjustment adjustment, int radial, int spherical)
    {
        var grid = MolecularGrid.Create(Water, new GridOptions(radial, spherical, RadialScheme.TreutlerAhlrichs, scheme, adjustment));
        Assert.Equal(3 * radial * spherical, grid.Count);
        // sum over atoms of normalised Gaussians (a / pi)^(3/2) exp(-a |r - R_A|^2), a different per atom: integral 3
        double[] alpha = [2.0, 0.7, 1.3];
        double q = 0;
        for (int k = 0; k < grid.Count; k++)
        {
            double f = 0;
            for (int a = 0; a < 3; a++)
            {
                var at = Water.Atoms[a];
                double dx = grid.X[k] - at.X, dy = grid.Y[k] - at.Y, dz = grid.Z[k] - at.Z;
                f += Math.Pow(alpha[a] / Math.PI, 1.5) * Math.Exp(-alpha[a] * (dx * dx + dy * dy + dz * dz));
            }
            q += grid.W[k] * f;
        }
        Assert.True(Math.Abs(q - 3) < 1e-7, $"integral {q}");
    }

    [Fact]
    public void NWChemPruningGivesTheFiveRegionsTheirLebedevSizes()
    {
        // PySCF's nwchem_prune for a 302-point grid: regions bounded at alpha R_Bragg get 50, 86, 266, 302, 266 points
        // (H: alpha = 0.25, 0.5, 1.0, 4.5 with R = 0.35 Angstrom; O: 0.1667, 0.5, 0.9, 3.5 with R = 0.60 Angstrom)
        double bohr = Qex.Core.Units.PhysicalConstants.BohrInAngstrom;
        (int Z, double R, double[] Alpha)[] atoms = [(1, 0.35 / bohr, [0.25, 0.5, 1.0, 4.5]), (8, 0.60 / bohr, [0.1667, 0.5, 0.9, 3.5])];
        int[] sizes = [50, 86, 266, 302, 266];
        foreach (var (z, r, alpha) in atoms)
        {
            double[] probes = [0.5 * alpha[0], 0.5 * (alpha[0] + alpha[1]), 0.5 * (alpha[1] + alpha[2]), 0.5 * (alpha[2] + alpha[3]), 2 * alpha[3]];
            for (int k = 0; k < 5; k++) Assert.Equal(sizes[k], MolecularGrid.PrunedSphericalPoints(z, probes[k] * r, 302));
        }
        // 50 points: 50, 74, 74, 74, 50; below 50 nothing is pruned
        Assert.Equal([50, 74, 74, 74, 50], new[] { 0.1, 0.4, 0.8, 2.0, 6.0 }.Select(x => MolecularGrid.PrunedSphericalPoints(1, x * 0.35 / bohr, 50)));
        Assert.Equal(38, MolecularGrid.PrunedSphericalPoints(1, 0.01, 38));
    }

    [Fact]
    public void APrunedGridHasFewerPointsAndStillIntegratesTheWaterDensity()
    {
        // the pruned grid keeps 302 points per shell in the valence region only (36% fewer points for water); the
        // B3LYP energy moves by 1.5e-8 Ha and the electron count stays within 1e-6
        var full = MolecularGrid.Create(Water, GridOptions.Psi4(75, 302));
        var pruned = MolecularGrid.Create(Water, GridOptions.Psi4(75, 302) with { Pruning = GridPruning.NWChem });
        Assert.True(pruned.Count < 0.8 * full.Count, $"{pruned.Count} of {full.Count} points");
        var basis = Qex.Dft.Molecular.Basis.BasisSet.For(Water, Qex.Dft.Molecular.Basis.BasisSetLibrary.Load("def2-svp"));
        var functional = Qex.Dft.Molecular.Xc.XcFunctional.Parse("b3lyp");
        var o = new Qex.Dft.Molecular.Scf.HartreeFockOptions(EnergyTolerance: 1e-10, CommutatorTolerance: 1e-8);
        var a = Qex.Dft.Molecular.Dft.KohnSham.Run(Water, basis, functional, GridOptions.Psi4(75, 302), o);
        var b = Qex.Dft.Molecular.Dft.KohnSham.Run(Water, basis, functional, GridOptions.Psi4(75, 302) with { Pruning = GridPruning.NWChem }, o);
        Assert.Equal(pruned.Count, b.GridPoints);
        Assert.True(Math.Abs(a.Energy - b.Energy) < 1e-6, $"unpruned {a.Energy:F10}, pruned {b.Energy:F10}");
        Assert.True(Math.Abs(b.Electrons - 10) < 1e-6, $"electrons on the pruned grid {b.Electrons:F8}");
        Assert.Contains("nwchem", Assert.Throws<ArgumentException>(() => GridOptions.Build(null, null, null, pruning: "sg1")).Message);
        Assert.Contains("NWChem pruning", GridOptions.Build(null, null, null, pruning: "nwchem").Describe());
    }

    [Fact]
    public void BadGridsAreRefusedWithTheChoices()
    {
        Assert.Contains("302", Assert.Throws<ArgumentException>(() => MolecularGrid.Create(Water, new GridOptions(SphericalPoints: 300))).Message);
        Assert.Contains("2 to 10000", Assert.Throws<ArgumentException>(() => RadialGrid.Create(RadialScheme.MuraKnowles, 1, 1)).Message);
        var big = Molecule.ParseGeometry(string.Join("\n", Enumerable.Range(0, 40).Select(i => FormattableString.Invariant($"C {1.5 * i} 0 0"))));
        Assert.Contains("points", Assert.Throws<InsufficientMemoryException>(() => MolecularGrid.Create(big, new GridOptions(10000, 5810))).Message);
    }
}
