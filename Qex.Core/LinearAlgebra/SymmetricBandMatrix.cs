using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>
/// A symmetric band matrix stored by diagonals: <c>Bands[0]</c> is the main diagonal (n), <c>Bands[k]</c> the k-th
/// off-diagonal (n - k), with <c>A[i, i + k] = A[i + k, i] = Bands[k][i]</c>.
/// </summary>
public sealed record SymmetricBandMatrix
{
    /// <summary>Creates a band matrix, checking the band lengths.</summary>
    /// <exception cref="ArgumentException">Band k does not have n - k entries.</exception>
    public SymmetricBandMatrix(double[][] bands)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (bands.Length == 0 || bands[0].Length == 0) throw new ArgumentException("A band matrix needs a non-empty diagonal.");
        int n = bands[0].Length;
        for (int k = 1; k < bands.Length; k++)
            if (bands[k].Length != n - k)
                throw new ArgumentException($"Band {k} of an order-{n} band matrix must have {n - k} entries; got {bands[k].Length}.");
        Bands = bands;
    }

    /// <summary>The diagonals.</summary>
    public double[][] Bands { get; }

    /// <summary>The order n.</summary>
    public int Order => Bands[0].Length;

    /// <summary>The half-bandwidth b (number of off-diagonals).</summary>
    public int Bandwidth => Bands.Length - 1;

    /// <summary>A[i, j] (zero outside the band).</summary>
    public double this[int i, int j]
    {
        get
        {
            int k = Math.Abs(i - j);
            return k > Bandwidth ? 0 : Bands[k][Math.Min(i, j)];
        }
    }

    /// <summary>The same off-diagonals with a new main diagonal.</summary>
    public SymmetricBandMatrix WithDiagonal(double[] diagonal)
    {
        if (diagonal.Length != Order) throw new ArgumentException($"Diagonal of length {diagonal.Length} for an order-{Order} band matrix.");
        var b = (double[][])Bands.Clone();
        b[0] = diagonal;
        return new SymmetricBandMatrix(b);
    }

    /// <summary>The dense matrix.</summary>
    public Tensor ToDense()
    {
        int n = Order;
        var m = new double[n * n];
        for (int k = 0; k <= Bandwidth; k++)
            for (int i = 0; i + k < n; i++) { m[i * n + i + k] = Bands[k][i]; m[(i + k) * n + i] = Bands[k][i]; }
        return Tensor.Wrap(m, n, n);
    }

    /// <summary>y = A x.</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        int n = Order;
        for (int i = 0; i < n; i++) y[i] = Bands[0][i] * x[i];
        for (int k = 1; k <= Bandwidth; k++)
        {
            var band = Bands[k];
            for (int i = 0; i + k < n; i++) { y[i] += band[i] * x[i + k]; y[i + k] += band[i] * x[i]; }
        }
    }

    /// <summary>Largest absolute row sum (the infinity norm).</summary>
    public double NormInf()
    {
        int n = Order;
        double best = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = -Bandwidth; k <= Bandwidth; k++)
            {
                int j = i + k;
                if (j >= 0 && j < n) s += Math.Abs(this[i, j]);
            }
            best = Math.Max(best, s);
        }
        return best;
    }
}
