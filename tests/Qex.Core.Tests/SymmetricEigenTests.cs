using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

public sealed class SymmetricEigenTests
{
    private static void AssertEigenpairs(Tensor a, EigenDecomposition e, double tol)
    {
        int n = a.Dim(0), k = e.Count;
        var v = e.Vectors;
        var av = TestMatrices.NaiveMatMul(a, v);
        double scale = Math.Max(1, MaxAbs(e.Values));
        for (int j = 0; j < k; j++)
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(av[i, j] - e.Values[j] * v[i, j]) < tol * scale,
                    $"residual of pair {j} at row {i}: {av[i, j] - e.Values[j] * v[i, j]:E3}");
        var vtv = TestMatrices.NaiveMatMul(v, v, transA: true);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                Assert.True(Math.Abs(vtv[i, j] - (i == j ? 1 : 0)) < tol, $"V^T V [{i},{j}] = {vtv[i, j]:E3}");
        for (int j = 1; j < k; j++) Assert.True(e.Values[j] >= e.Values[j - 1]);
    }

    private static double MaxAbs(Tensor t)
    {
        double m = 0;
        foreach (double x in t.Span) m = Math.Max(m, Math.Abs(x));
        return m;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(200)]
    public void RandomMatricesAllPairs(int n)
    {
        var a = TestMatrices.RandomSymmetric(n, 10 + n);
        AssertEigenpairs(a, SymmetricEigen.Decompose(a), 1e-11);
    }

    [Fact]
    public void EigenvaluesMatchMathNet()
    {
        var a = TestMatrices.RandomSymmetric(120, 99);
        var ours = SymmetricEigen.Decompose(a).Values;
        var mn = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(a.ToArray2D()).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var theirs = mn.EigenValues.Select(c => c.Real).OrderBy(x => x).ToArray();
        for (int i = 0; i < 120; i++) Assert.Equal(theirs[i], ours[i], 11);
    }

    [Fact]
    public void LowestPairsAgreeWithTheFullDecomposition()
    {
        var a = TestMatrices.RandomSymmetric(150, 5);
        var all = SymmetricEigen.Decompose(a);
        var low = SymmetricEigen.Lowest(a, 4);
        AssertEigenpairs(a, low, 1e-11);
        for (int j = 0; j < 4; j++)
        {
            Assert.Equal(all.Values[j], low.Values[j], 11);
            for (int i = 0; i < 150; i++) Assert.Equal(all.Vectors[i, j], low.Vectors[i, j], 9);
        }
    }

    [Fact]
    public void KnownSpectrumWithExactDegeneraciesGivesAnOrthonormalBasis()
    {
        double[] spectrum = [-2, 1, 1, 1, 2.5, 2.5, 4, 7, 7, 7, 7, 9];
        var a = TestMatrices.WithSpectrum(spectrum, 3);
        var e = SymmetricEigen.Decompose(a);
        AssertEigenpairs(a, e, 1e-11);
        var sorted = spectrum.Order().ToArray();
        for (int i = 0; i < spectrum.Length; i++) Assert.Equal(sorted[i], e.Values[i], 12);
        AssertEigenpairs(a, SymmetricEigen.Lowest(a, 3), 1e-11);
    }

    [Fact]
    public void NearlyDegenerateClusterStaysOrthonormal()
    {
        double[] spectrum = [0, 1e-10, 2e-10, 1, 1 + 1e-13, 3];
        var a = TestMatrices.WithSpectrum(spectrum, 8);
        AssertEigenpairs(a, SymmetricEigen.Decompose(a), 1e-10);
    }

    [Fact]
    public void DiagonalAndTwoByTwoAnalyticCases()
    {
        var d = Tensor.Matrix(new double[,] { { 3, 0, 0 }, { 0, -1, 0 }, { 0, 0, 2 } });
        var e = SymmetricEigen.Decompose(d);
        Assert.Equal([-1, 2, 3], e.Values.ToArray());
        // [[2, 1], [1, 2]]: eigenvalues 1, 3; vectors (1,-1)/sqrt2 and (1,1)/sqrt2 (largest component positive)
        var t = SymmetricEigen.Decompose(Tensor.Matrix(new double[,] { { 2, 1 }, { 1, 2 } }));
        Assert.Equal(1, t.Values[0], 14);
        Assert.Equal(3, t.Values[1], 14);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(t.Vectors[0, 0]), 14);
        Assert.Equal(-t.Vectors[0, 0], t.Vectors[1, 0], 14);
        Assert.Equal(t.Vectors[0, 1], t.Vectors[1, 1], 14);
    }

    [Fact]
    public void FiniteDifferenceHarmonicOscillatorHasEvenlySpacedLevels()
    {
        // -1/2 d2/dx2 + x^2/2 with the 3-point stencil, h = 0.02 on [-8, 8]. The stencil is p^2/2 - (h^2/24) p^4 + O(h^4),
        // so first-order perturbation theory gives E_n = n + 1/2 - (h^2/24) <p^4>_n, <p^4>_n = (3/4)(2n^2 + 2n + 1).
        int n = 801; double h = 16.0 / (n - 1);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            double x = -8 + i * h;
            a[i * n + i] = 1 / (h * h) + 0.5 * x * x;
            if (i > 0) a[i * n + i - 1] = -0.5 / (h * h);
            if (i < n - 1) a[i * n + i + 1] = -0.5 / (h * h);
        }
        var e = SymmetricEigen.Lowest(Tensor.Wrap(a, n, n), 3);
        for (int q = 0; q < 3; q++)
        {
            double expected = q + 0.5 - h * h / 24 * 0.75 * (2 * q * q + 2 * q + 1);
            Assert.True(Math.Abs(e.Values[q] - expected) < 2e-7, $"level {q}: {e.Values[q]} vs {expected}");
        }
    }

    [Theory]
    [InlineData(114, 21, 1)]
    [InlineData(114, 21, 2)]
    [InlineData(200, 7, 3)]
    public void RankDeficientMatricesDecompose(int n, int rank, int seed)
    {
        // C C^T, as a density matrix: n - rank eigenvalues at zero up to round-off (a cluster QL must deflate against
        // the matrix norm, not only against its neighbours, which are themselves ~1e-16)
        var rng = new System.Random(seed);
        var c = new double[n, rank];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < rank; j++) c[i, j] = (rng.NextDouble() - 0.5) * Math.Exp(-3 * rng.NextDouble());
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < rank; k++) m[i, j] += c[i, k] * c[j, k];
        var a = Tensor.Matrix(m);
        var e = SymmetricEigen.Decompose(a);
        AssertEigenpairs(a, e, 1e-11);
        Assert.Equal(n - rank, e.Values.ToArray().Count(v => Math.Abs(v) < 1e-12));
    }

    [Fact]
    public void NonSquareAndNonFiniteInputsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(Tensor.Zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(Tensor.Wrap([1, double.NaN, double.NaN, 1], 2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricEigen.Lowest(Tensor.Identity(3), 4));
    }
}
