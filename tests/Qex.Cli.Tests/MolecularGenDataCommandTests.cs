using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Core.IO;
using Qex.Dft.Molecular.Learning;

namespace Qex.Cli.Tests;

/// <summary><c>qex gen-data molecular</c>: one HDF5 file per dataset, its contents, resume, h5py, bad input.</summary>
public sealed class MolecularGenDataCommandTests
{
    [Fact]
    public void WritesAReadableResumableHdf5DatasetWithPsi4Energies()
    {
        string dir = Path.Combine(Path.GetTempPath(), "qex-gendata-mol-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = new GenDataOptions { Dimension = "molecular", System = "h2", Scan = "0.5,0.6", Method = "ccsd(t)", Radial = 30, Spherical = 110, Out = dir, Quiet = true };
            Assert.Equal(0, GenDataCommand.Run(o, new StringWriter(), new StringWriter()));
            string path = Path.Combine(dir, "h2_6-31g_ccsd_t.h5");
            var set = MolecularDataset.Load(path);
            Assert.Equal(["h2 0.5", "h2 0.6"], set.Entries.Select(e => e.Label));
            Assert.Equal(("ccsd(t)", "6-31g", 30, 110), (set.Method, set.Basis, set.RadialPoints, set.SphericalPoints));
            foreach (var e in set.Entries)
            {
                double n = e.Grid.W.Select((w, g) => w * e.Density[g]).Sum();
                Assert.True(Math.Abs(n - 2) < 1e-4, $"{e.Label}: the grid density integrates to {n}");
                Assert.Equal(4, e.DensityMatrix.Dim(0));
            }
            // Psi4's CCSD(T)/6-31G energies (the shared reference set), where it is beside the repository
            if (SharedData.Resolve("psi4", "fci_ccsdt.jsonl") is { } jsonl && File.Exists(jsonl))
                foreach (string line in File.ReadLines(jsonl))
                {
                    using var j = JsonDocument.Parse(line);
                    var r = j.RootElement;
                    if (r.GetProperty("system").GetString() != "h2" || r.GetProperty("method").GetString() != "ccsd(t)" || r.GetProperty("basis").GetString() != "6-31g") continue;
                    string label = "h2 " + r.GetProperty("geometry_label").GetString()!.Replace("R=", "", StringComparison.Ordinal);
                    if (set.Entries.FirstOrDefault(e => e.Label == label) is { } mine)
                        Assert.True(Math.Abs(mine.Energy - r.GetProperty("energy").GetDouble()) < 1e-7, $"{label}: {mine.Energy:F10} vs Psi4 {r.GetProperty("energy").GetDouble():F10}");
                }
            // a rerun with one more geometry keeps the two already there and computes only the new one
            var log = new StringWriter();
            Assert.Equal(0, GenDataCommand.Run(new GenDataOptions { Dimension = "molecular", System = "h2", Scan = "0.5,0.6,0.7", Method = "ccsd(t)", Radial = 30, Spherical = 110, Out = dir, Quiet = true },
                new StringWriter(), log));
            Assert.Contains("2 geometries were already in", log.ToString());
            var again = MolecularDataset.Load(path);
            Assert.Equal(3, again.Entries.Count);
            Assert.Equal(set.Entries[1].DensityMatrix.ToArray(), again.Entries[1].DensityMatrix.ToArray());
            // h5py, the reader the users have, sees the same numbers
            if (H5pyAvailable())
            {
                string script = $"import h5py\nf = h5py.File({JsonSerializer.Serialize(path)}, 'r')\nprint(f.attrs['format'], f.attrs['method'], len(f['energies']))\nprint(repr(float(f['geometries/0002/density_matrix'][0, 1])))\nprint(f['geometries/0002/grid_coordinates'].shape[1])\n";
                var (rc, stdout) = RunPython(script);
                Assert.True(rc == 0, stdout);
                var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Assert.Equal("qex.molecular-reference ccsd(t) 3", lines[0]);
                Assert.Equal(again.Entries[2].DensityMatrix[0, 1], double.Parse(lines[1], CultureInfo.InvariantCulture));
                Assert.Equal("3", lines[2]);
            }
            else Console.Error.WriteLine("skipped the h5py check: /usr/bin/python3 has no h5py (apt-get install python3-h5py)");
            // a scan elsewhere adds to the file without dropping what is there; another grid is refused, not overwritten
            Assert.Equal(0, GenDataCommand.Run(new GenDataOptions { Dimension = "molecular", System = "h2", Scan = "0.8", Method = "ccsd(t)", Radial = 30, Spherical = 110, Out = dir, Quiet = true },
                new StringWriter(), new StringWriter()));
            Assert.Equal(["h2 0.5", "h2 0.6", "h2 0.7", "h2 0.8"], MolecularDataset.Load(path).Entries.Select(e => e.Label));
            Assert.Contains("30 x 110 grid", Assert.Throws<ArgumentException>(() => GenDataCommand.Run(new GenDataOptions { Dimension = "molecular", System = "h2", Scan = "0.9",
                Method = "ccsd(t)", Radial = 20, Spherical = 110, Out = dir, Quiet = true }, new StringWriter(), new StringWriter())).Message);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("h5", "0.5", "fci", "Unknown molecular system 'h5'")]
    [InlineData("h2", null, "fci", "--scan is required")]
    [InlineData("h2", "0.5:0.1:0.1", "fci", "is neither a list")]
    [InlineData("h2", "-1", "fci", "is neither a list")]
    [InlineData("h2", "0.5", "mp2", "Unknown reference method 'mp2'")]
    [InlineData("h2", "0.5,0.5", "fci", "lists a distance twice")]
    public void BadMolecularInputIsAClearError(string system, string? scan, string method, string message)
    {
        var o = new GenDataOptions { Dimension = "molecular", System = system, Scan = scan, Method = method, Out = Path.Combine(Path.GetTempPath(), "qex-never-" + Guid.NewGuid().ToString("N")), Quiet = true };
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => GenDataCommand.Run(o, new StringWriter(), new StringWriter())).Message);
        Assert.Contains("--scan", Assert.Throws<ArgumentException>(() => GenDataCommand.Run(new GenDataOptions { Dimension = "molecular", System = "h2", Distances = "128", Out = "x" }, new StringWriter())).Message);
    }

    [Fact]
    public void AGeometrysOwnFailureIsItsClearError()
    {
        // refused inside the geometry's reference (43 functions: the finite-field CC density stops at 40)
        var o = new GenDataOptions { Dimension = "molecular", System = "h2o", Scan = "1.0", Method = "ccsd", Basis = "def2-tzvp", Out = Path.Combine(Path.GetTempPath(), "qex-never-" + Guid.NewGuid().ToString("N")), Quiet = true };
        try { Assert.Contains("finite-field CCSD density", Assert.Throws<ArgumentException>(() => GenDataCommand.Run(o, new StringWriter(), new StringWriter())).Message); }
        finally { if (Directory.Exists(o.Out)) Directory.Delete(o.Out, true); }
    }

    private static bool H5pyAvailable() => File.Exists("/usr/bin/python3") && RunPython("import h5py").ExitCode == 0;

    private static (int ExitCode, string Output) RunPython(string script)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
