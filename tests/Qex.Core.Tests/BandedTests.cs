using Qex.Core.LinearAlgebra;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Core.Tests;

public sealed class BandedTests
{
    /// <summary>The 1D Kohn-Sham shape: the 5-point kinetic stencil plus a diagonal potential.</summary>
    private static SymmetricBandMatrix KohnShamLike(double[] potential, double h)
    {
        int n = potential.Length;
        var d0 = potential.Select(v => v + 1.25 / (h * h)).ToArray();
        var d1 = Enumerable.Repeat(-2.0 / 3.0 / (h * h), n - 1).ToArray();
        var d2 = Enumerable.Repeat(1.0 / 24.0 / (h * h), n - 2).ToArray();
        return new SymmetricBandMatrix([d0, d1, d2]);
    }

    private static double[] TwoWellPotential(int n, double h, double separation)
    {
        // two exponential wells at +-separation/2, as an H2 external potential
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x = (i - (n - 1) / 2) * h;
            v[i] = -1.071295 * (Math.Exp(-Math.Abs(x - separation / 2) / 2.385345) + Math.Exp(-Math.Abs(x + separation / 2) / 2.385345));
        }
        return v;
    }

    private static void AssertMatchesDense(SymmetricBandMatrix a, int k, double tol)
    {
        var banded = BandedSymmetricEigen.TryBanded(a, k);
        Assert.NotNull(banded); // the banded algorithm itself passed verification (no dense fallback)
        var dense = SymmetricEigen.Lowest(a.ToDense(), k);
        int n = a.Order;
        for (int j = 0; j < k; j++)
        {
            Assert.True(Math.Abs(banded.Values[j] - dense.Values[j]) < tol * Math.Max(1, Math.Abs(dense.Values[j])),
                $"eigenvalue {j}: {banded.Values[j]} vs {dense.Values[j]}");
            // eigenvectors agree up to sign (distinct eigenvalues)
            double dot = 0;
            for (int i = 0; i < n; i++) dot += banded.Vectors[i, j] * dense.Vectors[i, j];
            Assert.True(Math.Abs(Math.Abs(dot) - 1) < 1e-9, $"eigenvector {j}: |<banded, dense>| = {Math.Abs(dot)}");
        }
    }

    [Theory]
    [InlineData(0.32, 2)]
    [InlineData(1.28, 2)]
    [InlineData(3.84, 4)]
    [InlineData(6.00, 3)]
    [InlineData(9.92, 2)]
    public void KohnShamHamiltoniansMatchTheDenseSolver(double separation, int k)
    {
        AssertMatchesDense(KohnShamLike(TwoWellPotential(257, 0.08, separation), 0.08), k, 1e-11);
    }

    [Fact]
    public void FullGridAndRandomPotentials()
    {
        AssertMatchesDense(KohnShamLike(TwoWellPotential(513, 0.08, 1.52), 0.08), 4, 1e-11);
        var v = new Rng(3).NormalTensor([200]).ToArray();
        AssertMatchesDense(KohnShamLike(v, 0.1), 5, 1e-11);
        // a random symmetric band matrix of bandwidth 3 (not diagonally dominant)
        var r = new Rng(4);
        var bands = new double[4][];
        for (int q = 0; q < 4; q++) { bands[q] = new double[150 - q]; r.FillNormal(bands[q]); }
        AssertMatchesDense(new SymmetricBandMatrix(bands), 6, 1e-11);
    }

    [Fact]
    public void SturmCountsMatchTheDenseSpectrum()
    {
        var a = KohnShamLike(TwoWellPotential(101, 0.2, 3.0), 0.2);
        var all = SymmetricEigen.Eigenvalues(a.ToDense()).ToArray();
        var d = new double[101]; var l = new double[202];
        foreach (double sigma in new[] { -2.0, -0.9, -0.5, 0.0, 1.0, 10.0, 40.0 })
            Assert.Equal(all.Count(x => x < sigma), BandedSymmetricEigen.CountBelow(a, sigma, 1e-290, d, l));
    }

    [Fact]
    public void DegenerateUncoupledBlocksGiveAnOrthonormalBasis()
    {
        // two identical decoupled wells: the off-diagonals vanish between the blocks, so eigenvalues pair up exactly
        int half = 60;
        var v = TwoWellPotential(half, 0.2, 0).Concat(TwoWellPotential(half, 0.2, 0)).ToArray();
        var a = KohnShamLike(v, 0.2);
        a.Bands[1][half - 1] = 0; a.Bands[2][half - 1] = 0; a.Bands[2][half - 2] = 0;
        var e = BandedSymmetricEigen.TryBanded(a, 4);
        Assert.NotNull(e);
        Assert.Equal(e.Values[0], e.Values[1], 10);
        var dense = SymmetricEigen.Lowest(a.ToDense(), 4);
        for (int j = 0; j < 4; j++) Assert.Equal(dense.Values[j], e.Values[j], 10);
        var vtv = TestMatrices.NaiveMatMul(e.Vectors, e.Vectors, transA: true);
        Assert.True(vtv.MaxAbsDiff(Tensor.Identity(4)) < 1e-10);
    }

    [Fact]
    public void BandedLuSolvesGeneralBandSystems()
    {
        int n = 40;
        var r = new Rng(5);
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = Math.Max(0, i - 2); j <= Math.Min(n - 1, i + 1); j++) m[i * n + j] = r.Normal();
        var a = Tensor.Wrap(m, n, n);
        var lu = BandedLu.Factor(n, 2, 1, (i, j) => m[i * n + j]);
        var b = r.NormalTensor([n]);
        var x = b.ToArray();
        lu.Solve(x);
        var expected = LinearSolve.Solve(a, b);
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], x[i], 9);
    }

    [Fact]
    public void BandLengthsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new SymmetricBandMatrix([new double[5], new double[5]]));
    }
}
