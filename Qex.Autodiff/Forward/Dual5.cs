namespace Qex.Autodiff.Forward;

/// <summary>
/// A first-order forward-mode number with the gradient with respect to up to five variables in fields (no arrays, no
/// loops): the fast type for energies and potentials of pointwise functions such as XC functionals of (rho_a, rho_b,
/// sigma_aa, sigma_ab, sigma_bb). Unused variables cost a few multiplications and stay zero.
/// </summary>
public readonly struct Dual5 : IForwardNumber<Dual5>
{
    private readonly double _d0, _d1, _d2, _d3, _d4;

    private Dual5(double value, double d0, double d1, double d2, double d3, double d4)
    {
        Value = value;
        (_d0, _d1, _d2, _d3, _d4) = (d0, d1, d2, d3, d4);
    }

    /// <summary>The largest number of variables.</summary>
    public const int MaxVariables = 5;

    /// <inheritdoc />
    public double Value { get; }

    /// <inheritdoc />
    public bool CarriesSecondDerivatives => false;

    /// <summary>A constant.</summary>
    public static Dual5 Constant(double value) => new(value, 0, 0, 0, 0, 0);

    /// <summary>Variable <paramref name="index"/> (0..4) at <paramref name="value"/>.</summary>
    public static Dual5 Variable(double value, int index) => index switch
    {
        0 => new(value, 1, 0, 0, 0, 0),
        1 => new(value, 0, 1, 0, 0, 0),
        2 => new(value, 0, 0, 1, 0, 0),
        3 => new(value, 0, 0, 0, 1, 0),
        4 => new(value, 0, 0, 0, 0, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "A Dual5 has variables 0 to 4."),
    };

    /// <summary>d value / d x_i (0 for i outside 0..4).</summary>
    public double Gradient(int i) => i switch { 0 => _d0, 1 => _d1, 2 => _d2, 3 => _d3, 4 => _d4, _ => 0 };

    /// <inheritdoc />
    public static Dual5 Chain(in Dual5 a, double f, double df, double d2f) => new(f, df * a._d0, df * a._d1, df * a._d2, df * a._d3, df * a._d4);

    /// <inheritdoc />
    public static Dual5 operator +(in Dual5 a, in Dual5 b) => new(a.Value + b.Value, a._d0 + b._d0, a._d1 + b._d1, a._d2 + b._d2, a._d3 + b._d3, a._d4 + b._d4);

    /// <inheritdoc />
    public static Dual5 operator -(in Dual5 a, in Dual5 b) => new(a.Value - b.Value, a._d0 - b._d0, a._d1 - b._d1, a._d2 - b._d2, a._d3 - b._d3, a._d4 - b._d4);

    /// <inheritdoc />
    public static Dual5 operator *(in Dual5 a, in Dual5 b)
    {
        double u = a.Value, v = b.Value;
        return new(u * v, a._d0 * v + u * b._d0, a._d1 * v + u * b._d1, a._d2 * v + u * b._d2, a._d3 * v + u * b._d3, a._d4 * v + u * b._d4);
    }

    /// <inheritdoc />
    public static Dual5 operator /(in Dual5 a, in Dual5 b)
    {
        double inv = 1 / b.Value, q = a.Value * inv;
        return new(q, (a._d0 - q * b._d0) * inv, (a._d1 - q * b._d1) * inv, (a._d2 - q * b._d2) * inv, (a._d3 - q * b._d3) * inv, (a._d4 - q * b._d4) * inv);
    }

    /// <inheritdoc />
    public static Dual5 operator -(in Dual5 a) => new(-a.Value, -a._d0, -a._d1, -a._d2, -a._d3, -a._d4);

    /// <inheritdoc />
    public static Dual5 operator +(in Dual5 a, double c) => new(a.Value + c, a._d0, a._d1, a._d2, a._d3, a._d4);

    /// <inheritdoc />
    public static Dual5 operator +(double c, in Dual5 a) => a + c;

    /// <inheritdoc />
    public static Dual5 operator -(in Dual5 a, double c) => a + -c;

    /// <inheritdoc />
    public static Dual5 operator -(double c, in Dual5 a) => new(c - a.Value, -a._d0, -a._d1, -a._d2, -a._d3, -a._d4);

    /// <inheritdoc />
    public static Dual5 operator *(in Dual5 a, double c) => new(a.Value * c, a._d0 * c, a._d1 * c, a._d2 * c, a._d3 * c, a._d4 * c);

    /// <inheritdoc />
    public static Dual5 operator *(double c, in Dual5 a) => a * c;

    /// <inheritdoc />
    public static Dual5 operator /(in Dual5 a, double c) => a * (1 / c);

    /// <inheritdoc />
    public static Dual5 operator /(double c, in Dual5 a) => ForwardMath.Reciprocal(a) * c;

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Value} (dual, gradient {_d0}, {_d1}, {_d2}, {_d3}, {_d4})");
}
