using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Kernels.Fock;

namespace Qex.Dft.Molecular.Dft;

/// <summary>The outcome of a Kohn–Sham calculation.</summary>
/// <param name="Energy">Total energy.</param>
/// <param name="XcEnergy">E_xc (semilocal part plus the exact-exchange part of hybrids).</param>
/// <param name="Iterations">SCF iterations.</param>
/// <param name="OrbitalEnergies">Per channel, the orbital energies.</param>
/// <param name="Coefficients">Per channel, the MO coefficients (basis functions x orbitals).</param>
/// <param name="Densities">Per channel, the density matrix (restricted: the total).</param>
/// <param name="GridPoints">Points of the integration grid.</param>
/// <param name="Electrons">The electron count integrated on the grid at convergence.</param>
/// <param name="Occupations">Per channel, the occupation of each orbital (fractional with smearing).</param>
/// <param name="EntropyTerm">-theta S of Fermi–Dirac smearing (0 without); the free energy is Energy + EntropyTerm.</param>
public sealed record KohnShamResult(double Energy, double XcEnergy, int Iterations, Tensor[] OrbitalEnergies, Tensor[] Coefficients, Tensor[] Densities,
    int GridPoints, double Electrons, double[][] Occupations, double EntropyTerm)
{
    /// <summary>The Mermin free energy E - theta S (equal to <see cref="Energy"/> without smearing).</summary>
    public double FreeEnergy => Energy + EntropyTerm;
}

/// <summary>
/// Kohn–Sham DFT on <see cref="ScfDriver"/>: restricted (RKS) or unrestricted (UKS), with any semilocal or hybrid
/// functional: F_s = H + J[D] - a K[D_s] + V_xc,s (a the exact-exchange fraction; restricted: a K[D] / 2), E = Tr(D H) +
/// E_J - a E_K + E_xc.
/// </summary>
public static class KohnSham
{
    /// <summary>Runs RKS (closed-shell singlets) or UKS (<paramref name="unrestricted"/>, or any open shell).</summary>
    /// <exception cref="ConvergenceException">No convergence within the iteration limit.</exception>
    public static KohnShamResult Run(Molecule molecule, BasisSet basis, XcFunctional functional, GridOptions? grid = null, HartreeFockOptions? options = null,
        bool unrestricted = false)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(functional);
        var o = options ?? new HartreeFockOptions();
        o.Validate();
        // Kohn-Sham iterations from an atomic guess oscillate with commutators above HF's DIIS start (0.1): unless the
        // caller chose another start, DIIS runs from the first iteration (as Psi4's and PySCF's do)
        if (o.DiisStart == new HartreeFockOptions().DiisStart) o = o with { DiisStart = double.PositiveInfinity };
        bool open = unrestricted || molecule.Multiplicity != 1;
        int n = basis.FunctionCount;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        if (o.OneElectronPerturbation is not null) throw new ArgumentException("A one-electron perturbation is supported by RHF only.");
        var h = CoulombIntegrals.CoreHamiltonian(basis, molecule).ToArray();
        var g = MolecularGrid.Create(molecule, grid);
        var xc = new XcIntegrator(g, basis, functional, o.XcKernel);
        var jk = RestrictedHartreeFock.CoulombExchange(molecule, basis, o);
        if (o.InitialDensity is { } given && (given.Rank != 2 || given.Dim(0) != n || given.Dim(1) != n))
            throw new ArgumentException($"The initial density must be {n} x {n} (the basis functions); got {ShapeUtil.Format(given.Shape)}.");
        var sad = o.InitialDensity?.ToArray()
            ?? (o.Guess == ScfGuess.Core ? new double[n * n] : AtomicDensityGuess.SuperpositionOfAtomicDensities(molecule, basis, o));
        IScfModel model;
        double[][] start;
        if (open)
        {
            int na = molecule.AlphaCount, nb = molecule.BetaCount;
            model = new KohnShamModel("UKS", h, jk, xc, functional.ExactExchange, [na, nb]);
            start = [sad.Select(v => v * na / molecule.ElectronCount).ToArray(), sad.Select(v => v * nb / molecule.ElectronCount).ToArray()];
        }
        else
        {
            if (molecule.ElectronCount % 2 != 0) throw new ArgumentException($"RKS needs an even electron count; this molecule has {molecule.ElectronCount}.");
            model = new KohnShamModel("RKS", h, jk, xc, functional.ExactExchange, [molecule.ElectronCount / 2]);
            start = [sad];
        }
        var r = ScfDriver.Run(model, s, molecule.NuclearRepulsion(), start, null, o);
        if (o.Occupation is null)
            r = Response.StabilityFollowing.Follow(r, molecule, basis, functional, grid, o, model.Occupied,
                dens => ScfDriver.Run(model, s, molecule.NuclearRepulsion(), dens, null, o));
        var last = ((KohnShamModel)model).LastXc!;
        int m = r.Orbitals;
        return new KohnShamResult(r.Energy, ((KohnShamModel)model).LastXcEnergy, r.Iterations,
            [.. r.OrbitalEnergies.Select(e => Tensor.Wrap(e, m))], [.. r.Coefficients.Select(c => Tensor.Wrap(c, n, m))],
            [.. r.Densities.Select(d => Tensor.Wrap(d, n, n))], g.Count, last.Electrons, r.Occupations, -o.Smearing * r.Entropy);
    }
}

/// <summary>The Kohn–Sham model: J and (for hybrids) exact exchange from the J/K builder, V_xc from the grid.</summary>
internal sealed class KohnShamModel(string name, double[] core, ICoulombExchangeBuilder jk, XcIntegrator xc, double exact, int[] occupied) : IScfModel
{
    public string Name => name;

    public double OrbitalOccupation => occupied.Length == 1 ? 2 : 1;

    public IReadOnlyList<int> Occupied => occupied;

    public bool LastBuildWasFull => jk.LastWasFull;

    public XcResult? LastXc { get; private set; }

    public double LastXcEnergy { get; private set; }

    public ScfFockBuild Build(IReadOnlyList<double[]> densities, bool full)
    {
        // pure functionals need J of the total density only; hybrids K of each spin density too
        double[] total = densities.Count == 1 ? densities[0] : ScfMath.Add(densities[0], densities[1]);
        var (jl, k) = exact != 0 ? jk.Build(densities, full) : jk.Build([total], full, exchange: false);
        var x = xc.Evaluate(densities);
        LastXc = x;
        var c = KohnShamFock.Compose(jk.FunctionCount, core, jl, k, x, exact, densities);
        LastXcEnergy = x.Energy - c.ExactExchangeEnergy;
        return new ScfFockBuild(c.Fock, c.OneElectron + c.TwoElectron, c.OneElectron, c.TwoElectron);
    }
}
