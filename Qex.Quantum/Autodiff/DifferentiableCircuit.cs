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
/// Evaluation by any estimator (noisy density matrix, quantum trajectories, finite shots): parameter-shift Jacobians
/// and second-order shift-rule Hessian-vector products (<see cref="ParameterShift.HessianVector"/>), exact for
/// density matrices and unbiased with shots. A product along the inputs only, what training through the XC
/// potential needs, costs about 4 x (input gates) x (differentiable gates) circuit evaluations; density matrices
/// of an encoding layer followed by the trained circuit take the analytic route instead
/// (<see cref="DensityMatrixSimulator.Gradient"/>: one batched backward sweep per parameter vector).
/// </summary>
/// <param name="Estimator">The estimator.</param>
public sealed record EstimatedCircuit(IExpectationEstimator Estimator) : IDifferentiableCircuit
{
    /// <inheritdoc />
    public Circuit Circuit => Estimator.Circuit;

    /// <inheritdoc />
    public bool HasSecondDerivatives => true;

    /// <inheritdoc />
    public Tensor Values(CircuitArguments args) => Estimator.Estimate(args);

    /// <inheritdoc />
    public CircuitDerivatives Jacobian(CircuitArguments args, bool parameters = true, bool inputs = true) =>
        Estimator is DensityMatrixSimulator dm && dm.HasAnalyticDerivatives(args) ? dm.Gradient(args, parameters, inputs) : ParameterShift.Gradient(Estimator, args, parameters, inputs);

    /// <inheritdoc />
    public CircuitDerivatives HessianVectorProduct(CircuitArguments args, CircuitDirection direction) =>
        Estimator is DensityMatrixSimulator dm && dm.HasAnalyticDerivatives(args) ? dm.HessianVectorProduct(args, direction) : ParameterShift.HessianVector(Estimator, args, direction);
}
