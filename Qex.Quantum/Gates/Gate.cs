using System.Collections.Immutable;
using System.Numerics;

namespace Qex.Quantum.Gates;

/// <summary>
/// One gate of a circuit: its kind, the qubits it acts on (control first for controlled gates), its angle for the
/// rotation-type gates, its matrix for the arbitrary-matrix gates. Immutable.
/// </summary>
/// <remarks>
/// Conventions (Qadence): <c>R_P(theta) = cos(theta/2) I - i sin(theta/2) P</c>; <c>PHASE(phi) = diag(1, e^{i phi})</c>;
/// controlled gates act with their target matrix where the control qubit is |1&gt;. Qubit 0 is the most significant
/// bit of a basis-state index.
/// </remarks>
public sealed class Gate
{
    private static readonly Dictionary<string, GateKind> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["h"] = GateKind.H, ["x"] = GateKind.X, ["y"] = GateKind.Y, ["z"] = GateKind.Z, ["s"] = GateKind.S, ["sdg"] = GateKind.Sdg,
        ["t"] = GateKind.T, ["tdg"] = GateKind.Tdg, ["rx"] = GateKind.RX, ["ry"] = GateKind.RY, ["rz"] = GateKind.RZ,
        ["phase"] = GateKind.Phase, ["p"] = GateKind.Phase, ["cnot"] = GateKind.CNOT, ["cx"] = GateKind.CNOT, ["cz"] = GateKind.CZ,
        ["crx"] = GateKind.CRX, ["cry"] = GateKind.CRY, ["crz"] = GateKind.CRZ, ["cphase"] = GateKind.CPhase, ["cp"] = GateKind.CPhase,
        ["swap"] = GateKind.Swap,
    };

    private Gate(GateKind kind, ImmutableArray<int> qubits, Angle? angle, Complex[,]? matrix)
    {
        Kind = kind;
        Qubits = qubits;
        Angle = angle;
        Matrix = matrix;
    }

    /// <summary>The gate names accepted by <see cref="Create(string, IReadOnlyList{int}, Angle?)"/>.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>The kind.</summary>
    public GateKind Kind { get; }

    /// <summary>The qubits (control first for controlled gates).</summary>
    public ImmutableArray<int> Qubits { get; }

    /// <summary>The angle of a rotation-type gate (null for fixed gates).</summary>
    public Angle? Angle { get; }

    /// <summary>The matrix of an arbitrary-matrix gate (a copy is kept; null otherwise).</summary>
    internal Complex[,]? Matrix { get; }

    /// <summary>True for gates with an angle.</summary>
    public bool IsRotation => Kind is GateKind.RX or GateKind.RY or GateKind.RZ or GateKind.Phase or GateKind.CRX or GateKind.CRY or GateKind.CRZ or GateKind.CPhase;

    /// <summary>True for gates whose angle depends on a parameter or an input.</summary>
    public bool IsDifferentiable => Angle is { Source: not AngleSource.Constant };

    /// <summary>True for the controlled gates (one control qubit, listed first).</summary>
    public bool IsControlled => Kind is GateKind.CNOT or GateKind.CZ or GateKind.CRX or GateKind.CRY or GateKind.CRZ or GateKind.CPhase;

    /// <summary>The number of qubits the gate acts on.</summary>
    public int Arity => Kind is GateKind.Unitary2 or GateKind.Swap || IsControlled ? 2 : 1;

    /// <summary>A gate by name (h, x, y, z, s, sdg, t, tdg, rx, ry, rz, phase, cnot, cz, crx, cry, crz, cphase, swap).</summary>
    /// <exception cref="ArgumentException">Unknown name, wrong number of qubits, repeated qubit, missing or superfluous angle.</exception>
    public static Gate Create(string name, IReadOnlyList<int> qubits, Angle? angle = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ByName.TryGetValue(name.Trim(), out var kind))
            throw new ArgumentException($"Unknown gate '{name}'; known gates: {string.Join(", ", ByName.Keys.Order())} (and arbitrary matrices via Gate.Unitary).");
        return Create(kind, qubits, angle);
    }

    /// <summary>The kind of a gate name.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static GateKind KindOf(string name) =>
        ByName.TryGetValue((name ?? throw new ArgumentNullException(nameof(name))).Trim(), out var k) ? k
        : throw new ArgumentException($"Unknown gate '{name}'; known gates: {string.Join(", ", ByName.Keys.Order())}.");

    /// <summary>A gate by kind.</summary>
    /// <exception cref="ArgumentException">Wrong number of qubits, repeated or negative qubit, missing or superfluous angle.</exception>
    public static Gate Create(GateKind kind, IReadOnlyList<int> qubits, Angle? angle = null)
    {
        if (kind is GateKind.Unitary1 or GateKind.Unitary2) throw new ArgumentException("Arbitrary-matrix gates are made with Gate.Unitary.");
        var g = new Gate(kind, [.. qubits], angle, null);
        if (qubits.Count != g.Arity) throw new ArgumentException($"Gate {kind} acts on {g.Arity} qubit(s); got {qubits.Count}.");
        CheckQubits(qubits);
        if (g.IsRotation && angle is null) throw new ArgumentException($"Gate {kind} needs an angle.");
        if (!g.IsRotation && angle is not null) throw new ArgumentException($"Gate {kind} takes no angle.");
        return g;
    }

    /// <summary>An arbitrary 1- or 2-qubit unitary (2x2 or 4x4; for two qubits the first is the most significant).</summary>
    /// <exception cref="ArgumentException">Wrong size for the number of qubits, or a matrix that is not unitary (to 1e-10).</exception>
    public static Gate Unitary(Complex[,] matrix, IReadOnlyList<int> qubits)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int k = qubits.Count;
        if (k is < 1 or > 2) throw new ArgumentException($"Arbitrary-matrix gates act on 1 or 2 qubits; got {k}.");
        int d = 1 << k;
        if (matrix.GetLength(0) != d || matrix.GetLength(1) != d)
            throw new ArgumentException($"A {k}-qubit gate needs a {d}x{d} matrix; got {matrix.GetLength(0)}x{matrix.GetLength(1)}.");
        CheckQubits(qubits);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                Complex s = 0;
                for (int r = 0; r < d; r++) s += Complex.Conjugate(matrix[r, i]) * matrix[r, j];
                if ((s - (i == j ? 1 : 0)).Magnitude > 1e-10) throw new ArgumentException($"The {d}x{d} gate matrix is not unitary (U^dag U differs from I by {(s - (i == j ? 1 : 0)).Magnitude:E2} at ({i},{j})).");
            }
        return new Gate(k == 1 ? GateKind.Unitary1 : GateKind.Unitary2, [.. qubits], null, (Complex[,])matrix.Clone());
    }

    private static void CheckQubits(IReadOnlyList<int> qubits)
    {
        foreach (int q in qubits) if (q < 0) throw new ArgumentException($"Qubit index {q} is negative.");
        if (qubits.Distinct().Count() != qubits.Count) throw new ArgumentException($"A gate acts on distinct qubits; got [{string.Join(", ", qubits)}].");
    }

    /// <summary>The 2x2 matrix on the target qubit (for 1-qubit and controlled gates) at angle <paramref name="theta"/>.</summary>
    internal Mat2 TargetMatrix(double theta)
    {
        double c = Math.Cos(theta / 2), s = Math.Sin(theta / 2), r = Math.Sqrt(0.5);
        return Kind switch
        {
            GateKind.H => new Mat2(r, 0, r, 0, r, 0, -r, 0),
            GateKind.X or GateKind.CNOT => new Mat2(0, 0, 1, 0, 1, 0, 0, 0),
            GateKind.Y => new Mat2(0, 0, 0, -1, 0, 1, 0, 0),
            GateKind.Z or GateKind.CZ => new Mat2(1, 0, 0, 0, 0, 0, -1, 0),
            GateKind.S => new Mat2(1, 0, 0, 0, 0, 0, 0, 1),
            GateKind.Sdg => new Mat2(1, 0, 0, 0, 0, 0, 0, -1),
            GateKind.T => new Mat2(1, 0, 0, 0, 0, 0, r, r),
            GateKind.Tdg => new Mat2(1, 0, 0, 0, 0, 0, r, -r),
            GateKind.RX or GateKind.CRX => new Mat2(c, 0, 0, -s, 0, -s, c, 0),
            GateKind.RY or GateKind.CRY => new Mat2(c, 0, -s, 0, s, 0, c, 0),
            GateKind.RZ or GateKind.CRZ => new Mat2(c, -s, 0, 0, 0, 0, c, s),
            GateKind.Phase or GateKind.CPhase => new Mat2(1, 0, 0, 0, 0, 0, Math.Cos(theta), Math.Sin(theta)),
            GateKind.Unitary1 => Mat2.From(Matrix![0, 0], Matrix[0, 1], Matrix[1, 0], Matrix[1, 1]),
            _ => throw new InvalidOperationException($"Gate {Kind} has no 2x2 target matrix."),
        };
    }

    /// <summary>
    /// The generator G of a rotation on its target, <c>dU/dtheta = G U</c> (anti-Hermitian): -(i/2) P for Pauli rotations,
    /// diag(0, i) for PHASE; for controlled rotations the same on the control-|1&gt; subspace (zero elsewhere).
    /// </summary>
    internal Mat2 Generator() => Kind switch
    {
        GateKind.RX or GateKind.CRX => new Mat2(0, 0, 0, -0.5, 0, -0.5, 0, 0),
        GateKind.RY or GateKind.CRY => new Mat2(0, 0, -0.5, 0, 0.5, 0, 0, 0),
        GateKind.RZ or GateKind.CRZ => new Mat2(0, -0.5, 0, 0, 0, 0, 0, 0.5),
        GateKind.Phase or GateKind.CPhase => new Mat2(0, 0, 0, 0, 0, 0, 0, 1),
        _ => throw new InvalidOperationException($"Gate {Kind} has no angle."),
    };

    /// <summary>The 4x4 matrix of SWAP or an arbitrary 2-qubit gate.</summary>
    internal Complex[,] Matrix4() => Kind switch
    {
        GateKind.Swap => new Complex[,] { { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 1, 0, 0 }, { 0, 0, 0, 1 } },
        GateKind.Unitary2 => Matrix!,
        _ => throw new InvalidOperationException($"Gate {Kind} has no 4x4 matrix."),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Kind}({string.Join(",", Qubits)}{(Angle is { } a ? $"; {a}" : "")})";
}
