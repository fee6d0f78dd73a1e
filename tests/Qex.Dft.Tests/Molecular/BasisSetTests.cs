using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.Molecular;

public sealed class BasisSetTests
{
    [SharedDataFact("psi4")]
    public void FunctionCountsMatchPsi4ForEveryReferenceEntry()
    {
        int n = 0;
        foreach (var e in Psi4References.Read("reference_energies.jsonl"))
        {
            var mol = Molecule.ParseGeometry(e.GetProperty("geometry_angstrom").GetString()!, e.GetProperty("charge").GetInt32(), e.GetProperty("multiplicity").GetInt32());
            string basis = e.GetProperty("basis").GetString()!;
            Assert.Equal(e.GetProperty("nbf").GetInt32(), BasisSet.For(mol, BasisSetLibrary.Load(basis)).FunctionCount);
            n++;
        }
        Assert.True(n > 100);
    }

    [Theory]
    [InlineData("sto-3g", true)]
    [InlineData("6-31g*", false)]
    [InlineData("6-31g**", false)]
    [InlineData("def2-svp", true)]
    [InlineData("def2-tzvp", true)]
    [InlineData("cc-pvdz", true)]
    public void ShippedSetsLoadWithTheirShellType(string name, bool pure)
    {
        var b = BasisSetLibrary.Load(name);
        Assert.Equal(pure, b.Pure);
        Assert.True(b.Shells.ContainsKey(1) && b.Shells.ContainsKey(8));
        // the shipped copy equals the shared file
        string file = name.Replace("**", "ss", StringComparison.Ordinal).Replace("*", "s", StringComparison.Ordinal);
        if (Qex.Core.IO.SharedData.Resolve("basis", file + ".gbs") is { } path)
        {
            var fromFile = BasisSetLibrary.Load(path);
            Assert.Equal(b.Shells[8].Count, fromFile.Shells[8].Count);
        }
    }

    [Fact]
    public void ContractedShellsAreNormalisedByIndependentQuadrature()
    {
        // the x^L component of every shell of O and Zn in def2-tzvp and cc-pvdz: a product of three 1D integrals,
        // each by the trapezoid rule on a fine grid (independent of the closed form used for the normalisation)
        foreach (var (basis, z) in new[] { ("def2-tzvp", 8), ("def2-tzvp", 30), ("cc-pvdz", 6), ("6-31g**", 1) })
            foreach (var s in BasisSetLibrary.Load(basis).For(z))
            {
                var c = BasisSet.Normalise(s.AngularMomentum, [.. s.Exponents], [.. s.Coefficients]);
                double total = 0;
                for (int i = 0; i < c.Length; i++)
                    for (int j = 0; j < c.Length; j++)
                    {
                        double p = s.Exponents[i] + s.Exponents[j];
                        total += c[i] * c[j] * Integral1D(2 * s.AngularMomentum, p) * Integral1D(0, p) * Integral1D(0, p);
                    }
                Assert.True(Math.Abs(total - 1) < 1e-9, $"{basis} Z={z} L={s.AngularMomentum}: norm {total}");
            }
    }

    private static double Integral1D(int power, double p)
    {
        // integral of x^power exp(-p x^2) over the line; the integrand is negligible beyond |x| = sqrt(50 / p)
        double limit = Math.Sqrt(60 / p) + 1;
        int n = 200000;
        double h = 2 * limit / n, s = 0;
        for (int k = 0; k <= n; k++)
        {
            double x = -limit + k * h;
            double f = Math.Pow(x, power) * Math.Exp(-p * x * x);
            s += k == 0 || k == n ? 0.5 * f : f;
        }
        return s * h;
    }

    [Fact]
    public void BadBasisInputGivesClearErrors()
    {
        Assert.Contains("Unknown basis set 'def3-svp'", Assert.Throws<ArgumentException>(() => BasisSetLibrary.Load("def3-svp")).Message);
        var k = Molecule.ParseGeometry("K 0 0 0", multiplicity: 2);
        Assert.Contains("has no functions for K", Assert.Throws<ArgumentException>(() => BasisSet.For(k, BasisSetLibrary.Load("cc-pvdz"))).Message);
        Assert.Contains("line 5", Assert.Throws<FormatException>(() => GaussianBasisParser.Parse("cartesian\n****\nH 0\nS 2 1.00\n 1.0 x\n 2.0 0.5\n****\n", "bad")).Message);
        Assert.Contains("unknown shell type 'Q'", Assert.Throws<FormatException>(() => GaussianBasisParser.Parse("H 0\nQ 1 1.00\n 1.0 1.0\n****\n", "bad")).Message);
    }
}
