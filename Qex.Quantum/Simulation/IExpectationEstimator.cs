using Qex.Core.Tensors;
using Qex.Quantum.Circuits;

namespace Qex.Quantum.Simulation;

/// <summary>A shift added to the angle of one rotation gate (for parameter-shift rules).</summary>
/// <param name="Gate">Index of the gate in the circuit.</param>
/// <param name="Angle">The shift, in radians.</param>
public readonly record struct GateShift(int Gate, double Angle);

/// <summary>
/// Anything that estimates the expectation values of a batch of circuits: exact statevector, finite shots, noisy
/// density matrix. Parameter-shift gradients work with every estimator.
/// </summary>
public interface IExpectationEstimator
{
    /// <summary>The circuit.</summary>
    Circuit Circuit { get; }

    /// <summary>The estimated expectation value of every circuit, shape (B), optionally with one angle shifted.</summary>
    Tensor Estimate(CircuitArguments args, GateShift? shift = null);
}
