using Qex.Quantum.Circuits;
using Qex.Quantum.Observables;

namespace Qex.Quantum.Simulation;

/// <summary>
/// Something that gives the outcome distribution of measuring every qubit in the eigenbasis of a Pauli string
/// (qubits under X measured after H, under Y after S^dag then H, the others in Z), before readout error.
/// </summary>
public interface IMeasurementSource
{
    /// <summary>The circuit.</summary>
    Circuit Circuit { get; }

    /// <summary>Outcome probabilities per circuit of the batch: [b][outcome], outcome over all n qubits.</summary>
    double[][] OutcomeProbabilities(CircuitArguments args, GateShift? shift, PauliString basis);
}
