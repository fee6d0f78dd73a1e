using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

public sealed class FactorizationTests
{
    [Fact]
    public void CholeskyReconstructsAndSolves()
    {
        var a = TestMatrices.RandomSpd(40, 1);
        var chol = Cholesky.Decompose(a);
        var l = chol.Factor;
        Assert.True(TestMatrices.NaiveMatMul(l, l, transB: true).MaxAbsDiff(a) < 1e-10);
        var b = TestMatrices.Random(40, 3, 2);
        var x = chol.Solve(b);
        Assert.True(TestMatrices.NaiveMatMul(a, x).MaxAbsDiff(b) < 1e-10);
    }

    [Fact]
    public void CholeskyNamesTheFailingPivot()
    {
        var ex = Assert.Throws<ArgumentException>(() => Cholesky.Decompose(Tensor.Matrix(new double[,] { { 1, 2 }, { 2, 1 } })));
        Assert.Contains("not positive definite", ex.Message);
        Assert.Contains("pivot 1", ex.Message);
    }

    [Fact]
    public void LuSolvesAndTransposeSolves()
    {
        var a = TestMatrices.Random(30, 30, 3);
        var lu = LuDecomposition.Decompose(a);
        var b = TestMatrices.Random(30, 2, 4);
        Assert.True(TestMatrices.NaiveMatMul(a, lu.Solve(b)).MaxAbsDiff(b) < 1e-10);
        Assert.True(TestMatrices.NaiveMatMul(a, lu.Solve(b, transpose: true), transA: true).MaxAbsDiff(b) < 1e-10);
        // vector right-hand side: [[2,0,1],[1,3,0],[0,1,4]] x = [3, 4, 5] has the solution x = [1, 1, 1]
        var m = Tensor.Matrix(new double[,] { { 2, 0, 1 }, { 1, 3, 0 }, { 0, 1, 4 } });
        var x = LinearSolve.Solve(m, Tensor.Vector(3, 4, 5));
        Assert.Equal([3], x.ShapeArray());
        for (int i = 0; i < 3; i++) Assert.Equal(1, x[i], 13);
    }

    [Fact]
    public void DeterminantMatchesCofactorExpansion()
    {
        var m = Tensor.Matrix(new double[,] { { 2, 0, 1 }, { 1, 3, 0 }, { 0, 1, 4 } });
        // 2*(3*4 - 0*1) - 0*(1*4 - 0*0) + 1*(1*1 - 3*0) = 24 + 1 = 25
        Assert.Equal(25, LuDecomposition.Decompose(m).Determinant(), 12);
    }

    [Fact]
    public void SingularMatrixIsReported()
    {
        var ex = Assert.Throws<ArgumentException>(() => LuDecomposition.Decompose(Tensor.Matrix(new double[,] { { 1, 2 }, { 2, 4 } })));
        Assert.Contains("singular", ex.Message);
    }

    [Fact]
    public void GeneralizedEigenproblemGivesSOrthonormalVectors()
    {
        int n = 25;
        var f = TestMatrices.RandomSymmetric(n, 5);
        var s = TestMatrices.RandomSpd(n, 6);
        var e = GeneralizedSymmetricEigen.Decompose(f, s);
        var c = e.Vectors;
        var ctsc = TestMatrices.NaiveMatMul(c, TestMatrices.NaiveMatMul(s, c), transA: true);
        Assert.True(ctsc.MaxAbsDiff(Tensor.Identity(n)) < 1e-10);
        var fc = TestMatrices.NaiveMatMul(f, c);
        var sc = TestMatrices.NaiveMatMul(s, c);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(fc[i, j] - sc[i, j] * e.Values[j]) < 1e-10);
        var low = GeneralizedSymmetricEigen.Lowest(f, s, 3);
        for (int j = 0; j < 3; j++) Assert.Equal(e.Values[j], low.Values[j], 10);
    }
}
