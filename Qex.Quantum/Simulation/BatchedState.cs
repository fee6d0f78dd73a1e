using System.Numerics;

namespace Qex.Quantum.Simulation;

/// <summary>
/// A batch of n-qubit state vectors (complex128). Amplitude i of circuit b: qubit q is bit n-1-q of i (qubit 0 is the
/// most significant bit).
/// </summary>
public sealed class BatchedState
{
    internal BatchedState(StateView view) => View = view;

    /// <summary>Allocates |0...0&gt; for every circuit of the batch (after a memory check).</summary>
    /// <exception cref="InsufficientMemoryException">The states do not fit.</exception>
    public static BatchedState Zero(int qubits, int batch)
    {
        var v = Allocate(qubits, batch);
        for (int b = 0; b < batch; b++) v.Re[b] = 1;
        return new BatchedState(v);
    }

    internal static StateView Allocate(int qubits, int batch, int copies = 1)
    {
        if (qubits is < 1 or > Circuits.Circuit.MaxQubits) throw new ArgumentException($"1 to {Circuits.Circuit.MaxQubits} qubits; got {qubits}.");
        if (batch < 1) throw new ArgumentException($"Batch size must be positive; got {batch}.");
        MemoryGuard.EnsureFits($"{batch} state vector(s) of {qubits} qubits", (double)(1L << qubits) * batch, 2 * copies);
        long n = (1L << qubits) * batch;
        return new StateView(new double[n], new double[n], qubits, batch);
    }

    internal StateView View { get; }

    /// <summary>The real and imaginary amplitude arrays themselves (layout: amplitude i of state b at i * Batch + b).</summary>
    public (double[] Re, double[] Im) RawArrays() => (View.Re, View.Im);

    /// <summary>The number of qubits.</summary>
    public int Qubits => View.Qubits;

    /// <summary>The number of states.</summary>
    public int Batch => View.Batch;

    /// <summary>Amplitude <paramref name="index"/> of state <paramref name="b"/>.</summary>
    public Complex Amplitude(int b, long index)
    {
        long o = index * View.Batch + b;
        return new Complex(View.Re[o], View.Im[o]);
    }

    /// <summary>The Born probabilities of state <paramref name="b"/>.</summary>
    public double[] Probabilities(int b)
    {
        long dim = View.Dimension;
        var p = new double[dim];
        for (long i = 0; i < dim; i++)
        {
            long o = i * View.Batch + b;
            p[i] = View.Re[o] * View.Re[o] + View.Im[o] * View.Im[o];
        }
        return p;
    }

    /// <summary>The squared norm of state <paramref name="b"/>.</summary>
    public double NormSquared(int b) => Probabilities(b).Sum();
}
