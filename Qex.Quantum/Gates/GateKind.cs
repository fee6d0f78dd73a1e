namespace Qex.Quantum.Gates;

/// <summary>The gates of the emulator. Controlled gates list the control qubit first.</summary>
public enum GateKind
{
    /// <summary>Hadamard.</summary>
    H,
    /// <summary>Pauli X.</summary>
    X,
    /// <summary>Pauli Y.</summary>
    Y,
    /// <summary>Pauli Z.</summary>
    Z,
    /// <summary>Phase gate diag(1, i).</summary>
    S,
    /// <summary>diag(1, -i).</summary>
    Sdg,
    /// <summary>diag(1, e^{i pi/4}).</summary>
    T,
    /// <summary>diag(1, e^{-i pi/4}).</summary>
    Tdg,
    /// <summary>RX(theta) = exp(-i theta X / 2).</summary>
    RX,
    /// <summary>RY(theta) = exp(-i theta Y / 2).</summary>
    RY,
    /// <summary>RZ(theta) = exp(-i theta Z / 2).</summary>
    RZ,
    /// <summary>PHASE(phi) = diag(1, e^{i phi}).</summary>
    Phase,
    /// <summary>Controlled NOT (control, target).</summary>
    CNOT,
    /// <summary>Controlled Z.</summary>
    CZ,
    /// <summary>Controlled RX.</summary>
    CRX,
    /// <summary>Controlled RY.</summary>
    CRY,
    /// <summary>Controlled RZ.</summary>
    CRZ,
    /// <summary>Controlled PHASE.</summary>
    CPhase,
    /// <summary>SWAP of two qubits.</summary>
    Swap,
    /// <summary>An arbitrary unitary on one qubit (2x2 matrix).</summary>
    Unitary1,
    /// <summary>An arbitrary unitary on two qubits (4x4 matrix, first qubit most significant).</summary>
    Unitary2,
}
