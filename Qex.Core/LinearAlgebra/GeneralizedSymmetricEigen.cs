using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>
/// The generalized symmetric-definite eigenproblem <c>F C = S C e</c> (S positive definite), reduced through the
/// Cholesky factor of S to a standard one: <c>(L^-1 F L^-T) y = e y</c>, <c>C = L^-T y</c>. The columns of C are
/// S-orthonormal: <c>C^T S C = I</c>.
/// </summary>
public static class GeneralizedSymmetricEigen
{
    /// <summary>All eigenpairs, ascending.</summary>
    /// <exception cref="ArgumentException">Shapes differ, or S is not positive definite.</exception>
    public static EigenDecomposition Decompose(Tensor f, Tensor s) => Solve(f, s, -1);

    /// <summary>The lowest <paramref name="k"/> eigenpairs.</summary>
    public static EigenDecomposition Lowest(Tensor f, Tensor s, int k) => Solve(f, s, k);

    private static EigenDecomposition Solve(Tensor f, Tensor s, int k)
    {
        int n = ShapeUtil.RequireSquare(f, "GeneralizedSymmetricEigen (F)");
        ShapeUtil.RequireSame(f.Shape, s.Shape, "GeneralizedSymmetricEigen (F and S)");
        var chol = Cholesky.Decompose(s);
        // W = L^-1 F ; A' = L^-1 W^T  (F symmetric => A' = L^-1 F L^-T)
        var w = chol.SolveLower(f);
        var wt = Transpose(w, n);
        var ap = chol.SolveLower(wt);
        var sym = Symmetrize(ap, n);
        var eig = k < 0 ? SymmetricEigen.Decompose(sym) : SymmetricEigen.Lowest(sym, k);
        var c = chol.SolveUpper(eig.Vectors);
        return new EigenDecomposition(eig.Values, c);
    }

    private static Tensor Transpose(Tensor a, int n)
    {
        var src = a.Span;
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[j * n + i] = src[i * n + j];
        return Tensor.Wrap(t, n, n);
    }

    private static Tensor Symmetrize(Tensor a, int n)
    {
        var src = a.Span;
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) t[i * n + j] = 0.5 * (src[i * n + j] + src[j * n + i]);
        return Tensor.Wrap(t, n, n);
    }
}
