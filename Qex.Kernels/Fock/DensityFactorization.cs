using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Kernels.Fock;

/// <summary>
/// A symmetric density matrix as D = Y S Y^T (Y: its eigenvectors scaled by the square roots of |eigenvalue|, S the
/// signs), the form density-fitted exchange contracts with (K = sum_Q B_Q Y S Y^T B_Q); eigenvalues below 1e-14 of the
/// largest (round-off of the decomposition) are dropped.
/// </summary>
/// <param name="Y">n x r, row-major.</param>
/// <param name="Signs">The sign of each kept eigenvalue (r).</param>
/// <param name="Rank">r, the number of kept eigenvalues (0 for a zero density).</param>
public sealed record DensityFactorization(double[] Y, double[] Signs, int Rank)
{
    /// <summary>True when every kept eigenvalue is positive (a positive semidefinite density).</summary>
    public bool Definite => Signs.All(s => s > 0);

    /// <summary>Factorises the symmetric n x n density <paramref name="d"/>.</summary>
    public static DensityFactorization Of(double[] d, int n)
    {
        ArgumentNullException.ThrowIfNull(d);
        var eig = SymmetricEigen.Decompose(Tensor.Wrap((double[])d.Clone(), n, n));
        var lambda = eig.Values.ToArray();
        var v = eig.Vectors.Span;
        double top = 0;
        for (int i = 0; i < n; i++) top = Math.Max(top, Math.Abs(lambda[i]));
        if (top == 0) return new DensityFactorization([], [], 0);
        var cols = Enumerable.Range(0, n).Where(i => Math.Abs(lambda[i]) > 1e-14 * top).ToArray();
        int r = cols.Length;
        var y = new double[n * r];
        var sign = new double[r];
        for (int c = 0; c < r; c++)
        {
            double l = lambda[cols[c]], s = Math.Sqrt(Math.Abs(l));
            sign[c] = l >= 0 ? 1 : -1;
            for (int m = 0; m < n; m++) y[m * r + c] = s * v[m * n + cols[c]];
        }
        return new DensityFactorization(y, sign, r);
    }

    /// <summary>
    /// Refuses a density of the wrong size, with NaN or infinity, or not symmetric (to 1e-12 of its largest element): fitted
    /// exchange assumes symmetry.
    /// </summary>
    /// <exception cref="ArgumentException">Names the problem.</exception>
    public static void CheckSymmetric(double[] d, int n)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Length != n * n) throw new ArgumentException($"Density matrices must be {n} x {n}; got {d.Length} elements.");
        double scale = 0, asym = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c <= i; c++)
            {
                double x = d[i * n + c], y = d[c * n + i];
                if (!double.IsFinite(x) || !double.IsFinite(y)) throw new ArgumentException("A density matrix holds NaN or infinity.");
                scale = Math.Max(scale, Math.Abs(x));
                asym = Math.Max(asym, Math.Abs(x - y));
            }
        if (asym > 1e-12 * Math.Max(scale, 1e-300) && asym > 1e-300)
            throw new ArgumentException(FormattableString.Invariant($"Density-fitted J/K need symmetric densities; this one differs from its transpose by {asym:G3}."));
    }

    /// <summary>Makes an n x n matrix exactly symmetric (the average of it and its transpose), in place.</summary>
    public static void Symmetrise(double[] k, int n)
    {
        ArgumentNullException.ThrowIfNull(k);
        for (int m = 0; m < n; m++)
            for (int c = 0; c < m; c++)
            {
                double avg = 0.5 * (k[m * n + c] + k[c * n + m]);
                k[m * n + c] = avg;
                k[c * n + m] = avg;
            }
    }
}
