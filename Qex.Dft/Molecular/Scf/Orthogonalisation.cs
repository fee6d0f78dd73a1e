using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Scf;

/// <summary>Orthogonalisation of a non-orthogonal basis for the SCF.</summary>
public static class Orthogonalisation
{
    /// <summary>
    /// Canonical orthogonalisation: X = U s^-1/2 over the overlap eigenvalues s above <paramref name="threshold"/>
    /// (n x m, row-major), so that X^T S X = 1 on the m linearly independent combinations kept.
    /// </summary>
    public static double[] Canonical(double[] overlap, int n, double threshold, out int kept)
    {
        ArgumentNullException.ThrowIfNull(overlap);
        if (overlap.Length != n * n) throw new ArgumentException($"The overlap has {overlap.Length} elements, expected {n} x {n}.");
        var e = SymmetricEigen.Decompose(Tensor.Wrap((double[])overlap.Clone(), n, n));
        var keep = Enumerable.Range(0, n).Where(i => e.Values[i] > threshold).ToArray();
        kept = keep.Length;
        var x = new double[n * kept];
        for (int k = 0; k < kept; k++)
        {
            double f = 1 / Math.Sqrt(e.Values[keep[k]]);
            for (int i = 0; i < n; i++) x[i * kept + k] = e.Vectors[i, keep[k]] * f;
        }
        return x;
    }
}
