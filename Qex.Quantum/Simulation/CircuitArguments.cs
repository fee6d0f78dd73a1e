using Qex.Core.Tensors;
using Qex.Quantum.Circuits;

namespace Qex.Quantum.Simulation;

/// <summary>
/// What a batch of circuit evaluations needs: the shared parameters (P), the inputs of every circuit (B, nIn) and,
/// for amplitude encoding, the real initial amplitudes of every circuit (B, 2^n) (null: start in |0...0&gt;).
/// </summary>
/// <param name="Parameters">Shape (P).</param>
/// <param name="Inputs">Shape (B, nIn); (B, 0) for circuits without inputs.</param>
/// <param name="InitialAmplitudes">Shape (B, 2^n) or null.</param>
public sealed record CircuitArguments(Tensor Parameters, Tensor Inputs, Tensor? InitialAmplitudes = null)
{
    /// <summary>The number of circuits in the batch.</summary>
    public int Batch => Inputs.Dim(0);

    /// <summary>One circuit without inputs.</summary>
    public static CircuitArguments Single(params double[] parameters) => new(Tensor.Wrap(parameters, parameters.Length), Tensor.Zeros(1, 0));

    /// <summary>Checks the shapes against a circuit.</summary>
    /// <exception cref="ArgumentException">A shape that does not fit the circuit, or a non-finite value.</exception>
    public void Validate(Circuit circuit)
    {
        if (Parameters.Rank != 1 || Parameters.Length != circuit.ParameterCount)
            throw new ArgumentException($"The circuit has {circuit.ParameterCount} parameters; got a parameter tensor of shape {ShapeUtil.Format(Parameters.Shape)}.");
        if (Inputs.Rank != 2 || Inputs.Dim(1) != circuit.InputCount || Inputs.Dim(0) < 1)
            throw new ArgumentException($"The circuit takes inputs of shape (batch, {circuit.InputCount}); got {ShapeUtil.Format(Inputs.Shape)}.");
        if (InitialAmplitudes is { } a && (a.Rank != 2 || a.Dim(0) != Batch || a.Dim(1) != circuit.Dimension))
            throw new ArgumentException($"Initial amplitudes must have shape ({Batch}, {circuit.Dimension}); got {ShapeUtil.Format(a.Shape)}.");
        foreach (double v in Parameters.Span) if (!double.IsFinite(v)) throw new ArgumentException("A circuit parameter is not finite.");
        foreach (double v in Inputs.Span) if (!double.IsFinite(v)) throw new ArgumentException("A circuit input is not finite.");
    }
}

/// <summary>
/// Per-circuit derivatives of the expectation values: with respect to the parameters (B, P), the inputs (B, nIn) and
/// the initial amplitudes (B, 2^n) when amplitude-encoded; plus the values (B).
/// </summary>
/// <param name="Values">The expectation values, shape (B).</param>
/// <param name="Parameters">d f_b / d theta_p, shape (B, P).</param>
/// <param name="Inputs">d f_b / d x_(b,i), shape (B, nIn).</param>
/// <param name="InitialAmplitudes">d f_b / d a_(b,j), shape (B, 2^n), or null.</param>
public sealed record CircuitDerivatives(Tensor Values, Tensor Parameters, Tensor Inputs, Tensor? InitialAmplitudes);

/// <summary>
/// A direction for Hessian-vector products, per circuit: parameters (B, P), inputs (B, nIn), initial amplitudes
/// (B, 2^n) or null.
/// </summary>
/// <param name="Parameters">Shape (B, P).</param>
/// <param name="Inputs">Shape (B, nIn).</param>
/// <param name="InitialAmplitudes">Shape (B, 2^n) or null.</param>
public sealed record CircuitDirection(Tensor Parameters, Tensor Inputs, Tensor? InitialAmplitudes = null);
