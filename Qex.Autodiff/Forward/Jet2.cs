using System.Runtime.CompilerServices;

namespace Qex.Autodiff.Forward;

/// <summary>
/// A second-order forward-mode number: a value with its gradient and Hessian with respect to up to
/// <see cref="MaxVariables"/> input variables, propagated exactly through every operation (each operation's value,
/// first- and second-derivative rules together). For pointwise functions of a few inputs (XC functionals of
/// rho, sigma, tau) this gives the potential and the kernel from one evaluation of the energy formula, with no
/// hand-derived derivatives. A jet of order 1 skips the Hessian (cheaper, for energies and potentials only).
/// </summary>
public struct Jet2 : IForwardNumber<Jet2>
{
    /// <summary>The largest number of variables.</summary>
    public const int MaxVariables = 7;

    /// <summary>Hessian entries stored: the lower triangle of MaxVariables x MaxVariables.</summary>
    public const int HessianSize = MaxVariables * (MaxVariables + 1) / 2;

    [InlineArray(MaxVariables)]
    private struct GradientBuffer { private double _e; }

    [InlineArray(HessianSize)]
    private struct HessianBuffer { private double _e; }

    private GradientBuffer _g;
    private HessianBuffer _h;

    /// <summary>The value.</summary>
    public double Value { readonly get; private set; }

    /// <summary>Active variables (0 for a constant).</summary>
    public int Variables { get; private set; }

    /// <inheritdoc />
    public readonly bool CarriesSecondDerivatives => Order == 2 && Variables > 0;

    /// <summary>Derivative order carried: 1 (gradient) or 2 (gradient and Hessian).</summary>
    public int Order { get; private set; }

    /// <summary>A constant in a space of <paramref name="variables"/> variables.</summary>
    public static Jet2 Constant(double value, int variables = 0, int order = 2)
    {
        Check(variables, order);
        return new Jet2 { Value = value, Variables = variables, Order = order };
    }

    /// <summary>Variable <paramref name="index"/> of <paramref name="variables"/>, at <paramref name="value"/>.</summary>
    public static Jet2 Variable(double value, int index, int variables, int order = 2)
    {
        Check(variables, order);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, variables);
        var j = new Jet2 { Value = value, Variables = variables, Order = order };
        j._g[index] = 1;
        return j;
    }

    private static void Check(int variables, int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(variables);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(variables, MaxVariables);
        if (order is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(order), order, "A jet carries derivatives of order 1 or 2.");
    }

    /// <summary>d value / d x_i.</summary>
    public readonly double Gradient(int i) => i < Variables ? _g[i] : 0;

    /// <summary>d^2 value / d x_i d x_j (0 for an order-1 jet).</summary>
    public readonly double Hessian(int i, int j)
    {
        if (Order < 2 || i >= Variables || j >= Variables) return 0;
        return i >= j ? _h[i * (i + 1) / 2 + j] : _h[j * (j + 1) / 2 + i];
    }

    /// <summary>f(a) given f(a), f'(a), f''(a): the chain rule to second order.</summary>
    public static Jet2 Chain(in Jet2 a, double f, double df, double d2f)
    {
        var r = new Jet2 { Value = f, Variables = a.Variables, Order = a.Order };
        int n = a.Variables;
        for (int i = 0; i < n; i++) r._g[i] = df * a._g[i];
        if (a.Order == 2)
            for (int i = 0, k = 0; i < n; i++)
                for (int j = 0; j <= i; j++, k++) r._h[k] = df * a._h[k] + d2f * a._g[i] * a._g[j];
        return r;
    }

    private static (int N, int Order) Shape(in Jet2 a, in Jet2 b)
    {
        // constants (no variables) combine with anything
        int n = Math.Max(a.Variables, b.Variables);
        int order = a.Variables == 0 ? b.Order : b.Variables == 0 ? a.Order : Math.Min(a.Order, b.Order);
        return (n, order);
    }

    /// <summary>a + b.</summary>
    public static Jet2 operator +(in Jet2 a, in Jet2 b)
    {
        var (n, order) = Shape(a, b);
        var r = new Jet2 { Value = a.Value + b.Value, Variables = n, Order = order };
        for (int i = 0; i < n; i++) r._g[i] = a.Gradient(i) + b.Gradient(i);
        if (order == 2)
            for (int i = 0, k = 0; i < n; i++)
                for (int j = 0; j <= i; j++, k++) r._h[k] = a.Hessian(i, j) + b.Hessian(i, j);
        return r;
    }

    /// <summary>-a.</summary>
    public static Jet2 operator -(in Jet2 a) => a * -1.0;

    /// <summary>a - b.</summary>
    public static Jet2 operator -(in Jet2 a, in Jet2 b) => a + (-b);

    /// <summary>a b.</summary>
    public static Jet2 operator *(in Jet2 a, in Jet2 b)
    {
        var (n, order) = Shape(a, b);
        var r = new Jet2 { Value = a.Value * b.Value, Variables = n, Order = order };
        for (int i = 0; i < n; i++) r._g[i] = a.Gradient(i) * b.Value + a.Value * b.Gradient(i);
        if (order == 2)
            for (int i = 0, k = 0; i < n; i++)
                for (int j = 0; j <= i; j++, k++)
                    r._h[k] = a.Hessian(i, j) * b.Value + a.Value * b.Hessian(i, j) + a.Gradient(i) * b.Gradient(j) + a.Gradient(j) * b.Gradient(i);
        return r;
    }

    /// <summary>a / b.</summary>
    public static Jet2 operator /(in Jet2 a, in Jet2 b) => a * Reciprocal(b);

    /// <summary>a + c.</summary>
    public static Jet2 operator +(in Jet2 a, double c)
    {
        var r = a;
        r.Value += c;
        return r;
    }

    /// <summary>c + a.</summary>
    public static Jet2 operator +(double c, in Jet2 a) => a + c;

    /// <summary>a - c.</summary>
    public static Jet2 operator -(in Jet2 a, double c) => a + -c;

    /// <summary>c - a.</summary>
    public static Jet2 operator -(double c, in Jet2 a) => (a * -1.0) + c;

    /// <summary>c a.</summary>
    public static Jet2 operator *(in Jet2 a, double c)
    {
        var r = new Jet2 { Value = a.Value * c, Variables = a.Variables, Order = a.Order };
        for (int i = 0; i < a.Variables; i++) r._g[i] = a._g[i] * c;
        if (a.Order == 2)
            for (int k = 0; k < a.Variables * (a.Variables + 1) / 2; k++) r._h[k] = a._h[k] * c;
        return r;
    }

    /// <summary>c a.</summary>
    public static Jet2 operator *(double c, in Jet2 a) => a * c;

    /// <summary>a / c.</summary>
    public static Jet2 operator /(in Jet2 a, double c) => a * (1 / c);

    /// <summary>c / a.</summary>
    public static Jet2 operator /(double c, in Jet2 a) => Reciprocal(a) * c;

    /// <summary>1 / a.</summary>
    public static Jet2 Reciprocal(in Jet2 a) => ForwardMath.Reciprocal(a);

    /// <summary>sqrt(a).</summary>
    public static Jet2 Sqrt(in Jet2 a) => ForwardMath.Sqrt(a);

    /// <summary>a^(1/3).</summary>
    public static Jet2 Cbrt(in Jet2 a) => ForwardMath.Cbrt(a);

    /// <summary>a^p (a &gt; 0, or any a for integer p).</summary>
    public static Jet2 Pow(in Jet2 a, double p) => ForwardMath.Pow(a, p);

    /// <summary>exp(a).</summary>
    public static Jet2 Exp(in Jet2 a) => ForwardMath.Exp(a);

    /// <summary>log(a).</summary>
    public static Jet2 Log(in Jet2 a) => ForwardMath.Log(a);

    /// <summary>log(1 + a), accurate for small a.</summary>
    public static Jet2 Log1P(in Jet2 a) => ForwardMath.Log1P(a);

    /// <summary>atan(a).</summary>
    public static Jet2 Atan(in Jet2 a) => ForwardMath.Atan(a);

    /// <summary>asinh(a).</summary>
    public static Jet2 Asinh(in Jet2 a) => ForwardMath.Asinh(a);

    /// <inheritdoc />
    public override readonly string ToString() => FormattableString.Invariant($"{Value} (jet of {Variables} variables, order {Order})");
}
