using Qex.Autodiff.Forward;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Xc;

/// <summary>The GGA functionals against libxc 5.2.3: energies, potentials and kernels, polarised and unpolarised.</summary>
public sealed class GgaFunctionalTests
{
    /// <summary>(rho_a, rho_b, sigma_aa, sigma_ab, sigma_bb): valence, tail, core-like and polarised points.</summary>
    private static readonly (double A, double B, double Saa, double Sab, double Sbb)[] Points =
    [
        (0.5, 0.5, 0.3, 0.3, 0.3), (1.0, 0.3, 0.8, -0.1, 0.2), (1e-3, 2e-3, 1e-5, 2e-6, 3e-5), (12.0, 0.01, 40.0, 0.05, 0.002),
        (0.03, 0.031, 0.01, 0.009, 0.012), (2e-5, 1e-5, 1e-9, 5e-10, 4e-10), (0.2, 0.05, 1.5, 0.4, 0.9),
    ];

    public static TheoryData<string, int> Functionals => new() { { "b88", 106 }, { "lyp", 131 }, { "pbe_x", 101 }, { "pbe_c", 130 } };

    private static IXcComponent Create(string name) => name switch
    {
        "b88" => new Becke88Exchange(),
        "lyp" => new LypCorrelation(),
        "pbe_x" => new PbeExchange(),
        "pbe_c" => new PbeCorrelation(),
        _ => throw new ArgumentException(name),
    };

    private static void Close(double expected, double actual, string what, double scale = 0) => Libxc.AssertClose(expected, actual, what, scale);

    [LibxcTheory]
    [MemberData(nameof(Functionals))]
    public void PolarisedEnergyPotentialAndKernelMatchLibxc(string name, int libxcId)
    {
        var xc = Create(name);
        foreach (var (a, b, saa, sab, sbb) in Points)
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.Gga, a, b, saa, sab, sbb));
            var lx = Libxc.Gga(libxcId, [a, b], [saa, sab, sbb]);
            string at = FormattableString.Invariant($"{name} at ({a}, {b}, {saa}, {sab}, {sbb})");
            Close(lx.Zk * (a + b), e.Value, $"{at} energy density");
            double v = lx.Vrho.Concat(lx.Vsigma).Max(Math.Abs);
            for (int i = 0; i < 2; i++) Close(lx.Vrho[i], e.Gradient(i), $"{at} vrho[{i}]", v);
            for (int i = 0; i < 3; i++) Close(lx.Vsigma[i], e.Gradient(2 + i), $"{at} vsigma[{i}]", v);
            double f = lx.V2rho2.Concat(lx.V2rhosigma).Concat(lx.V2sigma2).Max(Math.Abs);
            int[][] rr = [[0, 0], [0, 1], [1, 1]];
            for (int k = 0; k < 3; k++) Close(lx.V2rho2[k], e.Hessian(rr[k][0], rr[k][1]), $"{at} v2rho2[{k}]", f);
            for (int r = 0, k = 0; r < 2; r++)
                for (int s = 0; s < 3; s++, k++) Close(lx.V2rhosigma[k], e.Hessian(r, 2 + s), $"{at} v2rhosigma[{k}]", f);
            int[][] ss = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
            for (int k = 0; k < 6; k++) Close(lx.V2sigma2[k], e.Hessian(2 + ss[k][0], 2 + ss[k][1]), $"{at} v2sigma2[{k}]", f);
        }
    }

    [LibxcTheory]
    [MemberData(nameof(Functionals))]
    public void UnpolarisedValuesAreTheEqualSpinCase(string name, int libxcId)
    {
        var xc = Create(name);
        foreach (var (n, s) in new[] { (1.0, 0.5), (1e-3, 1e-5), (25.0, 300.0), (0.05, 0.02) })
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.Gga, n / 2, n / 2, s / 4, s / 4, s / 4));
            var lx = Libxc.Gga(libxcId, [n], [s]);
            string at = FormattableString.Invariant($"{name} at n = {n}, sigma = {s}");
            Close(lx.Zk * n, e.Value, $"{at} energy density");
            double v = Math.Max(Math.Abs(lx.Vrho[0]), Math.Abs(lx.Vsigma[0]));
            Close(lx.Vrho[0], 0.5 * (e.Gradient(0) + e.Gradient(1)), $"{at} vrho", v);
            Close(lx.Vsigma[0], 0.25 * (e.Gradient(2) + e.Gradient(3) + e.Gradient(4)), $"{at} vsigma", v);
            double rhoRho = 0.25 * (e.Hessian(0, 0) + 2 * e.Hessian(0, 1) + e.Hessian(1, 1));
            double rhoSigma = 0, sigmaSigma = 0;
            for (int r = 0; r < 2; r++) for (int k = 2; k < 5; k++) rhoSigma += e.Hessian(r, k) / 8;
            for (int k = 2; k < 5; k++) for (int l = 2; l < 5; l++) sigmaSigma += e.Hessian(k, l) / 16;
            double f = new[] { lx.V2rho2[0], lx.V2rhosigma[0], lx.V2sigma2[0] }.Max(Math.Abs);
            Close(lx.V2rho2[0], rhoRho, $"{at} v2rho2", f);
            Close(lx.V2rhosigma[0], rhoSigma, $"{at} v2rhosigma", f);
            Close(lx.V2sigma2[0], sigmaSigma, $"{at} v2sigma2", f);
        }
    }

    [Fact]
    public void PotentialsEqualFiniteDifferences()
    {
        double[] p = [0.37, 0.12, 0.2, 0.05, 0.07];
        const double h = 1e-7;
        foreach (var xc in new IXcComponent[] { new Becke88Exchange(), new LypCorrelation(), new PbeExchange(), new PbeCorrelation() })
        {
            Jet2 At(double[] q) => xc.EnergyDensity(XcPoint.Of(XcFamily.Gga, q[0], q[1], q[2], q[3], q[4]));
            var e = At(p);
            for (int i = 0; i < 5; i++)
            {
                var up = (double[])p.Clone(); up[i] += h;
                var dn = (double[])p.Clone(); dn[i] -= h;
                Assert.Equal((At(up).Value - At(dn).Value) / (2 * h), e.Gradient(i), 7);
                for (int k = 0; k < 5; k++) Assert.Equal((At(up).Gradient(k) - At(dn).Gradient(k)) / (2 * h), e.Hessian(i, k), 5);
            }
        }
    }
}
