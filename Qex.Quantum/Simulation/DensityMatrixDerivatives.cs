using System.Numerics;
using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;
using Qex.Quantum.Differentiation;
using Qex.Quantum.Gates;

namespace Qex.Quantum.Simulation;

/// <summary>
/// Exact derivatives of noisy expectations for circuits whose input-dependent prefix acts qubit by qubit
/// (<see cref="DensityMatrixSimulator.ProductPrefix"/>: an encoding layer, then the trained circuit), without a shifted
/// evaluation per gate and circuit. With <c>f_b = Tr(M(theta) rho_b(x))</c>, <c>rho_b</c> a product of 2x2 density
/// matrices and <c>M</c> the observable evolved backwards through the trained part:
/// <list type="bullet">
/// <item>parameter derivatives <c>Tr(D_p rho_b)</c> with <c>D_p = dM/dtheta_p</c>, all p in one batched backward sweep
/// (each gate's derivative map by its exact shift rule), computed once per parameter vector and kept;</item>
/// <item>input derivatives by the shift rule of each encoding gate on its own 2x2 factor (second derivatives: two
/// shifted factors, or both shifts on one qubit's chain);</item>
/// <item>Hessian-vector products along the inputs (the XC potential's response) from the same pieces; a direction
/// with a parameter part adds the second-order shift rules of <see cref="ParameterShift.HessianVector"/> for that
/// part.</item>
/// </list>
/// </summary>
public sealed partial class DensityMatrixSimulator
{
    private readonly object _derivativeLock = new();
    private (double[] Parameters, StateView M, StateView D)? _derivativeCache;

    /// <summary>True when <see cref="Gradient"/> and <see cref="HessianVectorProduct"/> apply to these arguments (product prefix, no amplitude encoding).</summary>
    public bool HasAnalyticDerivatives(CircuitArguments args) => ProductPrefix && args is { InitialAmplitudes: null };

    /// <summary>Values and exact per-circuit first derivatives (those not wanted are left zero).</summary>
    /// <exception cref="NotSupportedException">The prefix is not a product (<see cref="HasAnalyticDerivatives"/> is false).</exception>
    public CircuitDerivatives Gradient(CircuitArguments args, bool parameters = true, bool inputs = true)
    {
        Require(args);
        int batch = args.Batch, np = Circuit.ParameterCount, ni = Circuit.InputCount, dim2 = (int)(Circuit.Dimension * Circuit.Dimension);
        var (m, d) = SuffixDerivatives(args);
        var prefix = new Prefix(this, args);
        var f = new double[batch];
        var dx = new double[batch * ni];
        var rr = parameters ? new double[batch * dim2] : [];
        var ri = parameters ? new double[batch * dim2] : [];
        Parallel.For(0, batch, b =>
        {
            var factors = prefix.Factors(b);
            var (re, im) = Dense(factors);
            f[b] = Dot(m, re, im);
            if (parameters) { re.CopyTo(rr, b * dim2); im.CopyTo(ri, b * dim2); }
            if (!inputs) return;
            for (int j = 0; j < prefix.InputOps.Length; j++)
            {
                var (dre, dim) = Dense(prefix.Replace(factors, b, j));
                dx[b * ni + prefix.InputIndex(j)] += prefix.InputScale(j) * Dot(m, dre, dim);
            }
        });
        var dp = new double[batch * np];
        if (parameters && np > 0) ContractDerivatives(d, rr, ri, batch, dp);
        return new CircuitDerivatives(Tensor.Wrap(f, batch), Tensor.Wrap(dp, batch, np), Tensor.Wrap(dx, batch, ni), null);
    }

    /// <summary>Exact per-circuit Hessian-vector products.</summary>
    /// <exception cref="NotSupportedException">The prefix is not a product (<see cref="HasAnalyticDerivatives"/> is false).</exception>
    public CircuitDerivatives HessianVectorProduct(CircuitArguments args, CircuitDirection direction)
    {
        Require(args);
        ArgumentNullException.ThrowIfNull(direction);
        int batch = args.Batch, np = Circuit.ParameterCount, ni = Circuit.InputCount, dim2 = (int)(Circuit.Dimension * Circuit.Dimension);
        if (direction.InitialAmplitudes is not null) throw new ArgumentException("The circuits are not amplitude-encoded; the direction has an amplitude part.");
        if (direction.Parameters.Rank != 2 || direction.Parameters.Dim(0) != batch || direction.Parameters.Dim(1) != np
            || direction.Inputs.Rank != 2 || direction.Inputs.Dim(0) != batch || direction.Inputs.Dim(1) != ni)
            throw new ArgumentException($"The direction must have shapes ({batch}, {np}) for the parameters and ({batch}, {ni}) for the inputs.");
        var (m, d) = SuffixDerivatives(args);
        var prefix = new Prefix(this, args);
        var ux = direction.Inputs.Span.ToArray();
        var f = new double[batch];
        var hx = new double[batch * ni];
        var sr = new double[batch * dim2];
        var si = new double[batch * dim2];
        Parallel.For(0, batch, b =>
        {
            var factors = prefix.Factors(b);
            var (re, im) = Dense(factors);
            f[b] = Dot(m, re, im);
            int g = prefix.InputOps.Length;
            var w = new double[g];
            for (int j = 0; j < g; j++) w[j] = prefix.InputScale(j) * ux[b * ni + prefix.InputIndex(j)];
            for (int j = 0; j < g; j++)
            {
                if (w[j] == 0) continue;
                // sigma_b = sum_j w_j d rho_b / d angle_j, for the parameter rows
                var (dre, dim) = Dense(prefix.Replace(factors, b, j));
                for (int i = 0; i < dim2; i++) { sr[b * dim2 + i] += w[j] * dre[i]; si[b * dim2 + i] += w[j] * dim[i]; }
                // the input rows: sum_j w_j Tr(M d2 rho_b / d angle_i d angle_j)
                for (int i = 0; i < g; i++)
                {
                    var (hre, him) = Dense(prefix.Replace2(factors, b, i, j));
                    hx[b * ni + prefix.InputIndex(i)] += prefix.InputScale(i) * w[j] * Dot(m, hre, him);
                }
            }
        });
        var hp = new double[batch * np];
        if (np > 0) ContractDerivatives(d, sr, si, batch, hp);
        var result = new CircuitDerivatives(Tensor.Wrap(f, batch), Tensor.Wrap(hp, batch, np), Tensor.Wrap(hx, batch, ni), null);
        if (!direction.Parameters.Span.ContainsAnyExcept(0.0)) return result;
        // the parameter part of the direction: second-order shift rules (exact; cost grows with the parameter gates)
        var pp = ParameterShift.HessianVector(this, args, direction with { Inputs = Tensor.Zeros(batch, ni) });
        var hpSum = new double[batch * np];
        var hxSum = new double[batch * ni];
        for (int i = 0; i < hpSum.Length; i++) hpSum[i] = hp[i] + pp.Parameters.Span[i];
        for (int i = 0; i < hxSum.Length; i++) hxSum[i] = hx[i] + pp.Inputs.Span[i];
        return new CircuitDerivatives(result.Values, Tensor.Wrap(hpSum, batch, np), Tensor.Wrap(hxSum, batch, ni), null);
    }

    private void Require(CircuitArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Validate(Circuit);
        if (!HasAnalyticDerivatives(args))
            throw new NotSupportedException("Analytic density-matrix derivatives need an input prefix that acts qubit by qubit before every trained gate, and no amplitude encoding; use ParameterShift for this circuit.");
    }

    /// <summary>
    /// M and the parameter derivatives D_p = dM/dtheta_p (vectorised; D with batch = parameter count), by one backward
    /// sweep over the trained part: at every parameter gate k its derivative map (exact shift rule) is applied to the
    /// M evolved so far and added to column p(k), scaled; every later (earlier in the circuit) map then acts on all columns.
    /// </summary>
    private (StateView M, StateView D) SuffixDerivatives(CircuitArguments args)
    {
        var p = args.Parameters.Span.ToArray();
        lock (_derivativeLock)
            if (_derivativeCache is { } c && c.Parameters.AsSpan().SequenceEqual(p)) return (c.M, c.D);
        int n = Circuit.QubitCount, np = Circuit.ParameterCount, ni = Circuit.InputCount;
        var mats = Matrices(args, null);
        var m = ObservableMatrix();
        var d = BatchedState.Allocate(2 * n, Math.Max(np, 1));
        var x = args.Inputs.Span.Slice(0, ni);
        for (int i = _ops.Length - 1; i >= _split; i--)
        {
            if (np > 0) ApplyOp(d, i, mats[i], adjoint: true);
            if (_ops[i].Gate is { Angle: { Source: AngleSource.Parameter } a } g)
            {
                double angle = a.Evaluate(p, x);
                foreach (var (shift, coefficient) in ParameterShift.Rule(g.Kind))
                {
                    var t = BatchedState.Allocate(2 * n, 1);
                    Array.Copy(m.Re, t.Re, m.Length);
                    Array.Copy(m.Im, t.Im, m.Length);
                    ApplyOp(t, i, new OpMatrices(g.TargetMatrix(angle + shift), null, null), adjoint: true);
                    double w = a.Scale * coefficient;
                    for (int r = 0; r < t.Length; r++)
                    {
                        d.Re[r * d.Batch + a.Index] += w * t.Re[r];
                        d.Im[r * d.Batch + a.Index] += w * t.Im[r];
                    }
                }
            }
            ApplyOp(m, i, mats[i], adjoint: true);
        }
        lock (_derivativeLock) _derivativeCache = (p, m, d);
        return (m, d);
    }

    /// <summary>out[b, p] = Re Tr(D_p rho_b) = sum_i (Re D_ip Re rho_bi + Im D_ip Im rho_bi), as two matrix products.</summary>
    private static void ContractDerivatives(StateView d, double[] rr, double[] ri, int batch, double[] result)
    {
        int dim2 = d.Re.Length / d.Batch, np = d.Batch;
        Gemm.Multiply(false, false, batch, np, dim2, 1.0, rr, dim2, d.Re, np, 0.0, result, np);
        Gemm.Multiply(false, false, batch, np, dim2, 1.0, ri, dim2, d.Im, np, 1.0, result, np);
    }

    /// <summary>Re Tr(M rho) = sum_i Re conj(M_i) rho_i for Hermitian M (vectorised, batch 1).</summary>
    private static double Dot(StateView m, double[] re, double[] im)
    {
        double s = 0;
        for (int i = 0; i < re.Length; i++) s += m.Re[i] * re[i] + m.Im[i] * im[i];
        return s;
    }

    /// <summary>The vectorised Kronecker product of per-qubit 2x2 factors (qubit 0 most significant; element (r, c) at r 2^n + c).</summary>
    private static (double[] Re, double[] Im) Dense(Complex[][] factors)
    {
        var cur = new Complex[] { 1 };
        int d = 1;
        foreach (var fq in factors)
        {
            int d2 = 2 * d;
            var next = new Complex[d2 * d2];
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                {
                    var v = cur[r * d + c];
                    if (v == Complex.Zero) continue;
                    for (int a = 0; a < 2; a++)
                        for (int e = 0; e < 2; e++) next[(2 * r + a) * d2 + 2 * c + e] = v * fq[a * 2 + e];
                }
            cur = next;
            d = d2;
        }
        var re = new double[cur.Length];
        var im = new double[cur.Length];
        for (int i = 0; i < cur.Length; i++) { re[i] = cur[i].Real; im[i] = cur[i].Imaginary; }
        return (re, im);
    }

    /// <summary>The per-qubit chains of the input prefix for one batch of arguments (also behind <see cref="Estimate"/>'s product contraction).</summary>
    private sealed class Prefix
    {
        private readonly DensityMatrixSimulator _s;
        private readonly CircuitArguments _args;
        private readonly OpMatrices[] _mats;
        private readonly GateShift? _shift;
        private readonly int[][] _opsOnQubit;

        /// <summary>The chains of <paramref name="args"/>, with <paramref name="shift"/> applied to the prefix's gates.</summary>
        public Prefix(DensityMatrixSimulator s, CircuitArguments args, GateShift? shift = null)
        {
            _s = s;
            _args = args;
            _shift = shift;
            _mats = s.Matrices(args, shift);
            int n = s.Circuit.QubitCount;
            var lists = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
            var inputs = new List<int>();
            for (int i = 0; i < s._split; i++)
            {
                lists[s._ops[i].Qubits[0]].Add(i);
                if (s._ops[i].Gate?.Angle is { Source: AngleSource.Input }) inputs.Add(i);
            }
            _opsOnQubit = [.. lists.Select(l => l.ToArray())];
            InputOps = [.. inputs];
        }

        /// <summary>The prefix ops (indices) that encode an input.</summary>
        public int[] InputOps { get; }

        public int InputIndex(int j) => _s._ops[InputOps[j]].Gate!.Angle!.Value.Index;

        public double InputScale(int j) => _s._ops[InputOps[j]].Gate!.Angle!.Value.Scale;

        private int QubitOf(int j) => _s._ops[InputOps[j]].Qubits[0];

        /// <summary>The 2x2 factors of circuit b.</summary>
        public Complex[][] Factors(int b)
        {
            int n = _s.Circuit.QubitCount;
            var r = new Complex[n][];
            for (int q = 0; q < n; q++) r[q] = Chain(q, b, -1, 0, -1, 0);
            return r;
        }

        /// <summary>The factors with qubit q(j)'s replaced by its derivative by input gate j's angle.</summary>
        public Complex[][] Replace(Complex[][] factors, int b, int j)
        {
            var r = (Complex[][])factors.Clone();
            int q = QubitOf(j);
            var kind = _s._ops[InputOps[j]].Gate!.Kind;
            var acc = new Complex[4];
            foreach (var (shift, c) in ParameterShift.Rule(kind))
            {
                var f = Chain(q, b, InputOps[j], shift, -1, 0);
                for (int e = 0; e < 4; e++) acc[e] += c * f[e];
            }
            r[q] = acc;
            return r;
        }

        /// <summary>The factors of the second derivative by input gates i and j (on one qubit: both shifts in its chain).</summary>
        public Complex[][] Replace2(Complex[][] factors, int b, int i, int j)
        {
            int qi = QubitOf(i), qj = QubitOf(j);
            if (qi != qj) return Replace(Replace(factors, b, i), b, j);
            var r = (Complex[][])factors.Clone();
            var acc = new Complex[4];
            foreach (var (si, ci) in ParameterShift.Rule(_s._ops[InputOps[i]].Gate!.Kind))
                foreach (var (sj, cj) in ParameterShift.Rule(_s._ops[InputOps[j]].Gate!.Kind))
                {
                    var f = Chain(qi, b, InputOps[i], si, InputOps[j], sj);
                    for (int e = 0; e < 4; e++) acc[e] += ci * cj * f[e];
                }
            r[qi] = acc;
            return r;
        }

        /// <summary>Qubit q's 2x2 density matrix after the prefix, with ops o1 and o2 (may be equal; -1: none) shifted.</summary>
        private Complex[] Chain(int q, int b, int o1, double s1, int o2, double s2)
        {
            Complex[] rho = [1, 0, 0, 0];
            int ni = _s.Circuit.InputCount;
            foreach (int i in _opsOnQubit[q])
            {
                var op = _s._ops[i];
                var nr = new Complex[4];
                if (op.Channel is not null)
                {
                    foreach (var k in op.Channel.Operators)
                        for (int x = 0; x < 2; x++) for (int y = 0; y < 2; y++)
                            for (int u = 0; u < 2; u++) for (int v = 0; v < 2; v++)
                                nr[x * 2 + y] += k[x, u] * rho[u * 2 + v] * Complex.Conjugate(k[y, v]);
                }
                else
                {
                    double shift = (i == o1 ? s1 : 0) + (i == o2 ? s2 : 0) + (_shift?.For(op.GateIndex) ?? 0);
                    Mat2 u;
                    if (op.Gate!.Angle is { Source: AngleSource.Input } a)
                        u = op.Gate.TargetMatrix(a.Evaluate(_args.Parameters.Span, _args.Inputs.Span.Slice(b * ni, ni)) + shift);
                    else u = _mats[i].U;
                    Complex[] uu = [u.A, u.B, u.C, u.D];
                    for (int x = 0; x < 2; x++) for (int y = 0; y < 2; y++)
                        for (int t1 = 0; t1 < 2; t1++) for (int t2 = 0; t2 < 2; t2++)
                            nr[x * 2 + y] += uu[x * 2 + t1] * rho[t1 * 2 + t2] * Complex.Conjugate(uu[y * 2 + t2]);
                }
                rho = nr;
            }
            return rho;
        }
    }
}
