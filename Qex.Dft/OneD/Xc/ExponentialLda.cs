using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Xc;

/// <summary>
/// The LDA of the 1D exponential interaction <c>A exp(-kappa |x|)</c> (Baker et al., PRB 91, 235141, 2015),
/// with <c>y = pi n / kappa</c>: exchange <c>A/(2 pi) [ln(1 + y^2)/y - 2 atan y]</c> (series <c>-y + y^3/6</c> for
/// y &lt;= 1e-15) and the Pade correlation of the reference. Spin-polarised forms are given per length.
/// </summary>
public sealed class ExponentialLda : ISpinXcFunctional
{
    /// <summary>Unpolarised correlation parameters (alpha, beta, gamma, delta, eta, sigma, nu).</summary>
    public static readonly double[] Unpolarized = [2, -1.00077, 6.26099, -11.9041, 9.62614, -1.48334, 1];

    /// <summary>Fully polarised correlation parameters (alpha, beta, gamma, delta, eta, sigma, nu).</summary>
    public static readonly double[] Polarized = [180.891, -541.124, 651.615, -356.504, 88.0733, -4.32708, 8];

    private const double SmallY = 1e-15;

    /// <summary>Creates the functional for an exponential interaction.</summary>
    public ExponentialLda(double amplitude = ExponentialCoulomb.DefaultAmplitude, double kappa = ExponentialCoulomb.DefaultKappa)
    {
        Amplitude = amplitude;
        Kappa = kappa;
    }

    /// <summary>A.</summary>
    public double Amplitude { get; }

    /// <summary>kappa.</summary>
    public double Kappa { get; }

    /// <inheritdoc />
    public string Name => "lda";

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key) => new([]);

    /// <inheritdoc />
    public Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context) =>
        Exchange(density) + Correlation(density);

    /// <summary>
    /// The LSDA: <see cref="PolarizedExchange"/> + <see cref="PolarizedCorrelation"/> at n = n_up + n_down and
    /// zeta = (n_up - n_down) / n (zeta = 0 where n vanishes, clamped to [-1, 1] against round-off).
    /// </summary>
    public Var SpinEnergyDensity(Var up, Var down, IReadOnlyList<Var> parameters, XcContext context)
    {
        ArgumentNullException.ThrowIfNull(up);
        ArgumentNullException.ThrowIfNull(down);
        var n = up + down;
        var empty = TensorMath.Map(n.Value, v => v <= 1e-300 ? 1 : 0);
        var ns = Op.Where(empty, Var.Constant(1.0), n);
        var ratio = (up - down) / ns;
        var outside = TensorMath.Map(ratio.Value, v => v > 1 || v < -1 ? 1 : 0);
        var zeta = Op.Where(empty, Var.Constant(0.0), Op.Where(outside, Var.Constant(TensorMath.Map(ratio.Value, v => Math.Clamp(v, -1, 1))), ratio));
        return PolarizedExchange(n, zeta) + PolarizedCorrelation(n, zeta);
    }

    /// <summary>Exchange energy per particle, unpolarised.</summary>
    public Var Exchange(Var n)
    {
        var y = n * (Math.PI / Kappa);
        var small = TensorMath.Map(y.Value, v => v <= SmallY ? 1 : 0);
        var ys = Op.Where(small, Var.Constant(1.0), y);
        var main = (Op.Log1p(Op.Square(ys)) / ys - 2.0 * Op.Atan(ys)) * (Amplitude / (2 * Math.PI));
        var series = (Op.Pow(y, 3) * (1.0 / 6) - y) * (Amplitude / (2 * Math.PI));
        return Op.Where(small, series, main);
    }

    /// <summary>Correlation energy per particle, unpolarised.</summary>
    public Var Correlation(Var n) => CorrelationPerParticle(n, Unpolarized);

    /// <summary>
    /// Correlation energy per particle for the given Pade parameters: <c>-(A y / pi) / P(y)</c>, with the linear
    /// limit <c>-A y / (pi alpha)</c> for y &lt;= 1e-15 (so that eps_c(0) = 0 and d eps_c/dn (0) = -A/(kappa alpha)).
    /// </summary>
    public Var CorrelationPerParticle(Var n, double[] p)
    {
        var y = n * (Math.PI / Kappa);
        var small = TensorMath.Map(y.Value, v => v <= SmallY ? 1 : 0);
        var ys = Op.Where(small, Var.Constant(1.0), y);
        var sq = Op.Sqrt(ys);
        var den = p[0] + p[1] * sq + p[2] * ys + p[3] * ys * sq + p[4] * Op.Square(ys) + p[5] * Op.Square(ys) * sq
                  + p[6] * (Math.PI * Kappa * Kappa / Amplitude) * Op.Pow(ys, 3);
        var main = ys / den * (-Amplitude / Math.PI);
        var limit = y * (-Amplitude / (Math.PI * p[0]));
        return Op.Where(small, limit, main);
    }

    /// <summary>
    /// Spin-polarised exchange energy per particle:
    /// <c>A kappa [F(y(1+zeta)) + F(y(zeta-1))] / (4 pi^2 n) = A [F(y(1+zeta)) + F(y(zeta-1))] / (4 pi y)</c>,
    /// <c>F(u) = ln(1+u^2) - 2u atan(u)</c>; for y &lt;= 1e-15 its series
    /// <c>-A y (1 + zeta^2) / (2 pi) + A y^3 [(1+zeta)^4 + (1-zeta)^4] / (24 pi)</c>.
    /// </summary>
    public Var PolarizedExchange(Var n, Var zeta)
    {
        var y = n * (Math.PI / Kappa);
        var small = TensorMath.Map(y.Value, v => v <= SmallY ? 1 : 0);
        var ys = Op.Where(small, Var.Constant(1.0), y);
        Var F(Var u) => Op.Log1p(Op.Square(u)) - 2.0 * u * Op.Atan(u);
        var main = (F(ys * (zeta + 1.0)) + F(ys * (zeta - 1.0))) / ys * (Amplitude / (4 * Math.PI));
        var series = y * (1.0 + Op.Square(zeta)) * (-Amplitude / (2 * Math.PI))
                     + Op.Pow(y, 3) * (Op.Pow(zeta + 1.0, 4) + Op.Pow(1.0 - zeta, 4)) * (Amplitude / (24 * Math.PI));
        return Op.Where(small, series, main);
    }

    /// <summary>Spin-polarised correlation per particle: <c>eps_c^0 + zeta^2 (eps_c^1 - eps_c^0)</c>.</summary>
    public Var PolarizedCorrelation(Var n, Var zeta)
    {
        var e0 = CorrelationPerParticle(n, Unpolarized);
        var e1 = CorrelationPerParticle(n, Polarized);
        return e0 + Op.Square(zeta) * (e1 - e0);
    }
}
