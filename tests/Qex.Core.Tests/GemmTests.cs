using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

public sealed class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes()
    {
        var d = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 5, 7), (6, 8, 256), (7, 9, 257), (13, 17, 300), (97, 33, 61), (24, 256, 24), (24, 24, 256), (200, 150, 130), (301, 257, 271) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    d.Add(m, n, k, ta, tb);
        return d;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesNaiveTripleLoop(int m, int n, int k, bool ta, bool tb)
    {
        var a = ta ? TestMatrices.Random(k, m, 1) : TestMatrices.Random(m, k, 1);
        var b = tb ? TestMatrices.Random(n, k, 2) : TestMatrices.Random(k, n, 2);
        var expected = TestMatrices.NaiveMatMul(a, b, ta, tb);
        var actual = Gemm.MatMul(a, b, ta, tb);
        Assert.True(expected.MaxAbsDiff(actual) < 1e-12 * k, $"max diff {expected.MaxAbsDiff(actual)}");
    }

    [Fact]
    public void AlphaBetaAndLeadingDimensions()
    {
        // C (3x4 inside a 3x6 buffer) = 2 A B + 0.5 C
        var a = TestMatrices.Random(3, 5, 3);
        var b = TestMatrices.Random(5, 4, 4);
        var c0 = TestMatrices.Random(3, 6, 5).ToArray();
        var c = (double[])c0.Clone();
        Gemm.Multiply(false, false, 3, 4, 5, 2.0, a.Span, 5, b.Span, 4, 0.5, c, 6);
        var ab = TestMatrices.NaiveMatMul(a, b);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 6; j++)
            {
                double expected = j < 4 ? 2 * ab[i, j] + 0.5 * c0[i * 6 + j] : c0[i * 6 + j];
                Assert.Equal(expected, c[i * 6 + j], 12);
            }
    }

    [Fact]
    public void SingleThreadedAndParallelResultsAreIdentical()
    {
        var a = TestMatrices.Random(400, 300, 6);
        var b = TestMatrices.Random(300, 350, 7);
        var c1 = new double[400 * 350];
        var c2 = new double[400 * 350];
        Gemm.Multiply(false, false, 400, 350, 300, 1, a.Span, 300, b.Span, 350, 0, c1, 350, maxThreads: 1);
        Gemm.Multiply(false, false, 400, 350, 300, 1, a.Span, 300, b.Span, 350, 0, c2, 350, maxThreads: 4);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void MismatchedInnerDimensionsGiveAClearError()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 2)));
        Assert.Contains("inner dimensions", ex.Message);
    }

    [Fact]
    public void TooShortStorageIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 2, 2, 1, new double[3], 2, new double[4], 2, 0, new double[4], 2));
        Assert.Contains("A needs", ex.Message);
    }
}
