using Qex.Autodiff.Forward;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Xc;

/// <summary>TPSS exchange against libxc 5.2.3 (MGGA_X_TPSS, 202): energies and potentials, polarised and unpolarised; its kernel against finite differences.</summary>
public sealed class MetaGgaFunctionalTests
{
    /// <summary>(rho_a, rho_b, sigma_aa, sigma_ab, sigma_bb, tau_a, tau_b) with tau_W &lt; tau in each channel.</summary>
    private static readonly double[][] Points =
    [
        [0.5, 0.5, 0.3, 0.3, 0.3, 0.4, 0.4], [1.0, 0.3, 0.8, -0.1, 0.2, 1.2, 0.3], [1e-3, 2e-3, 1e-6, 2e-7, 3e-6, 2e-4, 5e-4],
        [12.0, 0.01, 40.0, 0.05, 0.002, 60.0, 0.05], [0.03, 0.031, 0.01, 0.009, 0.012, 0.08, 0.09], [0.2, 0.05, 0.5, 0.1, 0.05, 0.4, 0.2],
    ];

    private static void Close(double expected, double actual, string what, double scale = 0) => Libxc.AssertClose(expected, actual, what, scale);

    [LibxcFact]
    public void TpssExchangeMatchesLibxcPolarised()
    {
        var xc = new TpssExchange();
        foreach (var q in Points)
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.MetaGga, q[0], q[1], q[2], q[3], q[4], q[5], q[6], order: 1));
            var lx = Libxc.Mgga(202, [q[0], q[1]], [q[2], q[3], q[4]], [q[5], q[6]]);
            string at = FormattableString.Invariant($"tpss_x at ({string.Join(", ", q)})");
            Close(lx.Zk * (q[0] + q[1]), e.Value, $"{at} energy density");
            double v = lx.Vrho.Concat(lx.Vsigma).Concat(lx.Vtau).Max(Math.Abs);
            for (int i = 0; i < 2; i++) Close(lx.Vrho[i], e.Gradient(i), $"{at} vrho[{i}]", v);
            for (int i = 0; i < 3; i++) Close(lx.Vsigma[i], e.Gradient(2 + i), $"{at} vsigma[{i}]", v);
            for (int i = 0; i < 2; i++) Close(lx.Vtau[i], e.Gradient(5 + i), $"{at} vtau[{i}]", v);
        }
    }

    [LibxcFact]
    public void TpssExchangeMatchesLibxcUnpolarisedWithTheClosedShellDuals()
    {
        var xc = new TpssExchange();
        foreach (var (n, s, t) in new[] { (1.0, 0.5, 0.9), (1e-3, 1e-6, 1e-3), (25.0, 300.0, 150.0), (0.05, 0.02, 0.12) })
        {
            var e = xc.EnergyDensity(XcPoint.ClosedShell(n, s, t));
            var lx = Libxc.Mgga(202, [n], [s], [t]);
            string at = FormattableString.Invariant($"tpss_x at n = {n}, sigma = {s}, tau = {t}");
            Close(lx.Zk * n, e.Value, $"{at} energy density");
            double v = new[] { lx.Vrho[0], lx.Vsigma[0], lx.Vtau[0] }.Max(Math.Abs);
            Close(lx.Vrho[0], e.Gradient(0), $"{at} vrho", v);
            Close(lx.Vsigma[0], e.Gradient(1), $"{at} vsigma", v);
            Close(lx.Vtau[0], e.Gradient(2), $"{at} vtau", v);
        }
    }

    [Fact]
    public void TpssKernelEqualsFiniteDifferencesOfThePotential()
    {
        var xc = new TpssExchange();
        double[] q = [0.7, 0.4, 0.5, 0.1, 0.2, 0.9, 0.5];
        Jet2 At(double[] x) => xc.EnergyDensity(XcPoint.Of(XcFamily.MetaGga, x[0], x[1], x[2], x[3], x[4], x[5], x[6]));
        var j = At(q);
        for (int i = 0; i < 7; i++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(q[i]));
            var up = (double[])q.Clone(); up[i] += h;
            var dn = (double[])q.Clone(); dn[i] -= h;
            var (ju, jd) = (At(up), At(dn));
            for (int k = 0; k < 7; k++)
            {
                double fd = (ju.Gradient(k) - jd.Gradient(k)) / (2 * h);
                Assert.True(Math.Abs(fd - j.Hessian(k, i)) < 1e-6 * Math.Max(1, Math.Abs(fd)), $"d2e/d{k}d{i}: {j.Hessian(k, i)} vs finite difference {fd}");
            }
        }
    }
}

/// <summary>TPSS correlation against libxc 5.2.3 (MGGA_C_TPSS, 231); the kernels of both TPSS parts against libxc's.</summary>
public sealed class TpssCorrelationTests
{
    [LibxcTheory]
    [InlineData("tpss_x", 202)]
    [InlineData("tpss_c", 231)]
    public void TpssKernelsMatchLibxcPolarised(string name, int id)
    {
        var xc = XcFunctional.Parse(name);
        double[][] points = [[0.5, 0.5, 0.3, 0.3, 0.3, 0.4, 0.4], [1.0, 0.3, 0.8, -0.1, 0.2, 1.2, 0.3], [0.2, 0.05, 0.5, 0.1, 0.05, 0.4, 0.2], [0.03, 0.031, 0.01, 0.009, 0.012, 0.08, 0.09]];
        foreach (var q in points)
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.MetaGga, q[0], q[1], q[2], q[3], q[4], q[5], q[6]));
            var k = Libxc.MggaKernel(id, [q[0], q[1]], [q[2], q[3], q[4]], [q[5], q[6]]);
            string at = FormattableString.Invariant($"{name} at ({string.Join(", ", q)})");
            double f = k.Rho2.Concat(k.RhoSigma).Concat(k.RhoTau).Concat(k.Sigma2).Concat(k.SigmaTau).Concat(k.Tau2).Max(Math.Abs);
            // variables: 0, 1 rho; 2, 3, 4 sigma; 5, 6 tau
            int[][] rr = [[0, 0], [0, 1], [1, 1]];
            for (int i = 0; i < 3; i++) Libxc.AssertClose(k.Rho2[i], e.Hessian(rr[i][0], rr[i][1]), $"{at} v2rho2[{i}]", f);
            for (int r = 0, i = 0; r < 2; r++)
                for (int s = 0; s < 3; s++, i++) Libxc.AssertClose(k.RhoSigma[i], e.Hessian(r, 2 + s), $"{at} v2rhosigma[{i}]", f);
            for (int r = 0, i = 0; r < 2; r++)
                for (int t = 0; t < 2; t++, i++) Libxc.AssertClose(k.RhoTau[i], e.Hessian(r, 5 + t), $"{at} v2rhotau[{i}]", f);
            int[][] ss = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
            for (int i = 0; i < 6; i++) Libxc.AssertClose(k.Sigma2[i], e.Hessian(2 + ss[i][0], 2 + ss[i][1]), $"{at} v2sigma2[{i}]", f);
            for (int s = 0, i = 0; s < 3; s++)
                for (int t = 0; t < 2; t++, i++) Libxc.AssertClose(k.SigmaTau[i], e.Hessian(2 + s, 5 + t), $"{at} v2sigmatau[{i}]", f);
            for (int i = 0; i < 3; i++) Libxc.AssertClose(k.Tau2[i], e.Hessian(5 + rr[i][0], 5 + rr[i][1]), $"{at} v2tau2[{i}]", f);
        }
    }

    [LibxcFact]
    public void TpssCorrelationMatchesLibxcPolarisedAndUnpolarised()
    {
        var xc = new TpssCorrelation();
        double[][] points =
        [
            [0.5, 0.5, 0.3, 0.3, 0.3, 0.4, 0.4], [1.0, 0.3, 0.8, -0.1, 0.2, 1.2, 0.3], [1e-3, 2e-3, 1e-6, 2e-7, 3e-6, 2e-4, 5e-4],
            [12.0, 0.01, 40.0, 0.05, 0.002, 60.0, 0.05], [0.03, 0.031, 0.01, 0.009, 0.012, 0.08, 0.09], [0.2, 0.05, 0.5, 0.1, 0.05, 0.4, 0.2],
        ];
        foreach (var q in points)
        {
            var e = xc.EnergyDensity(XcPoint.Of(XcFamily.MetaGga, q[0], q[1], q[2], q[3], q[4], q[5], q[6], order: 1));
            var lx = Libxc.Mgga(231, [q[0], q[1]], [q[2], q[3], q[4]], [q[5], q[6]]);
            string at = FormattableString.Invariant($"tpss_c at ({string.Join(", ", q)})");
            Libxc.AssertClose(lx.Zk * (q[0] + q[1]), e.Value, $"{at} energy density");
            double v = lx.Vrho.Concat(lx.Vsigma).Concat(lx.Vtau).Max(Math.Abs);
            for (int i = 0; i < 2; i++) Libxc.AssertClose(lx.Vrho[i], e.Gradient(i), $"{at} vrho[{i}]", v);
            for (int i = 0; i < 3; i++) Libxc.AssertClose(lx.Vsigma[i], e.Gradient(2 + i), $"{at} vsigma[{i}]", v);
            for (int i = 0; i < 2; i++) Libxc.AssertClose(lx.Vtau[i], e.Gradient(5 + i), $"{at} vtau[{i}]", v);
        }
        foreach (var (n, s, t) in new[] { (1.0, 0.5, 0.9), (1e-3, 1e-6, 1e-3), (25.0, 300.0, 150.0), (0.05, 0.02, 0.12) })
        {
            var e = xc.EnergyDensity(XcPoint.ClosedShell(n, s, t));
            var lx = Libxc.Mgga(231, [n], [s], [t]);
            string at = FormattableString.Invariant($"tpss_c at n = {n}, sigma = {s}, tau = {t}");
            Libxc.AssertClose(lx.Zk * n, e.Value, $"{at} energy density");
            double v = new[] { lx.Vrho[0], lx.Vsigma[0], lx.Vtau[0] }.Max(Math.Abs);
            Libxc.AssertClose(lx.Vrho[0], e.Gradient(0), $"{at} vrho", v);
            Libxc.AssertClose(lx.Vsigma[0], e.Gradient(1), $"{at} vsigma", v);
            Libxc.AssertClose(lx.Vtau[0], e.Gradient(2), $"{at} vtau", v);
        }
    }
}
