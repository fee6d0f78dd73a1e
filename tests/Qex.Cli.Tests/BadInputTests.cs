using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Reference;

namespace Qex.Cli.Tests;

/// <summary>
/// Malformed inputs of every kind go through the whole command line (<see cref="Program.Run"/>): each ends with
/// exit code 1 (2 for an unparsable command line) and one line "qex: error: ..." that names the problem, never a
/// stack trace, an unhandled exception or a silent result.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-bad-" + Guid.NewGuid().ToString("N"));

    public BadInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Write(string name, string text)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    private static (int Code, string Out, string Err) Qex(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = Program.Run(args, output, error);
        return (rc, output.ToString(), error.ToString());
    }

    private static void AssertFails((int Code, string Out, string Err) r, string fragment, int code = 1)
    {
        Assert.True(r.Code == code, $"exit code {r.Code}, expected {code}; stderr: {r.Err}; stdout: {r.Out}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("qex: error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.Err, StringComparison.Ordinal);
        Assert.Contains(fragment, r.Err, StringComparison.OrdinalIgnoreCase);
    }

    private const string Water = "3\n\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n";

    public static TheoryData<string, string, string> BasisFiles => new()
    {
        { "truncated", "****\nH 0\nS 3 1.00\n 3.4 0.15\n", "ends after" },
        { "bad-shell-letter", "****\nH 0\nQ 1 1.00\n 3.4 0.15\n****\nO 0\nS 1 1.0\n 1.0 1.0\n****\n", "unknown shell type 'Q'" },
        { "missing-stars", "H 0\nS 1 1.00\n 3.4 0.15\nO 0\nS 1 1.0\n 1.0 1.0\n", "'****' line" },
        { "non-numeric", "****\nH 0\nS 1 1.00\n abc 0.15\n****\nO 0\nS 1 1.0\n 1.0 1.0\n****\n", "'abc' is not a number" },
        { "negative-exponent", "****\nH 0\nS 1 1.00\n -3.4 0.15\n****\nO 0\nS 1 1.0\n 1.0 1.0\n****\n", "must be a positive number" },
        { "empty-block", "****\nH 0\n****\nO 0\nS 1 1.0\n 1.0 1.0\n****\n", "has no shells" },
        { "huge-count", "****\nH 0\nS 999999999 1.00\n 3.4 0.15\n****\n", "announces 999999999 primitives" },
        { "zero-coefficients", "****\nH 0\nS 1 1.00\n 3.4 0\n****\nO 0\nS 1 1.0\n 1.0 1.0\n****\n", "coefficient" },
        { "not-a-basis", "hello world\n", "element header" },
    };

    [Theory]
    [MemberData(nameof(BasisFiles))]
    public void MalformedBasisFiles(string name, string text, string fragment)
    {
        string gbs = Write(name + ".gbs", text);
        AssertFails(Qex("energy", Write("w.xyz", Water), "--basis", gbs, "-q"), fragment);
        Assert.Contains(name + ".gbs", Qex("energy", Write("w.xyz", Water), "--basis", gbs, "-q").Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2\n\nH 0 0 0\nH 0 0 1e200\n", "coordinate")]
    [InlineData("2\n\nH 0 0 0\nH 0 0 0.000001\n", "apart")]
    [InlineData("2\n\nH 0 0 0\nH 0 0 NaN\n", "not a number")]
    [InlineData("2\n\nH 0 0 0\n", "header says 2 atoms")]
    [InlineData("1\n\nXx 0 0 0\n", "Xx")]
    [InlineData("", "empty")]
    [InlineData("1\ncharge=1 multiplicity=1\nH 0 0 0\n", "electrons")]
    public void MalformedMolecules(string xyz, string fragment) =>
        AssertFails(Qex("energy", Write("m.xyz", xyz), "-q"), fragment);

    [Theory]
    [InlineData("--damping", "NaN", "Damping")]
    [InlineData("--level-shift", "NaN", "level shift")]
    [InlineData("--level-shift", "-1", "level shift")]
    [InlineData("--method", "mp2", "Unknown method")]
    [InlineData("--occupation", "0,x", "occupation")]
    [InlineData("--method", "0.75*pbe_x + bogus_c", "b3lyp")]
    [InlineData("--method", "0.75*pbe_x + 0.25*", "no component")]
    public void BadEnergyOptions(string option, string value, string fragment) =>
        AssertFails(Qex("energy", Write("w.xyz", Water), option, value, "-q"), fragment);

    [Theory]
    [InlineData("--grid", "huge", "ultrafine")]
    [InlineData("--spherical", "300", "5810")]
    [InlineData("--radial", "0", "radial points")]
    [InlineData("--radial-scheme", "simpson", "mura-knowles")]
    [InlineData("--partition", "voronoi", "stratmann")]
    [InlineData("--smearing", "-0.1", "smearing temperature")]
    public void BadDftGridOptions(string option, string value, string fragment) =>
        AssertFails(Qex("energy", Write("w.xyz", Water), "--method", "svwn", option, value, "-q"), fragment);

    [Fact]
    public void AGridForAMethodWithoutOneIsAnError() =>
        AssertFails(Qex("energy", Write("w.xyz", Water), "--grid", "fine", "-q"), "uses none");

    [Fact]
    public void SmearingForAMethodWithoutItIsAnError() =>
        AssertFails(Qex("energy", Write("w.xyz", Water), "--smearing", "0.04", "-q"), "integer occupations");

    [Fact]
    public void FciThatCannotFitIsRefusedBeforeAnyWork()
    {
        // benzene in 6-31G: 66 orbitals, 21 alpha electrons: 10^34 determinants
        string benzene = "12\n\nC 0 1.39 0\nC 1.2 0.695 0\nC 1.2 -0.695 0\nC 0 -1.39 0\nC -1.2 -0.695 0\nC -1.2 0.695 0\n" +
                         "H 0 2.47 0\nH 2.14 1.235 0\nH 2.14 -1.235 0\nH 0 -2.47 0\nH -2.14 -1.235 0\nH -2.14 1.235 0\n";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = Qex("energy", Write("benzene.xyz", benzene), "--basis", "6-31g", "--method", "fci", "-q");
        AssertFails(r, "determinants");
        Assert.True(sw.Elapsed.TotalSeconds < 20, $"the refusal took {sw.Elapsed.TotalSeconds:F1} s (it should come before the SCF)");
    }

    public static TheoryData<string, string> Configs => new()
    {
        { "data:\n  train: [{dataset: h2, distances: [abc]}]\n", "distance 'abc'" },
        { "loss: {energy_steps: 0}\n", "energy_steps" },
        { "scf: {mixing: 5}\n", "scf.mixing" },
        { "scf: {mixing: NaN}\n", "scf.mixing" },
        { "scf: {temperature: -1}\n", "scf.temperature" },
        { "scf: {iterations: 0}\n", "scf.iterations" },
        { "optimiser: {history: 0}\n", "optimiser.history" },
        { "optimiser: {history: -3}\n", "optimiser.history" },
        { "optimiser: {name: adam, learning_rate: Infinity}\n", "learning_rate" },
        { "optimiser: {max_evaluations: 0}\n", "max_evaluations" },
        { "optimiser: {max_evaluations: -4}\n", "max_evaluations" },
        { "optimiser: {name: sgd}\n", "lbfgs or adam" },
        { "optimiser: {starts: 0}\n", "optimiser.starts" },
        { "optimiser: {starts: 1001}\n", "optimiser.starts" },
        { "optimiser: {target_validation: -1}\n", "optimiser.target_validation" },
        { "optimiser: {target_validation: NaN}\n", "optimiser.target_validation" },
        { "optimiser: {starts: 1000, max_evaluations: 100000}\n", "optimiser.starts x optimiser.max_evaluations" },
        { "validation_metric: median\n", "validation_metric" },
        { "validate_every: -1\n", "validate_every" },
        { "scf: {iterations: 3}\nscf: {iterations: 4}\n", "duplicate key" },
        { "data: {train: []}\n", "no molecules" },
        { "model: {functional: b3lyp}\n", "Unknown functional 'b3lyp'" },
        { "model: {quantum: {qubits: 99}}\n", "model.quantum.qubits" },
        { "model: {quantum: {feature_map: fancy}}\n", "feature map" },
        { "noise: {readout: {p01: 0.1, p11: 0.2}}\n", "unknown key 'p11'" },
        { "noise: {shots: -1}\n", "noise.shots" },
        { "a: &a [1, 2]\nb: *a\n", "anchors" },
        { "x: " + new string('[', 100) + new string(']', 100) + "\n", "nesting deeper" },
        { "nope: 1\n", "'nope' does not exist" },
        { "scf: 3\n", "must be a mapping" },
        { "- a\n- b\n", "mapping of keys" },
        { "data:\n  test: [{dataset: h2, split: tset}]\n", "Unknown split 'tset'" },
        { "data:\n  test: [{dataset: h2, split: test, distances: [40]}]\n", "one of 'split', 'distances' or 'labels'" },
        { "data:\n  train: [{dataset: h2, distances: [128], density_weight: -1}]\n", "'density_weight' must be a finite number >= 0" },
        { "data:\n  train: [{dataset: h2, distances: [128], density_weight: NaN}]\n", "'density_weight' must be a finite number >= 0" },
        { "data:\n  train: [{dataset: h2, distances: [128], density_weight: heavy}]\n", "'density_weight' must be a number" },
        { "data:\n  validation: [{dataset: h2, distances: [64], density_weight: 0}]\n", "data.validation[0]: 'density_weight' weights a training entry" },
        { "data:\n  test: [{dataset: no-such-set, split: test}]\n", "no-such-set" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void MalformedConfigs(string yaml, string fragment)
    {
        string config = Write("c.yaml", yaml);
        AssertFails(Qex("train", config, "--out", Path.Combine(_dir, "out"), "-q"), fragment);
    }

    [Theory]
    [InlineData("scf={iterationz: 3}", "scf.iterationz")]
    [InlineData("scf=3", "is a section")]
    [InlineData("noequals", "key.path=value")]
    [InlineData("optimiser.max_evaluations=many", "must be an integer")]
    [InlineData("noise.readout={p01: 0.1, q: 1}", "unknown key 'q'")]
    public void MalformedOverrides(string set, string fragment) =>
        AssertFails(Qex("train", "--set", set, "--out", Path.Combine(_dir, "out"), "-q"), fragment);

    [Fact]
    public void AnOutputFolderThatCannotBeCreatedIsFoundBeforeTheWork()
    {
        string file = Write("plain-file", "x");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        AssertFails(Qex("train", "--out", Path.Combine(file, "sub"), "-q"), "cannot be written");
        Assert.True(sw.Elapsed.TotalSeconds < 10, "the output folder must be checked before training");
    }

    [Theory]
    [InlineData("lda", "--iterations", "0", "--iterations")]
    [InlineData("lda", "--iterations", "2000000000", "--iterations")]
    [InlineData("pbe", "--quiet", null, "Unknown functional 'pbe'")]
    [InlineData("lda", "--distances", "0:2000000000:1", "at most")]
    [InlineData("lda", "--split", "sideways", "Unknown split 'sideways'")]
    public void BadEvalOptions(string functional, string option, string? value, string fragment) =>
        AssertFails(value is null ? Qex("eval", "--functional", functional, "--dataset", "h2", option) : Qex("eval", "--functional", functional, "--dataset", "h2", option, value, "-q"), fragment);

    [Fact]
    public void EvalWithoutModelOrParametersIsAClearError()
    {
        AssertFails(Qex("eval", "--dataset", "h2"), "--params");
        AssertFails(Qex("eval", "--functional", "ksr-gga", "--dataset", "h2"), "--params");
    }

    public static TheoryData<string, string> Checkpoints => new()
    {
        { "{\"format\": \"qex.xc-checkpoint\", \"version\": 2, \"functional\": \"lda\", \"parameters\": null}", "no parameter list" },
        { "{\"format\": \"qex.xc-checkpoint\", \"version\": 99, \"functional\": \"lda\", \"parameters\": []}", "version 99" },
        { "{\"format\": \"something-else\"}", "not a Qex XC checkpoint" },
        { "{\"format\": \"qex.xc-checkpoint\", \"version\": 2, \"functional\": \"dft-magic\", \"parameters\": []}", "Unknown functional 'dft-magic'" },
        { "not json at all", "not a readable Qex checkpoint" },
        { "{\"format\": \"qex.xc-checkpoint\", \"version\": 2, \"functional\": \"ksr-lda\", \"parameters\": [{\"name\": \"W1\", \"shape\": [1], \"values\": [1]}]}", "parameter" },
    };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void MalformedCheckpoints(string json, string fragment) =>
        AssertFails(Qex("eval", "--params", Write("ck.json", json), "--dataset", "h2", "-q"), fragment);

    [Theory]
    [InlineData("--grid-points", "100001", "--grid-points")]
    [InlineData("--grid-points", "1000000001", "--grid-points")]
    [InlineData("--grid-points", "4", "--grid-points")]
    [InlineData("--distances", "0:2000000000:1", "at most")]
    [InlineData("--distances", "abc", "--distances")]
    [InlineData("--spacing", "NaN", "--spacing")]
    public void BadGenDataOptions(string option, string value, string fragment)
    {
        var args = new List<string> { "gen-data", "1d", "--system", "h2", "--out", Path.Combine(_dir, "gen"), "-q" };
        if (option != "--distances") args.AddRange(["--distances", "128"]);
        args.AddRange([option, value]);
        AssertFails(Qex([.. args]), fragment);
    }

    [Fact]
    public void GenDataOfAGeometryOffTheGridIsRefusedBeforeTheWork() =>
        AssertFails(Qex("gen-data", "1d", "--system", "h2", "--distances", "130", "--out", Path.Combine(_dir, "gen"), "-q"), "multiple of the grid spacing");

    private string DatasetWith(Action<double[], double[], double[]> spoil)
    {
        var grid = Grid1D.Linspace(-6.4, 6.4, 81);
        var set = new ExactReferenceGenerator(grid, new ExponentialCoulomb()).Generate("h2", [128]);
        string dir = Path.Combine(_dir, "set-" + Guid.NewGuid().ToString("N")[..6]);
        DatasetWriter.Write(set, dir);
        var energies = Npy.ReadTensor(Path.Combine(dir, "total_energies.npy")).ToArray();
        var locations = Npy.ReadTensor(Path.Combine(dir, "locations.npy")).ToArray();
        var electrons = new double[] { 2 };
        spoil(energies, locations, electrons);
        Npy.Write(Path.Combine(dir, "total_energies.npy"), new NpyArray(NpyDType.Float64, [1], energies));
        Npy.Write(Path.Combine(dir, "locations.npy"), new NpyArray(NpyDType.Float64, [1, 2], locations));
        Npy.Write(Path.Combine(dir, "num_electrons.npy"), new NpyArray(NpyDType.Int64, [], new[] { (long)electrons[0] }));
        return dir;
    }

    [Fact]
    public void NonFiniteOrImpossibleReferenceDataIsRejectedOnLoadNamingTheFileAndEntry()
    {
        AssertFails(Qex("eval", "--functional", "lda", "--data", DatasetWith((e, _, _) => e[0] = double.NaN), "--split", "all", "-q"), "total_energies.npy holds NaN at entry 0");
        AssertFails(Qex("eval", "--functional", "lda", "--data", DatasetWith((_, l, _) => l[1] = double.PositiveInfinity), "--split", "all", "-q"), "locations.npy holds");
        AssertFails(Qex("eval", "--functional", "lda", "--data", DatasetWith((_, _, n) => n[0] = 0), "--split", "all", "-q"), "num_electrons.npy");
    }

    [Theory]
    [InlineData("train", "--bogus", "unknown option '--bogus'")]
    [InlineData("frobnicate", "", "unknown verb 'frobnicate'")]
    [InlineData("energy", "", "required")]
    public void UnparsableCommandLinesPrintAShortErrorAndAHint(string verb, string arg, string fragment)
    {
        var r = Qex(arg.Length == 0 ? [verb] : [verb, arg]);
        AssertFails(r, fragment, code: 2);
        Assert.Contains("--help", r.Err, StringComparison.Ordinal);
        Assert.True(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 3, "a short error, not the whole help: " + r.Err);
    }
}
