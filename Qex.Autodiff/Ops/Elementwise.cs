using Qex.Core.Tensors;

namespace Qex.Autodiff;

/// <summary>
/// Differentiable operations on <see cref="Var"/>. Each operation computes its value with <see cref="TensorMath"/>
/// and records, next to it, its derivative rule written in these same operations (so derivatives nest).
/// </summary>
public static partial class Op
{
    // ---------- binary, with broadcasting ----------

    /// <summary>a + b (broadcasting).</summary>
    public static Var Add(Var a, Var b)
    {
        int[] sa = a.Value.ShapeArray(), sb = b.Value.ShapeArray();
        return Var.Record(TensorMath.Binary(BinaryOp.Add, a.Value, b.Value), "add", [a, b],
            (g, s) => [a.RequiresGrad ? SumTo(g, sa) : null, b.RequiresGrad ? SumTo(g, sb) : null]);
    }

    /// <summary>a - b (broadcasting).</summary>
    public static Var Sub(Var a, Var b)
    {
        int[] sa = a.Value.ShapeArray(), sb = b.Value.ShapeArray();
        return Var.Record(TensorMath.Binary(BinaryOp.Subtract, a.Value, b.Value), "sub", [a, b],
            (g, s) => [a.RequiresGrad ? SumTo(g, sa) : null, b.RequiresGrad ? SumTo(Neg(g), sb) : null]);
    }

    /// <summary>a * b elementwise (broadcasting).</summary>
    public static Var Mul(Var a, Var b)
    {
        int[] sa = a.Value.ShapeArray(), sb = b.Value.ShapeArray();
        return Var.Record(TensorMath.Binary(BinaryOp.Multiply, a.Value, b.Value), "mul", [a, b],
            (g, s) => [a.RequiresGrad ? SumTo(g * s.Input(1), sa) : null, b.RequiresGrad ? SumTo(g * s.Input(0), sb) : null]);
    }

    /// <summary>a / b elementwise (broadcasting).</summary>
    public static Var Div(Var a, Var b)
    {
        int[] sa = a.Value.ShapeArray(), sb = b.Value.ShapeArray();
        return Var.Record(TensorMath.Binary(BinaryOp.Divide, a.Value, b.Value), "div", [a, b],
            (g, s) => [
                a.RequiresGrad ? SumTo(g / s.Input(1), sa) : null,
                b.RequiresGrad ? SumTo(Neg(g * s.Output / s.Input(1)), sb) : null]);
    }

    /// <summary>a ^ b elementwise (broadcasting); the gradient in b needs a &gt; 0.</summary>
    public static Var Pow(Var a, Var b)
    {
        int[] sa = a.Value.ShapeArray(), sb = b.Value.ShapeArray();
        return Var.Record(TensorMath.Binary(BinaryOp.Pow, a.Value, b.Value), "pow", [a, b],
            (g, s) =>
            {
                // d/da a^b = b a^(b-1), exactly 0 where b = 0 (0 * 0^-1 would be NaN at a = 0);
                // d/db a^b = a^b ln a, taken as its limit 0 where a = 0 (a^b ln a -> 0 as a -> 0+; ln 0 would give NaN or -inf)
                var ga = a.RequiresGrad ? SumTo(Where(TensorMath.Map(s.Input(1).Value, v => v == 0 ? 1 : 0), Var.Constant(Tensor.Zeros(g.Value.ShapeArray())),
                    g * s.Input(1) * Pow(s.Input(0), s.Input(1) - 1.0)), sa) : null;
                var gb = b.RequiresGrad ? SumTo(Where(TensorMath.Map(s.Input(0).Value, v => v == 0 ? 1 : 0), Var.Constant(Tensor.Zeros(g.Value.ShapeArray())),
                    g * s.Output * Log(s.Input(0))), sb) : null;
                return [ga, gb];
            });
    }

    /// <summary>a ^ p for a constant exponent.</summary>
    public static Var Pow(Var a, double p)
    {
        if (p == 1) return a;
        // x^0 = 1 with derivative 0 at every x, 0 included (p x^(p-1) would be 0 * inf there)
        if (p == 0) return Var.Record(Tensor.Ones(a.Value.ShapeArray()), "pow_scalar", [a], (g, s) => [Scale(g, 0)]);
        var value = p == 2 ? TensorMath.Unary(UnaryOp.Square, a.Value) : TensorMath.Binary(BinaryOp.Pow, a.Value, Tensor.Scalar(p));
        return Var.Record(value, "pow_scalar", [a], (g, s) => [g * (p * Pow(s.Input(0), p - 1))]);
    }

    /// <summary>a * c for a constant scalar c.</summary>
    public static Var Scale(Var a, double c) =>
        Var.Record(TensorMath.Scale(a.Value, c), "scale", [a], (g, s) => [Scale(g, c)]);

    /// <summary>a + c for a constant scalar c.</summary>
    public static Var AddScalar(Var a, double c) =>
        Var.Record(TensorMath.Binary(BinaryOp.Add, a.Value, Tensor.Scalar(c)), "add_scalar", [a], (g, s) => [g]);

    // ---------- unary ----------

    private static Var Unary(UnaryOp op, Var a, string name, Func<Var, BackwardScope, Var> rule) =>
        Var.Record(TensorMath.Unary(op, a.Value), name, [a], (g, s) => [rule(g, s)]);

    /// <summary>-a.</summary>
    public static Var Neg(Var a) => Unary(UnaryOp.Negate, a, "neg", (g, s) => Neg(g));

    /// <summary>exp(a).</summary>
    public static Var Exp(Var a) => Unary(UnaryOp.Exp, a, "exp", (g, s) => g * s.Output);

    /// <summary>ln(a).</summary>
    public static Var Log(Var a) => Unary(UnaryOp.Log, a, "log", (g, s) => g / s.Input(0));

    /// <summary>ln(1 + a).</summary>
    public static Var Log1p(Var a) => Unary(UnaryOp.Log1p, a, "log1p", (g, s) => g / (s.Input(0) + 1.0));

    /// <summary>sqrt(a).</summary>
    public static Var Sqrt(Var a) => Unary(UnaryOp.Sqrt, a, "sqrt", (g, s) => Scale(g / s.Output, 0.5));

    /// <summary>|a|; the derivative at 0 is taken as 0.</summary>
    public static Var Abs(Var a) => Unary(UnaryOp.Abs, a, "abs", (g, s) => g * Sign(s.Input(0)));

    /// <summary>sign(a) as a constant (its derivative is zero almost everywhere).</summary>
    public static Var Sign(Var a) => Var.Constant(TensorMath.Unary(UnaryOp.Sign, a.Value));

    // the derivatives of tanh, sigmoid and SiLU use sigma(-x) for 1 - sigma(x) and 4 sigma(2x) sigma(-2x) for
    // 1 - tanh(x)^2: the same values without the cancellation that loses their relative accuracy in the tails
    // (1 - sigma(40) is 0 in doubles, sigma(-40) is 4.2e-18)

    /// <summary>tanh(a).</summary>
    public static Var Tanh(Var a) => Unary(UnaryOp.Tanh, a, "tanh", (g, s) =>
    {
        var x2 = Scale(s.Input(0), 2);
        return g * Scale(Sigmoid(x2) * Sigmoid(Neg(x2)), 4);
    });

    /// <summary>The logistic sigmoid.</summary>
    public static Var Sigmoid(Var a) => Unary(UnaryOp.Sigmoid, a, "sigmoid", (g, s) => g * s.Output * Sigmoid(Neg(s.Input(0))));

    /// <summary>SiLU (swish): a sigmoid(a).</summary>
    public static Var Silu(Var a) => Unary(UnaryOp.Silu, a, "silu", (g, s) =>
    {
        var x = s.Input(0);
        return g * (Sigmoid(x) * (1.0 + x * Sigmoid(Neg(x))));
    });

    /// <summary>Softplus: ln(1 + exp(a)).</summary>
    public static Var Softplus(Var a) => Unary(UnaryOp.Softplus, a, "softplus", (g, s) => g * Sigmoid(s.Input(0)));

    /// <summary>GELU (exact form a Phi(a)).</summary>
    public static Var Gelu(Var a) => Unary(UnaryOp.Gelu, a, "gelu", (g, s) =>
    {
        var x = s.Input(0);
        var pdf = Exp(Scale(Square(x), -0.5)) * (1 / Math.Sqrt(2 * Math.PI));
        return g * (NormalCdf(x) + x * pdf);
    });

    /// <summary>The standard normal CDF Phi(a) = erfc(-a / sqrt 2) / 2 (accurate in the lower tail, like GELU's forward).</summary>
    public static Var NormalCdf(Var a) => Var.Record(TensorMath.Map(a.Value, TensorMath.NormalCdf), "normal_cdf", [a], (g, s) =>
        [g * (Exp(Scale(Square(s.Input(0)), -0.5)) * (1 / Math.Sqrt(2 * Math.PI)))]);

    /// <summary>atan(a).</summary>
    public static Var Atan(Var a) => Unary(UnaryOp.Atan, a, "atan", (g, s) => g / (1.0 + Square(s.Input(0))));

    /// <summary>The error function.</summary>
    public static Var Erf(Var a) => Unary(UnaryOp.Erf, a, "erf", (g, s) =>
        g * Scale(Exp(Neg(Square(s.Input(0)))), 2 / Math.Sqrt(Math.PI)));

    /// <summary>a * a.</summary>
    public static Var Square(Var a) => Unary(UnaryOp.Square, a, "square", (g, s) => g * Scale(s.Input(0), 2));

    /// <summary>1 / a.</summary>
    public static Var Reciprocal(Var a) => Unary(UnaryOp.Reciprocal, a, "reciprocal", (g, s) => Neg(g * Square(s.Output)));

    /// <summary>
    /// Elementwise selection by a constant mask (non-zero: a, zero: b), with broadcasting. The gradient of the
    /// branch not taken is exactly zero. For a branch that is not finite where it is not taken (sqrt or log at 0),
    /// use the "double where": feed that branch a safe input, <c>Where(m, f(Where(m, x, safe)), other)</c>, so that
    /// no NaN reaches the gradient.
    /// </summary>
    public static Var Where(Tensor mask, Var a, Var b)
    {
        int[] sa = a.Value.ShapeArray(), sb = b.Value.ShapeArray();
        var value = TensorMath.Where(mask, a.Value, b.Value);
        var zeros = Var.Constant(Tensor.Zeros(value.ShapeArray()));
        return Var.Record(value, "where", [a, b], (g, s) => [
            a.RequiresGrad ? SumTo(Where(mask, g, zeros), sa) : null,
            b.RequiresGrad ? SumTo(Where(mask, zeros, g), sb) : null]);
    }
}

public static partial class Op
{
    /// <summary>
    /// Records a custom operation defined elsewhere (a physics-specific op, say): its value, computed by the caller,
    /// and its derivative rule, which must be written with <see cref="Op"/> operations (through the scope) for
    /// higher derivatives to work. Returns a constant when no input needs a gradient.
    /// </summary>
    public static Var Custom(Tensor value, string name, Var[] inputs, BackwardRule rule)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(rule);
        return Var.Record(value, name, inputs, rule);
    }
}
