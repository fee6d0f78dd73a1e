using System.Numerics;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Noise;

namespace Qex.Quantum.Simulation;

/// <summary>
/// Finite-shot estimates of an observable: every Pauli term is measured <see cref="Shots"/> times in its eigenbasis
/// (outcomes sampled from the exact distribution of a statevector or density-matrix source), with optional readout
/// error and optional mitigation by inverting the confusion matrix. Every call draws fresh randomness: the key is
/// folded with a hash of the call's arguments and with how often these exact arguments have been estimated, so
/// repeated evaluations are independent, and results do not depend on the order in which parallel callers (one per
/// molecule, say) arrive: the same seed gives the same numbers.
/// </summary>
public sealed class ShotEstimator : IExpectationEstimator
{
    private readonly IMeasurementSource _source;
    private readonly Observables.Observable _observable;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, long> _occurrences = new();

    /// <summary>Creates an estimator.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Non-positive shots.</exception>
    public ShotEstimator(IMeasurementSource source, Observables.Observable observable, int shots, RngKey key, ReadoutError? readout = null, bool mitigate = false)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _observable = observable ?? throw new ArgumentNullException(nameof(observable));
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "The number of shots must be positive.");
        if (readout is not null && readout.Qubits != source.Circuit.QubitCount)
            throw new ArgumentException($"The readout error is for {readout.Qubits} qubits; the circuit has {source.Circuit.QubitCount}.");
        if (mitigate && readout is null) throw new ArgumentException("Readout mitigation needs a readout error model.");
        Shots = shots;
        Key = key;
        Readout = readout;
        Mitigate = mitigate;
    }

    /// <inheritdoc />
    public Circuit Circuit => _source.Circuit;

    /// <summary>Shots per Pauli term and circuit.</summary>
    public int Shots { get; }

    /// <summary>The seed key of the random stream.</summary>
    public RngKey Key { get; }

    /// <summary>The readout error applied to every outcome (null: perfect readout).</summary>
    public ReadoutError? Readout { get; }

    /// <summary>True when outcome frequencies are corrected by the inverse confusion matrix.</summary>
    public bool Mitigate { get; }

    /// <inheritdoc />
    public Tensor Estimate(CircuitArguments args, GateShift? shift = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ulong hash = ArgumentHash.Of(args, shift);
        long occurrence = _occurrences.AddOrUpdate(hash, 1, (_, c) => c + 1);
        var rng = Key.Fold(hash).Fold((ulong)occurrence).CreateGenerator();
        int n = Circuit.QubitCount, batch = args.Batch;
        int dim = 1 << n;
        var f = new double[batch];
        foreach (var (w, term) in _observable.Terms)
        {
            var probs = _source.OutcomeProbabilities(args, shift, term);
            long mask = MeasurementBasis.SignMask(term, n);
            for (int b = 0; b < batch; b++)
            {
                var cdf = new double[dim];
                double acc = 0;
                for (int i = 0; i < dim; i++) { acc += probs[b][i]; cdf[i] = acc; }
                var counts = new double[dim];
                for (int s = 0; s < Shots; s++)
                {
                    double u = rng.Uniform() * acc;
                    int i = Array.BinarySearch(cdf, u);
                    if (i < 0) i = ~i;
                    if (i >= dim) i = dim - 1;
                    long read = Readout is null ? i : Readout.Sample(i, rng.Uniform);
                    counts[read] += 1.0 / Shots;
                }
                var freq = Mitigate ? Readout!.Mitigate(counts) : counts;
                double e = 0;
                for (int i = 0; i < dim; i++) e += (BitOperations.PopCount((ulong)(i & mask)) & 1) == 0 ? freq[i] : -freq[i];
                f[b] += w * e;
            }
        }
        return Tensor.Wrap(f, batch);
    }
}

/// <summary>A hash of a call's arguments, for seeding fresh, order-independent randomness per evaluation.</summary>
internal static class ArgumentHash
{
    public static ulong Of(CircuitArguments args, GateShift? shift)
    {
        ulong h = 14695981039346656037UL;
        void Add(ReadOnlySpan<double> v)
        {
            foreach (double d in v) { h ^= (ulong)BitConverter.DoubleToInt64Bits(d); h *= 1099511628211UL; }
            h ^= (ulong)v.Length; h *= 1099511628211UL;
        }
        Add(args.Parameters.Span);
        Add(args.Inputs.Span);
        if (args.InitialAmplitudes is { } a) Add(a.Span);
        if (shift is { } s)
        {
            h ^= (ulong)s.Gate + 1; h *= 1099511628211UL; Add([s.Angle]);
            if (s.SecondGate is { } g) { h ^= (ulong)g + 1; h *= 1099511628211UL; Add([s.SecondAngle]); }
        }
        return h;
    }
}
