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
            (g, s) => [
                a.RequiresGrad ? SumTo(g * s.Input(1) * Pow(s.Input(0), s.Input(1) - 1.0), sa) : null,
                b.RequiresGrad ? SumTo(g * s.Output * Log(s.Input(0)), sb) : null]);
    }

    /// <summary>a ^ p for a constant exponent.</summary>
    public static Var Pow(Var a, double p)
    {
        if (p == 1) return a;
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

    /// <summary>tanh(a).</summary>
    public static Var Tanh(Var a) => Unary(UnaryOp.Tanh, a, "tanh", (g, s) => g * (1.0 - Square(s.Output)));

    /// <summary>The logistic sigmoid.</summary>
    public static Var Sigmoid(Var a) => Unary(UnaryOp.Sigmoid, a, "sigmoid", (g, s) => g * s.Output * (1.0 - s.Output));

    /// <summary>SiLU (swish): a sigmoid(a).</summary>
    public static Var Silu(Var a) => Unary(UnaryOp.Silu, a, "silu", (g, s) =>
    {
        var x = s.Input(0);
        var sig = Sigmoid(x);
        return g * (sig * (1.0 + x * (1.0 - sig)));
    });

    /// <summary>Softplus: ln(1 + exp(a)).</summary>
    public static Var Softplus(Var a) => Unary(UnaryOp.Softplus, a, "softplus", (g, s) => g * Sigmoid(s.Input(0)));

    /// <summary>GELU (exact form a Phi(a)).</summary>
    public static Var Gelu(Var a) => Unary(UnaryOp.Gelu, a, "gelu", (g, s) =>
    {
        var x = s.Input(0);
        var cdf = 0.5 * (1.0 + Erf(x * (1 / Math.Sqrt(2))));
        var pdf = Exp(Scale(Square(x), -0.5)) * (1 / Math.Sqrt(2 * Math.PI));
        return g * (cdf + x * pdf);
    });

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
