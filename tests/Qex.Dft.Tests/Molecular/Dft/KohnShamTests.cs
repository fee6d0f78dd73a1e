using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.Molecular.Dft;

/// <summary>RKS and UKS energies (SVWN, PBE, B3LYP) against Psi4 1.3.2 (Treutler 150 x Lebedev 590, Treutler partitioning, no pruning).</summary>
public sealed class KohnShamTests
{
    [SharedDataTheory("psi4")]
    [InlineData("h2", "sto-3g", "rks")]
    [InlineData("h2o", "sto-3g", "rks")]
    [InlineData("h2o", "6-31g", "rks")]
    [InlineData("oh", "sto-3g", "uks")]
    public void EnergiesMatchPsi4(string molecule, string basisName, string reference)
    {
        int done = 0;
        foreach (var e in Psi4References.Read("reference_energies.jsonl"))
        {
            if (e.GetProperty("molecule").GetString() != molecule || e.GetProperty("basis").GetString() != basisName || e.GetProperty("reference").GetString() != reference) continue;
            var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!, e.GetProperty("charge").GetInt32(), e.GetProperty("multiplicity").GetInt32());
            var basis = BasisSet.For(mol, BasisSetLibrary.Load(basisName));
            string method = e.GetProperty("method").GetString()!;
            double expected = e.GetProperty("energy").GetDouble();
            var r = KohnSham.Run(mol, basis, XcFunctional.Parse(method), GridOptions.Psi4(150, 590), new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-8),
                unrestricted: reference == "uks");
            Assert.Equal(reference == "uks" ? 2 : 1, r.Densities.Length);
            Assert.True(Math.Abs(r.Energy - expected) < 1e-6, $"{molecule}/{basisName} {method}: {r.Energy:F10} vs Psi4 {expected:F10} (difference {r.Energy - expected:E2})");
            Assert.Equal(mol.ElectronCount, r.Electrons, 6);
            done++;
        }
        Assert.Equal(3, done);
    }
}
