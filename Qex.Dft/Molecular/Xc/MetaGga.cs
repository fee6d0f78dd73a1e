using Qex.Autodiff.Forward;

namespace Qex.Dft.Molecular.Xc;

/// <summary>
/// Tao–Perdew–Staroverov–Scuseria exchange (PRL 91, 146401, 2003; libxc MGGA_X_TPSS), spin-scaled:
/// e_x = e_x^LDA(n) F_x(p, z), p = s^2, z = tau_W / tau, F_x = 1 + kappa - kappa / (1 + x / kappa) with x of the
/// paper's equation 10 (b = 0.40, c = 1.59096, e = 1.537, kappa = 0.804, mu = 0.21951). As libxc does, sigma_ss is
/// capped at 8 rho_s tau_s (so z stays at most 1: tau_W cannot exceed tau).
/// </summary>
public sealed class TpssExchange : IXcComponent
{
    private const double B = 0.40, C = 1.59096, E = 1.537, Kappa = 0.804, Mu = 0.21951, MuGe = 10.0 / 81;
    private static readonly double Ex = -0.75 * Math.Cbrt(3 / Math.PI);
    private static readonly double S2 = 4 * Math.Pow(3 * Math.PI * Math.PI, 2.0 / 3);

    /// <inheritdoc />
    public string Name => "tpss_x";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.MetaGga;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T> =>
        0.5 * (Unpolarised(2 * p.RhoA, 4 * p.SigmaAA, 2 * p.TauA) + Unpolarised(2 * p.RhoB, 4 * p.SigmaBB, 2 * p.TauB));

    private static T Unpolarised<T>(in T n, in T sigmaIn, in T tau) where T : struct, IForwardNumber<T>
    {
        if (n.Value <= 0 || tau.Value <= 0) return 0 * n;
        // libxc's cap: sigma <= 8 n tau (tau_W <= tau)
        var sigma = sigmaIn.Value > 8 * n.Value * tau.Value ? 8 * n * tau : sigmaIn;
        var n43 = LdaMath.Pow43(n);
        var p = sigma / (S2 * n43 * n43);
        var z = sigma / (8 * n * tau);
        // alpha = (tau - tau_W) / tau_unif, tau_unif = (3/10) (3 pi^2)^(2/3) n^(5/3)
        var alpha = (tau - sigma / (8 * n)) / (0.3 * Math.Pow(3 * Math.PI * Math.PI, 2.0 / 3) * ForwardMath.Pow(n, 5.0 / 3));
        var qb = 0.45 * (alpha - 1) / ForwardMath.Sqrt(1 + B * alpha * (alpha - 1)) + 2.0 / 3 * p;
        var z2 = z * z;
        var onePlusZ2 = 1 + z2;
        var x = ((MuGe + C * z2 / (onePlusZ2 * onePlusZ2)) * p
                 + 146.0 / 2025 * qb * qb
                 - 73.0 / 405 * qb * ForwardMath.Sqrt(0.5 * (9.0 / 25 * z2 + p * p))
                 + MuGe * MuGe / Kappa * p * p
                 + 2 * Math.Sqrt(E) * MuGe * 9.0 / 25 * z2
                 + E * Mu * p * p * p)
                / ((1 + Math.Sqrt(E) * p) * (1 + Math.Sqrt(E) * p));
        var fx = 1 + Kappa - Kappa / (1 + x / Kappa);
        return Ex * n43 * fx;
    }
}

/// <summary>
/// Tao–Perdew–Staroverov–Scuseria correlation (PRL 91, 146401, 2003; libxc MGGA_C_TPSS): the revised PKZB form
/// e = n eps (1 + d eps z^3), eps = eps_PBE (1 + C z^2) - (1 + C) z^2 sum_s max(n_s / n eps_PBE(n_s, 0), eps_PBE), z =
/// tau_W / tau, C(zeta, xi) = (0.53 + 0.87 zeta^2 + 0.50 zeta^4 + 2.26 zeta^6) / (1 + xi^2 ((1 + zeta)^(-4/3) + (1 -
/// zeta)^(-4/3)) / 2)^4, xi = |grad zeta| / (2 (3 pi^2 n)^(1/3)), d = 2.8, with PBE correlation as in
/// <see cref="PbeCorrelation"/>; the per-spin maximum is written as libxc has it.
/// </summary>
public sealed class TpssCorrelation : IXcComponent
{
    private const double D = 2.8;
    private static readonly double[] C0 = [0.53, 0.87, 0.50, 2.26];
    private static readonly PbeCorrelation Pbe = new();

    /// <inheritdoc />
    public string Name => "tpss_c";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.MetaGga;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        var zero = 0 * p.RhoA;
        var (ra, rb) = (p.RhoA, p.RhoB);
        var n = ra + rb;
        if (n.Value <= 0) return zero;
        // libxc's caps: sigma_ss <= 8 rho_s tau_s, |sigma_ab| <= (sigma_aa + sigma_bb) / 2
        var saa = p.SigmaAA.Value > 8 * ra.Value * p.TauA.Value ? 8 * ra * p.TauA : p.SigmaAA;
        var sbb = p.SigmaBB.Value > 8 * rb.Value * p.TauB.Value ? 8 * rb * p.TauB : p.SigmaBB;
        double half = 0.5 * (saa.Value + sbb.Value);
        var sab = p.SigmaAB.Value > half ? 0.5 * (saa + sbb) : p.SigmaAB.Value < -half ? -0.5 * (saa + sbb) : p.SigmaAB;
        var tau = p.TauA + p.TauB;
        if (tau.Value <= 0) return zero;
        var sigma = saa + 2 * sab + sbb;
        var epsPbe = Pbe.EnergyDensity(new XcPoint<T>(ra, rb, saa, sab, sbb, p.TauA, p.TauB)) / n;
        var zeta = LdaMath.Zeta(ra, rb);
        // xi^2 = |grad zeta|^2 / (4 (3 pi^2 n)^(2/3)), n^2 |grad zeta|^2 = (1 - zeta)^2 s_aa - 2 (1 - zeta^2) s_ab + (1 + zeta)^2 s_bb
        var omz = 1 - zeta;
        var opz = 1 + zeta;
        var gradZeta2 = (omz * omz * saa - 2 * (1 - zeta * zeta) * sab + opz * opz * sbb) / (n * n);
        var xi2 = gradZeta2 / (4 * ForwardMath.Pow(3 * Math.PI * Math.PI * n, 2.0 / 3));
        var z2 = zeta * zeta;
        var c00 = C0[0] + z2 * (C0[1] + z2 * (C0[2] + z2 * C0[3]));
        var c = c00 / Pow4(1 + xi2 * (PowM43(opz) + PowM43(omz)) / 2);
        var zw = sigma / (8 * n * tau);
        if (zw.Value > 1) zw = 0 * zw + 1;
        var zw2 = zw * zw;
        var sum = zero;
        if (ra.Value > 0) sum += Max(Pbe.EnergyDensity(new XcPoint<T>(ra, zero, saa, zero, zero, p.TauA, zero)) / n, epsPbe);
        else sum += Max(zero, epsPbe);
        if (rb.Value > 0) sum += Max(Pbe.EnergyDensity(new XcPoint<T>(zero, rb, zero, zero, sbb, zero, p.TauB)) / n, epsPbe);
        else sum += Max(zero, epsPbe);
        var eps = epsPbe * (1 + c * zw2) - (1 + c) * zw2 * sum;
        return n * eps * (1 + D * eps * zw2 * zw);
    }

    private static T Max<T>(in T a, in T b) where T : struct, IForwardNumber<T> => a.Value >= b.Value ? a : b;

    private static T Pow4<T>(in T x) where T : struct, IForwardNumber<T>
    {
        var x2 = x * x;
        return x2 * x2;
    }

    /// <summary>x^(-4/3) (x &gt; 0; libxc keeps 1 +- zeta above its threshold).</summary>
    private static T PowM43<T>(in T x) where T : struct, IForwardNumber<T> => ForwardMath.Pow(x, -4.0 / 3);
}
