using System.Text.Json;
using Qex.Cli.Commands;
using Qex.Tests.Common;

namespace Qex.Cli.Tests;

/// <summary><c>qex eval --spin-polarised</c>: the ions set by spin-polarised Kohn–Sham.</summary>
public sealed class SpinPolarisedEvalTests
{
    private static Dictionary<string, double> Energies(bool spin)
    {
        string json = Path.Combine(Path.GetTempPath(), "qex-spin-" + Guid.NewGuid().ToString("N") + ".json");
        Assert.Equal(0, EvalCommand.Run(new EvalOptions { Functional = "lda", Dataset = "ions/dmrg", Split = "all", SpinPolarised = spin, Json = json, Quiet = true }, new StringWriter()));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(spin, doc.RootElement.GetProperty("spin_polarised").GetBoolean());
        return doc.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("label").GetString()!, r => r.GetProperty("energy").GetDouble());
    }

    [SharedDataFact("ksr_dft", "ions", "dmrg")]
    public void ClosedShellsAreUnchangedAndOpenShellsGainThePolarisationEnergy()
    {
        var restricted = Energies(false);
        var polarised = Energies(true);
        Assert.Equal(10, polarised.Count);
        // He, Li+, Be2+ and Be are closed shells: the same SCF; H-like ions, Li and Be+ are open: the spin channels relax
        foreach (var label in new[] { "He", "Li$^+$", "Be$^{++}$", "Be" }) Assert.Equal(restricted[label], polarised[label], 1e-10);
        foreach (var label in new[] { "H", "He$^+$", "Li$^{++}$", "Be$^{3+}$", "Li", "Be$^+$" })
            Assert.True(polarised[label] < restricted[label] - 1e-3, $"{label}: spin-polarised {polarised[label]}, restricted {restricted[label]}");
    }

    [Fact]
    public void AFunctionalWithoutASpinFormIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => EvalCommand.Run(new EvalOptions { Functional = "ksr-global", Dataset = "h2", SpinPolarised = true }, new StringWriter()));
        Assert.Contains("spin functionals: lda", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>The config of spin-polarised training: labels in data entries and scf.spin_polarised.</summary>
public sealed class SpinPolarisedConfigTests
{
    [Fact]
    public void LabelsAndSpinPolarisationAreReadAndChecked()
    {
        var e = Qex.Cli.Training.DataEntries.FromConfig(new Dictionary<string, object?> { ["dataset"] = "ions/dmrg", ["labels"] = new List<object?> { "H", "Li$^+$" } }, "data.train[0]");
        Assert.Equal(["H", "Li$^+$"], e.Labels!);
        Assert.Contains("one of 'split', 'distances' or 'labels'", Assert.Throws<ArgumentException>(() => Qex.Cli.Training.DataEntries.FromConfig(
            new Dictionary<string, object?> { ["dataset"] = "ions/dmrg", ["labels"] = new List<object?> { "H" }, ["split"] = "all" }, "data.train[0]")).Message, StringComparison.Ordinal);
        string root = RepositoryPaths.Root();
        var config = Qex.Cli.Configuration.TrainingConfigReader.Read(Qex.Cli.Configuration.ConfigFiles.Build(Path.Combine(root, "configs", "lsda_ions.yaml"), []));
        Assert.True(config.Scf.SpinPolarised);
        Assert.True(config.ToScfOptions().SpinPolarised);
        Assert.Equal("ksr-lsda", config.Model.Functional);
        var w = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new TrainOptions { PrintDefaultConfig = true }, w));
        Assert.Contains("spin_polarised: false", w.ToString(), StringComparison.Ordinal);
    }
}
