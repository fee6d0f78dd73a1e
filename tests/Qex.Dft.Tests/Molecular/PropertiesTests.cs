using Qex.Core.Tensors;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Tests.Molecular;

public sealed class PropertiesTests
{
    [Fact]
    public void DipoleIntegralsOfOneGaussianGiveItsCentre()
    {
        var def = GaussianBasisParser.Parse("cartesian\n****\nH 0\nS 1 1.00\n 0.7 1.0\nD 1 1.00\n 0.4 1.0\n****\n", "single");
        var basis = BasisSet.For(Molecule.ParseGeometry("H 0.3 -0.5 1.1", multiplicity: 2, bohr: true), def);
        var r = OneElectronIntegrals.Dipole(basis);
        Assert.Equal(0.3, r[0][0, 0], 13);
        Assert.Equal(-0.5, r[1][0, 0], 13);
        Assert.Equal(1.1, r[2][0, 0], 13);
        for (int i = 1; i < 7; i++) Assert.Equal(-0.5, r[1][i, i], 12); // every normalised d component is centred too
    }

    [Theory]
    [InlineData("6-31g")]
    [InlineData("def2-svp")]
    public void WaterDipoleIsTranslationInvariantAndChargesSumToTheCharge(string basisName)
    {
        const string geom = "O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692";
        const string moved = "O 1.3 -0.4 2.1173\nH 1.3 0.3572 1.5308\nH 1.3 -1.1572 1.5308";
        double[] Mu(string g)
        {
            var mol = Molecule.ParseGeometry(g);
            var basis = BasisSet.For(mol, BasisSetLibrary.Load(basisName));
            var rhf = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10));
            var q = Properties.MullikenCharges(mol, basis, rhf.Density);
            Assert.Equal(0.0, q.Sum(), 10);
            Assert.True(q[0] < 0 && q[1] > 0);
            Assert.Equal(q[1], q[2], 8);
            return Properties.Dipole(mol, basis, rhf.Density);
        }
        var a = Mu(geom);
        var b = Mu(moved);
        for (int d = 0; d < 3; d++) Assert.Equal(a[d], b[d], 7);
        Assert.Equal(0.0, a[0], 8);
        Assert.Equal(0.0, a[1], 8);
        // O sits at +z and carries the negative charge, so the dipole (sum q r) points to -z: about 2 to 2.7 D at HF level
        Assert.True(a[2] < -0.7 && a[2] > -1.2, $"{a[2]} au");
    }
}
