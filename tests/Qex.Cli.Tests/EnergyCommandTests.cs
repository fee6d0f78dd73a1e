using Qex.Tests.Common;
using System.Text.Json;
using Qex.Cli.Commands;

namespace Qex.Cli.Tests;

public sealed class EnergyCommandTests
{
    [Fact]
    public void WaterHartreeFockWithJson()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "h2.xyz");
        File.WriteAllText(xyz, "2\nH2, R = 1.4 Bohr\nH 0 0 0\nH 0 0 0.740848\n");
        string json = Path.Combine(dir, "out.json");
        var log = new StringWriter();
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "sto-3g", Method = "fci", Json = json }, log));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        // Szabo & Ostlund: E(RHF) = -1.1167 Ha at R = 1.4 Bohr (0.740848 Angstrom); 2-electron FCI lies below it
        Assert.Equal(-1.1167, doc.RootElement.GetProperty("scf_energy").GetDouble(), 4);
        Assert.True(doc.RootElement.GetProperty("energy").GetDouble() < -1.1167);
        Assert.Equal(2, doc.RootElement.GetProperty("n_basis").GetInt32());
        Assert.Contains("FCI energy", log.ToString());
    }

    [SharedDataTheory("psi4")]
    [InlineData("h2o", "sto-3g", "b3lyp")]
    [InlineData("oh", "sto-3g", "svwn")]
    public void KohnShamMatchesPsi4WithTheDftFieldsInJson(string molecule, string basis, string method)
    {
        var reference = Psi4References.Find(molecule, basis, method);
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, molecule + ".xyz"), json = Path.Combine(dir, "out.json");
        var lines = reference.Geometry.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(xyz, $"{lines.Length}\nmultiplicity={reference.Multiplicity}\n{string.Join("\n", lines)}\n");
        var log = new StringWriter();
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = basis, Method = method, Grid = "ultrafine", Json = json, Quiet = true }, log));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        Assert.True(Math.Abs(root.GetProperty("energy").GetDouble() - reference.Energy) < 1e-6, $"{root.GetProperty("energy").GetDouble()} vs Psi4 {reference.Energy}");
        Assert.Equal(reference.Multiplicity == 1 ? "rks" : "uks", root.GetProperty("reference").GetString());
        Assert.Equal(150 * 590 * lines.Length, root.GetProperty("grid_points").GetInt32());
        Assert.True(root.GetProperty("xc_energy").GetDouble() < 0);
        double gap = root.GetProperty("homo_lumo_gap").GetDouble();
        if (molecule == "oh")
            // OH's beta pi pair in LDA: the self-consistent state with one pi occupied has the occupied level 6.5 mHa
            // above the empty one (no aufbau state exists; the SCF holds the occupation). Psi4 prints the orbitals of the
            // Fock matrix before its last density swap between pi_x and pi_y: 4A -0.077770 occupied, 5A -0.071308
            // virtual, the same pair of levels with the labels exchanged
            Assert.Equal(-(0.077770 - 0.071308), gap, 4);
        else
            Assert.True(gap > 0);
        Assert.Equal(root.GetProperty("electrons").GetInt32(), root.GetProperty("grid_electrons").GetDouble(), 6);
        Assert.Contains("XC energy", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DensityFittingNamesItsFittingBasisAndMatchesPsi4()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "w.xyz"), json = Path.Combine(dir, "out.json");
        File.WriteAllText(xyz, "3\nwater\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");
        var log = new StringWriter();
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "cc-pvdz", Integrals = "df", Json = json, Quiet = true }, log));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var root = doc.RootElement;
        // Psi4 1.3.2, RHF/cc-pVDZ, scf_type df (cc-pvdz-jkfit)
        Assert.Equal(-76.0267511405221512, root.GetProperty("energy").GetDouble(), 8);
        Assert.Equal("df", root.GetProperty("integrals").GetString());
        Assert.Equal("cc-pvdz-jkfit", root.GetProperty("aux_basis").GetString());
        Assert.Equal(116, root.GetProperty("n_aux_basis").GetInt32());
        Assert.Contains("density fitting, cc-pvdz-jkfit (116 functions)", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("fitting basis of --integrals df", Assert.Throws<ArgumentException>(() =>
            EnergyCommand.Run(new EnergyOptions { Molecule = xyz, AuxBasis = "def2-universal-jkfit" }, new StringWriter())).Message, StringComparison.Ordinal);
        Assert.Contains("exact integrals throughout", Assert.Throws<ArgumentException>(() =>
            EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Method = "ccsd", Integrals = "df" }, new StringWriter())).Message, StringComparison.Ordinal);
        Assert.Contains("choose exact, df, stored or direct", Assert.Throws<ArgumentException>(() =>
            EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Integrals = "ri" }, new StringWriter())).Message, StringComparison.Ordinal);
        Assert.Contains("No fitting set is known", Assert.Throws<ArgumentException>(() =>
            EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "def2-svp-jkfit", Integrals = "df" }, new StringWriter())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CubeFilesOfTheDensityAndChosenOrbitals()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "h2.xyz"), cube = Path.Combine(dir, "h2.cube");
        File.WriteAllText(xyz, "2\nH2\nH 0 0 0\nH 0 0 0.74\n");
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Method = "svwn", Cube = cube, CubeOrbitals = "homo,lumo", CubeSpacing = 0.3, Quiet = true }, new StringWriter()));
        Assert.True(File.Exists(cube));
        Assert.True(File.Exists(Path.Combine(dir, "h2_homo.cube")));
        Assert.True(File.Exists(Path.Combine(dir, "h2_lumo.cube")));
        Assert.Contains("density", File.ReadLines(cube).Skip(1).First(), StringComparison.Ordinal);
        Assert.Contains("homo-5", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Cube = cube, CubeOrbitals = "homo-5" }, new StringWriter())).Message, StringComparison.Ordinal);
        Assert.Contains("needs --cube", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = xyz, CubeOrbitals = "homo" }, new StringWriter())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenShellDirectModeWritesMoldenWithBothSpins()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "oh.xyz");
        File.WriteAllText(xyz, "2\nOH radical\nO 0 0 0\nH 0 0 0.97\n");
        string molden = Path.Combine(dir, "oh.molden"), json = Path.Combine(dir, "oh.json");
        var opts = new EnergyOptions { Molecule = xyz, Basis = "def2-svp", Multiplicity = 2, Integrals = "direct", Molden = molden, Json = json, LevelShift = 0.2 };
        Assert.Equal(0, EnergyCommand.Run(opts, new StringWriter()));
        string text = File.ReadAllText(molden);
        Assert.Contains("[5D10F]", text);
        Assert.Contains("Spin= Beta", text);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("direct", doc.RootElement.GetProperty("integrals").GetString());
        Assert.True(doc.RootElement.GetProperty("peak_memory_bytes").GetInt64() > 0);
        // the same energy from stored integrals without the level shift
        string json2 = Path.Combine(dir, "oh2.json");
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "def2-svp", Multiplicity = 2, Json = json2 }, new StringWriter()));
        using var doc2 = JsonDocument.Parse(File.ReadAllText(json2));
        Assert.Equal(doc2.RootElement.GetProperty("energy").GetDouble(), doc.RootElement.GetProperty("energy").GetDouble(), 8);
        Assert.Contains("Unknown integral mode", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Multiplicity = 2, Integrals = "disk" }, new StringWriter())).Message);
    }

    [Fact]
    public void OpenShellFciOnUhfOrbitalsIsExactForOneElectron()
    {
        // one electron: Hartree–Fock is exact within the basis, so FCI (on the UHF orbitals) must equal it
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "h.xyz"), json = Path.Combine(dir, "h.json");
        File.WriteAllText(xyz, "1\nH atom\nH 0 0 0\n");
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "6-31g**", Method = "fci", Multiplicity = 2, Json = json }, new StringWriter()));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(doc.RootElement.GetProperty("scf_energy").GetDouble(), doc.RootElement.GetProperty("energy").GetDouble(), 10);
        Assert.Equal("uhf", doc.RootElement.GetProperty("reference").GetString());
        Assert.Contains("closed-shell RHF reference", Assert.Throws<ArgumentException>(() =>
            EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Method = "ccsd", Multiplicity = 2 }, new StringWriter())).Message);
    }

    [Fact]
    public void BadInputNamesTheProblem()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string bad = Path.Combine(dir, "bad.xyz");
        File.WriteAllText(bad, "2\n\nH 0 0 0\nQ 0 0 1\n");
        Assert.Contains("Unknown element 'Q'", Assert.Throws<InvalidDataException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = bad }, new StringWriter())).Message);
        string h = Path.Combine(dir, "h.xyz");
        File.WriteAllText(h, "1\n\nH 0 0 0\n");
        Assert.Contains("cannot have multiplicity 1", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = h }, new StringWriter())).Message);
        Assert.Contains("Unknown method", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = h, Method = "mp2" }, new StringWriter())).Message);
        Assert.Contains("Unknown basis set", Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = h, Multiplicity = 2, Basis = "6-311g" }, new StringWriter())).Message);
    }

    [Fact]
    public void ExcitationsInTheTableAndJson()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "water.xyz"), json = Path.Combine(dir, "out.json");
        File.WriteAllText(xyz, "3\nwater\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");
        var output = new StringWriter();
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "sto-3g", Method = "hf", Tddft = 3, Json = json, Quiet = true }, output, new StringWriter()));
        Assert.Contains("TDHF singlet excitations", output.ToString());
        Assert.Contains("HOMO -> LUMO", output.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var ev = doc.RootElement.GetProperty("excitations_ev").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var f = doc.RootElement.GetProperty("oscillator_strengths").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        // NWChem 7.0.2 TDHF (rpa, hfexch), water/STO-3G: 0.483101441, 0.556018014, 0.612259663 Ha; f 0.0032603, 0, 0.0664606
        double[] reference = [0.483101441, 0.556018014, 0.612259663];
        for (int k = 0; k < 3; k++) Assert.True(Math.Abs(ev[k] - reference[k] * 27.211386245988) < 1e-3, $"state {k + 1}: {ev[k]} eV");
        Assert.Equal(0.0032603, f[0], 5);
        Assert.Equal(0.0664606, f[2], 5);
        Assert.Equal("tddft", doc.RootElement.GetProperty("excitation_method").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("excited_states").GetArrayLength());

        // triplets (TDA of B3LYP): zero oscillator strengths, a B3LYP energy in the JSON
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Basis = "sto-3g", Method = "b3lyp", Grid = "coarse", Tda = 2, Triplets = true, Json = json, Quiet = true }, new StringWriter(), new StringWriter()));
        using var triplets = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("triplet", triplets.RootElement.GetProperty("excitation_spin").GetString());
        Assert.All(triplets.RootElement.GetProperty("oscillator_strengths").EnumerateArray(), x => Assert.Equal(0.0, x.GetDouble()));

        // an open shell (UHF, CIS): spin-conserving excitations labelled by spin
        string oh = Path.Combine(dir, "oh.xyz");
        File.WriteAllText(oh, "2\nmultiplicity=2\nO 0 0 0\nH 0 0 0.9697\n");
        output = new StringWriter();
        Assert.Equal(0, EnergyCommand.Run(new EnergyOptions { Molecule = oh, Basis = "sto-3g", Method = "hf", Tda = 2, Json = json, Quiet = true }, output, new StringWriter()));
        Assert.Contains("spin-conserving excitations (unrestricted)", output.ToString());
        using var open = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("unrestricted", open.RootElement.GetProperty("excitation_spin").GetString());
        Assert.Equal(2, open.RootElement.GetProperty("excitations_ev").GetArrayLength());
    }

    [Fact]
    public void ExcitationRequestsThatCannotBeMetAreNamed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-energy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string h2 = Path.Combine(dir, "h2.xyz"), oh = Path.Combine(dir, "oh.xyz");
        File.WriteAllText(h2, "2\n\nH 0 0 0\nH 0 0 0.74\n");
        File.WriteAllText(oh, "2\nmultiplicity=2\nO 0 0 0\nH 0 0 0.97\n");
        string Message(EnergyOptions o) => Assert.ThrowsAny<ArgumentException>(() => EnergyCommand.Run(o, new StringWriter(), new StringWriter())).Message;
        Assert.Contains("not both", Message(new EnergyOptions { Molecule = h2, Tda = 1, Tddft = 1 }));
        Assert.Contains("at least 1", Message(new EnergyOptions { Molecule = h2, Tda = 0 }));
        Assert.Contains("--triplets chooses", Message(new EnergyOptions { Molecule = h2, Triplets = true }));
        Assert.Contains("has none here", Message(new EnergyOptions { Molecule = h2, Method = "fci", Tda = 1 }));
        Assert.Contains("--triplets applies to closed shells", Message(new EnergyOptions { Molecule = oh, Tda = 1, Triplets = true }));
        Assert.Contains("drop --integrals df", Message(new EnergyOptions { Molecule = h2, Method = "svwn", Integrals = "df", Tda = 1 }));
        // H2 in STO-3G has one single excitation
        Assert.Contains("1 single excitations", Message(new EnergyOptions { Molecule = h2, Tda = 2, Quiet = true }));
    }

    [Fact]
    public void TheIlgpuCpuDeviceGivesTheCpuEnergyAndExcitations()
    {
        // ILGPU's CPU accelerator runs the device kernels (the test double of CUDA): the same SCF energy to 1e-10 Ha and the
        // same TDA excitations (the Davidson residual enters them squared)
        string dir = Path.Combine(Path.GetTempPath(), "qex-device-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string xyz = Path.Combine(dir, "water.xyz");
        File.WriteAllText(xyz, "3\nwater\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");
        JsonElement Run(string device)
        {
            string json = Path.Combine(dir, device + ".json");
            var log = new StringWriter();
            Assert.Equal(0, EnergyCommand.Run(new EnergyOptions
            {
                Molecule = xyz, Basis = "def2-svp", Method = "b3lyp", Radial = 20, Spherical = 50, Tda = 2, Device = device, Json = json,
            }, new StringWriter(), log));
            if (device != "cpu") Assert.Contains("device: ilgpu-cpu", log.ToString(), StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(device, doc.RootElement.GetProperty("device").GetString());
            return doc.RootElement.Clone();
        }
        var cpu = Run("cpu");
        var ilgpu = Run("ilgpu-cpu");
        Assert.Equal(cpu.GetProperty("energy").GetDouble(), ilgpu.GetProperty("energy").GetDouble(), 1e-10);
        var a = cpu.GetProperty("excitations_ev").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var b = ilgpu.GetProperty("excitations_ev").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(2, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-8);
    }

    [Fact]
    public void UnknownAndMissingDevicesAreClearErrors()
    {
        string xyz = Path.Combine(Path.GetTempPath(), "qex-device-" + Guid.NewGuid().ToString("N") + ".xyz");
        File.WriteAllText(xyz, "2\nH2\nH 0 0 0\nH 0 0 0.74\n");
        var e = Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Device = "tpu" }, new StringWriter()));
        Assert.Contains("cpu, cuda, opencl, ilgpu-cpu or auto", e.Message, StringComparison.Ordinal);
        var cuda = Qex.Kernels.Devices.DeviceCatalog.ProbeCuda();
        if (!cuda.Available)
        {
            var missing = Assert.Throws<ArgumentException>(() => EnergyCommand.Run(new EnergyOptions { Molecule = xyz, Device = "cuda" }, new StringWriter()));
            Assert.Contains("not available", missing.Message, StringComparison.Ordinal);
            Assert.Contains(cuda.Detail, missing.Message, StringComparison.Ordinal);
        }
    }
}
