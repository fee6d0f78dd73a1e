using System.Numerics;
using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Observables;

namespace Qex.Quantum.Simulation;

/// <summary>
/// Exact statevector emulation (complex128) of a circuit and an observable, batched over many circuits that share the
/// parameters and differ in their inputs (and, for amplitude encoding, in their initial states): expectation values,
/// adjoint-method gradients (Jones &amp; Gacon) and Hessian-vector products (the adjoint sweep run in tangent mode).
/// </summary>
/// <remarks>
/// Costs: a gradient is about three forward passes, a Hessian-vector product about six, independent of the number of
/// parameters. Memory: two (gradient) or four (Hessian-vector product) batches of states.
/// </remarks>
public sealed class StatevectorSimulator : IExpectationEstimator, IMeasurementSource
{
    private readonly Step[] _steps;
    private readonly DeviceStatevector? _device;

    /// <summary>
    /// Prepares a circuit and an observable for emulation, on the CPU or on an accelerator (<paramref name="device"/>:
    /// forward passes, expectation values and adjoint gradients run there; Hessian-vector products stay on the CPU).
    /// </summary>
    /// <exception cref="ArgumentException">The observable uses a qubit the circuit does not have.</exception>
    public StatevectorSimulator(Circuit circuit, Observable observable, Qex.Kernels.Devices.ComputeDevice? device = null)
    {
        Circuit = circuit ?? throw new ArgumentNullException(nameof(circuit));
        Observable = observable ?? throw new ArgumentNullException(nameof(observable));
        if (observable.MaxQubit >= circuit.QubitCount)
            throw new ArgumentException($"The observable acts on qubit {observable.MaxQubit}, but the circuit has {circuit.QubitCount} qubits.");
        _steps = [.. circuit.Gates.Select(g => new Step(g, circuit.QubitCount))];
        _device = device is null ? null : new DeviceStatevector(this, device);
    }

    /// <summary>The prepared gates.</summary>
    internal IReadOnlyList<Step> Steps => _steps;

    /// <summary>The circuit.</summary>
    public Circuit Circuit { get; }

    /// <summary>The observable.</summary>
    public Observable Observable { get; }

    /// <summary>The final states of a batch of circuits (optionally with one gate's angle shifted).</summary>
    public BatchedState Run(CircuitArguments args, GateShift? shift = null)
    {
        args.Validate(Circuit);
        if (_device is not null) return _device.Run(args, shift);
        var psi = Initial(args, copies: 1);
        var mats = Matrices(args, shift);
        for (int k = 0; k < _steps.Length; k++) Apply(psi, k, mats[k], adjoint: false);
        return new BatchedState(psi);
    }

    /// <summary>Applies the circuit to existing states in place (e.g. to time the gate kernels on one large state).</summary>
    /// <exception cref="ArgumentException">The states have another qubit count or batch size.</exception>
    public void ApplyTo(BatchedState state, CircuitArguments args)
    {
        ArgumentNullException.ThrowIfNull(state);
        args.Validate(Circuit);
        if (state.Qubits != Circuit.QubitCount || state.Batch != args.Batch)
            throw new ArgumentException($"The state has {state.Qubits} qubits x {state.Batch}; the circuit needs {Circuit.QubitCount} x {args.Batch}.");
        var mats = Matrices(args);
        for (int k = 0; k < _steps.Length; k++) Apply(state.View, k, mats[k], adjoint: false);
    }

    /// <summary>The expectation value of the observable for every circuit, shape (B).</summary>
    public Tensor Expectation(CircuitArguments args) => Estimate(args);

    /// <inheritdoc />
    public Tensor Estimate(CircuitArguments args, GateShift? shift = null)
    {
        if (_device is not null)
        {
            args.Validate(Circuit);
            var values = _device.Estimate(args, shift);
            return Tensor.Wrap(values, values.Length);
        }
        var psi = Run(args, shift).View;
        var lambda = BatchedState.Allocate(psi.Qubits, psi.Batch);
        ApplyObservable(psi, lambda);
        var f = new double[psi.Batch];
        StateKernels.InnerReal(psi, lambda, f);
        return Tensor.Wrap(f, f.Length);
    }

    /// <inheritdoc />
    public double[][] OutcomeProbabilities(CircuitArguments args, GateShift? shift, PauliString basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var psi = Run(args, shift).View;
        foreach (var (q, c) in basis.Operators)
            if (MeasurementBasis.Rotation(c) is { } r) StateKernels.Apply1(psi, q, 0, r);
        int batch = psi.Batch;
        long dim = psi.Dimension;
        var p = new double[batch][];
        for (int b = 0; b < batch; b++)
        {
            p[b] = new double[dim];
            for (long i = 0; i < dim; i++)
            {
                long o = i * batch + b;
                p[b][i] = psi.Re[o] * psi.Re[o] + psi.Im[o] * psi.Im[o];
            }
        }
        return p;
    }

    /// <summary>Values and per-circuit gradients by the adjoint method.</summary>
    public CircuitDerivatives Gradient(CircuitArguments args)
    {
        args.Validate(Circuit);
        if (_device is not null) return _device.Gradient(args);
        int batch = args.Batch;
        var psi = Initial(args, copies: 2);
        var mats = Matrices(args);
        for (int k = 0; k < _steps.Length; k++) Apply(psi, k, mats[k], adjoint: false);
        var lambda = BatchedState.Allocate(psi.Qubits, batch);
        ApplyObservable(psi, lambda);
        var f = new double[batch];
        StateKernels.InnerReal(psi, lambda, f);
        var dp = new double[batch * Circuit.ParameterCount];
        var dx = new double[batch * Circuit.InputCount];
        var acc = new double[batch];
        for (int k = _steps.Length - 1; k >= 0; k--)
        {
            var s = _steps[k];
            if (s.Gate.IsDifferentiable)
            {
                Array.Clear(acc);
                StateKernels.InnerGenerator(lambda, psi, s.Target, s.ControlMask, s.Generator, acc);
                Scatter(s.Gate.Angle!.Value, acc, 2.0, dp, dx, batch);
            }
            Apply(psi, k, mats[k], adjoint: true);
            Apply(lambda, k, mats[k], adjoint: true);
        }
        return new CircuitDerivatives(Tensor.Wrap(f, batch), Tensor.Wrap(dp, batch, Circuit.ParameterCount), Tensor.Wrap(dx, batch, Circuit.InputCount),
            args.InitialAmplitudes is null ? null : RealPart(lambda, 2.0));
    }

    /// <summary>
    /// Per-circuit Hessian-vector products: for circuit b, the Hessian of f_b with respect to (its parameters, its
    /// inputs, its initial amplitudes) times the direction's row b. Also returns the values (in
    /// <see cref="CircuitDerivatives.Values"/>).
    /// </summary>
    public CircuitDerivatives HessianVectorProduct(CircuitArguments args, CircuitDirection direction)
    {
        args.Validate(Circuit);
        ArgumentNullException.ThrowIfNull(direction);
        int batch = args.Batch, np = Circuit.ParameterCount, ni = Circuit.InputCount;
        if (direction.Parameters.Rank != 2 || direction.Parameters.Dim(0) != batch || direction.Parameters.Dim(1) != np)
            throw new ArgumentException($"The parameter direction must have shape ({batch}, {np}); got {ShapeUtil.Format(direction.Parameters.Shape)}.");
        if (!direction.Inputs.Shape.SequenceEqual(args.Inputs.Shape))
            throw new ArgumentException($"The input direction must have shape {ShapeUtil.Format(args.Inputs.Shape)}; got {ShapeUtil.Format(direction.Inputs.Shape)}.");
        if ((direction.InitialAmplitudes is null) != (args.InitialAmplitudes is null)
            || (direction.InitialAmplitudes is { } da && !da.Shape.SequenceEqual(args.InitialAmplitudes!.Shape)))
            throw new ArgumentException("The initial-amplitude direction must be given exactly when the circuits are amplitude-encoded, with the same shape.");
        var psi = Initial(args, copies: 4);
        var psiDot = BatchedState.Allocate(psi.Qubits, batch);
        if (direction.InitialAmplitudes is { } d0)
        {
            long dim = Circuit.Dimension;
            var src = d0.Span;
            for (int b = 0; b < batch; b++)
                for (long i = 0; i < dim; i++) psiDot.Re[i * batch + b] = src[(int)(b * dim + i)];
        }
        var mats = Matrices(args);
        var v = new double[_steps.Length][];
        for (int k = 0; k < _steps.Length; k++)
        {
            Apply(psi, k, mats[k], adjoint: false);
            Apply(psiDot, k, mats[k], adjoint: false);
            var s = _steps[k];
            if (!s.Gate.IsDifferentiable) continue;
            v[k] = Gather(s.Gate.Angle!.Value, direction, batch);
            StateKernels.AxpyGenerator(psiDot, v[k], psi, s.Target, s.ControlMask, s.Generator);
        }
        var lambda = BatchedState.Allocate(psi.Qubits, batch);
        var lambdaDot = BatchedState.Allocate(psi.Qubits, batch);
        ApplyObservable(psi, lambda);
        ApplyObservable(psiDot, lambdaDot);
        var f = new double[batch];
        StateKernels.InnerReal(psi, lambda, f);
        var hp = new double[batch * np];
        var hx = new double[batch * ni];
        var acc = new double[batch];
        var neg = new double[batch];
        for (int k = _steps.Length - 1; k >= 0; k--)
        {
            var s = _steps[k];
            if (s.Gate.IsDifferentiable)
            {
                Array.Clear(acc);
                StateKernels.InnerGenerator(lambdaDot, psi, s.Target, s.ControlMask, s.Generator, acc);
                StateKernels.InnerGenerator(lambda, psiDot, s.Target, s.ControlMask, s.Generator, acc);
                Scatter(s.Gate.Angle!.Value, acc, 2.0, hp, hx, batch);
                for (int b = 0; b < batch; b++) neg[b] = -v[k][b];
                StateKernels.AxpyGenerator(lambdaDot, neg, lambda, s.Target, s.ControlMask, s.Generator);
                StateKernels.AxpyGenerator(psiDot, neg, psi, s.Target, s.ControlMask, s.Generator);
            }
            Apply(psi, k, mats[k], adjoint: true);
            Apply(psiDot, k, mats[k], adjoint: true);
            Apply(lambda, k, mats[k], adjoint: true);
            Apply(lambdaDot, k, mats[k], adjoint: true);
        }
        return new CircuitDerivatives(Tensor.Wrap(f, batch), Tensor.Wrap(hp, batch, np), Tensor.Wrap(hx, batch, ni),
            args.InitialAmplitudes is null ? null : RealPart(lambdaDot, 2.0));
    }

    // ---- helpers ----

    internal StateView Initial(CircuitArguments args, int copies)
    {
        int batch = args.Batch;
        var psi = BatchedState.Allocate(Circuit.QubitCount, batch, copies);
        if (args.InitialAmplitudes is { } a)
        {
            long dim = Circuit.Dimension;
            var src = a.Span;
            for (int b = 0; b < batch; b++)
                for (long i = 0; i < dim; i++) psi.Re[i * batch + b] = src[(int)(b * dim + i)];
        }
        else for (int b = 0; b < batch; b++) psi.Re[b] = 1;
        return psi;
    }

    private Tensor RealPart(StateView s, double scale)
    {
        int batch = s.Batch;
        long dim = s.Dimension;
        var r = new double[batch * dim];
        for (int b = 0; b < batch; b++)
            for (long i = 0; i < dim; i++) r[b * dim + i] = scale * s.Re[i * batch + b];
        return Tensor.Wrap(r, batch, (int)dim);
    }

    private void Scatter(Angle angle, double[] acc, double factor, double[] dp, double[] dx, int batch)
    {
        double c = factor * angle.Scale;
        if (angle.Source == AngleSource.Parameter)
            for (int b = 0; b < batch; b++) dp[b * Circuit.ParameterCount + angle.Index] += c * acc[b];
        else
            for (int b = 0; b < batch; b++) dx[b * Circuit.InputCount + angle.Index] += c * acc[b];
    }

    private double[] Gather(Angle angle, CircuitDirection d, int batch)
    {
        var v = new double[batch];
        var src = angle.Source == AngleSource.Parameter ? d.Parameters.Span : d.Inputs.Span;
        int width = angle.Source == AngleSource.Parameter ? Circuit.ParameterCount : Circuit.InputCount;
        for (int b = 0; b < batch; b++) v[b] = angle.Scale * src[b * width + angle.Index];
        return v;
    }

    internal void ApplyObservable(StateView src, StateView dst)
    {
        Array.Clear(dst.Re);
        Array.Clear(dst.Im);
        foreach (var (w, term) in Observable.Terms)
        {
            var (x, z, y) = term.Masks(src.Qubits);
            StateKernels.AccumulatePauli(src, dst, x, z, y, w);
        }
    }

    /// <summary>The matrices of every step for these arguments (uniform, or per circuit for input-dependent angles).</summary>
    internal StepMatrices[] Matrices(CircuitArguments args, GateShift? shift = null)
    {
        if (shift is { } sh)
            foreach (int sg in sh.Gates)
                if (sg < 0 || sg >= _steps.Length || !_steps[sg].Gate.IsRotation)
                    throw new ArgumentException($"Gate {sg} is not a rotation of this circuit; only rotation angles can be shifted.");
        var result = new StepMatrices[_steps.Length];
        var p = args.Parameters.Span;
        var inputs = args.Inputs.Span;
        int batch = args.Batch, ni = Circuit.InputCount;
        for (int k = 0; k < _steps.Length; k++)
        {
            var s = _steps[k];
            if (s.Dense is not null) { result[k] = default; continue; }
            double extra = shift?.For(k) ?? 0;
            if (s.Gate.Angle is { Source: AngleSource.Input } a && batch > 1)
            {
                var fwd = new Mat2Batch(batch);
                var adj = new Mat2Batch(batch);
                for (int b = 0; b < batch; b++)
                {
                    var m = s.Gate.TargetMatrix(a.Evaluate(p, inputs.Slice(b * ni, ni)) + extra);
                    fwd.Set(b, m);
                    adj.Set(b, m.Adjoint());
                }
                result[k] = new StepMatrices(default, default, fwd, adj);
            }
            else
            {
                var m = s.Gate.Angle is { } an ? s.Gate.TargetMatrix(an.Evaluate(p, inputs.Slice(0, ni)) + extra) : s.Fixed;
                result[k] = new StepMatrices(m, m.Adjoint(), null, null);
            }
        }
        return result;
    }

    internal void Apply(StateView s, int k, StepMatrices m, bool adjoint)
    {
        var step = _steps[k];
        if (step.Dense is not null) { StateKernels.ApplyDense(s, step.DensePositions!, adjoint ? step.DenseAdjoint! : step.Dense); return; }
        if (m.Batched is not null) StateKernels.Apply1(s, step.Target, step.ControlMask, adjoint ? m.BatchedAdjoint! : m.Batched);
        else StateKernels.Apply1(s, step.Target, step.ControlMask, adjoint ? m.Adjoint : m.Forward);
    }

    internal readonly record struct StepMatrices(Mat2 Forward, Mat2 Adjoint, Mat2Batch? Batched, Mat2Batch? BatchedAdjoint);

    /// <summary>A gate prepared for the kernels.</summary>
    internal sealed class Step
    {
        public Step(Gate g, int qubits)
        {
            Gate = g;
            if (g.Kind is GateKind.Swap or GateKind.Unitary2)
            {
                Dense = g.Matrix4();
                DenseAdjoint = ConjugateTranspose(Dense);
                DensePositions = [qubits - 1 - g.Qubits[0], qubits - 1 - g.Qubits[1]];
                return;
            }
            Target = g.IsControlled ? g.Qubits[1] : g.Qubits[0];
            ControlMask = g.IsControlled ? 1L << (qubits - 1 - g.Qubits[0]) : 0;
            if (!g.IsRotation) Fixed = g.TargetMatrix(0);
            else if (g.Angle is { Source: AngleSource.Constant } c) Fixed = g.TargetMatrix(c.Offset);
            if (g.IsRotation) Generator = g.Generator();
        }

        public Gate Gate { get; }
        public int Target { get; }
        public long ControlMask { get; }
        public Mat2 Fixed { get; }
        public Mat2 Generator { get; }
        public Complex[,]? Dense { get; }
        public Complex[,]? DenseAdjoint { get; }
        public int[]? DensePositions { get; }

        internal static Complex[,] ConjugateTranspose(Complex[,] m)
        {
            int d = m.GetLength(0);
            var r = new Complex[d, d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) r[i, j] = Complex.Conjugate(m[j, i]);
            return r;
        }
    }
}
