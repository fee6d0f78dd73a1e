using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.Molecular;

public sealed class RestrictedHartreeFockTests
{
    [Fact]
    public void H2Sto3gIntegralsAndEnergyMatchSzaboOstlund()
    {
        // Szabo & Ostlund section 3.5.2 (R = 1.4 Bohr, STO-3G): H_core 11 = -1.1204, 12 = -0.9584;
        // (11|11) = 0.7746, (11|22) = 0.5697, (21|11) = 0.4441, (21|21) = 0.2970; E(RHF) = -1.1167 Ha
        var mol = Molecule.ParseGeometry("H 0 0 0; H 0 0 1.4", bohr: true);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var t = OneElectronIntegrals.Kinetic(basis);
        var v = CoulombIntegrals.NuclearAttraction(basis, mol);
        Assert.Equal(-1.1204, t[0, 0] + v[0, 0], 4);
        Assert.Equal(-0.9584, t[0, 1] + v[0, 1], 4);
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        double E(int a, int b, int c, int d) => eri[((a * 2 + b) * 2 + c) * 2 + d];
        Assert.Equal(0.7746, E(0, 0, 0, 0), 4);
        Assert.Equal(0.5697, E(0, 0, 1, 1), 4);
        Assert.Equal(0.4441, E(1, 0, 0, 0), 4);
        Assert.Equal(0.2970, E(1, 0, 1, 0), 4);
        Assert.Equal(-1.1167, RestrictedHartreeFock.Run(mol, basis).Energy, 4);
    }

    [SharedDataFact("psi4")]
    public void ReproducesEveryPsi4RhfEnergy()
    {
        int done = 0;
        foreach (var e in Psi4References.Read("reference_energies.jsonl"))
        {
            if (e.GetProperty("method").GetString() != "hf" || e.GetProperty("reference").GetString() != "rhf") continue;
            var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!, e.GetProperty("charge").GetInt32(), e.GetProperty("multiplicity").GetInt32());
            var basis = BasisSet.For(mol, BasisSetLibrary.Load(e.GetProperty("basis").GetString()!));
            double expected = e.GetProperty("energy").GetDouble();
            var r = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9));
            Assert.True(Math.Abs(r.Energy - expected) < 1e-8, $"{e.GetProperty("molecule").GetString()}/{e.GetProperty("basis").GetString()}: {r.Energy:F10} vs Psi4 {expected:F10}");
            done++;
        }
        Assert.True(done >= 10, $"only {done} entries checked");
    }

    [Fact]
    public void NonConvergenceAndOpenShellsGiveClearErrors()
    {
        var mol = Molecule.ParseXyz("3\n\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var ex = Assert.Throws<ConvergenceException>(() => RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(MaxIterations: 3, DiisSize: 0)));
        Assert.Contains("did not converge in 3 iterations", ex.Message);
        Assert.Contains("|FDS-SDF|", ex.Message);
        var oh = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.97", multiplicity: 2);
        Assert.Contains("closed-shell", Assert.Throws<ArgumentException>(() => RestrictedHartreeFock.Run(oh, BasisSet.For(oh, BasisSetLibrary.Load("sto-3g")))).Message);
    }
}

public sealed class UnrestrictedHartreeFockTests
{
    [SharedDataFact("psi4")]
    public void ReproducesEveryPsi4UhfEnergy()
    {
        int done = 0;
        var failures = new List<string>();
        foreach (var e in Psi4References.Read("reference_energies.jsonl"))
        {
            if (e.GetProperty("method").GetString() != "hf" || e.GetProperty("reference").GetString() != "uhf") continue;
            var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!, e.GetProperty("charge").GetInt32(), e.GetProperty("multiplicity").GetInt32());
            var basis = BasisSet.For(mol, BasisSetLibrary.Load(e.GetProperty("basis").GetString()!));
            double expected = e.GetProperty("energy").GetDouble();
            var r = UnrestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9));
            if (Math.Abs(r.Energy - expected) >= 1e-8)
                failures.Add($"{e.GetProperty("molecule").GetString()}/{e.GetProperty("basis").GetString()}: {r.Energy:F10} vs Psi4 {expected:F10} (<S^2> excess {r.SpinContamination:F4})");
            done++;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(6, done);
    }

    [Fact]
    public void ClosedShellUhfEqualsRhf()
    {
        var mol = Molecule.ParseXyz("3\n\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("6-31g"));
        var u = UnrestrictedHartreeFock.Run(mol, basis);
        Assert.Equal(RestrictedHartreeFock.Run(mol, basis).Energy, u.Energy, 9);
        Assert.True(Math.Abs(u.SpinContamination) < 1e-8);
    }

    [Fact]
    public void MaximumOverlapKeepsAnExcitedOccupation()
    {
        // H2/STO-3G at 1.4 Bohr, both electrons in sigma_u (orbitals fixed by symmetry): E = 2 h_22 + J_22 + 1/R with
        // Szabo & Ostlund's h_22 = (H11 - H12) / (1 - S12) = (-1.1204 + 0.9584) / (1 - 0.6593) and J_22 = 0.6975.
        var mol = Molecule.ParseGeometry("H 0 0 0; H 0 0 1.4", bohr: true);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        double expected = 2 * (-1.1204 + 0.9584) / (1 - 0.6593) + 0.6975 + 1 / 1.4;
        var excited = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(Occupation: [1]));
        Assert.Equal(expected, excited.Energy, 3);
        // the occupied orbital comes first in the result, and it is the upper one
        Assert.True(excited.OrbitalEnergies[0] > excited.OrbitalEnergies[1]);
        Assert.Throws<ArgumentException>(() => RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(Occupation: [2])));
        Assert.Throws<ArgumentException>(() => RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(Occupation: [0, 1])));
    }

    [Fact]
    public void ReproducesPsi4EnergiesWithPureFShellsAndCartesianDShells()
    {
        // shipped with the tests (see Molecular/Data/README.md): def2-TZVP (pure f), cc-pVDZ, 6-31G** (cartesian d)
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Molecular", "Data", "psi4_hf_f_shells.jsonl"));
        Assert.Equal(6, lines.Length);
        foreach (var line in lines)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var e = doc.RootElement;
            var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!);
            var basis = BasisSet.For(mol, BasisSetLibrary.Load(e.GetProperty("basis").GetString()!));
            Assert.Equal(e.GetProperty("n_basis").GetInt32(), basis.FunctionCount);
            var rhf = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9));
            Assert.True(Math.Abs(rhf.Energy - e.GetProperty("energy").GetDouble()) < 1e-8,
                $"{e.GetProperty("molecule").GetString()} {e.GetProperty("basis").GetString()}: {rhf.Energy:F10} vs Psi4 {e.GetProperty("energy").GetDouble():F10}");
        }
    }
}
