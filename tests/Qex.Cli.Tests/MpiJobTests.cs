using System.Diagnostics;
using Qex.Dft.OneD.Training;

namespace Qex.Cli.Tests;

/// <summary>A fact that needs MPICH's launcher (mpiexec.mpich; CI installs Debian's mpich); skipped with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MpichFactAttribute : FactAttribute
{
    public MpichFactAttribute()
    {
        if (MpiJobTests.Launcher is null) Skip = "mpiexec.mpich was not found on PATH (Debian: apt-get install mpich); the MPI job tests need MPICH.";
    }
}

/// <summary>
/// qex under mpiexec on loopback: 2 ranks give the single process's parameters, a killed rank ends the job and
/// --resume (with any number of ranks) reaches the uninterrupted result, gen-data shards its geometries.
/// </summary>
public sealed class MpiJobTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-mpi-" + Guid.NewGuid().ToString("N"));

    /// <summary>MPICH's launcher, or null.</summary>
    public static string? Launcher { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "mpiexec.mpich")).FirstOrDefault(File.Exists);

    private static readonly string Qex = typeof(Program).Assembly.Location;

    public MpiJobTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // the default recipe (KSR-global on H2 at 1.28 and 3.84), 20 L-BFGS evaluations, one start, checkpoints every 2
    private string Config()
    {
        string path = Path.Combine(_dir, "mpi.yaml");
        File.WriteAllText(path, """
            data:
              validation: []
              test:
                - {dataset: h2, distances: [200]}
            optimiser:
              max_evaluations: 20
              starts: 1
            checkpoint_every: 2
            """);
        return path;
    }

    private static Process Start(int ranks, params string[] args)
    {
        var psi = new ProcessStartInfo(ranks > 0 ? Launcher! : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ranks > 0) foreach (var a in new[] { "-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Qex);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static (int Exit, string Output, string Error) Run(int ranks, params string[] args)
    {
        using var p = Start(ranks, args);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"qex {string.Join(' ', args)} on {ranks} ranks did not finish in 5 minutes."); }
        return (p.ExitCode, output.Result, error.Result);
    }

    private static double[] Parameters(string dir) => XcCheckpoint.Load(Path.Combine(dir, TrainingRun.CheckpointFile)).Parameters.Flatten();

    private static double[] MolecularParameters(string dir) =>
        global::Qex.Dft.Molecular.Learning.MolecularXcCheckpoint.Load(Path.Combine(dir, TrainingRun.CheckpointFile)).Parameters.Flatten();

    private static double MaxDifference(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    [MpichFact]
    public void TwoRanksTrainLikeOneProcessAndAKilledRankResumesToTheSameResult()
    {
        string config = Config(), one = Path.Combine(_dir, "one"), two = Path.Combine(_dir, "two"), killed = Path.Combine(_dir, "killed");
        var single = Run(0, "train", config, "--out", one);
        Assert.True(single.Exit == 0, single.Error);
        var pair = Run(2, "train", config, "--out", two);
        Assert.True(pair.Exit == 0, pair.Error);
        Assert.Contains("MPI: 2 ranks on 1 node", pair.Error);
        Assert.Matches(@"rank 0 \(pid \d+ on [^)]+\): 128; rank 1 \(pid \d+ on [^)]+\): 384", pair.Error);
        Assert.Equal(single.Output, pair.Output);   // the test line, printed once
        Assert.True(MaxDifference(Parameters(one), Parameters(two)) <= 1e-12);

        // kill -9 one rank after a few evaluations: the job ends (no hang), and a resume on one process finishes the run
        using (var job = Start(2, "train", config, "--out", killed))
        {
            var output = job.StandardOutput.ReadToEndAsync();
            var error = job.StandardError.ReadToEndAsync();
            string ck = Path.Combine(killed, TrainingRun.CheckpointFile);
            var until = DateTime.UtcNow.AddMinutes(3);
            while (!(File.Exists(ck) && XcCheckpoint.Load(ck).Training!.Evaluations >= 6) && DateTime.UtcNow < until) Thread.Sleep(100);
            var ranks = RankProcesses(killed);
            Assert.Equal(2, ranks.Count);
            Process.GetProcessById(ranks.Max()).Kill();
            Assert.True(job.WaitForExit(TimeSpan.FromMinutes(1)), "the job did not end after one of its ranks was killed");
            Assert.NotEqual(0, job.ExitCode);
            Assert.True(XcCheckpoint.Load(ck).Training!.Evaluations < 20);
        }
        var resumed = Run(0, "train", config, "--out", killed, "--resume");
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("resuming from", resumed.Error);
        Assert.True(MaxDifference(Parameters(one), Parameters(killed)) <= 1e-12);
    }

    // the rank processes of a job: dotnet processes whose command line names the job's output folder
    private static List<int> RankProcesses(string outDir)
    {
        var pids = new List<int>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out int pid)) continue;
            string[] argv;
            try { argv = File.ReadAllText(Path.Combine(d, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (argv.Length > 1 && Path.GetFileName(argv[0]) == "dotnet" && argv.Contains(outDir)) pids.Add(pid);
        }
        return pids;
    }

    [MpichFact]
    public void GenDataOnTwoRanksWritesTheSameSetAsOneProcess()
    {
        string one = Path.Combine(_dir, "gen1"), two = Path.Combine(_dir, "gen2");
        string[] args = ["gen-data", "1d", "--system", "h2", "--distances", "64,128,192", "--grid-points", "81", "--quiet"];
        var single = Run(0, [.. args, "--out", one]);
        Assert.True(single.Exit == 0, single.Error);
        var pair = Run(2, [.. args, "--out", two]);
        Assert.True(pair.Exit == 0, pair.Error);
        Assert.Equal(single.Output, pair.Output);
        foreach (var file in Directory.GetFiles(one, "*.npy").Select(Path.GetFileName))
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, file!)), File.ReadAllBytes(Path.Combine(two, file!)));
    }

    [MpichFact]
    public void GenDataMolecularOnTwoRanksWritesTheSameFileAsOneProcess()
    {
        // three FCI geometries over two ranks: two rounds, the second with one rank idle; a rerun keeps what is there
        string one = Path.Combine(_dir, "mol1"), two = Path.Combine(_dir, "mol2");
        string[] args = ["gen-data", "molecular", "--system", "h2", "--scan", "0.6,0.74,0.9", "--radial", "20", "--spherical", "26", "--quiet"];
        var single = Run(0, [.. args, "--out", one]);
        Assert.True(single.Exit == 0, single.Error);
        var pair = Run(2, [.. args, "--out", two]);
        Assert.True(pair.Exit == 0, pair.Error);
        Assert.Equal(single.Output, pair.Output);
        Assert.Contains("MPI: 2 ranks", pair.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, "h2_6-31g_fci.h5")), File.ReadAllBytes(Path.Combine(two, "h2_6-31g_fci.h5")));
        var more = Run(2, ["gen-data", "molecular", "--system", "h2", "--scan", "0.6,0.74,0.9,1.2", "--radial", "20", "--spherical", "26", "--quiet", "--out", two]);
        Assert.True(more.Exit == 0, more.Error);
        Assert.Contains("3 geometries were already in", more.Error);
        var set = global::Qex.Dft.Molecular.Learning.MolecularDataset.Load(Path.Combine(two, "h2_6-31g_fci.h5"));
        Assert.Equal([0.6, 0.74, 0.9, 1.2], set.Entries.Select(e => e.Distance));
        var first = global::Qex.Dft.Molecular.Learning.MolecularDataset.Load(Path.Combine(one, "h2_6-31g_fci.h5"));
        for (int i = 0; i < 3; i++) Assert.Equal(first.Entries[i].Energy, set.Entries[i].Energy);
    }

    [MpichFact]
    public void AMolecularRunOnTwoRanksTrainsLikeOneProcessAndResumesOnOne()
    {
        // 20 evaluations of a small molecular config (FCI references, implicit fixed-point gradients): one process
        // against two ranks; then two ranks stopped at evaluation 10 and resumed on one process to 20
        string config = Path.Combine(_dir, "mol.yaml"), one = Path.Combine(_dir, "mol1"), two = Path.Combine(_dir, "mol2"), split = Path.Combine(_dir, "mol3");
        File.WriteAllText(config, """
            kind: molecular
            model: {functional: enhancement-gga, hidden: [4, 3], seed: 1}
            data:
              basis: 6-31g
              train: [{system: h2, distances: [0.74, 1.5]}, {system: h4-square, distances: [1.2]}]
              validation: [{system: h2, distances: [1.0]}]
              test: [{system: h2, distances: [1.2]}]
            grid: {radial: 20, spherical: 50}
            scf: {differentiation: implicit, fixed_point_tolerance: 1.0e-10}
            loss: {energy_steps: 1}
            optimiser: {max_evaluations: 20}
            checkpoint_every: 1
            validate_every: 2
            """);
        var single = Run(0, "train", config, "--out", one, "--quiet");
        Assert.True(single.Exit == 0, single.Error);
        var pair = Run(2, "train", config, "--out", two, "--quiet");
        Assert.True(pair.Exit == 0, pair.Error);
        Assert.Equal(single.Output, pair.Output);
        Assert.True(MaxDifference(MolecularParameters(one), MolecularParameters(two)) <= 1e-12);
        var first = Run(2, "train", config, "--out", split, "--quiet", "--set", "optimiser.max_evaluations=10");
        Assert.True(first.Exit == 0, first.Error);
        var rest = Run(0, "train", config, "--out", split, "--quiet", "--resume");
        Assert.True(rest.Exit == 0, rest.Error);
        Assert.Equal(single.Output, rest.Output);
        Assert.True(MaxDifference(MolecularParameters(one), MolecularParameters(split)) <= 1e-12);
    }

    [MpichFact]
    public void TheMolecularLadderOnTwoRanksGivesTheOneProcessTable()
    {
        // a distillation ladder (three molecular runs, teacher SVWN with its orbital-Hessian products): references,
        // training, test and distillation metrics sharded, rank 0 writes; the table equals one process's (but its timings)
        string config = Path.Combine(_dir, "ladder.yaml"), one = Path.Combine(_dir, "ladder1"), two = Path.Combine(_dir, "ladder2");
        File.WriteAllText(config, """
            kind: molecular
            model: {functional: enhancement-gga, hidden: [4, 3], seed: 1}
            data:
              basis: 6-31g
              reference: svwn
              train: [{system: h2, distances: [0.74, 1.5]}]
              validation: []
              test: [{system: h2, distances: [1.0, 1.2]}]
            grid: {radial: 20, spherical: 50}
            scf: {differentiation: implicit, fixed_point_tolerance: 1.0e-10}
            loss: {energy_steps: 1, hessian_directions: 1}
            optimiser: {max_evaluations: 2}
            """);
        var single = Run(0, "train", config, "--ladder", "--out", one, "--quiet");
        Assert.True(single.Exit == 0, single.Error);
        var pair = Run(2, "train", config, "--ladder", "--out", two, "--quiet");
        Assert.True(pair.Exit == 0, pair.Error);
        static string[] Table(string dir) => [.. File.ReadAllLines(Path.Combine(dir, "ladder.md")).Select(l => l[..l.TrimEnd(' ', '|').LastIndexOf('|')])];
        Assert.Equal(5, Table(one).Length);
        Assert.Equal(Table(one), Table(two));
        foreach (string rung in new[] { "e_rho", "e_rho_grad", "e_rho_grad_hess" })
            Assert.True(MaxDifference(MolecularParameters(Path.Combine(one, rung)), MolecularParameters(Path.Combine(two, rung))) <= 1e-12, rung);
    }

    [MpichFact]
    public void VerbsThatDoNotShardAreRefusedUnderMpi()
    {
        foreach (var args in new[] { new[] { "noise-sweep", Path.Combine(_dir, "none.yaml"), "--params", Path.Combine(_dir, "none.json") }, ["energy", Path.Combine(_dir, "none.xyz")] })
        {
            var e = Run(2, args);
            Assert.Equal(1, e.Exit);
            Assert.Contains("runs in one process; start it without mpiexec", e.Error);
            Assert.Single(e.Error.Split('\n'), l => l.StartsWith("qex: error", StringComparison.Ordinal));
        }
    }
}
