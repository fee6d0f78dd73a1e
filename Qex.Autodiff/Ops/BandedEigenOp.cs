using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    /// <summary>
    /// The lowest <paramref name="k"/> eigenpairs of the symmetric band matrix with a differentiable main diagonal
    /// and constant off-diagonals (the 1D Kohn–Sham Hamiltonian <c>T + diag(v)</c>), differentiable to any order in
    /// the diagonal. Cost O(n b^2) per pair forward and backward. The derivative of each eigenvector outside the
    /// computed subspace comes from a bordered solve <c>[[l_i - H, v_i], [v_i^T, 0]]</c> (Nelson's method: the
    /// singular block is reduced by the row and column of v_i's largest component), which is itself an op of this
    /// family, so derivatives nest. Degenerate pairs inside the lowest k are treated as in <see cref="Eigh"/>; l_k
    /// must be separated from l_(k+1). As with <see cref="Eigh"/>, second derivatives at (nearly) degenerate pairs
    /// inside the lowest k are not exact (a symmetric double well's tunnelling pair); <see cref="MatrixFunction"/> is,
    /// for functions of the spectrum such as the density.
    /// </summary>
    /// <param name="diagonal">The main diagonal (n).</param>
    /// <param name="offDiagonals">Constant off-diagonals: element q-1 is the q-th off-diagonal (n - q values).</param>
    /// <param name="k">Number of lowest pairs.</param>
    public static EighResult EighBandedLowest(Var diagonal, double[][] offDiagonals, int k)
    {
        int n = diagonal.Length;
        if (diagonal.Rank != 1) throw new ArgumentException($"EighBandedLowest: the diagonal must be a vector; got {ShapeUtil.Format(diagonal.Shape)}.");
        var matrix = new SymmetricBandMatrix([diagonal.Value.ToArray(), .. offDiagonals]);
        var eig = BandedSymmetricEigen.Lowest(matrix, k);
        var mask = NonDegenerateMask(eig.Values);

        Var vectors = null!;
        var values = Var.Record(eig.Values, "eigh_banded_values", [diagonal], (g, s) =>
        {
            var v = s.Use(vectors);
            return [Sum(Square(v) * Reshape(g, 1, k), [1])];
        });
        vectors = Var.Record(eig.Vectors, "eigh_banded_vectors", [diagonal], (g, s) =>
        {
            var v = s.Use(vectors);
            var l = s.Use(values);
            var d = s.Input(0);
            var inner = InverseGaps(l, mask) * MatMul(v, g, true, false);
            var gd = Sum(MatMul(v, inner) * v, [1]);
            if (k < n)
            {
                var qg = g - MatMul(v, MatMul(v, g, true, false));
                var zero = Var.Constant(Tensor.Zeros(1));
                for (int i = 0; i < k; i++)
                {
                    var vi = Reshape(Slice(v, 1, i, 1), n);
                    var sol = BorderedBandedSolve(d, offDiagonals, Slice(l, 0, i, 1), vi, Reshape(Slice(qg, 1, i, 1), n), zero);
                    gd = gd + Slice(sol, 0, 0, n) * vi;
                }
            }
            return [gd];
        });
        return new EighResult(values, vectors);
    }

    /// <summary>
    /// Solves the bordered system <c>[[lambda I - H, v], [v^T, 0]] [x; mu] = [r; s]</c> where H is the band matrix with
    /// main diagonal <paramref name="diagonal"/> and constant <paramref name="offDiagonals"/>, and (lambda, v) is an
    /// eigenpair of H with |v| = 1 (so the top-left block is singular along v). Returns [x; mu] (n + 1).
    /// Differentiable to any order in the diagonal, lambda, v, r and s.
    /// </summary>
    public static Var BorderedBandedSolve(Var diagonal, double[][] offDiagonals, Var lambda, Var v, Var r, Var s)
    {
        int n = diagonal.Length;
        var value = BorderedBandedSolveValue(diagonal.Value.Span, offDiagonals, lambda.Value.ToScalar(), v.Value.Span, r.Value.Span, s.Value.ToScalar());
        return Var.Record(value, "bordered_banded_solve", [diagonal, lambda, v, r, s], (u, sc) =>
        {
            var d = sc.Input(0); var lam = sc.Input(1); var vv = sc.Input(2);
            var z = sc.Output;
            var x = Slice(z, 0, 0, n);
            var mu = Slice(z, 0, n, 1);
            var w = BorderedBandedSolve(d, offDiagonals, lam, vv, Slice(u, 0, 0, n), Slice(u, 0, n, 1));
            var wTop = Slice(w, 0, 0, n);
            var wBottom = Slice(w, 0, n, 1);
            var wx = wTop * x;
            return [
                diagonal.RequiresGrad ? wx : null,
                lambda.RequiresGrad ? Reshape(Neg(Sum(wx)), 1) : null,
                v.RequiresGrad ? Neg(wTop * mu + x * wBottom) : null,
                r.RequiresGrad ? wTop : null,
                s.RequiresGrad ? wBottom : null];
        });
    }

    private static Tensor BorderedBandedSolveValue(ReadOnlySpan<double> diag, double[][] off, double lambda,
        ReadOnlySpan<double> v, ReadOnlySpan<double> r, double s)
    {
        int n = diag.Length, b = off.Length;
        double mu = 0;
        for (int i = 0; i < n; i++) mu += v[i] * r[i];
        int m = 0;
        for (int i = 1; i < n; i++) if (Math.Abs(v[i]) > Math.Abs(v[m])) m = i;
        var diagCopy = diag.ToArray();
        // reduced system: rows and columns other than m of (lambda - H)
        int Full(int reduced) => reduced < m ? reduced : reduced + 1;
        double Element(int i, int j)
        {
            int fi = Full(i), fj = Full(j);
            int q = Math.Abs(fi - fj);
            if (q == 0) return lambda - diagCopy[fi];
            return q <= b ? -off[q - 1][Math.Min(fi, fj)] : 0;
        }
        double norm = 0;
        foreach (double x in diag) norm = Math.Max(norm, Math.Abs(x));
        var lu = BandedLu.Factor(n - 1, b, b, Element, tinyPivot: 1.1102230246251565e-16 * Math.Max(norm, 1));
        var y = new double[n - 1];
        for (int i = 0; i < n - 1; i++) y[i] = r[Full(i)] - mu * v[Full(i)];
        lu.Solve(y);
        var result = new double[n + 1];
        for (int i = 0; i < n - 1; i++) result[Full(i)] = y[i];
        double vy = 0;
        for (int i = 0; i < n; i++) vy += v[i] * result[i];
        for (int i = 0; i < n; i++) result[i] += (s - vy) * v[i];
        result[n] = mu;
        return Tensor.Wrap(result, n + 1);
    }
}
