using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Qex.Cli.Output;
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
[Verb("energy", HelpText = "Molecular energy in a Gaussian basis: HF (RHF/UHF), Kohn-Sham DFT (RKS/UKS; standard or trained functionals), FCI, CCSD or CCSD(T).")]
public sealed class EnergyOptions
{
    /// <summary>Usage examples for the help text.</summary>
    [Usage(ApplicationAlias = "qex")]
    public static IEnumerable<Example> Examples =>
    [
        new("Hartree-Fock with a Molden file", new UnParserSettings { SkipDefault = true }, new EnergyOptions { Molecule = "water.xyz", Basis = "def2-svp", Molden = "water.molden" }),
        new("B3LYP on the references' grid", new UnParserSettings { SkipDefault = true }, new EnergyOptions { Molecule = "water.xyz", Basis = "def2-svp", Method = "b3lyp", Radial = 150, Spherical = 590 }),
        new("FCI of a triplet", new UnParserSettings { SkipDefault = true }, new EnergyOptions { Molecule = "ch2.xyz", Basis = "sto-3g", Method = "fci", Multiplicity = 3 }),
    ];

    /// <summary>XYZ file.</summary>
    [Value(0, MetaName = "MOLECULE", Required = true, HelpText = "XYZ file (Angstrom; atom count, comment line, 'element x y z' lines).")]
    public string Molecule { get; set; } = "";

    /// <summary>Basis set.</summary>
    [Option("basis", Default = "sto-3g", HelpText = "sto-3g | 6-31g | 6-31g* | 6-31g** | def2-svp | def2-tzvp | cc-pvdz, or a path to a .gbs file.")]
    public string Basis { get; set; } = "sto-3g";

    /// <summary>Method.</summary>
    [Option("method", Default = "hf", HelpText = "hf | fci | ccsd | ccsd(t) (quote it in the shell: --method 'ccsd(t)'), or a density functional: svwn | lda | pbe | blyp | tpss | b3lyp | b3lyp5 | pbe0, or a spec such as '0.75*pbe_x + 0.25*hf_x + pbe_c'.")]
    public string Method { get; set; } = "hf";

    /// <summary>A trained molecular functional.</summary>
    [Option("functional", HelpText = "A trained molecular functional: the checkpoint.json that `qex train` (kind: molecular) writes, or a file of models/. Runs RKS with it, with the smearing and grid of its training unless --smearing or --grid/--radial/--spherical are given.")]
    public string? Functional { get; set; }

    /// <summary>Named DFT grid.</summary>
    [Option("grid", HelpText = "DFT grid level: coarse (50 x 194) | default (75 x 302, Psi4's default) | fine (99 x 590) | ultrafine (150 x 590, the grid of the shared Psi4 references); --radial/--spherical override it.")]
    public string? Grid { get; set; }

    /// <summary>Radial points.</summary>
    [Option("radial", HelpText = "DFT grid: radial points per atom.")]
    public int? Radial { get; set; }

    /// <summary>Angular points.</summary>
    [Option("spherical", HelpText = "DFT grid: Lebedev points per radial shell (6, 14, 26, 38, 50, 74, 86, 110, 146, 170, 194, 230, 266, 302, 350, 434, 590, ... 5810).")]
    public int? Spherical { get; set; }

    /// <summary>Smearing temperature.</summary>
    [Option("smearing", Default = 0.0, HelpText = "DFT: Fermi-Dirac smearing temperature theta (Hartree, e.g. 0.04): fractional occupations, chemical potential per spin channel; the entropy term -theta S is reported separately.")]
    public double Smearing { get; set; }

    /// <summary>Radial scheme.</summary>
    [Option("radial-scheme", Default = "treutler", HelpText = "DFT grid radial quadrature: treutler (Treutler-Ahlrichs M4, Psi4's and PySCF's default) | mura-knowles | gauss-chebyshev.")]
    public string RadialScheme { get; set; } = "treutler";

    /// <summary>Partition.</summary>
    [Option("partition", Default = "treutler", HelpText = "DFT grid atomic partition: treutler (Becke with Treutler's size adjustment, Psi4's default) | becke (with Becke's size adjustment, PySCF's default) | becke-plain (no adjustment) | stratmann.")]
    public string Partition { get; set; } = "treutler";

    /// <summary>Pruning.</summary>
    [Option("prune", Default = "none", HelpText = "DFT grid angular pruning: none (Psi4's default) | nwchem (five regions by Bragg-Slater radius, PySCF's default pruning).")]
    public string Prune { get; set; } = "none";

    /// <summary>Charge.</summary>
    [Option("charge", HelpText = "Total charge (default: the XYZ comment line's charge=..., else 0).")]
    public int? Charge { get; set; }

    /// <summary>Multiplicity.</summary>
    [Option("multiplicity", HelpText = "Spin multiplicity 2S + 1 (open shells use UHF; FCI runs on its orbitals; default: the XYZ comment line's multiplicity=..., else 1).")]
    public int? Multiplicity { get; set; }

    /// <summary>Molden output.</summary>
    [Option("molden", HelpText = "Write the SCF orbitals to this Molden file (Jmol, Avogadro, IboView).")]
    public string? Molden { get; set; }

    /// <summary>Cube file of the density.</summary>
    [Option("cube", HelpText = "Write the SCF electron density to this Gaussian cube file (VMD, Avogadro, Jmol).")]
    public string? Cube { get; set; }

    /// <summary>Orbitals for cube files.</summary>
    [Option("cube-orbitals", HelpText = "With --cube: also write these orbitals, each to <cube stem>_<name>.cube: homo, lumo, homo-1, lumo+2, ... or 1-based indices (alpha orbitals for open shells), comma-separated.")]
    public string? CubeOrbitals { get; set; }

    /// <summary>Cube spacing.</summary>
    [Option("cube-spacing", Default = 0.2, HelpText = "Cube grid spacing (Bohr); the box extends 4 Bohr beyond the atoms.")]
    public double CubeSpacing { get; set; } = 0.2;

    /// <summary>Integral mode.</summary>
    [Option("integrals", Default = "exact", HelpText = "exact | df | stored | direct: exact integrals (kept when they fit, else recomputed each SCF iteration; stored and direct force one), or density fitting (RI-J/RI-K, Psi4's scf_type df).")]
    public string Integrals { get; set; } = "exact";

    /// <summary>Fitting basis.</summary>
    [Option("aux-basis", HelpText = "Fitting basis of --integrals df (name or .gbs file; default: Psi4's for the basis, def2-universal-jkfit or cc-pvdz-jkfit).")]
    public string? AuxBasis { get; set; }

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

    /// <summary>Where the hot loops run.</summary>
    [Option("device", Default = "cpu", HelpText = DeviceChoice.Help + " On the device today: the DFT grid integration (XC energy, potential and the TDDFT kernel) and density-fitted J/K (--integrals df); exact integrals and their J/K stay on the CPU.")]
    public string Device { get; set; } = "cpu";

    /// <summary>Lowest excitations in the Tamm-Dancoff approximation.</summary>
    [Option("tda", HelpText = "After the SCF: the N lowest excitations in the Tamm-Dancoff approximation (TDA; CIS for hf), any functional including a trained one; open shells: spin-conserving excitations of the unrestricted reference.")]
    public int? Tda { get; set; }

    /// <summary>Lowest excitations of full linear response.</summary>
    [Option("tddft", HelpText = "After the SCF: the N lowest excitations of full linear-response TDDFT (Casida; TDHF for hf); open shells as for --tda.")]
    public int? Tddft { get; set; }

    /// <summary>Triplet instead of singlet excitations.</summary>
    [Option("triplets", HelpText = "With --tda/--tddft: triplet excitations instead of singlets.")]
    public bool Triplets { get; set; }
}

/// <summary><c>qex energy</c>.</summary>
public static class EnergyCommand
{
    /// <summary>What of a calculation runs on the device: the grid integration (DFT) and the fitted J/K (--integrals df).</summary>
    private static string OnDevice(bool grid, bool fitted) => (grid, fitted) switch
    {
        (true, true) => "the DFT grid integration and the density-fitted J/K",
        (true, false) => "the DFT grid integration; exact integrals and J/K on the CPU (density-fitted J/K run on the device: --integrals df)",
        (false, true) => "the density-fitted J/K",
        _ => "nothing of this method yet: exact integrals and J/K stay on the CPU (density-fitted J/K run on the device: --integrals df)",
    };

    /// <summary>Runs the command; returns the exit code (1 when the SCF does not converge).</summary>
    public static int Run(EnergyOptions o, TextWriter output, TextWriter? log = null)
    {
        if (!File.Exists(o.Molecule)) throw new FileNotFoundException($"Molecule file '{o.Molecule}' does not exist.", o.Molecule);
        string method = o.Method.Trim().ToLowerInvariant();
        Qex.Dft.Molecular.Xc.XcFunctional? functional = null;
        if (method is not ("hf" or "fci" or "ccsd" or "ccsd(t)"))
        {
            try { functional = Qex.Dft.Molecular.Xc.XcFunctional.Parse(method); }
            catch (ArgumentException e) { throw new ArgumentException($"Unknown method '{o.Method}'; known: hf, fci, ccsd, ccsd(t), or a density functional ({e.Message})", e); }
        }
        Qex.Dft.Molecular.Learning.MolecularXcCheckpoint? learned = null;
        Qex.Dft.Molecular.Learning.IMolecularXcModel? learnedModel = null;
        double smearing = o.Smearing;
        if (o.Functional is not null)
        {
            if (functional is not null || method != "hf") throw new ArgumentException($"--functional (a trained checkpoint) replaces --method; give one of them (got --method {o.Method}).");
            learned = Qex.Dft.Molecular.Learning.MolecularXcCheckpoint.Load(o.Functional);
            learnedModel = learned.Model!.Create();
            // a global model becomes a per-point functional once its descriptors are known (after the molecule is read)
            functional = learnedModel.IsLocal ? Qex.Dft.Molecular.Xc.XcFunctional.FromComponent(learnedModel.Name, learnedModel.Component(learned.Parameters))
                : Qex.Dft.Molecular.Xc.XcFunctional.Parse("slater");
            method = learnedModel.Name;
            if (smearing == 0 && learned.Scf is { } trainedScf) smearing = trainedScf.Smearing;
        }
        if (functional is null && o.Smearing != 0)
            throw new ArgumentException($"--smearing applies to density functionals here; method '{method}' has integer occupations.");
        if (functional is null && (o.Grid is not null || o.Radial is not null || o.Spherical is not null || !o.Prune.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"--grid, --radial, --spherical and --prune set the integration grid of density functionals; method '{method}' uses none.");
        var gridOptions = functional is null ? null
            : learned?.Scf is { } ls && o.Grid is null && o.Radial is null && o.Spherical is null
                ? Qex.Dft.Molecular.Grids.GridOptions.Build(null, ls.RadialPoints, ls.SphericalPoints, o.RadialScheme, o.Partition, o.Prune)
                : Qex.Dft.Molecular.Grids.GridOptions.Build(o.Grid, o.Radial, o.Spherical, o.RadialScheme, o.Partition, o.Prune);
        if (o.Tda is not null && o.Tddft is not null) throw new ArgumentException("Give --tda N or --tddft N, not both.");
        int? excitations = o.Tda ?? o.Tddft;
        if (excitations is { } nx && nx < 1) throw new ArgumentException($"--{(o.Tda is not null ? "tda" : "tddft")} takes the number of excited states (at least 1); got {nx}.");
        if (o.Triplets && excitations is null) throw new ArgumentException("--triplets chooses the spin of --tda/--tddft excitations; give one of them.");
        if (excitations is not null && method is "fci" or "ccsd" or "ccsd(t)")
            throw new ArgumentException($"--tda/--tddft are linear response of an SCF (hf or a density functional); method '{method}' has none here.");
        _ = Qex.Kernels.Devices.DeviceCatalog.Select(o.Device);   // an unknown or missing device fails before any work
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
            "exact" or "auto" => IntegralMode.Auto,
            "stored" => IntegralMode.Stored,
            "direct" => IntegralMode.Direct,
            "df" => IntegralMode.DensityFitting,
            _ => throw new ArgumentException($"Unknown integral mode '{o.Integrals}'; choose exact, df, stored or direct."),
        };
        if (o.AuxBasis is not null && mode != IntegralMode.DensityFitting) throw new ArgumentException("--aux-basis is the fitting basis of --integrals df.");
        if (mode == IntegralMode.DensityFitting && method is "fci" or "ccsd" or "ccsd(t)")
            throw new ArgumentException($"--integrals df fits the SCF's J and K; {method.ToUpperInvariant()} here uses exact integrals throughout: drop --integrals df.");
        var fittingDefinition = o.AuxBasis is null ? null : BasisSetLibrary.Load(o.AuxBasis);
        var fitting = mode == IntegralMode.DensityFitting ? RestrictedHartreeFock.FittingBasis(mol, basis, fittingDefinition) : null;
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
        // an accelerator runs the grid integration (the XC energy and potential, and the TDDFT kernel) and fitted J/K
        using var device = DeviceChoice.Open(o.Device, log, o.Quiet, OnDevice(functional is not null, mode == IntegralMode.DensityFitting));
        using var xcKernel = device is null ? null : new Qex.Kernels.Grid.IlgpuXcGridKernel(device);
        // density-fitted J/K on the device: the fitted integrals are made on the CPU and go up once
        using var deviceJk = device is null || mode != IntegralMode.DensityFitting ? null
            : new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(mol, basis, fittingDefinition)).OnDevice(device);
        var scfOptions = new HartreeFockOptions(LevelShift: o.LevelShift, Damping: o.Damping, Integrals: mode, ErrorNorm: norm, Guess: guess,
            Occupation: occupation, Progress: progress, Smearing: smearing, FittingBasis: fittingDefinition, XcKernel: xcKernel, CoulombExchange: deviceJk);
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
        if (o.CubeOrbitals is not null && o.Cube is null) throw new ArgumentException("--cube-orbitals needs --cube FILE (the orbital files are named after it).");
        var cubeGrid = o.Cube is null ? null : Qex.Dft.Molecular.Output.CubeGrid.Around(mol, o.CubeSpacing);
        CubeOrbitalList(o.CubeOrbitals, mol.Multiplicity == 1 ? mol.ElectronCount / 2 : mol.AlphaCount, basis.FunctionCount);   // bad names fail before the SCF
        timings["setup"] = sw.Elapsed.TotalSeconds;
        var moldenSets = new List<Qex.Dft.Molecular.Output.MoldenOrbitals>();
        double energy = 0, scfEnergy = 0;
        int iterations = 0;
        bool closed = mol.Multiplicity == 1;
        if (learned is not null && (!closed || mol.ElectronCount % 2 != 0))
            throw new ArgumentException($"The trained functional '{o.Functional}' is closed-shell (RKS); this molecule has {mol.ElectronCount} electrons and multiplicity {mol.Multiplicity}.");
        if (learned?.Scf is { } trained && !trained.Basis.Equals(basis.Name, StringComparison.OrdinalIgnoreCase))
            log.WriteLine($"note: the functional was trained in {trained.Basis}; this calculation uses {basis.Name}.");
        HartreeFockResult? rhf = null;
        UnrestrictedHartreeFockResult? uhf = null;
        Tensor? orbitals = null;
        var orbitalSets = new List<(string Spin, double[] Energies, int Occupied)>();
        double? spinSquared = null;
        Qex.Dft.Molecular.Dft.KohnShamResult? dft = null;
        Tensor density = null!;
        double? correlated = null;
        var extra = new Dictionary<string, string>();
        if (learned is not null && learnedModel is Qex.Dft.Molecular.Learning.MomentXcModel global)
        {
            // the self-consistent density of the global model (its own SCF), then the model linearised in its
            // descriptors there: a per-point functional with the same energy and potential at that density, which the
            // production SCF below converges to (and reports the properties of)
            var scf = (learned.Scf?.ToOptions() ?? new Qex.Dft.Molecular.Learning.DifferentiableScfOptions()) with
            {
                Grid = gridOptions, Smearing = smearing, Differentiation = Qex.Dft.Molecular.Learning.ScfDifferentiation.Implicit,
                FixedPointTolerance = 1e-10, MaxFixedPointCycles = 2000,
            };
            var problem = new Qex.Dft.Molecular.Learning.MolecularProblem(mol, basis, gridOptions!);
            var vars = learned.Parameters.ToVars().Select(v => v.Detach()).ToArray();
            var (star, cycles) = Qex.Dft.Molecular.Learning.DifferentiableKohnSham.FixedPoint(problem, global, vars, scf);
            functional = Qex.Dft.Molecular.Xc.XcFunctional.FromComponent(global.Name, global.Linearised(problem, learned.Parameters, star));
            extra["Descriptor SCF cycles"] = cycles.ToString(CultureInfo.InvariantCulture);
            log.WriteLine($"{global.Name} is a global functional: its descriptors were converged in {cycles} cycles of its own SCF; the production SCF uses it linearised there");
        }
        if (excitations is not null && !closed && o.Triplets)
            throw new ArgumentException($"--triplets applies to closed shells; an open shell (multiplicity {mol.Multiplicity}, unrestricted) has spin-conserving excitations of both spins.");
        if (excitations is not null && learnedModel is { IsLocal: false })
            throw new ArgumentException($"--tda/--tddft need the XC kernel; {learnedModel.Name} is a global functional whose deployed form is linearised in its descriptors, so its kernel would miss their response.");
        if (excitations is not null && mode == IntegralMode.DensityFitting)
            throw new ArgumentException("--tda/--tddft use exact integrals for the response; drop --integrals df.");
        if (excitations is not null && smearing > 0)
            throw new ArgumentException("--tda/--tddft need integer occupations; drop --smearing.");
        Qex.Dft.Molecular.Response.ExcitationResult? excited = null;
        (long Determinants, int Iterations, double SpinSquared, double Correlation)? fciJson = null;
        (double Ccsd, double CcsdCorrelation, double? Triples, int Iterations)? ccJson = null;
        try
        {
            reporter.Run(() =>
            {
                sw.Restart();
                if (functional is not null)
                {
                    var ks = Qex.Dft.Molecular.Dft.KohnSham.Run(mol, basis, functional, gridOptions, scfOptions, unrestricted: !closed);
                    (scfEnergy, iterations) = (ks.Energy, ks.Iterations);
                    orbitals = ks.Coefficients[0];
                    density = ks.Densities.Length == 1 ? ks.Densities[0] : TensorMath.Binary(BinaryOp.Add, ks.Densities[0], ks.Densities[1]);
                    int nmo = ks.Coefficients[0].Dim(1);
                    int[] occ = closed ? [mol.ElectronCount / 2] : [mol.AlphaCount, mol.BetaCount];
                    string[] spins = closed ? [""] : ["alpha", "beta"];
                    for (int c = 0; c < occ.Length; c++)
                    {
                        int oc = occ[c];
                        moldenSets.Add(new(ks.Coefficients[c], ks.OrbitalEnergies[c].ToArray(), ks.Occupations[c], closed ? "Alpha" : (c == 0 ? "Alpha" : "Beta")));
                        orbitalSets.Add((spins[c], ks.OrbitalEnergies[c].ToArray(), oc));
                    }
                    dft = ks;
                }
                else if (closed)
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
                    uhf = UnrestrictedHartreeFock.Run(mol, basis, scfOptions);
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
                if (excitations is { } states)
                {
                    sw.Restart();
                    IReadOnlyList<double[]> c, e;
                    if (dft is not null) (c, e) = ([.. dft.Coefficients.Select(x => x.ToArray())], [.. dft.OrbitalEnergies.Select(x => x.ToArray())]);
                    else if (rhf is not null) (c, e) = ([rhf.Coefficients.ToArray()], [rhf.OrbitalEnergies.ToArray()]);
                    else (c, e) = ([uhf!.AlphaCoefficients.ToArray(), uhf.BetaCoefficients.ToArray()], [uhf.AlphaOrbitalEnergies.ToArray(), uhf.BetaOrbitalEnergies.ToArray()]);
                    var response = new Qex.Dft.Molecular.Response.LinearResponse(mol, basis, functional ?? Qex.Dft.Molecular.Xc.XcFunctional.Parse("hf_x"), c, e, gridOptions, mode, xcKernel);
                    var kind = o.Tda is not null ? Qex.Dft.Molecular.Response.ResponseApproximation.Tda : Qex.Dft.Molecular.Response.ResponseApproximation.Rpa;
                    var spin = o.Triplets ? Qex.Dft.Molecular.Response.ExcitationSpin.Triplet : Qex.Dft.Molecular.Response.ExcitationSpin.Singlet;
                    progress?.Invoke($"{(kind == Qex.Dft.Molecular.Response.ResponseApproximation.Tda ? "TDA" : "TDDFT")} {states} {spin.ToString().ToLowerInvariant()} states, {response.Dimension} single excitations");
                    excited = response.Solve(new Qex.Dft.Molecular.Response.ExcitationOptions(states, spin, kind, Progress: progress));
                    timings["excitations"] = sw.Elapsed.TotalSeconds;
                }
                if (functional is null && method != "hf")
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
                    fciJson = (fci.Determinants, fci.Iterations, fci.SpinSquared, fci.Energy - scfEnergy);
                }
                else
                {
                    var cc = RestrictedCoupledCluster.Run(mo, mol.ElectronCount / 2, triples: method == "ccsd(t)", progress: progress);
                    correlated = method == "ccsd" ? cc.CcsdEnergy : cc.CcsdTEnergy;
                    extra["CCSD energy (Ha)"] = cc.CcsdEnergy.ToString("F10", CultureInfo.InvariantCulture);
                    extra["CCSD correlation energy (Ha)"] = (cc.CcsdEnergy - scfEnergy).ToString("F10", CultureInfo.InvariantCulture);
                    if (method == "ccsd(t)") extra["(T) correction (Ha)"] = cc.TriplesCorrection.ToString("F10", CultureInfo.InvariantCulture);
                    extra["CC iterations"] = cc.Iterations.ToString(CultureInfo.InvariantCulture);
                    ccJson = (cc.CcsdEnergy, cc.CcsdEnergy - scfEnergy, method == "ccsd(t)" ? cc.TriplesCorrection : null, cc.Iterations);
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
        if (o.Cube is not null)
        {
            AtomicFile.WriteAllText(o.Cube, Qex.Dft.Molecular.Output.CubeFile.Density(mol, basis, density.ToArray(), cubeGrid!, $"{Path.GetFileName(o.Molecule)} {method} / {o.Basis}"));
            foreach (var (name, index) in CubeOrbitalList(o.CubeOrbitals, orbitalSets[0].Occupied, orbitalSets[0].Energies.Length))
            {
                string file = Path.Combine(Path.GetDirectoryName(o.Cube) ?? "", $"{Path.GetFileNameWithoutExtension(o.Cube)}_{name}.cube");
                AtomicFile.WriteAllText(file, Qex.Dft.Molecular.Output.CubeFile.Orbital(mol, basis, orbitals!.ToArray(), index, cubeGrid!, $"{Path.GetFileName(o.Molecule)} {method} / {o.Basis} {name}"));
            }
        }
        var dipole = Properties.Dipole(mol, basis, density);
        var charges = Properties.MullikenCharges(mol, basis, density);
        double dipoleDebye = Math.Sqrt(dipole.Sum(x => x * x)) * Properties.DebyePerAtomicUnit;
        var table = new Table().AddColumns("quantity", "value");
        table.AddRow("molecule", Markup.Escape($"{Path.GetFileName(o.Molecule)} ({mol.Atoms.Count} atoms, {mol.ElectronCount} electrons, charge {mol.Charge}, multiplicity {mol.Multiplicity})"));
        table.AddRow("basis", Markup.Escape($"{o.Basis} ({basis.FunctionCount} functions)"));
        if (fitting is not null) table.AddRow("integrals", Markup.Escape($"density fitting, {fitting.Name} ({fitting.FunctionCount} functions)"));
        table.AddRow("nuclear repulsion (Ha)", mol.NuclearRepulsion().ToString("F10", CultureInfo.InvariantCulture));
        string scfName = functional is null ? (closed ? "RHF" : "UHF") : $"{(closed ? "RKS" : "UKS")} {functional.Name.ToUpperInvariant()}";
        table.AddRow(Markup.Escape($"{scfName} energy (Ha)"), scfEnergy.ToString("F10", CultureInfo.InvariantCulture));
        if (dft is not null)
        {
            table.AddRow("XC energy (Ha)", dft.XcEnergy.ToString("F10", CultureInfo.InvariantCulture));
            table.AddRow("grid", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{gridOptions!.RadialPoints} radial x {gridOptions.SphericalPoints} Lebedev per atom, {gridOptions.Describe()}: {dft.GridPoints:N0} points")));
            table.AddRow("electrons on the grid", dft.Electrons.ToString("F8", CultureInfo.InvariantCulture));
            if (smearing > 0)
            {
                table.AddRow(Markup.Escape($"entropy term -theta S (Ha, theta = {smearing.ToString(CultureInfo.InvariantCulture)})"), dft.EntropyTerm.ToString("F10", CultureInfo.InvariantCulture));
                table.AddRow("free energy E - theta S (Ha)", dft.FreeEnergy.ToString("F10", CultureInfo.InvariantCulture));
            }
        }
        if (correlated is { } c) table.AddRow(Markup.Escape($"{method.ToUpperInvariant()} energy (Ha)"), c.ToString("F10", CultureInfo.InvariantCulture));
        table.AddRow("SCF iterations", iterations.ToString(CultureInfo.InvariantCulture));
        if (spinSquared is { } s2) table.AddRow("UHF <S^2>", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{s2:F6} (exact {(mol.Multiplicity - 1) / 2.0 * ((mol.Multiplicity - 1) / 2.0 + 1):F4})")));
        var gaps = new List<(string Spin, double Homo, double Lumo, double Gap)>();
        foreach (var (spin, e, occ) in orbitalSets)
        {
            string tag = spin.Length == 0 ? "" : $" ({spin})";
            if (occ > 0) table.AddRow(Markup.Escape($"HOMO{tag} (Ha)"), e[occ - 1].ToString("F6", CultureInfo.InvariantCulture));
            if (occ < e.Length) table.AddRow(Markup.Escape($"LUMO{tag} (Ha)"), e[occ].ToString("F6", CultureInfo.InvariantCulture));
            if (occ > 0 && occ < e.Length)
            {
                double gap = e[occ] - e[occ - 1];
                table.AddRow(Markup.Escape($"HOMO-LUMO gap{tag} (eV)"), (gap * Qex.Core.Units.PhysicalConstants.HartreeInEv).ToString("F4", CultureInfo.InvariantCulture));
                gaps.Add((spin.Length == 0 ? "restricted" : spin, e[occ - 1], e[occ], gap));
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
        if (excited is not null)
        {
            string name = (excited.Options.Approximation == Qex.Dft.Molecular.Response.ResponseApproximation.Tda ? (functional is null ? "CIS" : "TDA") : (functional is null ? "TDHF" : "TDDFT"))
                + (closed ? " " + excited.Options.Spin.ToString().ToLowerInvariant() + " excitations" : " spin-conserving excitations (unrestricted)");
            string Orbital(int k, int channel)
            {
                int occupiedCount = closed ? mol.ElectronCount / 2 : channel == 0 ? mol.AlphaCount : mol.BetaCount;
                return k < occupiedCount ? (k == occupiedCount - 1 ? "HOMO" : $"HOMO-{occupiedCount - 1 - k}") : (k == occupiedCount ? "LUMO" : $"LUMO+{k - occupiedCount}");
            }
            var states = new Table().AddColumns("state", "energy (eV)", "energy (Ha)", "oscillator strength", "main transitions (weight)");
            states.Title = new TableTitle(Markup.Escape(name));
            int index = 1;
            foreach (var x in excited.States)
                states.AddRow(index++.ToString(CultureInfo.InvariantCulture), x.EnergyEv.ToString("F4", CultureInfo.InvariantCulture), x.Energy.ToString("F6", CultureInfo.InvariantCulture),
                    x.OscillatorStrength.ToString("F6", CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", x.Contributions.Take(3).Select(t => string.Create(CultureInfo.InvariantCulture,
                        $"{(closed ? "" : t.Channel == 0 ? "alpha " : "beta ")}{Orbital(t.Occupied, t.Channel)} -> {Orbital(t.Virtual, t.Channel)} ({t.Weight:F3})")))));
            console.Write(states);
        }
        if (o.Json is not null)
        {
            string Channel(string spin) => spin.Length == 0 ? "restricted" : spin;
            using var json = new JsonReport();
            json.Number("energy", energy).Number("scf_energy", scfEnergy).Number("nuclear_repulsion", mol.NuclearRepulsion()).Bool("converged", true)
                .Number("iterations", iterations).String("method", method).String("device", DeviceChoice.NameOf(device))
                .String("reference", functional is null ? (closed ? "rhf" : "uhf") : (closed ? "rks" : "uks"))
                .Number("xc_energy", dft?.XcEnergy).Number("exact_exchange", functional?.ExactExchange).Number("grid_points", dft?.GridPoints)
                .Number("grid_electrons", dft?.Electrons);
            if (gridOptions is null) json.Writer.WriteNull("grid");
            else
            {
                json.Writer.WriteStartObject("grid");
                json.Number("radial", gridOptions.RadialPoints).Number("spherical", gridOptions.SphericalPoints).String("scheme", gridOptions.Describe());
                json.Writer.WriteEndObject();
            }
            json.Number("homo_lumo_gap", HomoLumoGap(orbitalSets)).Number("smearing", functional is null ? null : smearing)
                .Number("entropy_term", dft?.EntropyTerm).Number("free_energy", dft?.FreeEnergy)
                .NumberArrays("occupations", dft is null ? null : [.. orbitalSets.Select((x, i) => (Channel(x.Spin), dft.Occupations[i]))])
                .String("basis", o.Basis).Number("n_basis", basis.FunctionCount).NumberMap("timings", timings)
                .String("integrals", mode == IntegralMode.DensityFitting ? "df" : mode.ToString().ToLowerInvariant())
                .String("aux_basis", fitting?.Name).Number("n_aux_basis", fitting?.FunctionCount)
                .Number("peak_memory_bytes", Process.GetCurrentProcess().PeakWorkingSet64)
                .Numbers("scf_dipole_au", dipole).Number("scf_dipole_debye", dipoleDebye).Numbers("mulliken_charges", charges)
                .Number("charge", mol.Charge).Number("multiplicity", mol.Multiplicity).Number("electrons", mol.ElectronCount)
                .Number("uhf_s_squared", spinSquared)
                .NumberArrays("orbital_energies", [.. orbitalSets.Select(x => (Channel(x.Spin), x.Energies))]);
            json.Writer.WriteStartObject("occupied");
            foreach (var x in orbitalSets) json.Writer.WriteNumber(Channel(x.Spin), x.Occupied);
            json.Writer.WriteEndObject();
            json.Writer.WriteStartArray("homo_lumo");
            foreach (var (spin, homo, lumo, gap) in gaps)
            {
                json.Writer.WriteStartObject();
                json.String("spin", spin).Number("homo", homo).Number("lumo", lumo).Number("gap_ha", gap).Number("gap_ev", gap * Qex.Core.Units.PhysicalConstants.HartreeInEv);
                json.Writer.WriteEndObject();
            }
            json.Writer.WriteEndArray();
            if (fciJson is { } f)
            {
                json.Writer.WriteStartObject("fci");
                json.Number("determinants", f.Determinants).Number("iterations", f.Iterations).Number("s_squared", f.SpinSquared).Number("correlation_energy", f.Correlation);
                json.Writer.WriteEndObject();
            }
            else json.Writer.WriteNull("fci");
            if (ccJson is { } cj)
            {
                json.Writer.WriteStartObject("cc");
                json.Number("ccsd_energy", cj.Ccsd).Number("ccsd_correlation_energy", cj.CcsdCorrelation).Number("triples_correction", cj.Triples).Number("iterations", cj.Iterations);
                json.Writer.WriteEndObject();
            }
            else json.Writer.WriteNull("cc");
            if (excited is not null)
            {
                json.String("excitation_method", excited.Options.Approximation == Qex.Dft.Molecular.Response.ResponseApproximation.Tda ? "tda" : "tddft")
                    .String("excitation_spin", closed ? excited.Options.Spin.ToString().ToLowerInvariant() : "unrestricted")
                    .Numbers("excitations_ev", [.. excited.States.Select(x => x.EnergyEv)])
                    .Numbers("excitations_ha", [.. excited.States.Select(x => x.Energy)])
                    .Numbers("oscillator_strengths", [.. excited.States.Select(x => x.OscillatorStrength)]);
                json.Writer.WriteStartArray("excited_states");
                foreach (var x in excited.States)
                {
                    json.Writer.WriteStartObject();
                    json.Number("energy_ha", x.Energy).Number("energy_ev", x.EnergyEv).Number("oscillator_strength", x.OscillatorStrength).Numbers("transition_dipole_au", x.TransitionDipole);
                    json.Writer.WriteStartArray("transitions");
                    foreach (var t in x.Contributions)
                    {
                        json.Writer.WriteStartObject();
                        json.Number("occupied", t.Occupied).Number("virtual", t.Virtual).Number("weight", t.Weight).String("spin", closed ? "restricted" : t.Channel == 0 ? "alpha" : "beta");
                        json.Writer.WriteEndObject();
                    }
                    json.Writer.WriteEndArray();
                    json.Writer.WriteEndObject();
                }
                json.Writer.WriteEndArray();
            }
            else json.Writer.WriteNull("excited_states");
            AtomicFile.WriteAllText(o.Json, json.Finish());
        }
        return 0;
    }

    /// <summary>Orbital names for cube files (homo, lumo, homo-k, lumo+k, 1-based indices) as 0-based indices; the message lists the forms.</summary>
    internal static List<(string Name, int Index)> CubeOrbitalList(string? list, int occupied, int count)
    {
        var result = new List<(string, int)>();
        if (list is null) return result;
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string t = raw.ToLowerInvariant();
            int index;
            if (t == "homo") index = occupied - 1;
            else if (t == "lumo") index = occupied;
            else if (t.StartsWith("homo-", StringComparison.Ordinal) && int.TryParse(t[5..], NumberStyles.None, CultureInfo.InvariantCulture, out int k)) index = occupied - 1 - k;
            else if (t.StartsWith("lumo+", StringComparison.Ordinal) && int.TryParse(t[5..], NumberStyles.None, CultureInfo.InvariantCulture, out int j)) index = occupied + j;
            else if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int one)) index = one - 1;
            else throw new ArgumentException($"--cube-orbitals: '{raw}' is not an orbital; use homo, lumo, homo-1, lumo+2, ... or 1-based indices.");
            if (index < 0 || index >= count) throw new ArgumentException($"--cube-orbitals: '{raw}' is orbital {index + 1}; the molecule has orbitals 1 .. {count} (HOMO {occupied}).");
            result.Add((t, index));
        }
        return result;
    }

    /// <summary>LUMO - HOMO over all spin channels (lowest unoccupied minus highest occupied), or null without both.</summary>
    private static double? HomoLumoGap(List<(string Spin, double[] Energies, int Occupied)> sets)
    {
        var homo = sets.Where(x => x.Occupied > 0).Select(x => x.Energies[x.Occupied - 1]).DefaultIfEmpty(double.NaN).Max();
        var lumo = sets.Where(x => x.Occupied < x.Energies.Length).Select(x => x.Energies[x.Occupied]).DefaultIfEmpty(double.NaN).Min();
        return double.IsNaN(homo) || double.IsNaN(lumo) ? null : lumo - homo;
    }

    /// <summary>Occupied orbital energies, then the first few virtual ones (the table stays readable for large bases).</summary>
    private static string OrbitalList(double[] e, int occupied)
    {
        var occ = e.Take(occupied).Select(x => x.ToString("F4", CultureInfo.InvariantCulture));
        var vir = e.Skip(occupied).Take(5).Select(x => x.ToString("F4", CultureInfo.InvariantCulture));
        return $"occupied: {string.Join(" ", occ)} | virtual: {string.Join(" ", vir)}{(e.Length - occupied > 5 ? $" ... ({e.Length - occupied} virtual)" : "")}";
    }
}
