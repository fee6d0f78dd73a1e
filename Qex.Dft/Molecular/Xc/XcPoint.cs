using Qex.Autodiff.Forward;

namespace Qex.Dft.Molecular.Xc;

/// <summary>Which density features a functional reads.</summary>
public enum XcFamily
{
    /// <summary>The spin densities only.</summary>
    Lda,

    /// <summary>Also the gradient invariants sigma.</summary>
    Gga,

    /// <summary>Also the kinetic-energy densities tau.</summary>
    MetaGga,
}

/// <summary>
/// The density features at one grid point, spin-resolved, as forward-mode numbers: rho_a, rho_b, sigma_aa =
/// |grad rho_a|^2, sigma_ab = grad rho_a . grad rho_b, sigma_bb, tau_a, tau_b (tau_s = 1/2 sum_i |grad phi_i,s|^2).
/// </summary>
/// <typeparam name="T">The number type: <see cref="Dual5"/> for potentials, <see cref="Jet2"/> for kernels too.</typeparam>
public readonly record struct XcPoint<T>(T RhoA, T RhoB, T SigmaAA, T SigmaAB, T SigmaBB, T TauA, T TauB) where T : struct, IForwardNumber<T>
{
    /// <summary>
    /// True when the alpha and beta features are the same numbers (a closed-shell point of
    /// <see cref="XcPoint.ClosedShell"/> or <see cref="XcPoint.ClosedShellJet"/>): spin-scaled terms may then evaluate
    /// one spin and double it, which gives the same bits as adding the two.
    /// </summary>
    public bool SpinSymmetric { get; init; }
}

/// <summary>Builders of <see cref="XcPoint{T}"/>.</summary>
public static class XcPoint
{
    /// <summary>The variable indices of the features in a jet.</summary>
    public const int RhoAIndex = 0, RhoBIndex = 1, SigmaAAIndex = 2, SigmaABIndex = 3, SigmaBBIndex = 4, TauAIndex = 5, TauBIndex = 6;

    /// <summary>The features of a point as independent variables of jets of <paramref name="order"/>, for a functional of <paramref name="family"/>.</summary>
    public static XcPoint<Jet2> Of(XcFamily family, double rhoA, double rhoB, double sigmaAA = 0, double sigmaAB = 0, double sigmaBB = 0,
        double tauA = 0, double tauB = 0, int order = 2)
    {
        int n = family switch { XcFamily.Lda => 2, XcFamily.Gga => 5, _ => 7 };
        Jet2 V(double v, int i) => i < n ? Jet2.Variable(v, i, n, order) : Jet2.Constant(v, n, order);
        return new XcPoint<Jet2>(V(rhoA, 0), V(rhoB, 1), V(sigmaAA, 2), V(sigmaAB, 3), V(sigmaBB, 4), V(tauA, 5), V(tauB, 6));
    }

    /// <summary>
    /// A closed-shell point as second-order jets of the total-density features (0: rho, 1: sigma = |grad rho|^2, 2: tau;
    /// as many as <paramref name="family"/> reads): the value, (v_rho, v_sigma, v_tau) and the kernel of the total density.
    /// </summary>
    public static XcPoint<Jet2> ClosedShellJet(XcFamily family, double rho, double sigma = 0, double tau = 0)
    {
        int n = family switch { XcFamily.Lda => 1, XcFamily.Gga => 2, _ => 3 };
        Jet2 V(double v, int i) => i < n ? Jet2.Variable(v, i, n) : Jet2.Constant(v, n);
        var half = 0.5 * V(rho, 0);
        var quarter = 0.25 * V(sigma, 1);
        var t = 0.5 * V(tau, 2);
        return new(half, half, quarter, quarter, quarter, t, t) { SpinSymmetric = true };
    }

    /// <summary>
    /// The spin-resolved features of a point with first derivatives (variables 0..4: rho_a, rho_b, sigma_aa, sigma_ab,
    /// sigma_bb; tau as constants).
    /// </summary>
    public static XcPoint<Dual5> Polarised(double rhoA, double rhoB, double sigmaAA = 0, double sigmaAB = 0, double sigmaBB = 0, double tauA = 0, double tauB = 0) =>
        new(Dual5.Variable(rhoA, 0), Dual5.Variable(rhoB, 1), Dual5.Variable(sigmaAA, 2), Dual5.Variable(sigmaAB, 3), Dual5.Variable(sigmaBB, 4),
            Dual5.Constant(tauA), Dual5.Constant(tauB));

    /// <summary>
    /// A closed-shell point of total density rho, sigma = |grad rho|^2 and tau, as the three variables (0: rho, 1: sigma,
    /// 2: tau) of duals: rho_a = rho_b = rho / 2, every sigma_st = sigma / 4, tau_s = tau / 2. The energy density's
    /// gradient is then (v_rho, v_sigma, v_tau) of the total density.
    /// </summary>
    public static XcPoint<Dual3> ClosedShell(double rho, double sigma = 0, double tau = 0)
    {
        var half = 0.5 * Dual3.Variable(rho, 0);
        var quarter = 0.25 * Dual3.Variable(sigma, 1);
        var t = 0.5 * Dual3.Variable(tau, 2);
        return new(half, half, quarter, quarter, quarter, t, t) { SpinSymmetric = true };
    }
}

/// <summary>
/// One exchange or correlation functional of the density features: its energy density per volume e (E_xc = integral
/// of e), written once over a forward-mode number type, so that the potential (first derivatives) and the kernel
/// (second derivatives) come with it.
/// </summary>
public interface IXcComponent
{
    /// <summary>The name (the spec language's: slater, vwn5, vwn_rpa, pw92, b88, lyp, pbe_x, pbe_c).</summary>
    string Name { get; }

    /// <summary>Which features it reads.</summary>
    XcFamily Family { get; }

    /// <summary>The energy density per volume at a point (spin densities above zero; see each functional for its thresholds).</summary>
    T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>;
}
