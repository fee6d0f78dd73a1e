using Qex.Core.Tensors;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.Molecular;

public sealed class CoupledClusterTests
{
    internal static (MolecularOrbitalIntegrals Mo, HartreeFockResult Rhf, Molecule Mol) Prepare(string geometry, string basisName, int charge = 0)
    {
        var mol = Molecule.ParseGeometry(geometry, charge);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load(basisName));
        var rhf = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10));
        return (MolecularOrbitalIntegrals.For(mol, basis, rhf.Coefficients), rhf, mol);
    }

    [Fact]
    public void TwoElectronCcsdIsExactAndTriplesVanish()
    {
        var (mo, rhf, mol) = Prepare("H 0 0 0\nH 0 0 0.9", "6-31g");
        var cc = CoupledCluster.Run(mo, mol.ElectronCount / 2, 1e-12);
        var fci = FullConfigurationInteraction.Run(mo, 1, 1, 1);
        Assert.Equal(rhf.Energy, cc.ReferenceEnergy, 9);
        Assert.Equal(fci.Energy, cc.CcsdEnergy, 9);
        Assert.Equal(0.0, cc.TriplesCorrection, 12);
    }

    [SharedDataFact("psi4")]
    public void ReproducesThePsi4CcsdTEnergies()
    {
        var failures = new List<string>();
        int done = 0;
        foreach (var e in Psi4References.Read("fci_ccsdt.jsonl"))
        {
            if (e.GetProperty("method").GetString() != "ccsd(t)") continue;
            var (mo, _, mol) = Prepare(e.GetProperty("geometry_angstrom").GetString()!, e.GetProperty("basis").GetString()!);
            if (e.GetProperty("system").GetString() == "h4_square") continue; // the RHF reference is not unique there (see the FCI test)
            var cc = CoupledCluster.Run(mo, mol.ElectronCount / 2, 1e-11);
            double expected = e.GetProperty("energy").GetDouble();
            if (Math.Abs(cc.CcsdTEnergy - expected) > 1e-7)
                failures.Add($"{e.GetProperty("system").GetString()} {e.GetProperty("geometry_label").GetString()}: CCSD(T) {cc.CcsdTEnergy:F10} vs Psi4 {expected:F10}");
            done++;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(done >= 20, $"{done}");
    }
}
