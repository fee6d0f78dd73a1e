using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>Convenience entry points for linear systems.</summary>
public static class LinearSolve
{
    /// <summary>Solves the general square system <c>A X = B</c> by LU with partial pivoting.</summary>
    public static Tensor Solve(Tensor a, Tensor b) => LuDecomposition.Decompose(a).Solve(b);

    /// <summary>Solves <c>A X = B</c> for symmetric positive definite A by Cholesky.</summary>
    public static Tensor SolveSymmetricPositiveDefinite(Tensor a, Tensor b) => Cholesky.Decompose(a).Solve(b);
}
