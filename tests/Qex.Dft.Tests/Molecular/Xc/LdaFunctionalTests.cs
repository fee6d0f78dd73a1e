using Qex.Autodiff.Forward;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Xc;

/// <summary>The LDA functionals against libxc 5.2.3: energies, potentials and kernels, polarised and unpolarised.</summary>
public sealed class LdaFunctionalTests
{
    /// <summary>(rho_a, rho_b): high and low densities, weak and strong polarisation.</summary>
    private static readonly (double A, double B)[] Points =
        [(0.5, 0.5), (1.0, 0.3), (1e-4, 2e-4), (12.0, 0.01), (0.03, 0.031), (3e-7, 1e-6), (0.2, 1e-5)];

    public static TheoryData<string, int> Functionals => new()
    {
        { "slater", 1 }, { "vwn5", 7 }, { "vwn_rpa", 8 }, { "pw92", 12 }, { "pw92_mod", 13 },
    };

    private static IXcComponent Create(string name) => name switch
    {
        "slater" => new SlaterExchange(),
        "vwn5" => VwnCorrelation.Vwn5,
        "vwn_rpa" => VwnCorrelation.VwnRpa,
        "pw92" => Pw92Correlation.Original,
        "pw92_mod" => Pw92Correlation.Modified,
        _ => throw new ArgumentException(name),
    };

    private static void Close(double expected, double actual, string what, double scale = 0) => Libxc.AssertClose(expected, actual, what, scale);

    [LibxcTheory]
    [MemberData(nameof(Functionals))]
    public void PolarisedEnergyPotentialAndKernelMatchLibxc(string name, int libxcId)
    {
        var xc = Create(name);
        foreach (var (a, b) in Points)
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.Lda, a, b));
            var lx = Libxc.Lda(libxcId, [a, b]);
            string at = FormattableString.Invariant($"{name} at ({a}, {b})");
            Close(lx.Zk * (a + b), e.Value, $"{at} energy density");
            Close(lx.Vrho[0], e.Gradient(0), $"{at} v_a");
            Close(lx.Vrho[1], e.Gradient(1), $"{at} v_b");
            double f = lx.V2rho2.Max(Math.Abs);
            Close(lx.V2rho2[0], e.Hessian(0, 0), $"{at} f_aa", f);
            Close(lx.V2rho2[1], e.Hessian(0, 1), $"{at} f_ab", f);
            Close(lx.V2rho2[2], e.Hessian(1, 1), $"{at} f_bb", f);
        }
    }

    [LibxcTheory]
    [MemberData(nameof(Functionals))]
    public void UnpolarisedValuesAreTheEqualSpinCase(string name, int libxcId)
    {
        var xc = Create(name);
        foreach (double n in new[] { 1.0, 1e-3, 25.0, 4e-6 })
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.Lda, n / 2, n / 2));
            var lx = Libxc.Lda(libxcId, [n]);
            string at = FormattableString.Invariant($"{name} at n = {n}");
            Close(lx.Zk * n, e.Value, $"{at} energy density");
            Close(lx.Vrho[0], 0.5 * (e.Gradient(0) + e.Gradient(1)), $"{at} v");
            Close(lx.V2rho2[0], 0.25 * (e.Hessian(0, 0) + 2 * e.Hessian(0, 1) + e.Hessian(1, 1)), $"{at} f");
        }
    }

    [Fact]
    public void SlaterExchangeIsTheUniformGasValue()
    {
        // e_x = -(3/4)(3/pi)^(1/3) n^(4/3) unpolarised; fully polarised 2^(1/3) times that
        double n = 0.7;
        double ex = -0.75 * Math.Cbrt(3 / Math.PI) * Math.Pow(n, 4.0 / 3);
        Assert.Equal(ex, new SlaterExchange().EnergyDensity(XcPoint.Of(XcFamily.Lda, n / 2, n / 2)).Value, 14);
        Assert.Equal(Math.Cbrt(2) * ex, new SlaterExchange().EnergyDensity(XcPoint.Of(XcFamily.Lda, n, 0)).Value, 14);
    }

    [Fact]
    public void PotentialsAndKernelsEqualFiniteDifferences()
    {
        foreach (var xc in new IXcComponent[] { new SlaterExchange(), VwnCorrelation.Vwn5, VwnCorrelation.VwnRpa, Pw92Correlation.Modified })
        {
            double a = 0.37, b = 0.12, h = 1e-6;
            Jet2 At(double x, double y) => xc.EnergyDensity(XcPoint.Of(XcFamily.Lda, x, y));
            var e = At(a, b);
            Assert.Equal((At(a + h, b).Value - At(a - h, b).Value) / (2 * h), e.Gradient(0), 8);
            Assert.Equal((At(a, b + h).Value - At(a, b - h).Value) / (2 * h), e.Gradient(1), 8);
            Assert.Equal((At(a + h, b).Gradient(1) - At(a - h, b).Gradient(1)) / (2 * h), e.Hessian(0, 1), 6);
            Assert.Equal((At(a, b + h).Gradient(1) - At(a, b - h).Gradient(1)) / (2 * h), e.Hessian(1, 1), 6);
        }
    }
}
