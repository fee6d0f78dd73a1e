using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    /// <summary>
    /// Matrix product <c>op(a) op(b)</c>. Shapes: (m,k)x(k,n); (..., m, k) x (k, n) (leading axes are a batch sharing
    /// b); (B, m, k) x (B, k, n) (batched). The transposes apply to the last two axes.
    /// </summary>
    public static Var MatMul(Var a, Var b, bool transposeA = false, bool transposeB = false)
    {
        if (a.Rank > 2 && b.Rank == 2)
        {
            if (transposeA) throw new ArgumentException("MatMul: transposeA is not supported for a batch times a matrix.");
            var lead = a.Value.ShapeArray()[..^1];
            var flat = Reshape(a, -1, a.Dim(-1));
            var r = MatMulCore(flat, b, false, transposeB);
            return Reshape(r, [.. lead, r.Dim(1)]);
        }
        if (!((a.Rank == 2 && b.Rank == 2) || (a.Rank == 3 && b.Rank == 3)))
            throw new ArgumentException($"MatMul: unsupported shapes {ShapeUtil.Format(a.Shape)} x {ShapeUtil.Format(b.Shape)}.");
        return MatMulCore(a, b, transposeA, transposeB);
    }

    /// <summary>Batched matrix product of (B, m, k) and (B, k, n) (transposes on the last two axes).</summary>
    public static Var BatchedMatMul(Var a, Var b, bool transposeA = false, bool transposeB = false)
    {
        if (a.Rank != 3 || b.Rank != 3)
            throw new ArgumentException($"BatchedMatMul needs rank-3 operands; got {ShapeUtil.Format(a.Shape)} and {ShapeUtil.Format(b.Shape)}.");
        return MatMulCore(a, b, transposeA, transposeB);
    }

    private static Var MatMulCore(Var a, Var b, bool ta, bool tb)
    {
        var value = MatMulValue(a.Value, b.Value, ta, tb);
        return Var.Record(value, "matmul", [a, b], (g, s) =>
        {
            var x = s.Input(0); var y = s.Input(1);
            Var? ga = null, gb = null;
            if (a.RequiresGrad)
                ga = (ta, tb) switch
                {
                    (false, false) => MatMulCore(g, y, false, true),
                    (true, false) => MatMulCore(y, g, false, true),
                    (false, true) => MatMulCore(g, y, false, false),
                    _ => MatMulCore(y, g, true, true),
                };
            if (b.RequiresGrad)
                gb = (ta, tb) switch
                {
                    (false, false) => MatMulCore(x, g, true, false),
                    (true, false) => MatMulCore(x, g, false, false),
                    (false, true) => MatMulCore(g, x, true, false),
                    _ => MatMulCore(g, x, true, true),
                };
            return [ga, gb];
        });
    }

    private static Tensor MatMulValue(Tensor a, Tensor b, bool ta, bool tb)
    {
        bool batched = a.Rank == 3;
        int batch = batched ? a.Dim(0) : 1;
        if (batched && b.Dim(0) != batch)
            throw new ArgumentException($"BatchedMatMul: batch sizes differ ({ShapeUtil.Format(a.Shape)} x {ShapeUtil.Format(b.Shape)}).");
        int ar = a.Dim(-2), ac = a.Dim(-1), br = b.Dim(-2), bc = b.Dim(-1);
        int m = ta ? ac : ar, k = ta ? ar : ac, kb = tb ? bc : br, n = tb ? br : bc;
        if (k != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ: {ShapeUtil.Format(a.Shape)}{(ta ? "^T" : "")} x {ShapeUtil.Format(b.Shape)}{(tb ? "^T" : "")}.");
        var c = GC.AllocateUninitializedArray<double>(batch * m * n);
        var x = a.Span; var y = b.Span;
        for (int q = 0; q < batch; q++)
            Gemm.Multiply(ta, tb, m, n, k, 1.0, x.Slice(q * ar * ac, ar * ac), ac, y.Slice(q * br * bc, br * bc), bc,
                0.0, c.AsSpan(q * m * n, m * n), n);
        return batched ? Tensor.Wrap(c, batch, m, n) : Tensor.Wrap(c, m, n);
    }

    /// <summary>
    /// Solves <c>A X = B</c> for square A (LU with partial pivoting); B is a vector (n) or a matrix (n, m).
    /// Gradients: <c>gB = A^-T gX</c>, <c>gA = -gB X^T</c>.
    /// </summary>
    public static Var Solve(Var a, Var b)
    {
        int n = ShapeUtil.RequireSquare(a.Value, "Solve");
        var x = LuDecomposition.Decompose(a.Value).Solve(b.Value);
        bool vector = b.Rank == 1;
        return Var.Record(x, "solve", [a, b], (g, s) =>
        {
            var gb = Solve(Transpose(s.Input(0)), g);
            Var? ga = null;
            if (a.RequiresGrad)
            {
                var gb2 = vector ? Reshape(gb, n, 1) : gb;
                var x2 = vector ? Reshape(s.Output, n, 1) : s.Output;
                ga = Neg(MatMul(gb2, x2, false, true));
            }
            return [ga, b.RequiresGrad ? gb : null];
        });
    }
}
