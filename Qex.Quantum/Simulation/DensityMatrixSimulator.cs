using System.Numerics;
using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Noise;
using Qex.Quantum.Observables;

namespace Qex.Quantum.Simulation;

/// <summary>
/// Density-matrix emulation with Kraus channels and readout error. rho is stored vectorised (row qubits, then column
/// qubits) as a 2n-qubit batched state, so a gate U acts as U on the row qubits and conj(U) on the column qubits and a
/// channel as its superoperator <c>sum_k K (x) conj(K)</c>.
/// </summary>
/// <remarks>
/// When every input-dependent gate comes before every input-independent one (encoding layer, then the trained
/// circuit: the common case), the input-independent part is run once in the Heisenberg picture: the observable,
/// with the readout error folded in, is evolved backwards by the adjoint channels into <c>M</c>, and each circuit
/// costs only its encoding prefix and <c>Tr(M rho_b)</c>. Otherwise every circuit is evolved forwards.
/// Derivatives: <see cref="Differentiation.ParameterShift"/> (exact under noise).
/// </remarks>
public sealed partial class DensityMatrixSimulator : IExpectationEstimator, IMeasurementSource
{
    private readonly Op[] _ops;
    private readonly int _split;
    private readonly object _cacheLock = new();
    private readonly List<(double[] Parameters, GateShift? Shift, StateView M)> _cache = [];

    /// <summary>Prepares a noisy circuit.</summary>
    /// <exception cref="ArgumentException">The observable or the readout error does not fit the circuit.</exception>
    public DensityMatrixSimulator(Circuit circuit, Observable observable, NoiseModel noise)
    {
        Circuit = circuit ?? throw new ArgumentNullException(nameof(circuit));
        Observable = observable ?? throw new ArgumentNullException(nameof(observable));
        Noise = noise ?? throw new ArgumentNullException(nameof(noise));
        if (observable.MaxQubit >= circuit.QubitCount) throw new ArgumentException($"The observable acts on qubit {observable.MaxQubit}, but the circuit has {circuit.QubitCount} qubits.");
        if (noise.Readout is { } r && r.Qubits != circuit.QubitCount) throw new ArgumentException($"The readout error is for {r.Qubits} qubits; the circuit has {circuit.QubitCount}.");
        MemoryGuard.EnsureFits($"a density matrix of {circuit.QubitCount} qubits", Math.Pow(4, circuit.QubitCount), 4);
        _ops = [.. BuildOps(circuit, noise)];
        int lastInput = -1;
        for (int i = 0; i < _ops.Length; i++) if (_ops[i].Gate?.Angle is { Source: AngleSource.Input }) lastInput = i;
        int firstParamAfter = Array.FindIndex(_ops, o => o.Gate?.Angle is { Source: AngleSource.Parameter });
        _split = lastInput + 1;
        HeisenbergSplit = firstParamAfter < 0 || firstParamAfter >= _split;
        ProductPrefix = HeisenbergSplit && _ops.Take(_split).All(o => o.Qubits.Length == 1 && (o.Gate is null || o.Gate.Arity == 1));
    }

    /// <summary>
    /// True when, besides the Heisenberg split, the input-dependent prefix acts on each qubit separately (an encoding
    /// layer with single-qubit noise): each circuit's state before the trained part is then a product of 2x2 density
    /// matrices and <c>Tr(M rho_b)</c> is contracted qubit by qubit, without a 4^n state per circuit.
    /// </summary>
    public bool ProductPrefix { get; }

    /// <summary>The circuit.</summary>
    public Circuit Circuit { get; }

    /// <summary>The observable.</summary>
    public Observable Observable { get; }

    /// <summary>The noise model.</summary>
    public NoiseModel Noise { get; }

    /// <summary>True when the input-independent suffix is evaluated once in the Heisenberg picture.</summary>
    public bool HeisenbergSplit { get; }

    /// <inheritdoc />
    public Tensor Estimate(CircuitArguments args, GateShift? shift = null)
    {
        args.Validate(Circuit);
        int batch = args.Batch, n = Circuit.QubitCount;
        var f = new double[batch];
        if (ProductPrefix && args.InitialAmplitudes is null)
        {
            var mats = Matrices(args, shift);
            var m = EvolvedObservable(args, shift, mats);
            ContractProduct(m, args, shift, f);
        }
        else if (HeisenbergSplit)
        {
            var rho = InitialRho(args);
            var mats = Matrices(args, shift);
            for (int i = 0; i < _split; i++) Forward(rho, i, mats[i]);
            var m = EvolvedObservable(args, shift, mats);
            Contract(m, rho, f);
        }
        else
        {
            var rho = Density(args, shift);
            Contract(ObservableMatrix(), rho, f);
        }
        return Tensor.Wrap(f, batch);
    }

    /// <summary>The final density matrices of a batch of circuits (vectorised: element (r, c) of circuit b at (r 2^n + c) B + b).</summary>
    internal StateView Density(CircuitArguments args, GateShift? shift)
    {
        var rho = InitialRho(args);
        var mats = Matrices(args, shift);
        for (int i = 0; i < _ops.Length; i++) Forward(rho, i, mats[i]);
        return rho;
    }

    /// <summary>The density matrix of circuit <paramref name="b"/> as a dense complex matrix.</summary>
    public Complex[,] DensityMatrix(CircuitArguments args, int b)
    {
        args.Validate(Circuit);
        var rho = Density(args, null);
        int dim = (int)Circuit.Dimension;
        var r = new Complex[dim, dim];
        for (int i = 0; i < dim; i++)
            for (int j = 0; j < dim; j++)
            {
                long o = ((long)i * dim + j) * rho.Batch + b;
                r[i, j] = new Complex(rho.Re[o], rho.Im[o]);
            }
        return r;
    }

    /// <inheritdoc />
    public double[][] OutcomeProbabilities(CircuitArguments args, GateShift? shift, PauliString basis)
    {
        args.Validate(Circuit);
        var rho = Density(args, shift);
        int n = Circuit.QubitCount;
        foreach (var (q, c) in basis.Operators)
            if (MeasurementBasis.Rotation(c) is { } r)
            {
                StateKernels.Apply1(rho, q, 0, r);
                StateKernels.Apply1(rho, n + q, 0, r.Conjugate());
            }
        int dim = (int)Circuit.Dimension, batch = args.Batch;
        var p = new double[batch][];
        for (int b = 0; b < batch; b++)
        {
            p[b] = new double[dim];
            for (int i = 0; i < dim; i++) p[b][i] = Math.Max(0, rho.Re[((long)i * dim + i) * batch + b]);
        }
        return p;
    }

    // ---- the operation list: gates and channels ----

    private sealed record Op(Gate? Gate, int GateIndex, KrausChannel? Channel, int[] Qubits, Complex[,]? Super, Complex[,]? SuperAdjoint);

    private static IEnumerable<Op> BuildOps(Circuit c, NoiseModel noise) =>
        NoiseSchedule.Build(c, noise).Select(st => st.Channel is null ? new Op(c.Gates[st.GateIndex], st.GateIndex, null, st.Qubits, null, null) : ChannelOp(st.Channel, st.Qubits));

    private static Op ChannelOp(KrausChannel ch, int[] qubits)
    {
        var s = ch.Superoperator();
        return new Op(null, -1, ch, qubits, s, StatevectorSimulator.Step.ConjugateTranspose(s));
    }

    private int[] Positions(int[] qubits)
    {
        int n = Circuit.QubitCount;
        var p = new int[qubits.Length * 2];
        for (int i = 0; i < qubits.Length; i++)
        {
            p[i] = 2 * n - 1 - qubits[i];
            p[qubits.Length + i] = n - 1 - qubits[i];
        }
        return p;
    }

    private readonly record struct OpMatrices(Mat2 U, Mat2Batch? Batched, Mat2Batch? BatchedConj);

    private OpMatrices[] Matrices(CircuitArguments args, GateShift? shift)
    {
        var p = args.Parameters.Span;
        var x = args.Inputs.Span;
        int ni = Circuit.InputCount, batch = args.Batch;
        var r = new OpMatrices[_ops.Length];
        for (int i = 0; i < _ops.Length; i++)
        {
            var g = _ops[i].Gate;
            if (g is null || g.Kind is GateKind.Swap or GateKind.Unitary2) continue;
            double extra = _ops[i].GateIndex >= 0 ? shift?.For(_ops[i].GateIndex) ?? 0 : 0;
            if (g.Angle is { Source: AngleSource.Input } a && batch > 1)
            {
                var m = new Mat2Batch(batch);
                var mc = new Mat2Batch(batch);
                for (int b = 0; b < batch; b++)
                {
                    var u = g.TargetMatrix(a.Evaluate(p, x.Slice(b * ni, ni)) + extra);
                    m.Set(b, u);
                    mc.Set(b, u.Conjugate());
                }
                r[i] = new OpMatrices(default, m, mc);
            }
            else r[i] = new OpMatrices(g.TargetMatrix(g.Angle is { } an ? an.Evaluate(p, x.Slice(0, ni)) + extra : 0), null, null);
        }
        return r;
    }

    private void Forward(StateView rho, int i, OpMatrices m) => ApplyOp(rho, i, m, adjoint: false);

    /// <summary>M &lt;- (adjoint of op i)(M): U^dag M U for gates, sum K^dag M K for channels (batch 1, parameter-only ops).</summary>
    private void Backward(StateView mState, int i, OpMatrices m) => ApplyOp(mState, i, m, adjoint: true);

    /// <summary>
    /// Op i on a vectorised density matrix: a gate as U on the row qubits and conj(U) on the column qubits (U^dag for
    /// the adjoint map), a channel as its superoperator (or the superoperator's adjoint).
    /// </summary>
    private void ApplyOp(StateView rho, int i, OpMatrices m, bool adjoint)
    {
        var op = _ops[i];
        int n = Circuit.QubitCount;
        if (op.Channel is not null) { StateKernels.ApplyDense(rho, Positions(op.Qubits), adjoint ? op.SuperAdjoint! : op.Super!); return; }
        var g = op.Gate!;
        if (g.Kind is GateKind.Swap or GateKind.Unitary2)
        {
            var u = adjoint ? StatevectorSimulator.Step.ConjugateTranspose(g.Matrix4()) : g.Matrix4();
            StateKernels.ApplyDense(rho, [2 * n - 1 - g.Qubits[0], 2 * n - 1 - g.Qubits[1]], u);
            StateKernels.ApplyDense(rho, [n - 1 - g.Qubits[0], n - 1 - g.Qubits[1]], Conj(u));
            return;
        }
        int t = g.IsControlled ? g.Qubits[1] : g.Qubits[0];
        long rowMask = g.IsControlled ? 1L << (2 * n - 1 - g.Qubits[0]) : 0;
        long colMask = g.IsControlled ? 1L << (n - 1 - g.Qubits[0]) : 0;
        if (m.Batched is not null)
        {
            if (adjoint) throw new InvalidOperationException("Input-dependent gates are never evolved in the Heisenberg picture.");
            StateKernels.Apply1(rho, t, rowMask, m.Batched);
            StateKernels.Apply1(rho, n + t, colMask, m.BatchedConj!);
            return;
        }
        var a = adjoint ? m.U.Adjoint() : m.U;
        StateKernels.Apply1(rho, t, rowMask, a);
        StateKernels.Apply1(rho, n + t, colMask, a.Conjugate());
    }

    private static Complex[,] Conj(Complex[,] u)
    {
        int d = u.GetLength(0);
        var r = new Complex[d, d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] = Complex.Conjugate(u[i, j]);
        return r;
    }

    private StateView InitialRho(CircuitArguments args)
    {
        int n = Circuit.QubitCount, batch = args.Batch;
        var rho = BatchedState.Allocate(2 * n, batch);
        long dim = Circuit.Dimension;
        if (args.InitialAmplitudes is { } a)
        {
            var s = a.Span;
            for (int b = 0; b < batch; b++)
                for (long i = 0; i < dim; i++)
                    for (long j = 0; j < dim; j++)
                        rho.Re[(i * dim + j) * batch + b] = s[(int)(b * dim + i)] * s[(int)(b * dim + j)];
        }
        else for (int b = 0; b < batch; b++) rho.Re[b] = 1;
        return rho;
    }

    /// <summary>The observable with the readout error folded in, vectorised (batch 1).</summary>
    private StateView ObservableMatrix()
    {
        int n = Circuit.QubitCount;
        long dim = Circuit.Dimension;
        var total = BatchedState.Allocate(2 * n, 1);
        foreach (var (w, term) in Observable.Terms)
        {
            long mask = MeasurementBasis.SignMask(term, n);
            var d = new double[dim];
            for (long i = 0; i < dim; i++) d[i] = (BitOperations.PopCount((ulong)(i & mask)) & 1) == 0 ? 1 : -1;
            if (Noise.Readout is { } ro) d = ro.ApplyTranspose(d);
            var t = BatchedState.Allocate(2 * n, 1);
            for (long i = 0; i < dim; i++) t.Re[i * dim + i] = d[i];
            // R^dag D R: R^dag on rows, R^T (= conj(R^dag)) on columns
            foreach (var (q, c) in term.Operators)
                if (MeasurementBasis.Rotation(c) is { } r)
                {
                    var ra = r.Adjoint();
                    StateKernels.Apply1(t, q, 0, ra);
                    StateKernels.Apply1(t, n + q, 0, ra.Conjugate());
                }
            for (int i = 0; i < t.Length; i++) { total.Re[i] += w * t.Re[i]; total.Im[i] += w * t.Im[i]; }
        }
        return total;
    }

    private StateView EvolvedObservable(CircuitArguments args, GateShift? shift, OpMatrices[] mats)
    {
        GateShift? suffixShift = shift?.Restrict(gate => Array.FindIndex(_ops, o => o.GateIndex == gate) >= _split);
        var p = args.Parameters.ToArray();
        lock (_cacheLock)
            foreach (var e in _cache)
                if (e.Shift == suffixShift && e.Parameters.AsSpan().SequenceEqual(p)) return e.M;
        var m = ObservableMatrix();
        for (int i = _ops.Length - 1; i >= _split; i--) Backward(m, i, mats[i]);
        lock (_cacheLock)
        {
            if (_cache.Count >= 64) _cache.RemoveAt(0);
            _cache.Add((p, suffixShift, m));
        }
        return m;
    }

    /// <summary>f_b = Tr(M rho_b) with rho_b a product of single-qubit density matrices (the prefix applied qubit by qubit).</summary>
    private void ContractProduct(StateView m, CircuitArguments args, GateShift? shift, double[] f)
    {
        int n = Circuit.QubitCount, batch = args.Batch;
        long dim = Circuit.Dimension;
        var a = new Complex[dim * dim];
        for (long i = 0; i < a.Length; i++) a[i] = new Complex(m.Re[i], -m.Im[i]); // conj(M)
        var prefix = new Prefix(this, args, shift);
        Parallel.For(0, batch, () => new Complex[dim * dim], (b, _, work) =>
        {
            var rhos = prefix.Factors(b);
            // contract the least significant qubit first: T[(r, a), (c, b)] -> T'[r, c]
            Array.Copy(a, work, a.Length);
            long d = dim;
            for (int q = n - 1; q >= 0; q--)
            {
                long h = d / 2;
                var r = rhos[q];
                for (long ri = 0; ri < h; ri++)
                    for (long ci = 0; ci < h; ci++)
                    {
                        long r0 = 2 * ri, c0 = 2 * ci;
                        work[ri * h + ci] = work[r0 * d + c0] * r[0] + work[r0 * d + c0 + 1] * r[1]
                            + work[(r0 + 1) * d + c0] * r[2] + work[(r0 + 1) * d + c0 + 1] * r[3];
                    }
                d = h;
            }
            f[b] = work[0].Real;
            return work;
        }, _ => { });
    }

    /// <summary>f_b = Re sum conj(M_rc) rho_rc,b (M Hermitian: Tr(M rho)).</summary>
    private static void Contract(StateView m, StateView rho, double[] f)
    {
        int batch = rho.Batch;
        for (int i = 0; i < m.Length; i++)
        {
            double mr = m.Re[i], mi = m.Im[i];
            if (mr == 0 && mi == 0) continue;
            int o = i * batch;
            for (int b = 0; b < batch; b++) f[b] += mr * rho.Re[o + b] + mi * rho.Im[o + b];
        }
    }
}
