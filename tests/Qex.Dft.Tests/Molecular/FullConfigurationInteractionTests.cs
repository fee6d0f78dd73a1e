using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.Molecular;

public sealed class FullConfigurationInteractionTests
{
    [SharedDataFact("psi4")]
    public void ReproducesThePsi4FciEnergiesOfTheHydrogenSystemsAndLiH()
    {
        var failures = new List<string>();
        int done = 0;
        foreach (var e in Psi4References.Read("fci_ccsdt.jsonl"))
        {
            if (e.GetProperty("method").GetString() != "fci") continue;
            string system = e.GetProperty("system").GetString()!;
            if (system == "h2o") continue; // 1.7 million determinants: needs the direct Davidson solver (not built yet)
            var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!);
            var basis = BasisSet.For(mol, BasisSetLibrary.Load(e.GetProperty("basis").GetString()!));
            var rhf = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9));
            // square H4 has a degenerate HOMO/LUMO pair and several RHF solutions; Psi4's is not always the lowest
            // (side 1.2 and 1.5: ours is lower) nor is ours (side 1.0). FCI does not depend on the orbitals.
            if (system != "h4_square" && Math.Abs(rhf.Energy - e.GetProperty("scf_energy").GetDouble()) > 1e-8)
                failures.Add($"{system} {e.GetProperty("geometry_label").GetString()}: RHF {rhf.Energy:F10} vs {e.GetProperty("scf_energy").GetDouble():F10}");
            var mo = MolecularOrbitalIntegrals.For(mol, basis, rhf.Coefficients);
            var fci = FullConfigurationInteraction.Run(mo, mol.AlphaCount, mol.BetaCount, 1);
            double expected = e.GetProperty("energy").GetDouble();
            if (Math.Abs(fci.Energy - expected) > 1e-8)
                failures.Add($"{system} {e.GetProperty("geometry_label").GetString()}: FCI {fci.Energy:F10} vs Psi4 {expected:F10} (<S^2> {fci.SpinSquared:F6})");
            done++;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(25, done);
    }
}
