using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Tests.Molecular;

public sealed class OneElectronIntegralTests
{
    [Fact]
    public void H2Sto3gMatchesSzaboOstlund()
    {
        // Szabo & Ostlund, Modern Quantum Chemistry, section 3.5.2: H2, R = 1.4 Bohr, STO-3G (zeta = 1.24):
        // S12 = 0.6593, T11 = 0.7600, T12 = 0.2365 (four decimals)
        var mol = Molecule.ParseGeometry("H 0 0 0; H 0 0 1.4", bohr: true);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var s = OneElectronIntegrals.Overlap(basis);
        var t = OneElectronIntegrals.Kinetic(basis);
        Assert.Equal(1.0, s[0, 0], 12);
        Assert.Equal(0.6593, s[0, 1], 4);
        Assert.Equal(0.7600, t[0, 0], 4);
        Assert.Equal(0.2365, t[0, 1], 4);
    }

    [Fact]
    public void SingleGaussiansHaveAnalyticKineticEnergies()
    {
        // one normalised primitive x^k y^l z^m exp(-a r^2): <T> is a sum of 1D terms a/2 (power 0), 3a/2 (power 1),
        // 7a/6 (power 2), worked out by hand from <T> = 1/2 int psi'^2 / int psi^2: s 3a/2, p 5a/2, d xx 13a/6, d xy 7a/2
        const double a = 0.83;
        var def = GaussianBasisParser.Parse($"cartesian\n****\nH 0\nS 1 1.00\n {a} 1.0\nP 1 1.00\n {a} 1.0\nD 1 1.00\n {a} 1.0\n****\n", "single");
        var basis = BasisSet.For(Molecule.ParseGeometry("H 0.1 -0.2 0.3", multiplicity: 2), def);
        var t = OneElectronIntegrals.Kinetic(basis);
        var s = OneElectronIntegrals.Overlap(basis);
        Assert.Equal(10, basis.FunctionCount);
        Assert.Equal(1.5 * a, t[0, 0], 12);
        for (int i = 1; i <= 3; i++) Assert.Equal(2.5 * a, t[i, i], 12);
        // d components in the order xx, xy, xz, yy, yz, zz
        double[] expected = [13.0 / 6, 3.5, 3.5, 13.0 / 6, 3.5, 13.0 / 6];
        for (int i = 4; i < 10; i++) { Assert.Equal(expected[i - 4] * a, t[i, i], 12); Assert.Equal(1.0, s[i, i], 12); }
        // <xx|yy> = (int x^2 g)^2 (int g) / (int x^4 g)(int g)^2 = 1/3 for normalised components of one exponent
        Assert.Equal(1.0 / 3, s[4, 7], 12);
        Assert.Equal(0.0, s[4, 5], 14);
    }

    [Fact]
    public void WaterOverlapAgreesWithIndependentQuadrature()
    {
        var mol = Molecule.ParseXyz("3\n\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("6-31g*"));
        var s = OneElectronIntegrals.Overlap(basis);
        int n = basis.FunctionCount;
        Assert.Equal(19, n);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1.0, s[i, i], 12);
            for (int j = 0; j < n; j++) Assert.Equal(s[i, j], s[j, i], 14);
        }
        // a few pairs across centres, by separable trapezoid quadrature of the contracted functions
        foreach (var (i, j) in new[] { (0, 14), (3, 15), (4, 16), (9, 17), (12, 18), (2, 6) })
            Assert.True(Math.Abs(NumericOverlap(basis, i, j) - s[i, j]) < 1e-8, $"S[{i},{j}] = {s[i, j]} vs {NumericOverlap(basis, i, j)}");
    }

    private static (Shell Shell, (int L, int M, int N) Powers) Function(BasisSet b, int index)
    {
        foreach (var sh in b.Shells)
            if (index < sh.Offset + sh.FunctionCount) return (sh, OneElectronIntegrals.Components(sh.AngularMomentum)[index - sh.Offset]);
        throw new ArgumentOutOfRangeException(nameof(index));
    }

    private static double NumericOverlap(BasisSet b, int i, int j)
    {
        var (sa, pa) = Function(b, i);
        var (sb, pb) = Function(b, j);
        double total = 0;
        for (int p = 0; p < sa.Exponents.Length; p++)
            for (int q = 0; q < sb.Exponents.Length; q++)
            {
                double v = sa.Coefficients[p] * sb.Coefficients[q];
                int[] ia = [pa.L, pa.M, pa.N], ib = [pb.L, pb.M, pb.N];
                for (int d = 0; d < 3; d++) v *= Line(ia[d], sa.Center[d], sa.Exponents[p], ib[d], sb.Center[d], sb.Exponents[q]);
                total += v;
            }
        return total * Norm(pa, sa.AngularMomentum) * Norm(pb, sb.AngularMomentum);
    }

    private static double Norm((int L, int M, int N) c, int l) =>
        Math.Sqrt(BasisSet.DoubleFactorial(2 * l - 1) / (BasisSet.DoubleFactorial(2 * c.L - 1) * BasisSet.DoubleFactorial(2 * c.M - 1) * BasisSet.DoubleFactorial(2 * c.N - 1)));

    private static double Line(int i, double a, double alpha, int j, double b, double beta)
    {
        double lo = Math.Min(a, b) - 12, hi = Math.Max(a, b) + 12;
        int n = 120000;
        double h = (hi - lo) / n, s = 0;
        for (int k = 0; k <= n; k++)
        {
            double x = lo + k * h;
            double f = Math.Pow(x - a, i) * Math.Pow(x - b, j) * Math.Exp(-alpha * (x - a) * (x - a) - beta * (x - b) * (x - b));
            s += k == 0 || k == n ? 0.5 * f : f;
        }
        return s * h;
    }
}
