using Qex.Core.Tensors;

namespace Qex.Autodiff;

/// <summary>
/// The derivative rule of one recorded operation: given the gradient flowing into the operation's output, return
/// the gradient for each of its inputs (null where an input needs none). Rules are written with <see cref="Var"/>
/// operations, so the backward pass can itself be recorded and differentiated again.
/// </summary>
/// <param name="grad">Gradient with respect to the operation's output (same shape as the output).</param>
/// <param name="scope">Gives the inputs and any saved values, detached unless a differentiable backward is requested.</param>
public delegate Var?[] BackwardRule(Var grad, BackwardScope scope);

/// <summary>
/// A node of the computation graph: an immutable tensor value, plus, for values computed from differentiable
/// inputs, the inputs and the derivative rule of the operation that made it.
/// </summary>
/// <remarks>
/// The graph is the tape: every operation on a <see cref="Var"/> that needs a gradient records its inputs and its
/// <see cref="BackwardRule"/>. Operations on constants record nothing. There is no global state: gradients are
/// computed by <see cref="Grad"/> from any output back to any inputs.
/// </remarks>
public sealed class Var
{
    private Var? _detached;

    internal Var(Tensor value, bool requiresGrad, Var[]? inputs, BackwardRule? rule, string? opName)
    {
        Value = value;
        RequiresGrad = requiresGrad;
        Inputs = inputs ?? [];
        Rule = rule;
        OpName = opName;
        int g = 0;
        foreach (var v in Inputs) if (v.Generation >= g) g = v.Generation + 1;
        Generation = g;
    }

    /// <summary>
    /// 0 for leaves, else 1 + the largest generation of the inputs. A node can depend on another only if its
    /// generation is larger, which lets <see cref="Grad"/> skip subgraphs that cannot reach the requested inputs.
    /// </summary>
    internal int Generation { get; }

    /// <summary>The value.</summary>
    public Tensor Value { get; }

    /// <summary>True for parameters and for values computed from them: gradients can flow to and through it.</summary>
    public bool RequiresGrad { get; }

    /// <summary>Name of the operation that produced this value (null for leaves).</summary>
    public string? OpName { get; }

    internal Var[] Inputs { get; }

    internal BackwardRule? Rule { get; }

    /// <summary>The shape of the value.</summary>
    public ReadOnlySpan<int> Shape => Value.Shape;

    /// <summary>The rank of the value.</summary>
    public int Rank => Value.Rank;

    /// <summary>The number of elements.</summary>
    public int Length => Value.Length;

    /// <summary>Length of an axis.</summary>
    public int Dim(int axis) => Value.Dim(axis);

    /// <summary>A differentiable leaf: gradients with respect to it can be requested.</summary>
    public static Var Parameter(Tensor value) => new(value ?? throw new ArgumentNullException(nameof(value)), true, null, null, null);

    /// <summary>A constant: no gradient flows into it.</summary>
    public static Var Constant(Tensor value) => new(value ?? throw new ArgumentNullException(nameof(value)), false, null, null, null);

    /// <summary>A scalar constant.</summary>
    public static Var Constant(double value) => Constant(Tensor.Scalar(value));

    /// <summary>The same value as a constant, cut from the graph (cached).</summary>
    public Var Detach() => RequiresGrad ? _detached ??= Constant(Value) : this;

    /// <summary>The single value of a one-element variable.</summary>
    public double ToScalar() => Value.ToScalar();

    /// <summary>Records an operation: a constant result when no input requires a gradient.</summary>
    internal static Var Record(Tensor value, string opName, Var[] inputs, BackwardRule rule)
    {
        bool derivative = false;
        foreach (var v in inputs)
        {
            if (v.RequiresGrad) return new Var(value, true, inputs, rule, opName);
            derivative |= v.ConstantDerivative;
        }
        return new Var(value, false, null, null, opName) { ConstantDerivative = derivative };
    }

    /// <summary>
    /// True for a constant that is (a function of) a derivative taken with createGraph that came out constant (the
    /// derivative of a linear function): differentiating it again gives zeros, while differentiating any other
    /// constant is an error (<see cref="Grad.Compute"/>).
    /// </summary>
    internal bool ConstantDerivative { get; init; }

    /// <summary>A constant marked as a constant derivative.</summary>
    internal static Var ConstantDerivativeOf(Tensor value, string? opName) => new(value, false, null, null, opName) { ConstantDerivative = true };

    /// <inheritdoc />
    public override string ToString() => $"Var({OpName ?? (RequiresGrad ? "parameter" : "constant")}, {Value})";

    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Var operator +(Var a, Var b) => Op.Add(a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Var operator -(Var a, Var b) => Op.Sub(a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Var operator *(Var a, Var b) => Op.Mul(a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Var operator /(Var a, Var b) => Op.Div(a, b);

    /// <summary>Negation.</summary>
    public static Var operator -(Var a) => Op.Neg(a);

    /// <summary>Adds a scalar.</summary>
    public static Var operator +(Var a, double b) => Op.AddScalar(a, b);

    /// <summary>Adds a scalar.</summary>
    public static Var operator +(double a, Var b) => Op.AddScalar(b, a);

    /// <summary>Subtracts a scalar.</summary>
    public static Var operator -(Var a, double b) => Op.AddScalar(a, -b);

    /// <summary>Scalar minus a variable.</summary>
    public static Var operator -(double a, Var b) => Op.AddScalar(Op.Neg(b), a);

    /// <summary>Multiplies by a scalar.</summary>
    public static Var operator *(Var a, double b) => Op.Scale(a, b);

    /// <summary>Multiplies by a scalar.</summary>
    public static Var operator *(double a, Var b) => Op.Scale(b, a);

    /// <summary>Divides by a scalar.</summary>
    public static Var operator /(Var a, double b) => Op.Scale(a, 1.0 / b);

    /// <summary>Scalar divided by a variable.</summary>
    public static Var operator /(double a, Var b) => Op.Scale(Op.Reciprocal(b), a);
}

/// <summary>
/// What a <see cref="BackwardRule"/> sees: its operation's inputs and output, attached to the graph when the
/// backward pass is being recorded (for higher derivatives), detached constants otherwise.
/// </summary>
public sealed class BackwardScope
{
    private Var _node = null!;

    internal BackwardScope(bool createGraph) => CreateGraph = createGraph;

    /// <summary>True when the backward pass is itself recorded (so that it can be differentiated).</summary>
    public bool CreateGraph { get; }

    internal void Enter(Var node) => _node = node;

    /// <summary>Input <paramref name="i"/> of the operation.</summary>
    public Var Input(int i) => Use(_node.Inputs[i]);

    /// <summary>The operation's output.</summary>
    public Var Output => Use(_node);

    /// <summary>Any variable the rule saved (a sibling output, say), attached or detached like the inputs.</summary>
    public Var Use(Var v) => CreateGraph ? v : v.Detach();
}
