using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Quantum.Noise;

/// <summary>
/// Measurement (readout) error: a column-stochastic confusion matrix C, <c>C[read, true]</c>, either a tensor product
/// of per-qubit 2x2 matrices or a full 2^n x 2^n matrix. Noisy outcome probabilities are <c>q = C p</c>;
/// mitigation by inversion solves <c>C p = q</c>.
/// </summary>
public sealed class ReadoutError
{
    private readonly double[][]? _perQubit; // [q] = {P(0|0), P(0|1), P(1|0), P(1|1)}
    private readonly double[,]? _full;

    private ReadoutError(int qubits, double[][]? perQubit, double[,]? full)
    {
        Qubits = qubits;
        _perQubit = perQubit;
        _full = full;
    }

    /// <summary>The number of qubits.</summary>
    public int Qubits { get; }

    /// <summary>True for a tensor product of per-qubit confusion matrices.</summary>
    public bool IsPerQubit => _perQubit is not null;

    /// <summary>
    /// Per-qubit errors: <paramref name="p01"/>[q] = P(read 1 | true 0), <paramref name="p10"/>[q] = P(read 0 | true 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A probability outside [0, 1].</exception>
    public static ReadoutError PerQubit(IReadOnlyList<double> p01, IReadOnlyList<double> p10)
    {
        if (p01.Count != p10.Count || p01.Count == 0) throw new ArgumentException("Readout error: one p01 and one p10 per qubit.");
        var m = new double[p01.Count][];
        for (int q = 0; q < p01.Count; q++)
        {
            foreach (double p in new[] { p01[q], p10[q] })
                if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p01), p, $"Readout error of qubit {q}: probability {p} is outside [0, 1].");
            if (Math.Abs(1 - p01[q] - p10[q]) < 1e-12) throw new ArgumentException($"Readout error of qubit {q}: p01 + p10 = 1 makes the outcome independent of the state (not invertible).");
            m[q] = [1 - p01[q], p10[q], p01[q], 1 - p10[q]];
        }
        return new ReadoutError(p01.Count, m, null);
    }

    /// <summary>The same per-qubit error on every qubit.</summary>
    public static ReadoutError Uniform(int qubits, double p01, double p10) => PerQubit(Enumerable.Repeat(p01, qubits).ToArray(), Enumerable.Repeat(p10, qubits).ToArray());

    /// <summary>A full confusion matrix <c>C[read, true]</c> of size 2^n (columns must sum to 1, entries in [0, 1]).</summary>
    public static ReadoutError Full(double[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int d = confusion.GetLength(0);
        if (d != confusion.GetLength(1) || d < 2 || (d & (d - 1)) != 0) throw new ArgumentException($"A full readout confusion matrix is 2^n x 2^n; got {d}x{confusion.GetLength(1)}.");
        for (int c = 0; c < d; c++)
        {
            double s = 0;
            for (int r = 0; r < d; r++)
            {
                double v = confusion[r, c];
                if (!(v >= 0 && v <= 1)) throw new ArgumentOutOfRangeException(nameof(confusion), v, $"Readout confusion entry ({r},{c}) = {v} is outside [0, 1].");
                s += v;
            }
            if (Math.Abs(s - 1) > 1e-10) throw new ArgumentException($"Readout confusion column {c} sums to {s}, not 1.");
        }
        return new ReadoutError(System.Numerics.BitOperations.Log2((uint)d), null, (double[,])confusion.Clone());
    }

    /// <summary>q = C p (noisy outcome probabilities, or any vector over outcomes).</summary>
    public double[] Apply(ReadOnlySpan<double> p) => Transform(p, transpose: false, inverse: false);

    /// <summary>p = C^-1 q (mitigation by inversion; the result may have small negative entries).</summary>
    public double[] Mitigate(ReadOnlySpan<double> q) => Transform(q, transpose: false, inverse: true);

    /// <summary>C^T v (folds the readout error into a diagonal observable).</summary>
    public double[] ApplyTranspose(ReadOnlySpan<double> v) => Transform(v, transpose: true, inverse: false);

    /// <summary>The read-out bit string for true outcome <paramref name="outcome"/>, sampled with <paramref name="uniform"/>(0,1) draws.</summary>
    public long Sample(long outcome, Func<double> uniform)
    {
        ArgumentNullException.ThrowIfNull(uniform);
        if (_full is not null)
        {
            int d = _full.GetLength(0);
            double u = uniform(), s = 0;
            for (int r = 0; r < d; r++) { s += _full[r, outcome]; if (u < s) return r; }
            return d - 1;
        }
        long result = 0;
        for (int q = 0; q < Qubits; q++)
        {
            long bit = 1L << (Qubits - 1 - q);
            bool one = (outcome & bit) != 0;
            double pOne = one ? _perQubit![q][3] : _perQubit![q][2];
            if (uniform() < pOne) result |= bit;
        }
        return result;
    }

    private double[] Transform(ReadOnlySpan<double> v, bool transpose, bool inverse)
    {
        int d = 1 << Qubits;
        if (v.Length != d) throw new ArgumentException($"Readout error on {Qubits} qubits acts on {d} outcomes; got {v.Length}.");
        var x = v.ToArray();
        if (_full is not null)
        {
            var m = Tensor.Create([d, d], s => { for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) s[r * d + c] = transpose ? _full[c, r] : _full[r, c]; });
            if (inverse) return LinearSolve.Solve(m, Tensor.Wrap(x, d)).ToArray();
            var y = new double[d];
            for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) y[r] += m[r, c] * x[c];
            return y;
        }
        for (int q = 0; q < Qubits; q++)
        {
            var c = _perQubit![q];
            double a = c[0], b = c[1], cc = c[2], dd = c[3];
            if (transpose) (b, cc) = (cc, b);
            if (inverse)
            {
                double det = a * dd - b * cc;
                (a, b, cc, dd) = (dd / det, -b / det, -cc / det, a / det);
            }
            int stride = 1 << (Qubits - 1 - q);
            for (int i = 0; i < d; i++)
            {
                if ((i & stride) != 0) continue;
                double x0 = x[i], x1 = x[i + stride];
                x[i] = a * x0 + b * x1;
                x[i + stride] = cc * x0 + dd * x1;
            }
        }
        return x;
    }
}
