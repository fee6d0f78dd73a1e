using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Molecular.Response;

/// <summary>
/// The energy of a Kohn–Sham (or Hartree–Fock) determinant as a function of the virtual-occupied orbital rotation
/// kappa, around given orbitals C = [C_occ, C_vir]: C(kappa) = C exp([[0, -kappa^T], [kappa, 0]]) per spin channel.
/// Supplies E(kappa), the orbital gradient g = dE/dkappa at 0 (restricted 4 C_vir^T F C_occ, per spin 2 C_vir^T F_s
/// C_occ) and orbital-Hessian-vector products H v = d/dt g(t v) at 0 = c [F_vv v - v F_oo + C_vir^T F1[dD(v)] C_occ]
/// (c = 4 restricted, 2 per spin), F1 the Fock response J[dD] - a K[dD] + f_xc[dD]; exact at any orbitals, converged
/// or not (the derivative-informed loss evaluates them at the teacher's density).
/// </summary>
public sealed class OrbitalHessian
{
    private readonly int _n;
    private readonly KohnShamFock _builder;
    private readonly double[][] _c, _d, _fock;
    private readonly int[] _occupied;

    /// <summary>
    /// The rotation space around orbitals <paramref name="coefficients"/> (one channel: restricted, two: alpha and beta;
    /// each basis functions x orbitals, row-major) of <paramref name="molecule"/> with <paramref name="functional"/>.
    /// </summary>
    public OrbitalHessian(Molecule molecule, BasisSet basis, XcFunctional functional, IReadOnlyList<double[]> coefficients, GridOptions? grid = null,
        IntegralMode integrals = IntegralMode.Auto)
        : this(molecule, basis, coefficients, new KohnShamFock(molecule, basis, functional, grid, integrals))
    {
    }

    /// <summary>The rotation space around <paramref name="coefficients"/> with a prepared Fock builder (shared between rotations).</summary>
    public OrbitalHessian(Molecule molecule, BasisSet basis, IReadOnlyList<double[]> coefficients, KohnShamFock builder)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(builder);
        _n = basis.FunctionCount;
        if (builder.FunctionCount != _n) throw new ArgumentException($"The Fock builder is for {builder.FunctionCount} basis functions; the basis has {_n}.");
        if (coefficients.Count is not (1 or 2)) throw new ArgumentException("Orbital rotations need one (restricted) or two (alpha, beta) coefficient matrices.");
        _occupied = coefficients.Count == 1 ? [molecule.ElectronCount / 2] : [molecule.AlphaCount, molecule.BetaCount];
        if (coefficients.Count == 1 && molecule.ElectronCount % 2 != 0) throw new ArgumentException($"A restricted determinant needs an even electron count; this molecule has {molecule.ElectronCount}.");
        Orbitals = coefficients[0].Length / _n;
        if (coefficients.Any(c => c.Length != _n * Orbitals) || Orbitals < _occupied.Max())
            throw new ArgumentException($"Coefficient matrices must be {_n} x (orbitals >= {_occupied.Max()}) and of one shape.");
        _builder = builder;
        _c = [.. coefficients.Select(c => (double[])c.Clone())];
        _d = [.. _c.Select((c, s) => Density(c, _occupied[s], _c.Length == 1 ? 2 : 1))];
        (_fock, Energy) = _builder.Build(_d);
    }

    /// <summary>The total energy at kappa = 0.</summary>
    public double Energy { get; }

    /// <summary>Number of molecular orbitals per channel.</summary>
    public int Orbitals { get; }

    /// <summary>Occupied orbitals per channel.</summary>
    public IReadOnlyList<int> Occupied => _occupied;

    /// <summary>The Fock matrices at kappa = 0 (per channel).</summary>
    public IReadOnlyList<double[]> FockMatrices => _fock;

    /// <summary>The same rotation space around orbitals rotated by <paramref name="kappa"/> (per channel, vir x occ).</summary>
    public OrbitalHessian Rotated(Molecule molecule, BasisSet basis, IReadOnlyList<double[]> kappa) =>
        new(molecule, basis, RotatedOrbitals(kappa), _builder);

    /// <summary>C exp([[0, -kappa^T], [kappa, 0]]) per channel.</summary>
    public double[][] RotatedOrbitals(IReadOnlyList<double[]> kappa)
    {
        CheckShape(kappa, nameof(kappa));
        var result = new double[_c.Length][];
        for (int s = 0; s < _c.Length; s++)
        {
            int m = Orbitals, o = _occupied[s];
            var k = new double[m * m];
            for (int a = 0; a < m - o; a++)
                for (int i = 0; i < o; i++)
                {
                    double x = kappa[s][a * o + i];
                    k[(o + a) * m + i] = x;
                    k[i * m + o + a] = -x;
                }
            result[s] = ScfMath.Multiply(_c[s], Exponential(k, m), _n, m, m);
        }
        return result;
    }

    /// <summary>The orbital gradient dE/dkappa at 0, per channel (vir x occ, row-major).</summary>
    public double[][] Gradient()
    {
        var g = new double[_c.Length][];
        double f = _c.Length == 1 ? 4 : 2;
        for (int s = 0; s < _c.Length; s++)
        {
            var (_, vo, _) = Blocks(_fock[s], s);
            g[s] = [.. vo.Select(x => f * x)];
        }
        return g;
    }

    /// <summary>Orbital-Hessian-vector products H v, per channel (vir x occ), for one direction v (per channel).</summary>
    public double[][] Multiply(IReadOnlyList<double[]> v)
    {
        CheckShape(v, nameof(v));
        int spins = _c.Length;
        double f = spins == 1 ? 4 : 2;
        // dD_s = w (C_v v C_o^T + C_o v^T C_v^T), w = 2 restricted
        var dd = new double[spins][];
        for (int s = 0; s < spins; s++)
        {
            int m = Orbitals, o = _occupied[s];
            var cv = ScfMath.Columns(_c[s], m, o, m);
            var co = ScfMath.Columns(_c[s], m, 0, o);
            var t = ScfMath.Multiply(cv, v[s], _n, m - o, o);            // C_v v: n x o
            var x = ScfMath.MultiplyTransposeB(t, co, _n, o, _n);         // C_v v C_o^T
            var d = new double[_n * _n];
            double w = spins == 1 ? 2 : 1;
            for (int p = 0; p < _n; p++)
                for (int q = 0; q < _n; q++) d[p * _n + q] = w * (x[p * _n + q] + x[q * _n + p]);
            dd[s] = d;
        }
        var f1 = _builder.Response(_d, dd);
        var hv = new double[spins][];
        for (int s = 0; s < spins; s++)
        {
            int m = Orbitals, o = _occupied[s], nv = m - o;
            var (oo, _, vv) = Blocks(_fock[s], s);
            var (_, vo1, _) = Blocks(f1[s], s);
            var r = new double[nv * o];
            for (int a = 0; a < nv; a++)
                for (int i = 0; i < o; i++)
                {
                    double sum = vo1[a * o + i];
                    for (int b = 0; b < nv; b++) sum += vv[a * nv + b] * v[s][b * o + i];
                    for (int j = 0; j < o; j++) sum -= v[s][a * o + j] * oo[j * o + i];
                    r[a * o + i] = f * sum;
                }
            hv[s] = r;
        }
        return hv;
    }

    /// <summary>The energy at orbitals rotated by <paramref name="kappa"/> (one Fock build).</summary>
    public double EnergyAt(IReadOnlyList<double[]> kappa)
    {
        var c = RotatedOrbitals(kappa);
        return _builder.Build([.. c.Select((x, s) => Density(x, _occupied[s], _c.Length == 1 ? 2 : 1))]).Energy;
    }

    /// <summary>The occ-occ, vir-occ and vir-vir blocks of C^T A C for channel s.</summary>
    private (double[] OO, double[] VO, double[] VV) Blocks(double[] a, int s)
    {
        int m = Orbitals, o = _occupied[s], nv = m - o;
        var ac = ScfMath.Multiply(a, _c[s], _n, _n, m);
        var mo = ScfMath.MultiplyTransposeA(_c[s], ac, _n, m, m);
        var oo = new double[o * o];
        var vo = new double[nv * o];
        var vv = new double[nv * nv];
        for (int p = 0; p < m; p++)
            for (int q = 0; q < m; q++)
            {
                double x = mo[p * m + q];
                if (p < o && q < o) oo[p * o + q] = x;
                else if (p >= o && q < o) vo[(p - o) * o + q] = x;
                else if (p >= o && q >= o) vv[(p - o) * nv + q - o] = x;
            }
        return (oo, vo, vv);
    }

    /// <summary>D = g C_occ C_occ^T (g = 2 restricted, 1 per spin), through the one density-from-orbitals routine.</summary>
    private double[] Density(double[] c, int occupied, double occupation)
    {
        int m = c.Length / _n;
        var n = new double[m];
        for (int i = 0; i < occupied; i++) n[i] = occupation;
        return FermiDirac.Density(c, n, _n, m);
    }

    private void CheckShape(IReadOnlyList<double[]> x, string name)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count != _c.Length) throw new ArgumentException($"{name} needs {_c.Length} channel(s); got {x.Count}.", name);
        for (int s = 0; s < x.Count; s++)
        {
            if (x[s] is null || x[s].Length != (Orbitals - _occupied[s]) * _occupied[s])
                throw new ArgumentException($"{name}[{s}] must be {Orbitals - _occupied[s]} x {_occupied[s]} (virtual x occupied).", name);
            if (x[s].Any(v => !double.IsFinite(v))) throw new ArgumentException($"{name}[{s}] has a value that is not a finite number.", name);
        }
    }

    /// <summary>exp(K) of an antisymmetric m x m matrix: scaling and squaring of its Taylor series (orthogonal to rounding).</summary>
    private static double[] Exponential(double[] k, int m)
    {
        double norm = 0;
        foreach (double x in k) norm = Math.Max(norm, Math.Abs(x));
        int squarings = 0;
        double scale = 1;
        while (norm * m * scale > 0.25) { scale *= 0.5; squarings++; }
        var a = k.Select(x => x * scale).ToArray();
        var result = new double[m * m];
        var term = new double[m * m];
        for (int i = 0; i < m; i++) result[i * m + i] = term[i * m + i] = 1;
        for (int order = 1; order <= 20; order++)
        {
            term = ScfMath.Multiply(term, a, m, m, m);
            for (int i = 0; i < term.Length; i++) term[i] /= order;
            for (int i = 0; i < term.Length; i++) result[i] += term[i];
        }
        for (int q = 0; q < squarings; q++) result = ScfMath.Multiply(result, result, m, m, m);
        return result;
    }
}
