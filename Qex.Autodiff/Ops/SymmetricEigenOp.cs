using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

/// <summary>Differentiable eigenpairs of a symmetric matrix: ascending values (k) and vectors as columns (n, k).</summary>
/// <param name="Values">Eigenvalues, ascending.</param>
/// <param name="Vectors">Orthonormal eigenvectors as columns.</param>
public sealed record EighResult(Var Values, Var Vectors);

public static partial class Op
{
    /// <summary>
    /// Relative gap below which two eigenvalues count as degenerate in the derivative rules:
    /// |l_i - l_j| &lt;= DegeneracyTolerance * max(1, max |l|).
    /// </summary>
    public const double DegeneracyTolerance = 1e-10;

    /// <summary>All eigenpairs of a symmetric matrix, differentiable to any order.</summary>
    /// <remarks>
    /// The matrix must be symmetric (its lower triangle is read); the gradient returned for it is the symmetric one,
    /// i.e. the derivative for symmetric perturbations, as is usual for eigh in JAX and PyTorch.
    /// <para>Degenerate pairs: the terms 1/(l_j - l_i) of the eigenvector derivative are dropped for pairs closer than
    /// <see cref="DegeneracyTolerance"/>. For losses that are invariant under rotations inside a degenerate eigenspace
    /// (a density or energy summed over a fully occupied degenerate shell, a projector) this is exact; for other losses
    /// the eigenvectors are not differentiable there and the result is the gradient with the in-space rotation fixed
    /// (finite, where the mathematical derivative does not exist).</para>
    /// <para>Second derivatives at (or within about 1e-6 of) a degeneracy are wrong even for invariant losses: the
    /// dropped terms are 0/0 limits that carry a finite part (for the sum of squared eigenvalues of diag(1, 1, 3) + x B,
    /// B coupling the pair, d2/dx2 is 4 and this op gives 2.63). For densities, projectors and other functions of the
    /// spectrum use <see cref="MatrixFunction"/>, exact there to second order.</para>
    /// </remarks>
    public static EighResult Eigh(Var a)
    {
        int n = ShapeUtil.RequireSquare(a.Value, "Eigh");
        return EighCore(a, SymmetricEigen.Decompose(a.Value), n);
    }

    /// <summary>
    /// The lowest <paramref name="k"/> eigenpairs (the occupied orbitals, say), differentiable to any order. The
    /// part of the eigenvector derivative that leaves the computed subspace is obtained from linear solves
    /// <c>(l_i - A) x = (I - V V^T) g_i</c>, so no other eigenvectors are needed; this requires l_k to be separated
    /// from l_(k+1) (a gap between the occupied and the unoccupied levels). Degenerate pairs inside the
    /// lowest k are treated as in <see cref="Eigh"/>.
    /// </summary>
    public static EighResult EighLowest(Var a, int k)
    {
        int n = ShapeUtil.RequireSquare(a.Value, "EighLowest");
        return EighCore(a, SymmetricEigen.Lowest(a.Value, k), n);
    }

    private static EighResult EighCore(Var a, EigenDecomposition eig, int n)
    {
        int k = eig.Count;
        var lam = eig.Values.Span;
        var mask = NonDegenerateMask(eig.Values);
        double shift = lam[k - 1] - lam[0] + 1; // keeps the subspace block of the bordered solve nonsingular

        Var vectors = null!;
        var values = Var.Record(eig.Values, "eigh_values", [a], (g, s) =>
        {
            var v = s.Use(vectors);
            return [MatMul(v * Reshape(g, 1, k), v, false, true)]; // V diag(g) V^T, symmetric
        });
        vectors = Var.Record(eig.Vectors, "eigh_vectors", [a], (g, s) =>
        {
            var v = s.Use(vectors);
            var l = s.Use(values);
            // in-subspace part: V (F o V^T G) V^T, F_ij = 1/(l_j - l_i)
            var inner = InverseGaps(l, mask) * MatMul(v, g, true, false);
            var ga = MatMul(MatMul(v, inner), v, false, true);
            if (k < n)
            {
                // out-of-subspace part: x_i = (l_i - A)^-1 Q g_i on the complement, assembled as X V^T
                var am = s.Input(0);
                var qg = g - MatMul(v, MatMul(v, g, true, false));
                var bordered = Scale(MatMul(v, v, false, true), shift) - am;
                var eye = Var.Constant(Tensor.Identity(n));
                var cols = new Var[k];
                for (int i = 0; i < k; i++)
                {
                    var li = Slice(l, 0, i, 1);
                    var m = bordered + eye * li;
                    cols[i] = Solve(m, Reshape(Slice(qg, 1, i, 1), n));
                }
                var xs = Reshape(Concat(cols.Select(c => Reshape(c, n, 1)).ToArray(), 1), n, k);
                ga = ga + MatMul(xs, v, false, true);
            }
            return [Symmetrize(ga)];
        });
        return new EighResult(values, vectors);
    }

    /// <summary>
    /// 1 where eigenvalues i and j (i != j) are farther apart than <see cref="DegeneracyTolerance"/> (relative), else 0.
    /// </summary>
    private static Tensor NonDegenerateMask(Tensor values)
    {
        int k = values.Length;
        var lam = values.Span;
        double scale = 1;
        foreach (double l in lam) scale = Math.Max(scale, Math.Abs(l));
        var m = new double[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                m[i * k + j] = i != j && Math.Abs(lam[j] - lam[i]) > DegeneracyTolerance * scale ? 1 : 0;
        return Tensor.Wrap(m, k, k);
    }

    /// <summary>F_ij = 1 / (l_j - l_i) where the mask is set, 0 elsewhere (a double where keeps it finite).</summary>
    private static Var InverseGaps(Var values, Tensor mask)
    {
        int k = values.Length;
        var diff = Reshape(values, 1, k) - Reshape(values, k, 1);
        return Where(mask, Reciprocal(Where(mask, diff, Var.Constant(Tensor.Ones(k, k)))), Var.Constant(Tensor.Zeros(k, k)));
    }

    /// <summary>(a + a^T) / 2.</summary>
    public static Var Symmetrize(Var a) => Scale(a + Transpose(a), 0.5);
}
