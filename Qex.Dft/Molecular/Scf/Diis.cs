using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Scf;

/// <summary>
/// Pulay's direct inversion in the iterative subspace: keeps the last vectors (Fock matrices, or CC amplitudes) with
/// their error vectors (the commutator FDS - SDF, or the amplitude step) and returns the combination
/// sum_k c_k v_k with sum_k c_k = 1 whose errors combine to the smallest norm. Used by the SCF driver and the
/// coupled-cluster amplitude solver.
/// </summary>
public sealed class Diis
{
    private readonly List<(double[] Vector, double[] Error)> _history = [];

    /// <summary>A subspace of at most <paramref name="size"/> vectors, extrapolating once it holds <paramref name="minimumVectors"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size below 1 or a minimum below 1.</exception>
    public Diis(int size, int minimumVectors = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumVectors, 1);
        Size = size;
        MinimumVectors = minimumVectors;
    }

    /// <summary>Largest number of stored vectors (the oldest is dropped beyond it).</summary>
    public int Size { get; }

    /// <summary>Vectors needed before <see cref="Extrapolate"/> combines them.</summary>
    public int MinimumVectors { get; }

    /// <summary>Vectors stored.</summary>
    public int Count => _history.Count;

    /// <summary>Stores a vector and its error vector (both are copied).</summary>
    public void Add(double[] vector, double[] error)
    {
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(error);
        if (_history.Count > 0 && (vector.Length != _history[0].Vector.Length || error.Length != _history[0].Error.Length))
            throw new ArgumentException($"DIIS vectors must keep their lengths ({_history[0].Vector.Length} and {_history[0].Error.Length}); got {vector.Length} and {error.Length}.");
        _history.Add(((double[])vector.Clone(), (double[])error.Clone()));
        if (_history.Count > Size) _history.RemoveAt(0);
    }

    /// <summary>
    /// The extrapolated vector; the last one as it is while fewer than <see cref="MinimumVectors"/> are stored or
    /// when the DIIS matrix is singular (the errors are then already negligible).
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing stored.</exception>
    public double[] Extrapolate()
    {
        if (_history.Count == 0) throw new InvalidOperationException("DIIS has no vectors to extrapolate.");
        int k = _history.Count;
        if (k < MinimumVectors) return (double[])_history[^1].Vector.Clone();
        var b = new double[(k + 1) * (k + 1)];
        for (int x = 0; x < k; x++)
            for (int y = 0; y <= x; y++)
                b[x * (k + 1) + y] = b[y * (k + 1) + x] = TensorPrimitives.Dot(_history[x].Error, _history[y].Error);
        for (int x = 0; x < k; x++) { b[x * (k + 1) + k] = -1; b[k * (k + 1) + x] = -1; }
        var rhs = new double[k + 1];
        rhs[k] = -1;
        double[] c;
        try { c = LinearSolve.Solve(Tensor.Wrap(b, k + 1, k + 1), Tensor.Wrap(rhs, k + 1)).ToArray(); }
        catch (Exception e) when (e is ArithmeticException or ArgumentException) { return (double[])_history[^1].Vector.Clone(); }
        var v = new double[_history[0].Vector.Length];
        for (int x = 0; x < k; x++) TensorPrimitives.MultiplyAdd(_history[x].Vector, c[x], v, v);
        return v;
    }
}
