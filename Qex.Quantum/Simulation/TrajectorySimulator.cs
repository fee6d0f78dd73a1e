using System.Numerics;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Noise;
using Qex.Quantum.Observables;

namespace Qex.Quantum.Simulation;

/// <summary>
/// Noisy emulation by quantum trajectories (Monte Carlo wave functions): every circuit runs as
/// <see cref="Trajectories"/> state vectors; at each channel one Kraus operator K_k is drawn with probability
/// <c>|K_k psi|^2</c> and the state becomes <c>K_k psi / |K_k psi|</c>. The average of the trajectories' expectation
/// values is an unbiased estimate of the density-matrix result, with memory 2^n per trajectory instead of 4^n: the
/// scalable route to noise on many qubits. Each call draws fresh jumps, seeded like <see cref="ShotEstimator"/>
/// (a hash of the arguments and how often they were estimated), so results are reproducible.
/// </summary>
public sealed class TrajectorySimulator : IExpectationEstimator, IMeasurementSource
{
    private readonly StatevectorSimulator _sv;
    private readonly NoisyStep[] _schedule;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, long> _occurrences = new();

    /// <summary>Creates the simulator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one trajectory.</exception>
    public TrajectorySimulator(Circuit circuit, Observable observable, NoiseModel noise, int trajectories, RngKey key)
    {
        _sv = new StatevectorSimulator(circuit, observable);
        Noise = noise ?? throw new ArgumentNullException(nameof(noise));
        if (noise.Readout is not null) throw new ArgumentException("Trajectories simulate the channels; apply readout error with a ShotEstimator over this source.");
        if (trajectories < 1) throw new ArgumentOutOfRangeException(nameof(trajectories), trajectories, "At least one trajectory is needed.");
        Trajectories = trajectories;
        Key = key;
        _schedule = [.. NoiseSchedule.Build(circuit, noise)];
    }

    /// <inheritdoc cref="IExpectationEstimator.Circuit" />
    public Circuit Circuit => _sv.Circuit;

    /// <summary>The noise model.</summary>
    public NoiseModel Noise { get; }

    /// <summary>Trajectories per circuit.</summary>
    public int Trajectories { get; }

    /// <summary>The seed key.</summary>
    public RngKey Key { get; }

    /// <inheritdoc />
    public Tensor Estimate(CircuitArguments args, GateShift? shift = null)
    {
        var psi = RunTrajectories(args, shift);
        var lambda = BatchedState.Allocate(psi.Qubits, psi.Batch);
        _sv.ApplyObservable(psi, lambda);
        var f = new double[psi.Batch];
        StateKernels.InnerReal(psi, lambda, f);
        var mean = new double[args.Batch];
        for (int i = 0; i < f.Length; i++) mean[i / Trajectories] += f[i] / Trajectories;
        return Tensor.Wrap(mean, args.Batch);
    }

    /// <inheritdoc />
    public double[][] OutcomeProbabilities(CircuitArguments args, GateShift? shift, PauliString basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var psi = RunTrajectories(args, shift);
        foreach (var (q, c) in basis.Operators)
            if (MeasurementBasis.Rotation(c) is { } r) StateKernels.Apply1(psi, q, 0, r);
        long dim = psi.Dimension;
        int total = psi.Batch;
        var p = new double[args.Batch][];
        for (int b = 0; b < args.Batch; b++) p[b] = new double[dim];
        for (long i = 0; i < dim; i++)
            for (int j = 0; j < total; j++)
            {
                long o = i * total + j;
                p[j / Trajectories][i] += (psi.Re[o] * psi.Re[o] + psi.Im[o] * psi.Im[o]) / Trajectories;
            }
        return p;
    }

    /// <summary>The final states of every trajectory: circuit b, trajectory t at batch index b * T + t.</summary>
    private StateView RunTrajectories(CircuitArguments args, GateShift? shift)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Validate(Circuit);
        int t = Trajectories, batch = args.Batch;
        var expanded = new CircuitArguments(args.Parameters, Repeat(args.Inputs, t), args.InitialAmplitudes is { } a ? Repeat(a, t) : null);
        var rng = Key.Fold(ArgumentHash.Of(args, shift)).Fold((ulong)_occurrences.AddOrUpdate(ArgumentHash.Of(args, shift), 1, (_, c) => c + 1)).CreateGenerator();
        var psi = _sv.Initial(expanded, copies: 2);
        var mats = _sv.Matrices(expanded, shift);
        int n = Circuit.QubitCount;
        foreach (var step in _schedule)
        {
            if (step.Channel is null) { _sv.Apply(psi, step.GateIndex, mats[step.GateIndex], adjoint: false); continue; }
            var positions = step.Qubits.Select(q => n - 1 - q).ToArray();
            var rho = StateKernels.ReducedDensity(psi, positions);
            int d = 1 << positions.Length;
            var ops = step.Channel.Operators;
            var chosen = new Complex[batch * t][];
            for (int j = 0; j < chosen.Length; j++)
            {
                // p_k = Tr(K rho K^dag); draw k, then K / sqrt(p_k)
                double u = rng.Uniform(), acc = 0;
                int pick = ops.Count - 1;
                double pk = 0;
                double norm = 0;
                for (int i = 0; i < d; i++) norm += rho[j][i * d + i].Real;
                for (int k = 0; k < ops.Count; k++)
                {
                    double p = KrausProbability(ops[k], rho[j], d) / norm;
                    acc += p;
                    if (u < acc) { pick = k; pk = p; break; }
                    pk = p;
                }
                double scale = 1 / Math.Sqrt(Math.Max(pk, 1e-300));
                var m = new Complex[d * d];
                for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) m[r * d + c] = ops[pick][r, c] * scale;
                chosen[j] = m;
            }
            StateKernels.ApplyDenseBatched(psi, positions, chosen);
        }
        return psi;
    }

    private static double KrausProbability(Complex[,] k, Complex[] rho, int d)
    {
        double p = 0;
        for (int r = 0; r < d; r++)
        {
            // (K rho K^dag)_rr = sum_ij K_ri rho_ij conj(K_rj)
            Complex s = 0;
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) s += k[r, i] * rho[i * d + j] * Complex.Conjugate(k[r, j]);
            p += s.Real;
        }
        return p;
    }

    private static Tensor Repeat(Tensor rows, int times)
    {
        int b = rows.Dim(0), w = rows.Dim(1);
        return Tensor.Create([b * times, w], r =>
        {
            for (int i = 0; i < b; i++)
                for (int t = 0; t < times; t++) rows.Span.Slice(i * w, w).CopyTo(r.Slice((i * times + t) * w, w));
        });
    }
}
