using Qex.Autodiff.Forward;

namespace Qex.Dft.Molecular.Xc;

/// <summary>Shared pieces of the local (spin-)density approximations.</summary>
public static class LdaMath
{
    /// <summary>f''(0) of the spin-interpolation function f(zeta), 4 / (9 (2^(1/3) - 1)).</summary>
    public static readonly double Fz20 = 4 / (9 * (Math.Cbrt(2) - 1));

    /// <summary>The Wigner–Seitz radius rs = (3 / (4 pi n))^(1/3).</summary>
    public static T Rs<T>(in T n) where T : struct, IForwardNumber<T> => ForwardMath.Cbrt(3 / (4 * Math.PI * n));

    /// <summary>The spin polarisation zeta = (rho_a - rho_b) / (rho_a + rho_b).</summary>
    public static T Zeta<T>(in T a, in T b) where T : struct, IForwardNumber<T> => (a - b) / (a + b);

    /// <summary>f(zeta) = ((1 + zeta)^(4/3) + (1 - zeta)^(4/3) - 2) / (2^(4/3) - 2), with (1 +- zeta) kept at or above 0.</summary>
    public static T SpinInterpolation<T>(in T zeta) where T : struct, IForwardNumber<T> =>
        (Pow43(1 + zeta) + Pow43(1 - zeta) - 2) / (2 * Math.Cbrt(2) - 2);

    /// <summary>x^(4/3) for x &gt;= 0 (its derivative x^(1/3) 4/3 is finite at 0).</summary>
    public static T Pow43<T>(in T x) where T : struct, IForwardNumber<T>
    {
        double v = Math.Max(x.Value, 0);
        double c = Math.Cbrt(v);
        return T.Chain(x, v * c, 4.0 / 3 * c, v > 0 ? 4.0 / 9 / (c * c) : 0);
    }
}

/// <summary>
/// Slater (Dirac) exchange, spin-scaled: e_x = -(3/4) (3/pi)^(1/3) 2^(1/3) (rho_a^(4/3) + rho_b^(4/3)) (libxc LDA_X).
/// </summary>
public sealed class SlaterExchange : IClosedShellXc
{
    private static readonly double C = -0.75 * Math.Cbrt(3 / Math.PI) * Math.Cbrt(2);

    /// <summary>The closed-shell constant: e = C 2 (rho/2)^(4/3) = Cs rho^(4/3).</summary>
    private static readonly double Cs = -0.75 * Math.Cbrt(3 / Math.PI);

    /// <inheritdoc />
    public string Name => "slater";

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Lda;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T> =>
        C * (p.SpinSymmetric ? 2 * LdaMath.Pow43(p.RhoA) : LdaMath.Pow43(p.RhoA) + LdaMath.Pow43(p.RhoB));

    /// <inheritdoc />
    public void AddClosedShell(double weight, in ClosedShellPoints points, Span<double> e, Span<double> vRho, Span<double> vSigma)
    {
        // e = Cs rho^(4/3), v = 4/3 Cs rho^(1/3)
        double w = weight * Cs, wv = 4.0 / 3 * w;
        ReadOnlySpan<double> rho = points.Rho, c = points.Rho13;
        for (int p = 0; p < rho.Length; p++)
        {
            e[p] += w * rho[p] * c[p];
            vRho[p] += wv * c[p];
        }
    }
}

/// <summary>One Vosko–Wilk–Nusair Padé fit of a correlation energy per particle in x = sqrt(rs).</summary>
/// <param name="A">Prefactor (Hartree).</param>
/// <param name="X0">x0.</param>
/// <param name="B">b.</param>
/// <param name="C">c.</param>
public readonly record struct VwnFit(double A, double X0, double B, double C)
{
    /// <summary>
    /// A [ln(x^2/X) + (2b/Q) atan(Q/(2x + b)) - (b x0 / X(x0)) (ln((x - x0)^2 / X) + (2 (b + 2 x0) / Q) atan(Q / (2x + b)))],
    /// X(x) = x^2 + b x + c, Q = sqrt(4c - b^2).
    /// </summary>
    public T Evaluate<T>(in T x) where T : struct, IForwardNumber<T>
    {
        double q = Math.Sqrt(4 * C - B * B);
        double xx0 = X0 * X0 + B * X0 + C;
        var bigX = x * x + B * x + C;
        var at = ForwardMath.Atan(q / (2 * x + B));
        var d = x - X0;
        return A * (ForwardMath.Log(x * x / bigX) + 2 * B / q * at - B * X0 / xx0 * (ForwardMath.Log(d * d / bigX) + 2 * (B + 2 * X0) / q * at));
    }

    /// <summary>
    /// The fit and its derivative by x at x &gt; 0: with d/dx atan(Q / (2x + b)) = -Q / (2X), the derivative is A [2/x - (2x
    /// + b)/X - b/X - (b x0 / X(x0)) (2/(x - x0) - (2x + b)/X - (b + 2 x0)/X)].
    /// </summary>
    public (double Value, double Derivative) ValueAndDerivative(double x)
    {
        double q = Math.Sqrt(4 * C - B * B);
        double c0 = B * X0 / (X0 * X0 + B * X0 + C);
        double bigX = x * x + B * x + C, inv = 1 / bigX;
        double at = Math.Atan(q / (2 * x + B));
        double d = x - X0;
        double value = A * (Math.Log(x * x * inv) + 2 * B / q * at - c0 * (Math.Log(d * d * inv) + 2 * (B + 2 * X0) / q * at));
        double slope = (2 * x + B) * inv;
        double derivative = A * (2 / x - slope - B * inv - c0 * (2 / d - slope - (B + 2 * X0) * inv));
        return (value, derivative);
    }
}

/// <summary>
/// Vosko–Wilk–Nusair correlation (Can. J. Phys. 58, 1200, 1980). <see cref="Vwn5"/>: fit V of the Ceperley–Alder
/// energies with the spin stiffness interpolation e = e_P + alpha f/f''(0) (1 - zeta^4) + (e_F - e_P) f zeta^4
/// (libxc LDA_C_VWN); <see cref="VwnRpa"/>: the RPA fits interpolated by f(zeta) alone (libxc LDA_C_VWN_RPA, the
/// correlation of Psi4's and NWChem's B3LYP and SVWN).
/// </summary>
public sealed class VwnCorrelation : IClosedShellXc
{
    private static readonly double AlphaA = -1 / (6 * Math.PI * Math.PI);
    private readonly VwnFit _p, _f;
    private readonly VwnFit? _alpha;

    private VwnCorrelation(string name, VwnFit paramagnetic, VwnFit ferromagnetic, VwnFit? stiffness)
    {
        Name = name;
        (_p, _f, _alpha) = (paramagnetic, ferromagnetic, stiffness);
    }

    /// <summary>VWN5.</summary>
    public static VwnCorrelation Vwn5 { get; } = new("vwn5",
        new VwnFit(0.0310907, -0.10498, 3.72744, 12.9352), new VwnFit(0.01554535, -0.32500, 7.06042, 18.0578), new VwnFit(AlphaA, -0.0047584, 1.13107, 13.0045));

    /// <summary>VWN RPA.</summary>
    public static VwnCorrelation VwnRpa { get; } = new("vwn_rpa",
        new VwnFit(0.0310907, -0.409286, 13.0720, 42.7198), new VwnFit(0.01554535, -0.743294, 20.1231, 101.578), null);

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Lda;

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        var n = p.RhoA + p.RhoB;
        var x = ForwardMath.Sqrt(LdaMath.Rs(n));
        var zeta = LdaMath.Zeta(p.RhoA, p.RhoB);
        var ep = _p.Evaluate(x);
        // at zeta = 0 the spin interpolation and its first derivative vanish: for values and potentials only the paramagnetic fit counts
        if (zeta.Value == 0 && !zeta.CarriesSecondDerivatives) return n * ep;
        var f = LdaMath.SpinInterpolation(zeta);
        var ef = _f.Evaluate(x);
        T ec;
        if (_alpha is { } a)
        {
            var z4 = zeta * zeta * zeta * zeta;
            ec = ep + a.Evaluate(x) * f / LdaMath.Fz20 * (1 - z4) + (ef - ep) * f * z4;
        }
        else ec = ep + (ef - ep) * f;
        return n * ec;
    }

    /// <inheritdoc />
    public void AddClosedShell(double weight, in ClosedShellPoints points, Span<double> e, Span<double> vRho, Span<double> vSigma)
    {
        // zeta = 0: e = rho eps_P(x), x = rs^(1/2) = (3 / (4 pi))^(1/6) rho^(-1/6), so v = eps_P - x eps_P'(x) / 6
        double k = Math.Sqrt(Math.Cbrt(3 / (4 * Math.PI)));
        ReadOnlySpan<double> rho = points.Rho, c = points.Rho13;
        for (int p = 0; p < rho.Length; p++)
        {
            double x = k / Math.Sqrt(c[p]);
            var (eps, d) = _p.ValueAndDerivative(x);
            e[p] += weight * rho[p] * eps;
            vRho[p] += weight * (eps - x * d / 6);
        }
    }
}

/// <summary>
/// Perdew–Wang 1992 correlation (PRB 45, 13244): G(rs) = -2A (1 + a1 rs) ln(1 + 1 / (2A (b1 rs^(1/2) + b2 rs +
/// b3 rs^(3/2) + b4 rs^2))) for the paramagnetic, ferromagnetic and spin-stiffness fits, interpolated like VWN5.
/// <see cref="Original"/> has the paper's digits (libxc LDA_C_PW); <see cref="Modified"/> the more precise ones
/// PBE correlation uses (libxc LDA_C_PW_MOD).
/// </summary>
public sealed class Pw92Correlation : IXcComponent
{
    private readonly double[] _a, _alpha1, _b1, _b2, _b3, _b4;
    private readonly double _fz20;

    private Pw92Correlation(string name, double[] a, double fz20)
    {
        Name = name;
        _a = a;
        _alpha1 = [0.21370, 0.20548, 0.11125];
        _b1 = [7.5957, 14.1189, 10.357];
        _b2 = [3.5876, 6.1977, 3.6231];
        _b3 = [1.6382, 3.3662, 0.88026];
        _b4 = [0.49294, 0.62517, 0.49671];
        _fz20 = fz20;
    }

    /// <summary>The paper's parameters (A = 0.031091, 0.015545, 0.016887; f''(0) = 1.709921).</summary>
    public static Pw92Correlation Original { get; } = new("pw92", [0.031091, 0.015545, 0.016887], 1.709921);

    /// <summary>The more precise A (0.0310907, 0.01554535, 0.0168869) and the exact f''(0).</summary>
    public static Pw92Correlation Modified { get; } = new("pw92_mod", [0.0310907, 0.01554535, 0.0168869], LdaMath.Fz20);

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public XcFamily Family => XcFamily.Lda;

    /// <summary>Fit k (0: paramagnetic, 1: ferromagnetic, 2: minus the spin stiffness) at rs.</summary>
    public T G<T>(int k, in T rs) where T : struct, IForwardNumber<T>
    {
        var s = ForwardMath.Sqrt(rs);
        var den = 2 * _a[k] * (_b1[k] * s + _b2[k] * rs + _b3[k] * rs * s + _b4[k] * rs * rs);
        return -2 * _a[k] * (1 + _alpha1[k] * rs) * ForwardMath.Log1P(1 / den);
    }

    /// <summary>The correlation energy per particle at rs and zeta.</summary>
    public T EnergyPerParticle<T>(in T rs, in T zeta) where T : struct, IForwardNumber<T>
    {
        // at zeta = 0 the spin interpolation and its first derivative vanish (see VwnCorrelation)
        if (zeta.Value == 0 && !zeta.CarriesSecondDerivatives) return G(0, rs);
        var f = LdaMath.SpinInterpolation(zeta);
        var z4 = zeta * zeta * zeta * zeta;
        var e0 = G(0, rs);
        var e1 = G(1, rs);
        var ac = G(2, rs);   // -alpha_c
        return e0 - ac * f / _fz20 * (1 - z4) + (e1 - e0) * f * z4;
    }

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        var n = p.RhoA + p.RhoB;
        return n * EnergyPerParticle(LdaMath.Rs(n), LdaMath.Zeta(p.RhoA, p.RhoB));
    }
}
