using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>The Cholesky factor <c>A = L L^T</c> of a symmetric positive definite matrix.</summary>
public sealed class Cholesky
{
    private readonly double[] _l;

    /// <summary>Order of the matrix.</summary>
    public int Order { get; }

    /// <summary>The lower-triangular factor L (a copy).</summary>
    public Tensor Factor => Tensor.FromSpan(_l, Order, Order);

    private Cholesky(double[] l, int n)
    {
        _l = l;
        Order = n;
    }

    /// <summary>Factorises <paramref name="a"/> (its lower triangle is read).</summary>
    /// <exception cref="ArgumentException">Not square, or not positive definite (names the failing pivot).</exception>
    public static Cholesky Decompose(Tensor a)
    {
        int n = ShapeUtil.RequireSquare(a, "Cholesky");
        var l = new double[n * n];
        var src = a.Span;
        for (int j = 0; j < n; j++)
        {
            var lj = l.AsSpan(j * n, j);
            double s = src[j * n + j];
            for (int p = 0; p < j; p++) s -= lj[p] * lj[p];
            if (!(s > 0))
                throw new ArgumentException($"Cholesky: the matrix is not positive definite (pivot {j} is {s:G6}).");
            double djj = Math.Sqrt(s);
            l[j * n + j] = djj;
            double inv = 1 / djj;
            for (int i = j + 1; i < n; i++)
            {
                var li = l.AsSpan(i * n, j);
                double t = src[i * n + j];
                for (int p = 0; p < j; p++) t -= li[p] * lj[p];
                l[i * n + j] = t * inv;
            }
        }
        return new Cholesky(l, n);
    }

    /// <summary>Solves <c>A X = B</c> for a vector (n) or matrix (n x m) right-hand side.</summary>
    public Tensor Solve(Tensor b)
    {
        var (x, m) = RhsCopy(b, Order, "Cholesky.Solve");
        Triangular.SolveLower(_l, Order, x, m, unitDiagonal: false, transpose: false);
        Triangular.SolveLower(_l, Order, x, m, unitDiagonal: false, transpose: true);
        return Tensor.Wrap(x, b.ShapeArray());
    }

    /// <summary>Solves <c>L Y = B</c> (forward substitution).</summary>
    public Tensor SolveLower(Tensor b)
    {
        var (x, m) = RhsCopy(b, Order, "Cholesky.SolveLower");
        Triangular.SolveLower(_l, Order, x, m, unitDiagonal: false, transpose: false);
        return Tensor.Wrap(x, b.ShapeArray());
    }

    /// <summary>Solves <c>L^T Y = B</c> (back substitution).</summary>
    public Tensor SolveUpper(Tensor b)
    {
        var (x, m) = RhsCopy(b, Order, "Cholesky.SolveUpper");
        Triangular.SolveLower(_l, Order, x, m, unitDiagonal: false, transpose: true);
        return Tensor.Wrap(x, b.ShapeArray());
    }

    /// <summary>log det A = 2 sum log L_ii.</summary>
    public double LogDeterminant()
    {
        double s = 0;
        for (int i = 0; i < Order; i++) s += Math.Log(_l[i * Order + i]);
        return 2 * s;
    }

    internal static (double[] X, int M) RhsCopy(Tensor b, int n, string op)
    {
        if (b.Rank is < 1 or > 2 || b.Dim(0) != n)
            throw new ArgumentException($"{op}: right-hand side of shape {ShapeUtil.Format(b.Shape)} does not match a {n}x{n} matrix.");
        return (b.ToArray(), b.Rank == 1 ? 1 : b.Dim(1));
    }
}
