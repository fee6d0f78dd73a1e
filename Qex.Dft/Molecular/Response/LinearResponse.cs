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
/// <param name="Progress">Receives a line per Davidson iteration (its number, the excitation energies in eV and the largest residual), for long runs.</param>
public sealed record ExcitationOptions(int States = 5, ExcitationSpin Spin = ExcitationSpin.Singlet, ResponseApproximation Approximation = ResponseApproximation.Tda,
    double ResidualTolerance = 1e-6, int MaxIterations = 100, Action<string>? Progress = null);

/// <summary>One single excitation of an excited state: occupied orbital -> virtual orbital (0-based, within its spin channel).</summary>
/// <param name="Occupied">The occupied orbital.</param>
/// <param name="Virtual">The virtual orbital.</param>
/// <param name="Weight">X^2 - Y^2 (restricted: of the spin-adapted pair).</param>
/// <param name="Channel">0 for alpha (or a restricted reference), 1 for beta.</param>
public readonly record struct SingleExcitation(int Occupied, int Virtual, double Weight, int Channel);

/// <summary>One excited state.</summary>
/// <param name="Energy">Excitation energy (Hartree).</param>
/// <param name="OscillatorStrength">f = 2/3 omega |mu|^2 (zero for triplets of a closed shell).</param>
/// <param name="TransitionDipole">The transition dipole &lt;0|mu|n&gt; (atomic units; x, y, z).</param>
/// <param name="Contributions">The largest single excitations, largest weight first.</param>
public sealed record Excitation(double Energy, double OscillatorStrength, double[] TransitionDipole, IReadOnlyList<SingleExcitation> Contributions)
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
/// Linear-response TDDFT (and TDHF) of a Kohn–Sham reference with any functional, semilocal or hybrid: closed shells
/// (singlet and triplet excitations) and unrestricted open shells (spin-conserving excitations). The products with
/// A + B come from the Fock response of symmetric transition densities T_s = C_v,s V_s C_o,s^T + C_o,s V_s^T C_v,s^T:
/// J, exact exchange and the XC kernel f_xc on the grid, as for the orbital Hessian (closed-shell singlets: the same T in
/// both spins, through the restricted response; triplets: opposite signs). For A - B the transition densities are
/// antisymmetric: J and f_xc vanish and only exact exchange remains, (A - B)_ai,bj = d_ab d_ij (e_a - e_i) -
/// c_x [(ab|ij) - (aj|ib)] within each spin, from molecular-orbital integrals. Vectors are virtual x occupied per
/// channel, row-major (a o + i), alpha then beta.
/// </summary>
public sealed class LinearResponse
{
    private readonly int _n;
    private readonly Channel[] _channels;
    private readonly KohnShamFock _builder;
    private readonly double _exact;
    private readonly double[]? _total;   // restricted: the total density 2 C_o C_o^T

    /// <summary>One spin channel: orbitals, ground-state density, exchange integrals of A - B, dipole integrals.</summary>
    private sealed record Channel(int Occupied, int Virtual, int Offset, double[] Cv, double[] Co, double[] Density, double[]? ExchangeMinus, double[][] Dipole)
    {
        public int Size => Occupied * Virtual;
    }

    /// <summary>
    /// The response of the closed-shell determinant with orbitals <paramref name="coefficients"/> (basis functions x
    /// orbitals, row-major; the first N/2 occupied) and orbital energies <paramref name="orbitalEnergies"/>, normally a
    /// converged RKS (or RHF with <c>hf_x</c>) of <paramref name="functional"/> on the same grid. The XC kernel's products
    /// run on <paramref name="xcKernel"/> (null: the CPU kernel).
    /// </summary>
    /// <exception cref="ArgumentException">An open shell, shapes that do not fit, or no virtual orbital.</exception>
    /// <exception cref="InsufficientMemoryException">The exchange integrals of a hybrid would not fit (refused before allocating).</exception>
    public LinearResponse(Molecule molecule, BasisSet basis, XcFunctional functional, double[] coefficients, double[] orbitalEnergies, GridOptions? grid = null,
        IntegralMode integrals = IntegralMode.Auto, Qex.Kernels.Grid.IXcGridKernel? xcKernel = null)
        : this(molecule, basis, functional, [coefficients ?? throw new ArgumentNullException(nameof(coefficients))],
            [orbitalEnergies ?? throw new ArgumentNullException(nameof(orbitalEnergies))], grid, integrals, xcKernel)
    {
    }

    /// <summary>
    /// The response of a determinant given per spin channel: one channel (restricted closed shell) or two (alpha and beta
    /// of an unrestricted reference, occupied as the molecule's alpha and beta counts). The XC kernel's products run on
    /// <paramref name="xcKernel"/> (null: the CPU kernel).
    /// </summary>
    /// <exception cref="ArgumentException">A restricted open shell, shapes that do not fit, or no excitation.</exception>
    /// <exception cref="InsufficientMemoryException">The exchange integrals of a hybrid would not fit (refused before allocating).</exception>
    public LinearResponse(Molecule molecule, BasisSet basis, XcFunctional functional, IReadOnlyList<double[]> coefficients, IReadOnlyList<double[]> orbitalEnergies,
        GridOptions? grid = null, IntegralMode integrals = IntegralMode.Auto, Qex.Kernels.Grid.IXcGridKernel? xcKernel = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(functional);
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(orbitalEnergies);
        if (coefficients.Count is not (1 or 2) || orbitalEnergies.Count != coefficients.Count)
            throw new ArgumentException("Give one channel of orbitals (restricted) or two (alpha, beta), with as many sets of orbital energies.");
        Unrestricted = coefficients.Count == 2;
        if (!Unrestricted && (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0))
            throw new ArgumentException($"A restricted reference needs closed shells: this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity} (give alpha and beta orbitals of an unrestricted reference).");
        _n = basis.FunctionCount;
        int[] occupied = Unrestricted ? [molecule.AlphaCount, molecule.BetaCount] : [molecule.ElectronCount / 2];
        for (int s = 0; s < coefficients.Count; s++)
        {
            var c = coefficients[s] ?? throw new ArgumentNullException(nameof(coefficients));
            var e = orbitalEnergies[s] ?? throw new ArgumentNullException(nameof(orbitalEnergies));
            if (c.Length != _n * e.Length)
                throw new ArgumentException($"The coefficients must be {_n} x {e.Length} (basis functions x orbitals, as many orbitals as orbital energies); got {c.Length} values.");
            if (e.Length < occupied[s])
                throw new ArgumentException($"{e.Length} orbitals cannot hold the {occupied[s]} occupied ones of this molecule.");
            if (c.Any(x => !double.IsFinite(x)) || e.Any(x => !double.IsFinite(x)))
                throw new ArgumentException("The orbitals or orbital energies contain a value that is not a finite number.");
        }
        _exact = functional.ExactExchange;
        var eri = _exact != 0 ? ExchangeIntegrals(basis, coefficients, orbitalEnergies, occupied) : null;
        var dip = OneElectronIntegrals.Dipole(basis).Select(t => t.ToArray()).ToArray();
        var channels = new Channel[coefficients.Count];
        var diagonal = new List<double>();
        int offset = 0;
        for (int s = 0; s < channels.Length; s++)
        {
            var c = coefficients[s];
            var e = orbitalEnergies[s];
            int m = e.Length, o = occupied[s], v = m - o;
            var cv = ScfMath.Columns(c, m, o, m);
            var co = ScfMath.Columns(c, m, 0, o);
            for (int a = 0; a < v; a++)
                for (int i = 0; i < o; i++) diagonal.Add(e[o + a] - e[i]);
            var exchange = eri is null ? null : ExchangeMinus(eri(c, m, o), o, v);
            var block = dip.Select(x => Block(x, cv, co, o, v)).ToArray();
            channels[s] = new Channel(o, v, offset, cv, co, ScfMath.MultiplyTransposeB(co, co, _n, o, _n), exchange, block);
            offset += o * v;
        }
        if (offset < 1) throw new ArgumentException($"There is no virtual orbital ({string.Join(" / ", orbitalEnergies.Select(x => x.Length))} orbitals for {string.Join(" / ", occupied)} occupied): no excitation exists in this basis.");
        _channels = channels;
        Diagonal = [.. diagonal];
        if (!Unrestricted) _total = [.. channels[0].Density.Select(x => 2 * x)];
        _builder = new KohnShamFock(molecule, basis, functional, grid, integrals, xcKernel);
    }

    /// <summary>True for an unrestricted (open-shell) reference: spin-conserving excitations of both spins.</summary>
    public bool Unrestricted { get; }

    /// <summary>Occupied orbitals (of the first channel).</summary>
    public int Occupied => _channels[0].Occupied;

    /// <summary>Virtual orbitals (of the first channel).</summary>
    public int Virtual => _channels[0].Virtual;

    /// <summary>Single excitations of all channels.</summary>
    public int Dimension => Diagonal.Length;

    /// <summary>The orbital-energy differences e_a - e_i (the diagonal of A without its two-electron part).</summary>
    public double[] Diagonal { get; }

    /// <summary>(A + B) v for the given spin (ignored for an unrestricted reference).</summary>
    public double[] MultiplyPlus(ExcitationSpin spin, double[] v)
    {
        Check(v);
        var t = _channels.Select(c => Transition(c, v)).ToArray();
        double[][] f1;
        if (Unrestricted) f1 = _builder.Response([_channels[0].Density, _channels[1].Density], t);
        else if (spin == ExcitationSpin.Singlet) f1 = _builder.Response([_total!], [t[0].Select(x => 2 * x).ToArray()]);   // the same change in both spins
        else f1 = [_builder.Response([_channels[0].Density, _channels[0].Density], [t[0], t[0].Select(x => -x).ToArray()])[0]];   // opposite changes
        var r = new double[Dimension];
        for (int s = 0; s < _channels.Length; s++)
        {
            var c = _channels[s];
            var b = Block(f1[s], c.Cv, c.Co, c.Occupied, c.Virtual);
            for (int k = 0; k < c.Size; k++) r[c.Offset + k] = b[k] + Diagonal[c.Offset + k] * v[c.Offset + k];
        }
        return r;
    }

    /// <summary>(A - B) v (the same for singlets and triplets: only exact exchange couples, within each spin).</summary>
    public double[] MultiplyMinus(double[] v)
    {
        Check(v);
        var r = new double[Dimension];
        for (int k = 0; k < r.Length; k++) r[k] = Diagonal[k] * v[k];
        double cx = _exact;
        foreach (var c in _channels)
        {
            if (c.ExchangeMinus is not { } e) continue;
            int dim = c.Size, off = c.Offset;
            Parallel.For(0, dim, p =>
            {
                double s = 0;
                int o = p * dim;
                for (int q = 0; q < dim; q++) s += e[o + q] * v[off + q];
                r[off + p] -= cx * s;
            });
        }
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
            throw new ArgumentException($"Asked for {options.States} excited states; this basis has {Dimension} single excitations ({string.Join(" + ", _channels.Select(c => $"{c.Occupied} occupied x {c.Virtual} virtual"))}).");
        if (Unrestricted && options.Spin == ExcitationSpin.Triplet)
            throw new ArgumentException("An unrestricted reference has spin-conserving excitations of both spins, not singlets and triplets: ask for the default spin.");
        if (!(options.ResidualTolerance > 0) || options.MaxIterations < 1)
            throw new ArgumentException($"The Davidson tolerance must be positive and the iteration limit at least 1; got {options.ResidualTolerance} and {options.MaxIterations}.");
        int roots = options.States;
        var guesses = Guesses(Math.Min(Dimension, Math.Max(2 * roots, roots + 4)));
        var davidson = new DavidsonOptions(options.ResidualTolerance, options.MaxIterations, Progress: options.Progress is not { } report ? null : (i, v, r) =>
            report(FormattableString.Invariant($"{(options.Approximation == ResponseApproximation.Tda ? "TDA" : "TDDFT")} iteration {i}: {string.Join(" ", v.Select(x => (x * Excitation.ElectronVolt).ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))} eV, largest residual {r.Max():E1}")));
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
        if (Unrestricted || spin == ExcitationSpin.Singlet)
        {
            // restricted singlets: the spin-adapted pair (alpha + beta) / sqrt 2 gives sqrt 2 times one channel's sum
            double scale = Unrestricted ? 1 : Math.Sqrt(2);
            foreach (var c in _channels)
                for (int axis = 0; axis < 3; axis++)
                {
                    double s = 0;
                    for (int k = 0; k < c.Size; k++) s += c.Dipole[axis][k] * xPlusY[c.Offset + k];
                    mu[axis] += scale * s;
                }
        }
        double f = 2.0 / 3.0 * omega * (mu[0] * mu[0] + mu[1] * mu[1] + mu[2] * mu[2]);
        var weights = _channels.SelectMany((c, s) => Enumerable.Range(0, c.Size).Select(k =>
                new SingleExcitation(k % c.Occupied, c.Occupied + k / c.Occupied, xPlusY[c.Offset + k] * xMinusY[c.Offset + k], s)))
            .OrderByDescending(t => Math.Abs(t.Weight)).Take(5).Where(t => Math.Abs(t.Weight) >= 1e-3).ToArray();
        return new Excitation(omega, f, mu, weights);
    }

    private double[][] Guesses(int count)
    {
        var order = Enumerable.Range(0, Dimension).OrderBy(k => Diagonal[k]).ThenBy(k => k).Take(count).ToArray();
        return [.. order.Select(k => { var g = new double[Dimension]; g[k] = 1; return g; })];
    }

    /// <summary>C_v V C_o^T + C_o V^T C_v^T of one channel's part of v.</summary>
    private double[] Transition(Channel c, double[] v)
    {
        var t = ScfMath.Multiply(c.Cv, v.AsSpan(c.Offset, c.Size).ToArray(), _n, c.Virtual, c.Occupied);   // n x o
        var x = ScfMath.MultiplyTransposeB(t, c.Co, _n, c.Occupied, _n);                                    // n x n
        var r = new double[_n * _n];
        for (int p = 0; p < _n; p++)
            for (int q = 0; q < _n; q++) r[p * _n + q] = x[p * _n + q] + x[q * _n + p];
        return r;
    }

    /// <summary>C_v^T M C_o (virtual x occupied).</summary>
    private double[] Block(double[] m, double[] cv, double[] co, int o, int v)
    {
        var mc = ScfMath.Multiply(m, co, _n, _n, o);
        return ScfMath.MultiplyTransposeA(cv, mc, _n, v, o);
    }

    /// <summary>
    /// The AO integrals once (refused before allocating when they would not fit), and a function that gives a channel's
    /// (ab|ij) and (aj|ib) from its orbitals.
    /// </summary>
    private Func<double[], int, int, (double[] Abij, double[] Ajib)> ExchangeIntegrals(BasisSet basis, IReadOnlyList<double[]> coefficients, IReadOnlyList<double[]> energies,
        int[] occupied)
    {
        long dim = 0;
        for (int s = 0; s < coefficients.Count; s++) dim = Math.Max(dim, (long)occupied[s] * (energies[s].Length - occupied[s]));
        double aoBytes = 8.0 * _n * _n * _n * _n;
        MemoryEstimate.Require(2 * aoBytes + 8.0 * dim * dim * coefficients.Count, $"Exact-exchange response integrals for {_n} basis functions ({dim} single excitations per spin)");
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        return (c, m, o) =>
        {
            int v = m - o;
            var cv = ScfMath.Columns(c, m, o, m);
            var co = ScfMath.Columns(c, m, 0, o);
            // (pq|rs) -> (qr s|a): the first quarter, the costliest, serves both
            var first = Quarter(eri, [_n, _n, _n, _n], cv, v);
            // ... -> (ab|ij): one quarter at a time with its own orbitals; after four the order is (a, b, i, j)
            var abij = Quarter(Quarter(Quarter(first, [_n, _n, _n, v], cv, v), [_n, _n, v, v], co, o), [_n, v, v, o], co, o);
            // (aj|ib) with the orbitals in the order v, o, o, v: (a, j, i, b)
            var ajib = Quarter(Quarter(Quarter(first, [_n, _n, _n, v], co, o), [_n, _n, v, o], co, o), [_n, v, o, o], cv, v);
            return (abij, ajib);
        };
    }

    /// <summary>(ab|ij) - (aj|ib) over single excitations (ai, bj) of one channel.</summary>
    private static double[] ExchangeMinus((double[] Abij, double[] Ajib) x, int o, int v)
    {
        int dim = o * v;
        var e = new double[dim * dim];
        var (abij, ajib) = x;
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

    private void Check(double[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Length != Dimension)
            throw new ArgumentException($"A response vector has {Dimension} elements ({string.Join(" + ", _channels.Select(c => $"virtual {c.Virtual} x occupied {c.Occupied}"))}); got {v.Length}.");
    }
}
