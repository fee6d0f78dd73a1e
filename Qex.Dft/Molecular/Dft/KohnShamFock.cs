using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Molecular.Dft;

/// <summary>
/// Kohn–Sham (or Hartree–Fock) Fock matrices and energy of any density, and their linear response, for one molecule:
/// the integrals and grid are prepared once. F_s = H + J[D] - a K[D_s] + V_xc,s (restricted: a K[D] / 2); no SCF.
/// For properties of given densities (a teacher's energy at a student's density) and orbital-Hessian products.
/// </summary>
public sealed class KohnShamFock
{
    private readonly int _n;
    private readonly double[] _core;
    private readonly Qex.Kernels.Fock.ICoulombExchangeBuilder _jk;
    private readonly XcIntegrator? _xc;
    private readonly double _exact, _nuclear;

    /// <summary>
    /// Prepares the integrals (exact, or density-fitted with the orbital basis' default fitting set) and the grid, for a
    /// functional with semilocal terms, integrated by <paramref name="xcKernel"/> (null: the CPU kernel).
    /// </summary>
    public KohnShamFock(Molecule molecule, BasisSet basis, XcFunctional functional, GridOptions? grid = null, IntegralMode integrals = IntegralMode.Auto,
        Qex.Kernels.Grid.IXcGridKernel? xcKernel = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(functional);
        _n = basis.FunctionCount;
        _core = CoulombIntegrals.CoreHamiltonian(basis, molecule).ToArray();
        _xc = functional.Terms.Count == 0 ? null : new XcIntegrator(MolecularGrid.Create(molecule, grid), basis, functional, xcKernel);
        _jk = integrals == IntegralMode.DensityFitting
            ? new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(molecule, basis))
            : new IncrementalCoulombExchange(new CoulombExchangeBuilder(basis, integrals), 0);
        _exact = functional.ExactExchange;
        _nuclear = molecule.NuclearRepulsion();
    }

    /// <summary>Number of basis functions.</summary>
    public int FunctionCount => _n;

    /// <summary>F[D] per channel (one restricted total density, or alpha and beta) and the total energy E[D] (with the nuclear repulsion).</summary>
    public (double[][] Fock, double Energy) Build(IReadOnlyList<double[]> d)
    {
        ArgumentNullException.ThrowIfNull(d);
        Check(d, nameof(d));
        var total = d.Count == 1 ? d[0] : ScfMath.Add(d[0], d[1]);
        bool hybrid = _exact != 0;
        var (jl, k) = _jk.Build(hybrid ? d : [total], full: true, exchange: hybrid);
        var c = Compose(_n, _core, jl, k ?? [], _xc?.Evaluate(d), _exact, d);
        return (c.Fock, _nuclear + c.OneElectron + c.TwoElectron);
    }

    /// <summary>
    /// The Kohn–Sham Fock matrices and energy terms from J (one matrix of the total density, or one per channel), K per
    /// channel (hybrids) and the XC result: restricted F = H + J - a K[D] / 2 + V, unrestricted F_s = H + J - a K[D_s] +
    /// V_s; the two-electron energy E_J - E_K + E_xc, and E_K by itself. The one place both the SCF model and this class
    /// assemble them.
    /// </summary>
    internal static (double[][] Fock, double OneElectron, double TwoElectron, double ExactExchangeEnergy) Compose(int n, double[] core, double[][] jl,
        double[][] k, XcResult? xc, double exact, IReadOnlyList<double[]> d)
    {
        bool hybrid = exact != 0;
        double[] total = d.Count == 1 ? d[0] : ScfMath.Add(d[0], d[1]);
        double[] j = jl.Length == 1 ? jl[0] : ScfMath.Add(jl[0], jl[1]);
        var fock = new double[d.Count][];
        double e1 = ScfMath.Trace(total, core, n), ej = 0.5 * ScfMath.Trace(total, j, n), ek = 0;
        double kScale = d.Count == 1 ? 0.5 * exact : exact;
        for (int s = 0; s < d.Count; s++)
        {
            var f = new double[n * n];
            for (int i = 0; i < n * n; i++) f[i] = core[i] + j[i] + (xc?.Matrices[s][i] ?? 0);
            if (hybrid)
            {
                for (int i = 0; i < n * n; i++) f[i] -= kScale * k[s][i];
                ek += 0.5 * kScale * ScfMath.Trace(d[s], k[s], n);
            }
            fock[s] = f;
        }
        return (fock, e1, ej - ek + (xc?.Energy ?? 0), ek);
    }

    /// <summary>The Fock response F1_s = J[dD_total] - a K[dD_s] (restricted a/2) + f_xc[dD]_s at the densities D (per channel).</summary>
    public double[][] Response(IReadOnlyList<double[]> densities, IReadOnlyList<double[]> dd)
    {
        ArgumentNullException.ThrowIfNull(densities);
        ArgumentNullException.ThrowIfNull(dd);
        Check(densities, nameof(densities));
        Check(dd, nameof(dd));
        if (dd.Count != densities.Count) throw new ArgumentException($"{densities.Count} density channel(s) need as many trial densities; got {dd.Count}.", nameof(dd));
        int spins = dd.Count;
        bool hybrid = _exact != 0;
        var total = spins == 1 ? dd[0] : ScfMath.Add(dd[0], dd[1]);
        var (jl, k) = _jk.Build(hybrid ? dd : [total], full: true, exchange: hybrid);
        var j = jl.Length == 1 ? jl[0] : ScfMath.Add(jl[0], jl[1]);
        var vxc = _xc?.Response(densities, dd);
        double kScale = spins == 1 ? 0.5 * _exact : _exact;
        var f1 = new double[spins][];
        for (int s = 0; s < spins; s++)
        {
            var f = new double[_n * _n];
            for (int i = 0; i < f.Length; i++) f[i] = j[i] + (vxc?[s][i] ?? 0) - (hybrid ? kScale * k![s][i] : 0);
            f1[s] = f;
        }
        return f1;
    }

    private void Check(IReadOnlyList<double[]> d, string name)
    {
        if (d.Count is not (1 or 2) || d.Any(x => x is null || x.Length != _n * _n))
            throw new ArgumentException($"{name}: one (restricted) or two (alpha, beta) {_n} x {_n} matrices are needed.", name);
    }
}
