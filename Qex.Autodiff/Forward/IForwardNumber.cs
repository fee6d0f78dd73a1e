namespace Qex.Autodiff.Forward;

/// <summary>
/// A forward-mode number: a value carrying derivatives with respect to a few input variables. Formulas written once
/// over <typeparamref name="T"/> (the XC functionals) run with first derivatives (<see cref="Dual5"/>, fast, for
/// energies and potentials) or second derivatives (<see cref="Jet2"/>, for kernels); each type carries the
/// derivative rules of the arithmetic, and <see cref="ForwardMath"/> those of the elementary functions through
/// <see cref="Chain"/>.
/// </summary>
/// <typeparam name="T">The number type itself.</typeparam>
public interface IForwardNumber<T> where T : struct, IForwardNumber<T>
{
    /// <summary>The value.</summary>
    double Value { get; }

    /// <summary>
    /// Whether the number carries second derivatives: formulas may skip terms whose value and first derivatives vanish
    /// at a point (a spin interpolation at zeta = 0) only when it does not.
    /// </summary>
    bool CarriesSecondDerivatives { get; }

    /// <summary>f(a) given f(a), f'(a) and f''(a) (a first-order type ignores f'').</summary>
    static abstract T Chain(in T a, double f, double df, double d2f);

    /// <summary>a + b.</summary>
    static abstract T operator +(in T a, in T b);

    /// <summary>a - b.</summary>
    static abstract T operator -(in T a, in T b);

    /// <summary>a b.</summary>
    static abstract T operator *(in T a, in T b);

    /// <summary>a / b.</summary>
    static abstract T operator /(in T a, in T b);

    /// <summary>-a.</summary>
    static abstract T operator -(in T a);

    /// <summary>a + c.</summary>
    static abstract T operator +(in T a, double c);

    /// <summary>c + a.</summary>
    static abstract T operator +(double c, in T a);

    /// <summary>a - c.</summary>
    static abstract T operator -(in T a, double c);

    /// <summary>c - a.</summary>
    static abstract T operator -(double c, in T a);

    /// <summary>a c.</summary>
    static abstract T operator *(in T a, double c);

    /// <summary>c a.</summary>
    static abstract T operator *(double c, in T a);

    /// <summary>a / c.</summary>
    static abstract T operator /(in T a, double c);

    /// <summary>c / a.</summary>
    static abstract T operator /(double c, in T a);
}

/// <summary>The elementary functions of forward-mode numbers: each function's value, first and second derivative together.</summary>
public static class ForwardMath
{
    /// <summary>1 / a.</summary>
    public static T Reciprocal<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double v = 1 / a.Value;
        return T.Chain(a, v, -v * v, 2 * v * v * v);
    }

    /// <summary>sqrt(a).</summary>
    public static T Sqrt<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double s = Math.Sqrt(a.Value);
        return T.Chain(a, s, 0.5 / s, -0.25 / (s * a.Value));
    }

    /// <summary>a^(1/3).</summary>
    public static T Cbrt<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double c = Math.Cbrt(a.Value);
        double d = c / (3 * a.Value);
        return T.Chain(a, c, d, -2 * d / (3 * a.Value));
    }

    /// <summary>a^p (a &gt; 0, or any a for integer p).</summary>
    public static T Pow<T>(in T a, double p) where T : struct, IForwardNumber<T>
    {
        double v = Math.Pow(a.Value, p);
        // a^(p-1) and a^(p-2) from a^p where a is not 0 (one Pow call instead of three)
        double d, d2;
        if (a.Value != 0)
        {
            double inv = 1 / a.Value;
            d = p * v * inv;
            d2 = (p - 1) * d * inv;
        }
        else
        {
            d = p * Math.Pow(a.Value, p - 1);
            d2 = p * (p - 1) * Math.Pow(a.Value, p - 2);
        }
        return T.Chain(a, v, d, d2);
    }

    /// <summary>exp(a).</summary>
    public static T Exp<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double e = Math.Exp(a.Value);
        return T.Chain(a, e, e, e);
    }

    /// <summary>log(a).</summary>
    public static T Log<T>(in T a) where T : struct, IForwardNumber<T> => T.Chain(a, Math.Log(a.Value), 1 / a.Value, -1 / (a.Value * a.Value));

    /// <summary>log(1 + a), accurate for small a.</summary>
    public static T Log1P<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double d = 1 / (1 + a.Value);
        return T.Chain(a, double.LogP1(a.Value), d, -d * d);
    }

    /// <summary>atan(a).</summary>
    public static T Atan<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double d = 1 / (1 + a.Value * a.Value);
        return T.Chain(a, Math.Atan(a.Value), d, -2 * a.Value * d * d);
    }

    /// <summary>asinh(a).</summary>
    public static T Asinh<T>(in T a) where T : struct, IForwardNumber<T>
    {
        double q = 1 + a.Value * a.Value;
        double d = 1 / Math.Sqrt(q);
        return T.Chain(a, Math.Asinh(a.Value), d, -a.Value * d / q);
    }
}
