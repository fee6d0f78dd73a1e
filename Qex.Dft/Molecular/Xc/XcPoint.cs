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
/// The density features at one grid point, spin-resolved, as jets: rho_a, rho_b, sigma_aa = |grad rho_a|^2,
/// sigma_ab = grad rho_a . grad rho_b, sigma_bb, tau_a, tau_b (tau_s = 1/2 sum_i |grad phi_i,s|^2).
/// </summary>
public readonly record struct XcPoint(Jet2 RhoA, Jet2 RhoB, Jet2 SigmaAA, Jet2 SigmaAB, Jet2 SigmaBB, Jet2 TauA, Jet2 TauB)
{
    /// <summary>The variable indices of the features in a jet.</summary>
    public const int RhoAIndex = 0, RhoBIndex = 1, SigmaAAIndex = 2, SigmaABIndex = 3, SigmaBBIndex = 4, TauAIndex = 5, TauBIndex = 6;

    /// <summary>The features of a point as independent variables of jets of <paramref name="order"/>, for a functional of <paramref name="family"/>.</summary>
    public static XcPoint Of(XcFamily family, double rhoA, double rhoB, double sigmaAA = 0, double sigmaAB = 0, double sigmaBB = 0,
        double tauA = 0, double tauB = 0, int order = 2)
    {
        int n = family switch { XcFamily.Lda => 2, XcFamily.Gga => 5, _ => 7 };
        Jet2 V(double v, int i) => i < n ? Jet2.Variable(v, i, n, order) : Jet2.Constant(v, n, order);
        return new XcPoint(V(rhoA, 0), V(rhoB, 1), V(sigmaAA, 2), V(sigmaAB, 3), V(sigmaBB, 4), V(tauA, 5), V(tauB, 6));
    }
}

/// <summary>
/// One exchange or correlation functional of the density features: its energy density per volume e (E_xc = integral
/// of e), as a jet, so that the potential (first derivatives) and the kernel (second derivatives) come with it.
/// </summary>
public interface IXcComponent
{
    /// <summary>The name (the spec language's: slater, vwn5, vwn_rpa, pw92, b88, lyp, pbe_x, pbe_c).</summary>
    string Name { get; }

    /// <summary>Which features it reads.</summary>
    XcFamily Family { get; }

    /// <summary>The energy density per volume at a point (spin densities above zero; see each functional for its thresholds).</summary>
    Jet2 EnergyDensity(in XcPoint p);
}
