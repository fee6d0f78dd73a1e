using Qex.Core.LinearAlgebra;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Molecular.Response;

/// <summary>The spin of excited states of a closed-shell reference.</summary>
public enum ExcitationSpin
{
    /// <summary>Singlet excitations (the dipole-allowed ones).</summary>
    Singlet,

    /// <summary>Triplet excitations (oscillator strength zero).</summary>
    Triplet,
}

/// <summary>How the linear-response problem is solved.</summary>
public enum ResponseApproximation
{
    /// <summary>The Tamm–Dancoff approximation: A X = omega X (B neglected).</summary>
    Tda,

    /// <summary>Full linear response (Casida / RPA): [[A, B], [B, A]] (X, Y) = omega [[1, 0], [0, -1]] (X, Y).</summary>
    Rpa,
}

/// <summary>Settings of an excited-state calculation.</summary>
/// <param name="States">How many of the lowest excitations.</param>
/// <param name="Spin">Singlets or triplets.</param>
/// <param name="Approximation">TDA or full linear response.</param>
/// <param name="ResidualTolerance">Davidson residual norm at convergence (the excitation energies are then accurate to about its square).</param>
/// <param name="MaxIterations">Davidson expansions before giving up.</param>
public sealed record ExcitationOptions(int States = 5, ExcitationSpin Spin = ExcitationSpin.Singlet, ResponseApproximation Approximation = ResponseApproximation.Tda,
    double ResidualTolerance = 1e-6, int MaxIterations = 100);

/// <summary>One excited state.</summary>
/// <param name="Energy">Excitation energy (Hartree).</param>
/// <param name="OscillatorStrength">f = 2/3 omega |mu|^2 (zero for triplets).</param>
/// <param name="TransitionDipole">The transition dipole &lt;0|mu|n&gt; (atomic units; x, y, z).</param>
/// <param name="Contributions">The largest single excitations (occupied orbital, virtual orbital, both 0-based, and weight X^2 - Y^2), largest first.</param>
public sealed record Excitation(double Energy, double OscillatorStrength, double[] TransitionDipole, IReadOnlyList<(int Occupied, int Virtual, double Weight)> Contributions)
{
    /// <summary>Hartree to electronvolt (CODATA 2018).</summary>
    public const double ElectronVolt = 27.211386245988;

    /// <summary>The excitation energy in eV.</summary>
    public double EnergyEv => Energy * ElectronVolt;
}

/// <summary>The excitations of one calculation.</summary>
/// <param name="Options">What was asked.</param>
/// <param name="States">Ascending in energy.</param>
/// <param name="Iterations">Davidson expansions used.</param>
public sealed record ExcitationResult(ExcitationOptions Options, IReadOnlyList<Excitation> States, int Iterations);

/// <summary>
/// Linear-response TDDFT (and TDHF) of a closed-shell Kohn–Sham reference with any functional, semilocal or hybrid.
/// The products with A + B come from the Fock response of a symmetric transition density
/// T = C_v V C_o^T + C_o V^T C_v^T given to both spins (singlet) or with opposite signs (triplet): J, exact exchange and
/// the XC kernel f_xc on the grid, as for the orbital Hessian. For A - B the transition density is antisymmetric: J and
/// f_xc vanish and only exact exchange remains, (A - B)_ai,bj = d_ab d_ij (e_a - e_i) - c_x [(ab|ij) - (aj|ib)], from
/// molecular-orbital integrals. Vectors are virtual x occupied, row-major (a o + i).
/// </summary>
public sealed class LinearResponse
{
    private readonly int _n;
    private readonly double[] _cv, _co, _d, _total;
    private readonly KohnShamFock _builder;
    private readonly double _exact;
    private readonly double[]? _exchangeMinus;   // (ab|ij) - (aj|ib), (ov) x (ov)
    private readonly double[][] _dipole;         // mu_ai per axis

    /// <summary>
    /// The response of the closed-shell determinant with orbitals <paramref name="coefficients"/> (basis functions x
    /// orbitals, row-major; the first N/2 occupied) and orbital energies <paramref name="orbitalEnergies"/>, normally a
    /// converged RKS (or RHF with <c>hf</c>) of <paramref name="functional"/> on the same grid.
    /// </summary>
    /// <exception cref="ArgumentException">An open shell, shapes that do not fit, or no virtual orbital.</exception>
    /// <exception cref="InsufficientMemoryException">The exchange integrals of a hybrid would not fit (refused before allocating).</exception>
    public LinearResponse(Molecule molecule, BasisSet basis, XcFunctional functional, double[] coefficients, double[] orbitalEnergies, GridOptions? grid = null,
        IntegralMode integrals = IntegralMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(functional);
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(orbitalEnergies);
        if (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0)
            throw new ArgumentException($"Linear response here is for closed shells (RKS/RHF); this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity}.");
        _n = basis.FunctionCount;
        int m = orbitalEnergies.Length;
        if (coefficients.Length != _n * m)
            throw new ArgumentException($"The coefficients must be {_n} x {m} (basis functions x orbitals, as many orbitals as orbital energies); got {coefficients.Length} values.");
        Occupied = molecule.ElectronCount / 2;
        Virtual = m - Occupied;
        if (Virtual < 1) throw new ArgumentException($"There is no virtual orbital ({m} orbitals for {Occupied} occupied): no excitation exists in this basis.");
        _cv = Columns(coefficients, m, Occupied, m);
        _co = Columns(coefficients, m, 0, Occupied);
        Diagonal = new double[Dimension];
        for (int a = 0; a < Virtual; a++)
            for (int i = 0; i < Occupied; i++) Diagonal[a * Occupied + i] = orbitalEnergies[Occupied + a] - orbitalEnergies[i];
        _d = ScfMath.MultiplyTransposeB(_co, _co, _n, Occupied, _n);   // D_alpha = D_beta = C_o C_o^T
        _total = [.. _d.Select(x => 2 * x)];
        _builder = new KohnShamFock(molecule, basis, functional, grid, integrals);
        _exact = functional.ExactExchange;
        if (_exact != 0) _exchangeMinus = ExchangeMinus(basis, coefficients, m);
        var dip = OneElectronIntegrals.Dipole(basis);
        _dipole = [.. dip.Select(t => Block(t.ToArray()))];
    }

    /// <summary>Occupied orbitals.</summary>
    public int Occupied { get; }

    /// <summary>Virtual orbitals.</summary>
    public int Virtual { get; }

    /// <summary>Single excitations: virtual x occupied.</summary>
    public int Dimension => Occupied * Virtual;

    /// <summary>The orbital-energy differences e_a - e_i (the diagonal of A without its two-electron part).</summary>
    public double[] Diagonal { get; }

    /// <summary>(A + B) v for the given spin.</summary>
    public double[] MultiplyPlus(ExcitationSpin spin, double[] v)
    {
        Check(v);
        var t = Transition(v, antisymmetric: false);
        // singlet: the same change in both spins, which the restricted (closed-shell) response gives for the total
        // density 2 D_alpha and its change 2 T; triplet: opposite changes, through the two spin channels
        var f1 = spin == ExcitationSpin.Singlet
            ? _builder.Response([_total], [t.Select(x => 2 * x).ToArray()])[0]
            : _builder.Response([_d, _d], [t, t.Select(x => -x).ToArray()])[0];
        var r = Block(f1);
        for (int k = 0; k < r.Length; k++) r[k] += Diagonal[k] * v[k];
        return r;
    }

    /// <summary>(A - B) v (the same for singlets and triplets: only exact exchange couples).</summary>
    public double[] MultiplyMinus(double[] v)
    {
        Check(v);
        int dim = Dimension;
        var r = new double[dim];
        for (int k = 0; k < dim; k++) r[k] = Diagonal[k] * v[k];
        if (_exchangeMinus is null) return r;
        var e = _exchangeMinus;
        double cx = _exact;
        Parallel.For(0, dim, p =>
        {
            double s = 0;
            int o = p * dim;
            for (int q = 0; q < dim; q++) s += e[o + q] * v[q];
            r[p] -= cx * s;
        });
        return r;
    }

    /// <summary>A v = ((A + B) v + (A - B) v) / 2.</summary>
    public double[] MultiplyA(ExcitationSpin spin, double[] v)
    {
        var p = MultiplyPlus(spin, v);
        var q = MultiplyMinus(v);
        for (int k = 0; k < p.Length; k++) p[k] = 0.5 * (p[k] + q[k]);
        return p;
    }

    /// <summary>The lowest excitations.</summary>
    /// <exception cref="ArgumentException">More states than single excitations, or bad tolerances.</exception>
    /// <exception cref="ConvergenceException">The Davidson iterations did not converge.</exception>
    public ExcitationResult Solve(ExcitationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.States < 1 || options.States > Dimension)
            throw new ArgumentException($"Asked for {options.States} excited states; this basis has {Dimension} single excitations ({Occupied} occupied x {Virtual} virtual).");
        if (!(options.ResidualTolerance > 0) || options.MaxIterations < 1)
            throw new ArgumentException($"The Davidson tolerance must be positive and the iteration limit at least 1; got {options.ResidualTolerance} and {options.MaxIterations}.");
        int roots = options.States;
        var guesses = Guesses(Math.Min(Dimension, Math.Max(2 * roots, roots + 4)));
        var davidson = new DavidsonOptions(options.ResidualTolerance, options.MaxIterations, Progress: Environment.GetEnvironmentVariable("QEX_DAVIDSON_TRACE") is null ? null : (i, v, r) => Console.Error.WriteLine($"{i}: {string.Join(" ", v.Select(x => x.ToString("F6")))} | {string.Join(" ", r.Select(x => x.ToString("E1")))}"));
        if (options.Approximation == ResponseApproximation.Tda)
        {
            var r = Davidson.Lowest(Dimension, roots, (x, y) => MultiplyA(options.Spin, x).CopyTo(y, 0), Diagonal, guesses, davidson);
            if (!r.Converged) throw new ConvergenceException("TDA", $"TDA Davidson did not converge in {r.Iterations} iterations (residuals {string.Join(", ", r.ResidualNorms.Select(x => x.ToString("E1")))}).");
            return new ExcitationResult(options, [.. Enumerable.Range(0, roots).Select(s => State(options.Spin, r.Values[s], r.Vectors[s], r.Vectors[s]))], r.Iterations);
        }
        else
        {
            var r = RpaDavidson.Lowest(Dimension, roots, (x, y) => MultiplyPlus(options.Spin, x).CopyTo(y, 0), (x, y) => MultiplyMinus(x).CopyTo(y, 0), Diagonal, guesses, davidson);
            if (!r.Converged) throw new ConvergenceException("TDDFT", $"Linear-response Davidson did not converge in {r.Iterations} iterations (residuals {string.Join(", ", r.ResidualNorms.Select(x => x.ToString("E1")))}).");
            // weights X^2 - Y^2 = (X+Y)(X-Y) per element
            return new ExcitationResult(options, [.. Enumerable.Range(0, roots).Select(s => State(options.Spin, r.Values[s], r.Plus[s], r.Minus[s]))], r.Iterations);
        }
    }

    private Excitation State(ExcitationSpin spin, double omega, double[] xPlusY, double[] xMinusY)
    {
        var mu = new double[3];
        if (spin == ExcitationSpin.Singlet)
            for (int c = 0; c < 3; c++)
            {
                double s = 0;
                for (int k = 0; k < Dimension; k++) s += _dipole[c][k] * xPlusY[k];
                mu[c] = Math.Sqrt(2) * s;
            }
        double f = 2.0 / 3.0 * omega * (mu[0] * mu[0] + mu[1] * mu[1] + mu[2] * mu[2]);
        var weights = Enumerable.Range(0, Dimension).Select(k => (Occupied: k % Occupied, Virtual: Occupied + k / Occupied, Weight: xPlusY[k] * xMinusY[k]))
            .OrderByDescending(t => Math.Abs(t.Weight)).Take(5).Where(t => Math.Abs(t.Weight) >= 1e-3).ToArray();
        return new Excitation(omega, f, mu, weights);
    }

    private double[][] Guesses(int count)
    {
        var order = Enumerable.Range(0, Dimension).OrderBy(k => Diagonal[k]).ThenBy(k => k).Take(count).ToArray();
        return [.. order.Select(k => { var g = new double[Dimension]; g[k] = 1; return g; })];
    }

    /// <summary>C_v V C_o^T +- C_o V^T C_v^T.</summary>
    private double[] Transition(double[] v, bool antisymmetric)
    {
        var t = ScfMath.Multiply(_cv, v, _n, Virtual, Occupied);           // n x o
        var x = ScfMath.MultiplyTransposeB(t, _co, _n, Occupied, _n);      // n x n
        var r = new double[_n * _n];
        double sign = antisymmetric ? -1 : 1;
        for (int p = 0; p < _n; p++)
            for (int q = 0; q < _n; q++) r[p * _n + q] = x[p * _n + q] + sign * x[q * _n + p];
        return r;
    }

    /// <summary>C_v^T M C_o (virtual x occupied).</summary>
    private double[] Block(double[] m)
    {
        var mc = ScfMath.Multiply(m, _co, _n, _n, Occupied);
        return ScfMath.MultiplyTransposeA(_cv, mc, _n, Virtual, Occupied);
    }

    /// <summary>(ab|ij) - (aj|ib) over single excitations (ai, bj), from the AO integrals (refused before allocating when too large).</summary>
    private double[] ExchangeMinus(BasisSet basis, double[] coefficients, int m)
    {
        int o = Occupied, v = Virtual, dim = Dimension;
        double aoBytes = 8.0 * _n * _n * _n * _n;
        MemoryEstimate.Require(2 * aoBytes + 8.0 * dim * dim, $"Exact-exchange response integrals for {_n} basis functions ({dim} single excitations)");
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        // (pq|rs) -> (aq|rs) -> (ab|rs) -> (ab|is) -> (ab|ij): one quarter at a time with its own orbitals
        var abij = Quarter(Quarter(Quarter(Quarter(eri, [_n, _n, _n, _n], _cv, v), [_n, _n, _n, v], _cv, v), [_n, _n, v, v], _co, o), [_n, v, v, o], _co, o);
        // (aj|ib) with the orbitals in the order v, o, o, v
        var ajib = Quarter(Quarter(Quarter(Quarter(eri, [_n, _n, _n, _n], _cv, v), [_n, _n, _n, v], _co, o), [_n, _n, v, o], _co, o), [_n, v, o, o], _cv, v);
        // after four quarters the index order is (a, b, i, j) for abij and (a, j, i, b) for ajib
        var e = new double[dim * dim];
        Parallel.For(0, v, a =>
        {
            for (int i = 0; i < o; i++)
                for (int b = 0; b < v; b++)
                    for (int j = 0; j < o; j++)
                        e[(a * o + i) * dim + b * o + j] = abij[((a * v + b) * o + i) * o + j] - ajib[((a * o + j) * o + i) * v + b];
        });
        return e;
    }

    /// <summary>
    /// One quarter transformation: the first index of <paramref name="x"/> (dims d0 x d1 x d2 x d3) contracted with the
    /// columns of <paramref name="c"/> (n x k) and moved to the end: result d1 x d2 x d3 x k.
    /// </summary>
    private double[] Quarter(double[] x, int[] dims, double[] c, int k)
    {
        int d0 = dims[0], rest = dims[1] * dims[2] * dims[3];
        var next = new double[rest * k];
        Parallel.For(0, rest, r =>
        {
            for (int p = 0; p < k; p++)
            {
                double s = 0;
                for (int q = 0; q < d0; q++) s += c[q * k + p] * x[q * rest + r];
                next[r * k + p] = s;
            }
        });
        return next;
    }

    private static double[] Columns(double[] c, int m, int from, int to)
    {
        int n = c.Length / m, w = to - from;
        var r = new double[n * w];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < w; q++) r[p * w + q] = c[p * m + from + q];
        return r;
    }

    private void Check(double[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Length != Dimension) throw new ArgumentException($"A response vector has {Dimension} elements (virtual {Virtual} x occupied {Occupied}); got {v.Length}.");
    }
}
