using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CommandLine;
using CommandLine.Text;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Spectre.Console;

namespace Qex.Cli.Commands;

/// <summary>Options of <c>qex energy</c>.</summary>
[Verb("energy", HelpText = "Molecular energy in a Gaussian basis: HF (RHF/UHF), FCI, CCSD or CCSD(T).")]
public sealed class EnergyOptions
{
    /// <summary>Usage examples for the help text.</summary>
    [Usage(ApplicationAlias = "qex")]
    public static IEnumerable<Example> Examples =>
    [
        new("Hartree-Fock with a Molden file", new UnParserSettings { SkipDefault = true }, new EnergyOptions { Molecule = "water.xyz", Basis = "def2-svp", Molden = "water.molden" }),
        new("FCI of a triplet", new UnParserSettings { SkipDefault = true }, new EnergyOptions { Molecule = "ch2.xyz", Basis = "sto-3g", Method = "fci", Multiplicity = 3 }),
    ];

    /// <summary>XYZ file.</summary>
    [Value(0, MetaName = "MOLECULE", Required = true, HelpText = "XYZ file (Angstrom; atom count, comment line, 'element x y z' lines).")]
    public string Molecule { get; set; } = "";

    /// <summary>Basis set.</summary>
    [Option("basis", Default = "sto-3g", HelpText = "sto-3g | 6-31g | 6-31g* | 6-31g** | def2-svp | def2-tzvp | cc-pvdz, or a path to a .gbs file.")]
    public string Basis { get; set; } = "sto-3g";

    /// <summary>Method.</summary>
    [Option("method", Default = "hf", HelpText = "hf | fci | ccsd | ccsd(t) (quote it in the shell: --method 'ccsd(t)')")]
    public string Method { get; set; } = "hf";

    /// <summary>Charge.</summary>
    [Option("charge", HelpText = "Total charge (default: the XYZ comment line's charge=..., else 0).")]
    public int? Charge { get; set; }

    /// <summary>Multiplicity.</summary>
    [Option("multiplicity", HelpText = "Spin multiplicity 2S + 1 (open shells use UHF; FCI runs on its orbitals; default: the XYZ comment line's multiplicity=..., else 1).")]
    public int? Multiplicity { get; set; }

    /// <summary>Molden output.</summary>
    [Option("molden", HelpText = "Write the SCF orbitals to this Molden file (Jmol, Avogadro, IboView).")]
    public string? Molden { get; set; }

    /// <summary>Integral mode.</summary>
    [Option("integrals", Default = "auto", HelpText = "auto | stored | direct: keep the electron-repulsion integrals, or recompute them each SCF iteration.")]
    public string Integrals { get; set; } = "auto";

    /// <summary>Level shift.</summary>
    [Option("level-shift", Default = 0.0, HelpText = "Raise the virtual orbitals by this much (Hartree) until DIIS takes over (hard SCF cases).")]
    public double LevelShift { get; set; }

    /// <summary>Damping.</summary>
    [Option("damping", Default = 0.0, HelpText = "Mix this fraction of the old density into the new one until DIIS takes over (0 <= a < 1).")]
    public double Damping { get; set; }

    /// <summary>Initial guess.</summary>
    [Option("guess", Default = "sad", HelpText = "sad | core: superposition of atomic densities, or the core Hamiltonian's orbitals.")]
    public string Guess { get; set; } = "sad";

    /// <summary>Initial occupation (MOM).</summary>
    [Option("occupation", HelpText = "RHF: comma-separated 0-based orbitals of the guess to occupy (e.g. 0,2), kept by maximum overlap; for excited or symmetry-constrained solutions.")]
    public string? Occupation { get; set; }

    /// <summary>SCF error norm.</summary>
    [Option("error-norm", Default = "max", HelpText = "max | rms: the commutator FDS - SDF converges on its largest element or on its root mean square (Psi4's measure).")]
    public string ErrorNorm { get; set; } = "max";

    /// <summary>No progress lines.</summary>
    [Option('q', "quiet", HelpText = "Do not print SCF, CCSD and FCI iterations to standard error.")]
    public bool Quiet { get; set; }

    /// <summary>JSON output.</summary>
    [Option("json", HelpText = "Write the result as JSON to this file.")]
    public string? Json { get; set; }
}

/// <summary><c>qex energy</c>.</summary>
public static class EnergyCommand
{
    /// <summary>Runs the command; returns the exit code (1 when the SCF does not converge).</summary>
    public static int Run(EnergyOptions o, TextWriter output, TextWriter? log = null)
    {
        if (!File.Exists(o.Molecule)) throw new FileNotFoundException($"Molecule file '{o.Molecule}' does not exist.", o.Molecule);
        string method = o.Method.Trim().ToLowerInvariant();
        if (method is not ("hf" or "fci" or "ccsd" or "ccsd(t)")) throw new ArgumentException($"Unknown method '{o.Method}'; known: hf, fci, ccsd, ccsd(t).");
        var timings = new Dictionary<string, double>();
        var sw = Stopwatch.StartNew();
        Molecule mol;
        try
        {
            string xyz = File.ReadAllText(o.Molecule);
            var (qc, mc) = Molecule.ParseXyzComment(xyz);
            mol = Molecule.ParseXyz(xyz, o.Charge ?? qc ?? 0, o.Multiplicity ?? mc ?? 1);
        }
        catch (FormatException e) { throw new InvalidDataException($"{o.Molecule}: {e.Message}", e); }
        var basis = BasisSet.For(mol, BasisSetLibrary.Load(o.Basis));
        var mode = o.Integrals.Trim().ToLowerInvariant() switch
        {
            "auto" => IntegralMode.Auto,
            "stored" => IntegralMode.Stored,
            "direct" => IntegralMode.Direct,
            _ => throw new ArgumentException($"Unknown integral mode '{o.Integrals}'; choose auto, stored or direct."),
        };
        var norm = o.ErrorNorm.Trim().ToLowerInvariant() switch
        {
            "max" => ScfErrorNorm.MaxElement,
            "rms" => ScfErrorNorm.RootMeanSquare,
            _ => throw new ArgumentException($"Unknown error norm '{o.ErrorNorm}'; choose max or rms."),
        };
        var guess = o.Guess.Trim().ToLowerInvariant() switch
        {
            "sad" => ScfGuess.SuperpositionOfAtomicDensities,
            "core" => ScfGuess.Core,
            _ => throw new ArgumentException($"Unknown guess '{o.Guess}'; choose sad or core."),
        };
        int[]? occupation = null;
        if (o.Occupation is { } occText)
        {
            try { occupation = [.. occText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture))]; }
            catch (FormatException) { throw new ArgumentException($"--occupation '{occText}' is not a comma-separated list of orbital indices."); }
        }
        log ??= Console.Error;
        // SCF, CCSD and FCI iterations: a live stage line with its elapsed time on a terminal, plain lines otherwise
        var reporter = new Qex.Cli.Output.ProgressReporter(log, o.Quiet);
        Action<string>? progress = o.Quiet ? null : line => reporter.Stage(line.Split(' ', 2)[0], line);
        var scfOptions = new HartreeFockOptions(LevelShift: o.LevelShift, Damping: o.Damping, Integrals: mode, ErrorNorm: norm, Guess: guess,
            Occupation: occupation, Progress: progress);
        // refuse what cannot fit before the SCF runs
        if (method == "fci")
        {
            long ca = Qex.Dft.Molecular.Correlation.MemoryEstimate.Binomial(basis.FunctionCount, mol.AlphaCount), cb = Qex.Dft.Molecular.Correlation.MemoryEstimate.Binomial(basis.FunctionCount, mol.BetaCount);
            if (ca > FullConfigurationInteraction.MaxStrings || cb > FullConfigurationInteraction.MaxStrings)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"FCI of {mol.ElectronCount} electrons in {basis.FunctionCount} orbitals has {Math.Max(ca, cb)} strings of one spin ({(double)ca * cb:G4} determinants); this FCI handles at most {FullConfigurationInteraction.MaxStrings} strings. Nothing was computed."));
            var (dets, bytes) = Qex.Dft.Molecular.Correlation.MemoryEstimate.Fci(basis.FunctionCount, mol.AlphaCount, mol.BetaCount);
            Qex.Dft.Molecular.Correlation.MemoryEstimate.Require(bytes, string.Create(CultureInfo.InvariantCulture, $"FCI of {mol.ElectronCount} electrons in {basis.FunctionCount} orbitals ({dets:G4} determinants)"));
        }
        else if (method is "ccsd" or "ccsd(t)")
            Qex.Dft.Molecular.Correlation.MemoryEstimate.Require(Qex.Dft.Molecular.Correlation.MemoryEstimate.CoupledCluster(basis.FunctionCount, mol.ElectronCount / 2),
                $"{method.ToUpperInvariant()} with {basis.FunctionCount} basis functions (dense integrals)");
        timings["setup"] = sw.Elapsed.TotalSeconds;
        var moldenSets = new List<Qex.Dft.Molecular.Output.MoldenOrbitals>();
        double energy = 0, scfEnergy = 0;
        int iterations = 0;
        bool closed = mol.Multiplicity == 1;
        HartreeFockResult? rhf = null;
        Tensor? orbitals = null;
        var orbitalSets = new List<(string Spin, double[] Energies, int Occupied)>();
        double? spinSquared = null;
        Tensor density = null!;
        double? correlated = null;
        var extra = new Dictionary<string, string>();
        object? fciJson = null, ccJson = null;
        try
        {
            reporter.Run(() =>
            {
                sw.Restart();
                if (closed)
                {
                    rhf = RestrictedHartreeFock.Run(mol, basis, scfOptions);
                    orbitals = rhf.Coefficients;
                    (scfEnergy, iterations) = (rhf.Energy, rhf.Iterations);
                    density = rhf.Density;
                    int nmo = rhf.Coefficients.Dim(1);
                    moldenSets.Add(new(rhf.Coefficients, rhf.OrbitalEnergies.ToArray(), [.. Enumerable.Range(0, nmo).Select(k => k < mol.ElectronCount / 2 ? 2.0 : 0.0)]));
                    orbitalSets.Add(("", rhf.OrbitalEnergies.ToArray(), mol.ElectronCount / 2));
                }
                else
                {
                    if (method is "ccsd" or "ccsd(t)") throw new ArgumentException($"{method} runs on a closed-shell RHF reference here; multiplicity {mol.Multiplicity} supports hf (UHF) and fci.");
                    var uhf = UnrestrictedHartreeFock.Run(mol, basis, scfOptions);
                    orbitals = uhf.AlphaCoefficients; // FCI does not depend on the orbitals: any orthonormal set spanning the basis
                    (scfEnergy, iterations) = (uhf.Energy, uhf.Iterations);
                    density = TensorMath.Binary(BinaryOp.Add, uhf.AlphaDensity, uhf.BetaDensity);
                    int nmo = uhf.AlphaCoefficients.Dim(1);
                    moldenSets.Add(new(uhf.AlphaCoefficients, uhf.AlphaOrbitalEnergies.ToArray(), [.. Enumerable.Range(0, nmo).Select(k => k < mol.AlphaCount ? 1.0 : 0.0)], "Alpha"));
                    moldenSets.Add(new(uhf.BetaCoefficients, uhf.BetaOrbitalEnergies.ToArray(), [.. Enumerable.Range(0, nmo).Select(k => k < mol.BetaCount ? 1.0 : 0.0)], "Beta"));
                    orbitalSets.Add(("alpha", uhf.AlphaOrbitalEnergies.ToArray(), mol.AlphaCount));
                    orbitalSets.Add(("beta", uhf.BetaOrbitalEnergies.ToArray(), mol.BetaCount));
                    double sz = (mol.AlphaCount - mol.BetaCount) / 2.0;
                    spinSquared = sz * (sz + 1) + uhf.SpinContamination;
                }
                timings["scf"] = sw.Elapsed.TotalSeconds;
                energy = scfEnergy;
                if (method != "hf")
            {
                sw.Restart();
                var mo = MolecularOrbitalIntegrals.For(mol, basis, orbitals!);
                if (method == "fci")
                {
                    var fci = FullConfigurationInteraction.Run(mo, mol.AlphaCount, mol.BetaCount, mol.Multiplicity, new FullConfigurationInteractionOptions(Progress: progress));
                    correlated = fci.Energy;
                    extra["FCI determinants"] = fci.Determinants.ToString(CultureInfo.InvariantCulture);
                    extra["FCI Davidson iterations"] = fci.Iterations.ToString(CultureInfo.InvariantCulture);
                    extra["FCI <S^2>"] = fci.SpinSquared.ToString("F6", CultureInfo.InvariantCulture);
                    extra["FCI correlation energy (Ha)"] = (fci.Energy - scfEnergy).ToString("F10", CultureInfo.InvariantCulture);
                    fciJson = new { determinants = fci.Determinants, iterations = fci.Iterations, s_squared = fci.SpinSquared, correlation_energy = fci.Energy - scfEnergy };
                }
                else
                {
                    var cc = RestrictedCoupledCluster.Run(mo, mol.ElectronCount / 2, triples: method == "ccsd(t)", progress: progress);
                    correlated = method == "ccsd" ? cc.CcsdEnergy : cc.CcsdTEnergy;
                    extra["CCSD energy (Ha)"] = cc.CcsdEnergy.ToString("F10", CultureInfo.InvariantCulture);
                    extra["CCSD correlation energy (Ha)"] = (cc.CcsdEnergy - scfEnergy).ToString("F10", CultureInfo.InvariantCulture);
                    if (method == "ccsd(t)") extra["(T) correction (Ha)"] = cc.TriplesCorrection.ToString("F10", CultureInfo.InvariantCulture);
                    extra["CC iterations"] = cc.Iterations.ToString(CultureInfo.InvariantCulture);
                    ccJson = new { ccsd_energy = cc.CcsdEnergy, ccsd_correlation_energy = cc.CcsdEnergy - scfEnergy, triples_correction = method == "ccsd(t)" ? cc.TriplesCorrection : (double?)null, iterations = cc.Iterations };
                }
                energy = correlated.Value;
                timings[method] = sw.Elapsed.TotalSeconds;
                }
                return 0;
            });
        }
        catch (ConvergenceException e)
        {
            log.WriteLine($"qex: error: {e.Message}");
            return 1;
        }
        if (o.Molden is not null) AtomicFile.WriteAllText(o.Molden, Qex.Dft.Molecular.Output.MoldenFile.Format(mol, basis, moldenSets));
        var dipole = Properties.Dipole(mol, basis, density);
        var charges = Properties.MullikenCharges(mol, basis, density);
        double dipoleDebye = Math.Sqrt(dipole.Sum(x => x * x)) * Properties.DebyePerAtomicUnit;
        var table = new Table().AddColumns("quantity", "value");
        table.AddRow("molecule", Markup.Escape($"{Path.GetFileName(o.Molecule)} ({mol.Atoms.Count} atoms, {mol.ElectronCount} electrons, charge {mol.Charge}, multiplicity {mol.Multiplicity})"));
        table.AddRow("basis", Markup.Escape($"{o.Basis} ({basis.FunctionCount} functions)"));
        table.AddRow("nuclear repulsion (Ha)", mol.NuclearRepulsion().ToString("F10", CultureInfo.InvariantCulture));
        table.AddRow($"{(closed ? "RHF" : "UHF")} energy (Ha)", scfEnergy.ToString("F10", CultureInfo.InvariantCulture));
        if (correlated is { } c) table.AddRow(Markup.Escape($"{method.ToUpperInvariant()} energy (Ha)"), c.ToString("F10", CultureInfo.InvariantCulture));
        table.AddRow("SCF iterations", iterations.ToString(CultureInfo.InvariantCulture));
        if (spinSquared is { } s2) table.AddRow("UHF <S^2>", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{s2:F6} (exact {(mol.Multiplicity - 1) / 2.0 * ((mol.Multiplicity - 1) / 2.0 + 1):F4})")));
        var gaps = new List<object>();
        foreach (var (spin, e, occ) in orbitalSets)
        {
            string tag = spin.Length == 0 ? "" : $" ({spin})";
            if (occ > 0) table.AddRow(Markup.Escape($"HOMO{tag} (Ha)"), e[occ - 1].ToString("F6", CultureInfo.InvariantCulture));
            if (occ < e.Length) table.AddRow(Markup.Escape($"LUMO{tag} (Ha)"), e[occ].ToString("F6", CultureInfo.InvariantCulture));
            if (occ > 0 && occ < e.Length)
            {
                double gap = e[occ] - e[occ - 1];
                table.AddRow(Markup.Escape($"HOMO-LUMO gap{tag} (eV)"), (gap * Qex.Core.Units.PhysicalConstants.HartreeInEv).ToString("F4", CultureInfo.InvariantCulture));
                gaps.Add(new { spin = spin.Length == 0 ? "restricted" : spin, homo = e[occ - 1], lumo = e[occ], gap_ha = gap, gap_ev = gap * Qex.Core.Units.PhysicalConstants.HartreeInEv });
            }
            table.AddRow(Markup.Escape($"orbital energies{tag} (Ha)"), Markup.Escape(OrbitalList(e, occ)));
        }
        foreach (var (k, v) in extra) table.AddRow(Markup.Escape(k), Markup.Escape(v));
        table.AddRow("SCF dipole (Debye)", dipoleDebye.ToString("F4", CultureInfo.InvariantCulture));
        table.AddRow("Mulliken charges", Markup.Escape(string.Join(" ", mol.Atoms.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"{a.Symbol}{i + 1} {charges[i]:+0.0000;-0.0000}")))));
        table.AddRow("peak memory (MiB)", (Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0).ToString("F0", CultureInfo.InvariantCulture));
        foreach (var (k, v) in timings) table.AddRow(Markup.Escape($"time: {k} (s)"), v.ToString("F3", CultureInfo.InvariantCulture));
        var console = Qex.Cli.Output.ConsoleOutput.For(output);
        console.Write(table);
        if (o.Json is not null)
            AtomicFile.WriteAllText(o.Json, JsonSerializer.Serialize(new
            {
                energy, scf_energy = scfEnergy, nuclear_repulsion = mol.NuclearRepulsion(), converged = true, iterations, method,
                reference = closed ? "rhf" : "uhf", basis = o.Basis, n_basis = basis.FunctionCount, timings,
                integrals = mode.ToString().ToLowerInvariant(), peak_memory_bytes = Process.GetCurrentProcess().PeakWorkingSet64,
                scf_dipole_au = dipole, scf_dipole_debye = dipoleDebye, mulliken_charges = charges,
                charge = mol.Charge, multiplicity = mol.Multiplicity, electrons = mol.ElectronCount,
                uhf_s_squared = spinSquared,
                orbital_energies = orbitalSets.ToDictionary(x => x.Spin.Length == 0 ? "restricted" : x.Spin, x => x.Energies),
                occupied = orbitalSets.ToDictionary(x => x.Spin.Length == 0 ? "restricted" : x.Spin, x => x.Occupied),
                homo_lumo = gaps, fci = fciJson, cc = ccJson,
            }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>Occupied orbital energies, then the first few virtual ones (the table stays readable for large bases).</summary>
    private static string OrbitalList(double[] e, int occupied)
    {
        var occ = e.Take(occupied).Select(x => x.ToString("F4", CultureInfo.InvariantCulture));
        var vir = e.Skip(occupied).Take(5).Select(x => x.ToString("F4", CultureInfo.InvariantCulture));
        return $"occupied: {string.Join(" ", occ)} | virtual: {string.Join(" ", vir)}{(e.Length - occupied > 5 ? $" ... ({e.Length - occupied} virtual)" : "")}";
    }
}
