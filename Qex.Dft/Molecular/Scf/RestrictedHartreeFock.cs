using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Scf;

/// <summary>
/// Closed-shell (restricted) Hartree–Fock on <see cref="ScfDriver"/>: the model's Fock matrix is F = H + J[D] - K[D]/2
/// for the total density D, its energy Tr(D H) + Tr(D G)/2; J/K from stored or direct integrals
/// (<see cref="CoulombExchangeBuilder"/>) or the builder given in the options.
/// </summary>
public static class RestrictedHartreeFock
{
    /// <summary>Runs RHF.</summary>
    /// <exception cref="ArgumentException">An open-shell molecule (use UHF), or bad settings.</exception>
    /// <exception cref="ConvergenceException">No convergence within the iteration limit.</exception>
    public static HartreeFockResult Run(Molecule molecule, BasisSet basis, HartreeFockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        var o = options ?? new HartreeFockOptions();
        o.Validate();
        if (o.InitialDensity is not null) throw new ArgumentException("An initial density matrix is supported by Kohn-Sham only (HartreeFockOptions.InitialDensity); Hartree-Fock starts from its guess.");
        if (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0)
            throw new ArgumentException($"RHF needs a closed-shell singlet; this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity}.");
        int n = basis.FunctionCount;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        var h = CoulombIntegrals.CoreHamiltonian(basis, molecule).ToArray();
        if (o.OneElectronPerturbation is { } v)
        {
            if (v.Rank != 2 || v.Dim(0) != n || v.Dim(1) != n)
                throw new ArgumentException($"The one-electron perturbation must be {n} x {n} (the basis); got {ShapeUtil.Format(v.ShapeArray())}.");
            for (int i = 0; i < n * n; i++) h[i] += v.Span[i];
        }
        var model = new RestrictedHartreeFockModel(h, CoulombExchange(molecule, basis, o), molecule.ElectronCount / 2);
        var d = o.Guess == ScfGuess.Core ? new double[n * n] : AtomicDensityGuess.SuperpositionOfAtomicDensities(molecule, basis, o);
        double[][]? f = o.Guess == ScfGuess.Core ? [(double[])h.Clone()] : null;
        var r = ScfDriver.Run(model, s, molecule.NuclearRepulsion(), [d], f, o);
        if (o.OneElectronPerturbation is null && o.Occupation is null)
            r = Response.StabilityFollowing.Follow(r, molecule, basis, Xc.XcFunctional.Parse("hf_x"), null, o, model.Occupied,
                dens => ScfDriver.Run(model, s, molecule.NuclearRepulsion(), dens, null, o));
        return new HartreeFockResult(r.Energy, molecule.NuclearRepulsion(), r.OneElectronEnergy, r.TwoElectronEnergy, r.Iterations,
            Tensor.Wrap(r.OrbitalEnergies[0], r.Orbitals), Tensor.Wrap(r.Coefficients[0], n, r.Orbitals), Tensor.Wrap(r.Densities[0], n, n));
    }

    /// <summary>
    /// The J/K builder of an SCF: the one in the options, density fitting with the options' (or the default) fitting basis,
    /// or stored/direct integrals with the incremental-build setting.
    /// </summary>
    /// <summary>
    /// The fitting basis on the molecule: the given set or Psi4's default for the orbital basis, spherical or cartesian
    /// as the orbital basis is (Psi4 too builds its fitting basis with the orbital basis' PUREAM: cartesian for 6-31G*).
    /// </summary>
    /// <exception cref="ArgumentException">No default fitting set for the basis, or the set lacks an element of the molecule.</exception>
    public static BasisSet FittingBasis(Molecule molecule, BasisSet basis, BasisSetDefinition? fitting = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        var def = fitting ?? BasisSetLibrary.Load(BasisSetLibrary.FittingSetFor(basis.Name));
        bool pure = basis.Shells.Count > 0 && basis.Shells[0].Pure;
        if (def.Pure != pure) def = new BasisSetDefinition(def.Name, pure, def.Shells);
        return BasisSet.For(molecule, def);
    }

    internal static ICoulombExchangeBuilder CoulombExchange(Molecule molecule, BasisSet basis, HartreeFockOptions o)
    {
        if (o.CoulombExchange is { } given)
            return given.FunctionCount == basis.FunctionCount ? given
                : throw new ArgumentException($"The J/K builder in the options is for {given.FunctionCount} basis functions; the basis has {basis.FunctionCount}.");
        if (o.Integrals == IntegralMode.DensityFitting) return new DensityFittedCoulombExchange(basis, FittingBasis(molecule, basis, o.FittingBasis));
        if (o.IncrementalThreshold < 0) throw new ArgumentException($"The incremental-build threshold must not be negative; got {o.IncrementalThreshold}.");
        return new IncrementalCoulombExchange(new CoulombExchangeBuilder(basis, o.Integrals), o.IncrementalThreshold);
    }
}

/// <summary>The restricted Hartree–Fock model: one channel, two electrons per orbital.</summary>
internal sealed class RestrictedHartreeFockModel(double[] core, ICoulombExchangeBuilder jk, int occupied) : IScfModel
{
    public string Name => "RHF";

    public double OrbitalOccupation => 2;

    public IReadOnlyList<int> Occupied { get; } = [occupied];

    public bool LastBuildWasFull => jk.LastWasFull;

    public ScfFockBuild Build(IReadOnlyList<double[]> densities, bool full)
    {
        int n = jk.FunctionCount;
        var d = densities[0];
        var g = TwoElectron(jk, d, n, full);
        var f = ScfMath.Add(core, g);
        double e1 = ScfMath.Trace(d, core, n), e2 = 0.5 * ScfMath.Trace(d, g, n);
        return new ScfFockBuild([f], e1 + e2, e1, e2);
    }

    /// <summary>G = J - K/2 for a total density D.</summary>
    internal static double[] TwoElectron(ICoulombExchangeBuilder eri, double[] d, int n, bool full = false)
    {
        var (j, k) = eri.Build([d], full);
        var g = j[0];
        for (int i = 0; i < g.Length; i++) g[i] -= 0.5 * k[0][i];
        return g;
    }
}
