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
