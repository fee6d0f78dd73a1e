using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Differentiation;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Autodiff;

/// <summary>
/// A circuit-plus-observable evaluator with the derivatives the autodiff ops need: values, per-circuit Jacobians
/// and (where available) per-circuit Hessian-vector products.
/// </summary>
public interface IDifferentiableCircuit
{
    /// <summary>The circuit.</summary>
    Circuit Circuit { get; }

    /// <summary>True when <see cref="HessianVectorProduct"/> is available (second derivatives).</summary>
    bool HasSecondDerivatives { get; }

    /// <summary>Expectation values, shape (B).</summary>
    Tensor Values(CircuitArguments args);

    /// <summary>Values and per-circuit first derivatives (those not wanted may be left zero).</summary>
    CircuitDerivatives Jacobian(CircuitArguments args, bool parameters = true, bool inputs = true);

    /// <summary>Per-circuit Hessian-vector products.</summary>
    CircuitDerivatives HessianVectorProduct(CircuitArguments args, CircuitDirection direction);
}

/// <summary>Exact statevector evaluation: adjoint Jacobians, tangent-adjoint Hessian-vector products.</summary>
/// <param name="Simulator">The simulator.</param>
public sealed record ExactCircuit(StatevectorSimulator Simulator) : IDifferentiableCircuit
{
    /// <inheritdoc />
    public Circuit Circuit => Simulator.Circuit;

    /// <inheritdoc />
    public bool HasSecondDerivatives => true;

    /// <inheritdoc />
    public Tensor Values(CircuitArguments args) => Simulator.Expectation(args);

    /// <inheritdoc />
    public CircuitDerivatives Jacobian(CircuitArguments args, bool parameters = true, bool inputs = true) => Simulator.Gradient(args);

    /// <inheritdoc />
    public CircuitDerivatives HessianVectorProduct(CircuitArguments args, CircuitDirection direction) => Simulator.HessianVectorProduct(args, direction);
}

/// <summary>
/// Evaluation by any estimator (noisy density matrix, finite shots): parameter-shift Jacobians. Second derivatives
/// are not available (a parameter-shift Hessian costs a number of evaluations quadratic in the gate count).
/// </summary>
/// <param name="Estimator">The estimator.</param>
public sealed record EstimatedCircuit(IExpectationEstimator Estimator) : IDifferentiableCircuit
{
    /// <inheritdoc />
    public Circuit Circuit => Estimator.Circuit;

    /// <inheritdoc />
    public bool HasSecondDerivatives => false;

    /// <inheritdoc />
    public Tensor Values(CircuitArguments args) => Estimator.Estimate(args);

    /// <inheritdoc />
    public CircuitDerivatives Jacobian(CircuitArguments args, bool parameters = true, bool inputs = true) => ParameterShift.Gradient(Estimator, args, parameters, inputs);

    /// <inheritdoc />
    public CircuitDerivatives HessianVectorProduct(CircuitArguments args, CircuitDirection direction) =>
        throw new NotSupportedException("Second derivatives of noisy or finite-shot circuit estimates are not available (training through v_xc needs them): train with exact statevector circuits and evaluate under noise.");
}
