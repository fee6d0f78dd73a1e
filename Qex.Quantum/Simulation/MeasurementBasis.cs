using Qex.Quantum.Gates;
using Qex.Quantum.Observables;

namespace Qex.Quantum.Simulation;

/// <summary>The single-qubit rotations R that map a Pauli string's eigenbasis to the computational basis (P = R^dag Z... R).</summary>
internal static class MeasurementBasis
{
    private static readonly double R = Math.Sqrt(0.5);

    /// <summary>X: H. Y: H S^dag. Z, I: none.</summary>
    public static Mat2? Rotation(char pauli) => pauli switch
    {
        'X' => new Mat2(R, 0, R, 0, R, 0, -R, 0),
        'Y' => new Mat2(R, 0, 0, -R, R, 0, 0, R), // H * diag(1, -i)
        _ => null,
    };

    /// <summary>The eigenvalue sign mask: the bits of the qubits with a non-identity factor.</summary>
    public static long SignMask(PauliString term, int qubits)
    {
        long m = 0;
        foreach (var q in term.Operators.Keys) m |= 1L << (qubits - 1 - q);
        return m;
    }
}
