using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using Qex.Core.Tensors;
using Qex.Kernels.Devices;
using Qex.Kernels.Statevector;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;

namespace Qex.Quantum.Simulation;

/// <summary>
/// The statevector emulation of <see cref="StatevectorSimulator"/> on an accelerator: the states stay on the device for
/// the whole circuit (forward pass, observable, adjoint sweep); the gate matrices of all steps go up once per call, and
/// only the per-circuit sums (values, gradient terms), in fixed-order chunks, come back. The same device gives the same
/// numbers every time; they agree with the CPU emulation to rounding.
/// </summary>
internal sealed class DeviceStatevector(StatevectorSimulator simulator, ComputeDevice device)
{
    /// <summary>The matrices of every step on the device: offsets of each step's forward and adjoint matrices.</summary>
    private sealed class Plan(MemoryBuffer1D<double, Stride1D.Dense> matrices, int[] forward, int[] adjoint, bool[] perCircuit) : IDisposable
    {
        public ArrayView<double> Matrices => matrices.View;

        public int[] Forward { get; } = forward;

        public int[] Adjoint { get; } = adjoint;

        public bool[] PerCircuit { get; } = perCircuit;

        public void Dispose() => matrices.Dispose();
    }

    private sealed class DeviceState(Accelerator acc, long length) : IDisposable
    {
        public MemoryBuffer1D<double, Stride1D.Dense> Re { get; } = acc.Allocate1D<double>(length);

        public MemoryBuffer1D<double, Stride1D.Dense> Im { get; } = acc.Allocate1D<double>(length);

        public void Dispose()
        {
            Re.Dispose();
            Im.Dispose();
        }
    }

    private StatevectorDeviceKernels Kernels => device.Kernels(a => new StatevectorDeviceKernels(a));

    private int Qubits => simulator.Circuit.QubitCount;

    /// <summary>The final states (downloaded into a host batch).</summary>
    public BatchedState Run(CircuitArguments args, GateShift? shift)
    {
        var host = BatchedState.Allocate(Qubits, args.Batch);
        Require(args.Batch, 1);
        device.Run(acc =>
        {
            using var plan = Upload(acc, args, shift);
            using var psi = Initial(acc, args);
            Forward(psi, plan, args.Batch);
            psi.Re.View.CopyToCPU(host.Re);
            psi.Im.View.CopyToCPU(host.Im);
            return 0;
        });
        return new BatchedState(host);
    }

    /// <summary>The expectation value of every circuit.</summary>
    public double[] Estimate(CircuitArguments args, GateShift? shift)
    {
        Require(args.Batch, 2);
        return device.Run(acc =>
        {
            using var plan = Upload(acc, args, shift);
            using var psi = Initial(acc, args);
            Forward(psi, plan, args.Batch);
            using var lambda = new DeviceState(acc, psi.Re.Length);
            Observe(psi, lambda, args.Batch);
            return Inner(acc, lambda, psi, args.Batch);
        });
    }

    /// <summary>Values and gradients by the adjoint method (Jones and Gacon), as the CPU emulation's.</summary>
    public CircuitDerivatives Gradient(CircuitArguments args)
    {
        int batch = args.Batch;
        var circuit = simulator.Circuit;
        Require(batch, 2);
        var dp = new double[batch * circuit.ParameterCount];
        var dx = new double[batch * circuit.InputCount];
        double[]? lambdaRe = args.InitialAmplitudes is null ? null : new double[(1L << Qubits) * batch];
        var f = device.Run(acc =>
        {
            using var plan = Upload(acc, args, null);
            using var psi = Initial(acc, args);
            Forward(psi, plan, batch);
            using var lambda = new DeviceState(acc, psi.Re.Length);
            Observe(psi, lambda, batch);
            var values = Inner(acc, lambda, psi, batch);
            var k = Kernels;
            var steps = simulator.Steps;
            long chunks = StatevectorDeviceKernels.Chunks(1L << (Qubits - 1)) * batch;
            using var partial = acc.Allocate1D<double>(chunks);
            var host = new double[chunks];
            for (int s = steps.Count - 1; s >= 0; s--)
            {
                var step = steps[s];
                if (step.Gate.IsDifferentiable)
                {
                    var g = step.Generator;
                    k.Generator(lambda.Re.View, lambda.Im.View, psi.Re.View, psi.Im.View, partial.View, Qubits, batch,
                        new GeneratorLaunch(Position(step.Target), step.ControlMask, g.Ar, g.Ai, g.Br, g.Bi, g.Cr, g.Ci, g.Dr, g.Di));
                    partial.View.CopyToCPU(host);
                    var acc2 = Reduce(host, batch);
                    var angle = step.Gate.Angle!.Value;
                    double c = 2.0 * angle.Scale;
                    if (angle.Source == AngleSource.Parameter)
                        for (int b = 0; b < batch; b++) dp[b * circuit.ParameterCount + angle.Index] += c * acc2[b];
                    else
                        for (int b = 0; b < batch; b++) dx[b * circuit.InputCount + angle.Index] += c * acc2[b];
                }
                Apply(psi, plan, s, batch, adjoint: true);
                Apply(lambda, plan, s, batch, adjoint: true);
            }
            if (lambdaRe is not null) lambda.Re.View.CopyToCPU(lambdaRe);
            return values;
        });
        Tensor? initial = null;
        if (lambdaRe is not null)
        {
            long dim = 1L << Qubits;
            var r = new double[batch * dim];
            for (int b = 0; b < batch; b++)
                for (long i = 0; i < dim; i++) r[b * dim + i] = 2.0 * lambdaRe[i * batch + b];
            initial = Tensor.Wrap(r, batch, (int)dim);
        }
        return new CircuitDerivatives(Tensor.Wrap(f, batch), Tensor.Wrap(dp, batch, circuit.ParameterCount), Tensor.Wrap(dx, batch, circuit.InputCount), initial);
    }

    /// <summary>Refuses, before allocating, states that do not fit on the device.</summary>
    private void Require(int batch, int copies) =>
        device.EnsureFits(2.0 * 8 * copies * (1L << Qubits) * batch + 16.0 * simulator.Steps.Count * Math.Max(batch, 4),
            $"{copies} x {batch} state vector(s) of {Qubits} qubits");

    private int Position(int qubit) => Qubits - 1 - qubit;

    private DeviceState Initial(Accelerator acc, CircuitArguments args)
    {
        var host = simulator.Initial(args, copies: 1);
        var s = new DeviceState(acc, host.Re.LongLength);
        s.Re.View.CopyFromCPU(host.Re);
        s.Im.View.CopyFromCPU(host.Im);
        return s;
    }

    /// <summary>Every step's forward and adjoint matrices (per circuit for input-dependent angles) in one device array.</summary>
    private Plan Upload(Accelerator acc, CircuitArguments args, GateShift? shift)
    {
        var steps = simulator.Steps;
        var mats = simulator.Matrices(args, shift);
        var data = new List<double>();
        var forward = new int[steps.Count];
        var adjoint = new int[steps.Count];
        var perCircuit = new bool[steps.Count];
        void AddDense(Complex[,] m)
        {
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++) data.AddRange([m[r, c].Real, m[r, c].Imaginary]);
        }
        void AddBatch(Mat2Batch m, int batch)
        {
            for (int b = 0; b < batch; b++) data.AddRange([m.Ar[b], m.Ai[b], m.Br[b], m.Bi[b], m.Cr[b], m.Ci[b], m.Dr[b], m.Di[b]]);
        }
        for (int k = 0; k < steps.Count; k++)
        {
            var s = steps[k];
            forward[k] = data.Count;
            if (s.Dense is not null)
            {
                AddDense(s.Dense);
                adjoint[k] = data.Count;
                AddDense(s.DenseAdjoint!);
            }
            else if (mats[k].Batched is { } fb)
            {
                perCircuit[k] = true;
                AddBatch(fb, args.Batch);
                adjoint[k] = data.Count;
                AddBatch(mats[k].BatchedAdjoint!, args.Batch);
            }
            else
            {
                var (m, a) = (mats[k].Forward, mats[k].Adjoint);
                data.AddRange([m.Ar, m.Ai, m.Br, m.Bi, m.Cr, m.Ci, m.Dr, m.Di]);
                adjoint[k] = data.Count;
                data.AddRange([a.Ar, a.Ai, a.Br, a.Bi, a.Cr, a.Ci, a.Dr, a.Di]);
            }
        }
        if (data.Count == 0) data.Add(0);
        return new Plan(acc.Allocate1D(data.ToArray()), forward, adjoint, perCircuit);
    }

    private void Forward(DeviceState psi, Plan plan, int batch)
    {
        for (int k = 0; k < simulator.Steps.Count; k++) Apply(psi, plan, k, batch, adjoint: false);
    }

    private void Apply(DeviceState s, Plan plan, int k, int batch, bool adjoint)
    {
        var step = simulator.Steps[k];
        int offset = adjoint ? plan.Adjoint[k] : plan.Forward[k];
        if (step.Dense is not null)
            Kernels.Dense(s.Re.View, s.Im.View, plan.Matrices, Qubits, new DenseLaunch(step.DensePositions![0], step.DensePositions[1], batch, offset));
        else
            Kernels.Apply1(s.Re.View, s.Im.View, plan.Matrices, Qubits, new GateLaunch(Position(step.Target), step.ControlMask, batch, plan.PerCircuit[k] ? 1 : 0, offset));
    }

    /// <summary>lambda = O psi (a weighted sum of Pauli strings).</summary>
    private void Observe(DeviceState psi, DeviceState lambda, int batch)
    {
        lambda.Re.MemSetToZero();
        lambda.Im.MemSetToZero();
        foreach (var (w, term) in simulator.Observable.Terms)
        {
            var (x, z, y) = term.Masks(Qubits);
            (double pr, double pi) = (y & 3) switch { 0 => (1.0, 0.0), 1 => (0.0, 1.0), 2 => (-1.0, 0.0), _ => (0.0, -1.0) };
            Kernels.Pauli(psi.Re.View, psi.Im.View, lambda.Re.View, lambda.Im.View, Qubits, new PauliLaunch(x, z, pr, pi, w, batch));
        }
    }

    /// <summary>Re sum conj(a) x per circuit: device chunks, summed in chunk order here.</summary>
    private double[] Inner(Accelerator acc, DeviceState a, DeviceState x, int batch)
    {
        long chunks = StatevectorDeviceKernels.Chunks(1L << Qubits) * batch;
        using var partial = acc.Allocate1D<double>(chunks);
        Kernels.Inner(a.Re.View, a.Im.View, x.Re.View, x.Im.View, partial.View, Qubits, batch);
        return Reduce(partial.GetAsArray1D(), batch);
    }

    private static double[] Reduce(double[] partial, int batch)
    {
        var r = new double[batch];
        for (int i = 0; i < partial.Length; i++) r[i % batch] += partial[i];
        return r;
    }
}
