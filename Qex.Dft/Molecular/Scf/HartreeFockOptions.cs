using Qex.Core.Tensors;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Scf;

/// <summary>SCF settings.</summary>
/// <param name="MaxIterations">Iteration limit.</param>
/// <param name="EnergyTolerance">Convergence: change of the energy between iterations (Hartree).</param>
/// <param name="CommutatorTolerance">Convergence: size of the orthogonalised commutator FDS - SDF (see <paramref name="ErrorNorm"/>).</param>
/// <param name="DiisSize">DIIS subspace size (0: plain iterations).</param>
/// <param name="LinearDependence">Overlap eigenvalues below this are dropped (canonical orthogonalisation).</param>
/// <param name="DiisStart">DIIS starts once the commutator's largest element is below this.</param>
/// <param name="Guess">Initial density: superposition of atomic densities (default) or the core Hamiltonian (from which
/// N2/STO-3G converges to an excited self-consistent solution, 0.73 Ha too high).</param>
/// <param name="LevelShift">Virtual orbitals are raised by this much (Hartree) before DIIS takes over: F + b (S - S D_s S) with
/// D_s the density per electron of one spin (for hard cases: small gaps, oscillating occupations). 0: off.</param>
/// <param name="Damping">Before DIIS takes over, the new density is mixed with the old: D = (1 - a) D_new + a D_old. 0: off.</param>
/// <param name="Integrals">Stored or direct electron-repulsion integrals (automatic: stored when they fit).</param>
/// <param name="Occupation">Orbitals to occupy at the first iteration (0-based, in ascending energy of the guess's
/// orbitals); later iterations keep the occupied space by maximum overlap with the previous one (MOM, Gilbert, Besley and
/// Gill 2008). Null: aufbau. For excited or symmetry-constrained self-consistent solutions.</param>
/// <param name="Progress">Receives a line per SCF iteration, for long runs.</param>
/// <param name="ErrorNorm">How the commutator is measured against <paramref name="CommutatorTolerance"/>: its largest
/// element (default, the stricter) or its root mean square (Psi4's default, DIIS_RMS_ERROR).</param>
/// <param name="CoulombExchange">The J/K builder (null: stored or direct integrals on the CPU per <paramref name="Integrals"/>,
/// incremental per <paramref name="IncrementalThreshold"/>); an accelerator's implementation goes here.</param>
/// <param name="IncrementalThreshold">Incremental Fock builds from the density change, skipping integral blocks whose
/// contribution is bounded below this; convergence is always confirmed on a full build. 0 (default): a full build every
/// iteration. At thresholds that leave the SCF path unchanged (1e-14) it saved nothing measurable on benzene/def2-SVP
/// (stored or direct); it is there for large, sparse systems.</param>
/// <param name="Smearing">Fermi–Dirac smearing temperature theta (Hartree): every orbital is occupied by g / (1 + exp((eps -
/// mu) / theta)), mu solved per spin channel so that the channel keeps its electron count; the entropy term -theta S is
/// reported separately. 0 (default): integer aufbau occupations.</param>
/// <param name="FittingBasis">The fitting basis of <see cref="IntegralMode.DensityFitting"/> (null: the one Psi4 pairs with
/// the orbital basis, <see cref="Basis.BasisSetLibrary.FittingSetFor"/>).</param>
/// <param name="OneElectronPerturbation">A symmetric one-electron operator (AO basis, n x n) added to the core
/// Hamiltonian, e.g. a finite field; RHF only (for finite-field response densities). Null: none.</param>
/// <param name="InitialDensity">A total AO density matrix (n x n) to start from instead of <paramref name="Guess"/> (for
/// example a learned functional's density, to count the iterations it saves); Kohn–Sham only; null: the guess.</param>
/// <param name="XcKernel">The grid kernel of Kohn–Sham's XC integration (an accelerator's, e.g. <see cref="Qex.Kernels.Grid.IlgpuXcGridKernel"/>);
/// null: the CPU kernel.</param>
public sealed record HartreeFockOptions(int MaxIterations = 200, double EnergyTolerance = 1e-10, double CommutatorTolerance = 1e-8, int DiisSize = 8,
    double LinearDependence = 1e-7, double DiisStart = 0.1, ScfGuess Guess = ScfGuess.SuperpositionOfAtomicDensities,
    double LevelShift = 0, double Damping = 0, IntegralMode Integrals = IntegralMode.Auto, double IncrementalThreshold = 0,
    ScfErrorNorm ErrorNorm = ScfErrorNorm.MaxElement, IReadOnlyList<int>? Occupation = null, Action<string>? Progress = null,
    ICoulombExchangeBuilder? CoulombExchange = null, double Smearing = 0, Basis.BasisSetDefinition? FittingBasis = null,
    Tensor? OneElectronPerturbation = null, Tensor? InitialDensity = null, Qex.Kernels.Grid.IXcGridKernel? XcKernel = null)
{
    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">Names the setting and the allowed range.</exception>
    public void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentException($"The SCF needs at least one iteration; got {MaxIterations}.");
        if (!(Damping >= 0 && Damping < 1)) throw new ArgumentException($"Damping must be in [0, 1); got {Damping}.");
        if (!(LevelShift >= 0) || !double.IsFinite(LevelShift)) throw new ArgumentException($"The level shift must be a finite non-negative number (Hartree); got {LevelShift}.");
        if (IncrementalThreshold < 0) throw new ArgumentException($"The incremental-build threshold must not be negative; got {IncrementalThreshold}.");
        if (DiisSize < 0) throw new ArgumentException($"The DIIS size must not be negative; got {DiisSize}.");
        if (!(Smearing >= 0) || !double.IsFinite(Smearing)) throw new ArgumentException($"The smearing temperature must be a finite non-negative number (Hartree); got {Smearing}.");
        if (Smearing > 0 && Occupation is not null) throw new ArgumentException("A chosen occupation (maximum overlap) and Fermi-Dirac smearing exclude each other.");
        if (FittingBasis is not null && Integrals != IntegralMode.DensityFitting) throw new ArgumentException($"A fitting basis ('{FittingBasis.Name}') is used only with density fitting; the integrals are {Integrals}.");
        if (!(EnergyTolerance > 0) || !(CommutatorTolerance > 0)) throw new ArgumentException($"The SCF tolerances must be positive; got {EnergyTolerance} and {CommutatorTolerance}.");
    }
}

/// <summary>How the SCF error (the orthogonalised commutator FDS - SDF) is measured for convergence.</summary>
public enum ScfErrorNorm
{
    /// <summary>The largest absolute element.</summary>
    MaxElement,

    /// <summary>The root mean square of the elements.</summary>
    RootMeanSquare,
}

/// <summary>The initial density of an SCF.</summary>
public enum ScfGuess
{
    /// <summary>Superposition of atomic densities: spherically averaged, fractionally occupied atomic Hartree–Fock per element.</summary>
    SuperpositionOfAtomicDensities,

    /// <summary>Diagonalise the core Hamiltonian.</summary>
    Core,
}

/// <summary>The outcome of an SCF: energies, orbitals and the density matrix.</summary>
/// <param name="Energy">Total energy (Hartree).</param>
/// <param name="NuclearRepulsion">Nuclear repulsion.</param>
/// <param name="OneElectronEnergy">Tr(D H).</param>
/// <param name="TwoElectronEnergy">Electron–electron energy.</param>
/// <param name="Iterations">Iterations used.</param>
/// <param name="OrbitalEnergies">Orbital energies (ascending; with a chosen occupation, the occupied orbitals come first).</param>
/// <param name="Coefficients">MO coefficients (basis functions x orbitals).</param>
/// <param name="Density">Total density matrix.</param>
public sealed record HartreeFockResult(double Energy, double NuclearRepulsion, double OneElectronEnergy, double TwoElectronEnergy, int Iterations,
    Tensor OrbitalEnergies, Tensor Coefficients, Tensor Density);
