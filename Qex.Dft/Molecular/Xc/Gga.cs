using Qex.Autodiff.Forward;

namespace Qex.Dft.Molecular.Xc;

/// <summary>
/// Becke 1988 exchange (PRA 38, 3098): per spin, e = e_x^LSDA(rho_s) - beta rho_s^(4/3) x^2 / (1 + 6 beta x asinh x),
/// x = |grad rho_s| / rho_s^(4/3), beta = 0.0042 (libxc GGA_X_B88).
/// </summary>
public sealed class Becke88Exchange : IClosedShellXc
{
    private const double Beta = 0.0042;
    private static readonly double Lsda = -1.5 * Math.Cbrt(3 / (4 * Math.PI));

    /// <inheritdoc />
    public string Name => "b88";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Gga;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T> =>
        p.SpinSymmetric ? 2 * Spin(p.RhoA, p.SigmaAA) : Spin(p.RhoA, p.SigmaAA) + Spin(p.RhoB, p.SigmaBB);

    private static T Spin<T>(in T rho, in T sigma) where T : struct, IForwardNumber<T>
    {
        if (rho.Value <= 0) return 0 * rho;
        var r43 = LdaMath.Pow43(rho);
        var x2 = sigma / (r43 * r43);
        var x = ForwardMath.Sqrt(x2);
        return Lsda * r43 - Beta * r43 * x2 / (1 + 6 * Beta * x * ForwardMath.Asinh(x));
    }

    /// <inheritdoc />
    public void AddClosedShell(double weight, in ClosedShellPoints points, Span<double> e, Span<double> vRho, Span<double> vSigma)
    {
        // per spin r = rho/2, s = sigma/4, x = s^(1/2) / r^(4/3): f = r^(4/3) (L - g(x)), g = beta x^2 / D, D = 1 + 6 beta x asinh x.
        // e = 2 f; de/drho = f_r = 4/3 r^(1/3) (L - g + x^2 h), de/dsigma = f_s / 2 = -h / (4 r^(4/3)), with h = g'(x) / x =
        // beta (2 D - x D') / D^2, D' = 6 beta (asinh x + x / sqrt(1 + x^2)) (finite at sigma = 0).
        double half13 = Math.Cbrt(0.5);
        ReadOnlySpan<double> rho = points.Rho, sigma = points.Sigma, c = points.Rho13;
        for (int p = 0; p < rho.Length; p++)
        {
            double r = 0.5 * rho[p], r13 = half13 * c[p], r43 = r * r13;
            double x = 0.5 * Math.Sqrt(sigma[p]) / r43, x2 = x * x;
            double root = Math.Sqrt(1 + x2), asinh = Math.Log(x + root);
            double den = 1 + 6 * Beta * x * asinh, dden = 6 * Beta * (asinh + x / root);
            double g = Beta * x2 / den, h = Beta * (2 * den - x * dden) / (den * den);
            e[p] += weight * 2 * r43 * (Lsda - g);
            vRho[p] += weight * 4.0 / 3 * r13 * (Lsda - g + x2 * h);
            vSigma[p] -= weight * h / (4 * r43);
        }
    }
}

/// <summary>
/// Lee–Yang–Parr correlation (PRB 37, 785) in the form of Miehlich, Savin, Stoll and Preuss (CPL 157, 200, 1989),
/// a = 0.04918, b = 0.132, c = 0.2533, d = 0.349 (libxc GGA_C_LYP).
/// </summary>
public sealed class LypCorrelation : IClosedShellXc
{
    private const double A = 0.04918, B = 0.132, C = 0.2533, D = 0.349;
    private static readonly double Cf = 0.3 * Math.Pow(3 * Math.PI * Math.PI, 2.0 / 3);
    private static readonly double TwoPow113Cf = Math.Pow(2, 11.0 / 3) * Cf;

    /// <inheritdoc />
    public string Name => "lyp";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Gga;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        var (ra, rb) = (p.RhoA, p.RhoB);
        var rho = ra + rb;
        var rm13 = 1 / ForwardMath.Cbrt(rho);
        var den = 1 + D * rm13;
        // rho^(-11/3) = (rho^(-1/3))^2 / rho^3: one cube root serves every power
        var omega = ForwardMath.Exp(-C * rm13) / den * (rm13 * rm13 / (rho * rho * rho));
        var delta = C * rm13 + D * rm13 / den;
        var grad2 = p.SigmaAA + 2 * p.SigmaAB + p.SigmaBB;
        var r83 = p.SpinSymmetric ? 2 * Pow83(ra) : Pow83(ra) + Pow83(rb);
        var bracket = TwoPow113Cf * r83
            + (47.0 / 18 - 7.0 / 18 * delta) * grad2
            - (2.5 - delta / 18) * (p.SigmaAA + p.SigmaBB)
            - (delta - 11) / 9 * (ra / rho * p.SigmaAA + rb / rho * p.SigmaBB);
        var rest = ra * rb * bracket - 2.0 / 3 * rho * rho * grad2
            + (2.0 / 3 * rho * rho - ra * ra) * p.SigmaBB + (2.0 / 3 * rho * rho - rb * rb) * p.SigmaAA;
        return -4 * A / den * ra * rb / rho - A * B * omega * rest;
    }

    /// <inheritdoc />
    public void AddClosedShell(double weight, in ClosedShellPoints points, Span<double> e, Span<double> vRho, Span<double> vSigma)
    {
        // With rho_a = rho_b = rho/2 and every sigma_st = sigma/4 the general form reduces to (u = rho^(-1/3), den = 1 + d u,
        // P = exp(-c u) / den, delta = c u + d u / den):
        //   e = -a rho / den - a b Cf P rho + a b P rho^(-5/3) sigma (3 + 7 delta) / 72,
        // and with du/drho = -u / (3 rho), dP/du = -P (c + d / den), d delta/du = c + d / den^2:
        //   de/drho = -a / den - a d u / (3 den^2) - a b Cf P (1 + u (c + d / den) / 3)
        //             + a b sigma rho^(-8/3) P [(c + d / den) (u / 3) (3 + 7 delta) - 5/3 (3 + 7 delta) - 7/3 u (c + d / den^2)] / 72,
        //   de/dsigma = a b P rho^(-5/3) (3 + 7 delta) / 72.
        const double ab = A * B;
        ReadOnlySpan<double> rho = points.Rho, sigma = points.Sigma, c13 = points.Rho13;
        for (int p = 0; p < rho.Length; p++)
        {
            double n = rho[p], u = 1 / c13[p], s = sigma[p];
            double den = 1 + D * u, iden = 1 / den;
            double pe = Math.Exp(-C * u) * iden;
            double cd = C + D * iden;
            double delta = u * cd, f = 3 + 7 * delta;
            double r53 = u * u / n;           // rho^(-5/3)
            double r83 = r53 / n;             // rho^(-8/3)
            e[p] += weight * (-A * n * iden - ab * Cf * pe * n + ab * pe * r53 * s * f / 72);
            vRho[p] += weight * (-A * iden - A * D * u * iden * iden / 3 - ab * Cf * pe * (1 + u * cd / 3)
                + ab * s * r83 * pe * (cd * u / 3 * f - 5.0 / 3 * f - 7.0 / 3 * u * (C + D * iden * iden)) / 72);
            vSigma[p] += weight * ab * pe * r53 * f / 72;
        }
    }

    /// <summary>x^(8/3) for x &gt;= 0 from one cube root (its derivatives 8/3 x^(5/3) and 40/9 x^(2/3) are finite at 0).</summary>
    private static T Pow83<T>(in T x) where T : struct, IForwardNumber<T>
    {
        double v = Math.Max(x.Value, 0), c = Math.Cbrt(v), c2 = c * c;
        return T.Chain(x, v * v * c2, 8.0 / 3 * v * c2, 40.0 / 9 * c2);
    }
}

/// <summary>
/// Perdew–Burke–Ernzerhof exchange (PRL 77, 3865): the spin-scaled e_x^unif(n) F_x(s), F_x = 1 + kappa -
/// kappa / (1 + mu s^2 / kappa), kappa = 0.804, mu = beta pi^2 / 3 (libxc GGA_X_PBE).
/// </summary>
public sealed class PbeExchange : IXcComponent
{
    private const double Kappa = 0.804;
    private static readonly double Mu = PbeCorrelation.Beta * Math.PI * Math.PI / 3;
    private static readonly double Ex = -0.75 * Math.Cbrt(3 / Math.PI);

    /// <inheritdoc />
    public string Name => "pbe_x";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Gga;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T> =>
        0.5 * (p.SpinSymmetric ? 2 * Unpolarised(2 * p.RhoA, 4 * p.SigmaAA) : Unpolarised(2 * p.RhoA, 4 * p.SigmaAA) + Unpolarised(2 * p.RhoB, 4 * p.SigmaBB));

    private static T Unpolarised<T>(in T n, in T sigma) where T : struct, IForwardNumber<T>
    {
        if (n.Value <= 0) return 0 * n;
        var n43 = LdaMath.Pow43(n);
        // s^2 = sigma / (4 kF^2 n^2), kF = (3 pi^2 n)^(1/3)
        var s2 = sigma / (4 * Math.Pow(3 * Math.PI * Math.PI, 2.0 / 3) * n43 * n43);
        var fx = 1 + Kappa - Kappa / (1 + Mu * s2 / Kappa);
        return Ex * n43 * fx;
    }
}

/// <summary>
/// Perdew–Burke–Ernzerhof correlation: e = n (eps_c^PW92(rs, zeta) + H), H = gamma phi^3 ln(1 + (beta/gamma) t^2
/// (1 + A t^2) / (1 + A t^2 + A^2 t^4)), A = (beta/gamma) / (exp(-eps_c / (gamma phi^3)) - 1), with the precise
/// PW92 parameters (libxc GGA_C_PBE).
/// </summary>
public sealed class PbeCorrelation : IXcComponent
{
    /// <summary>beta of PBE.</summary>
    public const double Beta = 0.06672455060314922;

    private static readonly double Gamma = (1 - Math.Log(2)) / (Math.PI * Math.PI);

    /// <inheritdoc />
    public string Name => "pbe_c";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Gga;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        var n = p.RhoA + p.RhoB;
        var rs = LdaMath.Rs(n);
        var zeta = LdaMath.Zeta(p.RhoA, p.RhoB);
        var ec = Pw92Correlation.Modified.EnergyPerParticle(rs, zeta);
        var phi = 0.5 * (Pow23(1 + zeta) + Pow23(1 - zeta));
        var phi3 = phi * phi * phi;
        // t^2 = sigma / (4 phi^2 ks^2 n^2), ks^2 = 4 kF / pi, kF = (3 pi^2 n)^(1/3)
        var sigma = p.SigmaAA + 2 * p.SigmaAB + p.SigmaBB;
        var kf = ForwardMath.Cbrt(3 * Math.PI * Math.PI * n);
        var t2 = sigma / (4 * phi * phi * (4 * kf / Math.PI) * n * n);
        var a = Beta / Gamma / (ForwardMath.Exp(-ec / (Gamma * phi3)) - 1);
        var at2 = a * t2;
        var h = Gamma * phi3 * ForwardMath.Log1P(Beta / Gamma * t2 * (1 + at2) / (1 + at2 + at2 * at2));
        return n * (ec + h);
    }

    private static T Pow23<T>(in T x) where T : struct, IForwardNumber<T>
    {
        double v = Math.Max(x.Value, 0);
        double c = Math.Cbrt(v);
        return v > 0 ? T.Chain(x, c * c, 2.0 / 3 / c, -2.0 / 9 / (c * v)) : T.Chain(x, 0, 0, 0);
    }
}
