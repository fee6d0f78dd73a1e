using Qex.Core.Tensors;
using Qex.Quantum.Circuits;

namespace Qex.Quantum.Simulation;

/// <summary>
/// A shift added to the angle of one rotation gate, or of two (second-order parameter-shift rules; the two may be
/// the same gate, whose angle then moves by the sum).
/// </summary>
/// <param name="Gate">Index of the gate in the circuit.</param>
/// <param name="Angle">The shift, in radians.</param>
public readonly record struct GateShift(int Gate, double Angle)
{
    /// <summary>The second shifted gate (null: one gate is shifted).</summary>
    public int? SecondGate { get; init; }

    /// <summary>The shift of <see cref="SecondGate"/>, in radians.</summary>
    public double SecondAngle { get; init; }

    /// <summary>Shifts of two gates (the same gate twice adds the angles).</summary>
    public static GateShift Pair(int gate, double angle, int secondGate, double secondAngle) =>
        new(gate, angle) { SecondGate = secondGate, SecondAngle = secondAngle };

    /// <summary>The total shift of gate <paramref name="gate"/>'s angle.</summary>
    public double For(int gate) => (Gate == gate ? Angle : 0) + (SecondGate == gate ? SecondAngle : 0);

    /// <summary>The shifted gates (one or two).</summary>
    public IEnumerable<int> Gates => SecondGate is { } g ? [Gate, g] : [Gate];

    /// <summary>The part of this shift on the gates that <paramref name="keep"/> selects (null: none).</summary>
    public GateShift? Restrict(Func<int, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        bool first = keep(Gate), second = SecondGate is { } g && keep(g);
        return (first, second) switch
        {
            (true, true) => this,
            (true, false) => new GateShift(Gate, Angle),
            (false, true) => new GateShift(SecondGate!.Value, SecondAngle),
            _ => null,
        };
    }
}

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
