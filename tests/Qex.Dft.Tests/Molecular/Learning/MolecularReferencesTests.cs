using Qex.Core.Tensors;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Learning;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Tests.Molecular.Learning;

/// <summary>
/// The reference densities: the finite-field construction reproduces the FCI 1-RDM (the FCI energy is stationary in
/// the orbitals, so dE/dh is its 1-RDM), CCSD is exact for two electrons (its relaxed density is FCI's), and CC
/// densities of four electrons integrate to N and approach FCI's.
/// </summary>
public sealed class MolecularReferencesTests
{
    private static BasisSet Basis(Molecule m) => BasisSet.For(m, BasisSetLibrary.Load("6-31g"));

    private static double MaxDifference(Tensor a, Tensor b)
    {
        double d = 0;
        for (int i = 0; i < a.Length; i++) d = Math.Max(d, Math.Abs(a.Span[i] - b.Span[i]));
        return d;
    }

    [Fact]
    public void FiniteFieldsReproduceTheFciDensityMatrix()
    {
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 1.1");
        var basis = Basis(mol);
        var rhf = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10));
        var core = CoulombIntegrals.CoreHamiltonian(basis, mol);
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        double Fci(Tensor? field)
        {
            var h = field is null ? core : TensorMath.Binary(BinaryOp.Add, core, field);
            var mo = MolecularOrbitalIntegrals.Transform(h, eri, rhf.Coefficients, mol.NuclearRepulsion());
            return FullConfigurationInteraction.Run(mo, 1, 1, 1, new FullConfigurationInteractionOptions(ResidualTolerance: 1e-11)).Energy;
        }
        var fd = MolecularReferences.FiniteFieldDensity(Fci, basis.FunctionCount, MolecularReferences.FieldStep);
        var exact = MolecularReferences.Compute(mol, basis, "fci").Density;
        Assert.True(MaxDifference(fd, exact) < 1e-7, $"finite-field FCI density differs from the 1-RDM by {MaxDifference(fd, exact):E2}");
    }

    [Fact]
    public void CcsdOfTwoElectronsHasTheFciEnergyAndDensity()
    {
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.9");
        var basis = Basis(mol);
        var fci = MolecularReferences.Compute(mol, basis, "fci");
        var cc = MolecularReferences.Compute(mol, basis, "ccsd");
        Assert.True(Math.Abs(cc.Energy - fci.Energy) < 1e-9, $"CCSD {cc.Energy:F10} vs FCI {fci.Energy:F10}");
        Assert.True(MaxDifference(cc.Density, fci.Density) < 1e-6, $"relaxed CCSD density differs from FCI's by {MaxDifference(cc.Density, fci.Density):E2}");
        Assert.Contains("relaxed", cc.DensityKind);
    }

    [Fact]
    public void CoupledClusterDensitiesOfH4IntegrateToTheElectronsAndApproachFci()
    {
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.9\nH 0 0 1.8\nH 0 0 2.7");
        var basis = Basis(mol);
        var s = OneElectronIntegrals.Overlap(basis);
        var fci = MolecularReferences.Compute(mol, basis, "fci");
        var hf = RestrictedHartreeFock.Run(mol, basis);
        foreach (var method in new[] { "ccsd", "ccsd(t)" })
        {
            var cc = MolecularReferences.Compute(mol, basis, method);
            double n = 0;
            for (int i = 0; i < s.Length; i++) n += cc.Density.Span[i] * s.Span[i];
            Assert.True(Math.Abs(n - 4) < 1e-7, $"{method}: Tr(DS) = {n:F10}");
            // correlated densities sit far closer to FCI's than the RHF density does
            Assert.True(MaxDifference(cc.Density, fci.Density) < 0.2 * MaxDifference(hf.Density, fci.Density),
                $"{method}: |D - D_FCI| {MaxDifference(cc.Density, fci.Density):E2}, RHF's {MaxDifference(hf.Density, fci.Density):E2}");
        }
        Assert.Contains("Unknown reference method 'mp2'", Assert.Throws<ArgumentException>(() => MolecularReferences.Compute(mol, basis, "mp2")).Message);
    }
}
