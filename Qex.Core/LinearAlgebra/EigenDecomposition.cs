using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>Eigenpairs of a symmetric matrix: ascending eigenvalues and the matching orthonormal eigenvectors.</summary>
/// <param name="Values">Eigenvalues in ascending order, shape (k).</param>
/// <param name="Vectors">Eigenvectors as columns, shape (n, k); column j belongs to <c>Values[j]</c>.</param>
public sealed record EigenDecomposition(Tensor Values, Tensor Vectors)
{
    /// <summary>Number of eigenpairs.</summary>
    public int Count => Values.Length;
}
