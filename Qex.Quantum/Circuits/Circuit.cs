using System.Collections.Immutable;
using Qex.Quantum.Gates;

namespace Qex.Quantum.Circuits;

/// <summary>
/// An immutable circuit on <see cref="QubitCount"/> qubits: gates in order, named trainable parameters and a number of
/// per-circuit inputs (encoded values). Qubit 0 is the most significant bit of a basis-state index (Qadence's
/// convention): on 2 qubits, |q0 q1&gt; = |1 0&gt; is index 2.
/// </summary>
public sealed class Circuit
{
    /// <summary>The largest number of qubits a circuit may have.</summary>
    public const int MaxQubits = 30;

    /// <summary>Creates a circuit and checks every gate against it.</summary>
    /// <exception cref="ArgumentException">A qubit index out of range, an angle referring to a missing parameter or input.</exception>
    public Circuit(int qubitCount, IEnumerable<Gate> gates, IEnumerable<string> parameterNames, int inputCount, IEnumerable<int>? layerEnds = null)
    {
        if (qubitCount is < 1 or > MaxQubits) throw new ArgumentException($"A circuit has 1 to {MaxQubits} qubits; got {qubitCount}.");
        if (inputCount < 0) throw new ArgumentException($"Negative input count {inputCount}.");
        QubitCount = qubitCount;
        Gates = [.. gates];
        ParameterNames = [.. parameterNames];
        InputCount = inputCount;
        LayerEnds = layerEnds is null ? [] : [.. layerEnds.Distinct().Order()];
        foreach (int e in LayerEnds)
            if (e < 0 || e >= Gates.Length) throw new ArgumentException($"Layer end {e} is not a gate index (0..{Gates.Length - 1}).");
        if (ParameterNames.Distinct().Count() != ParameterNames.Length) throw new ArgumentException("Circuit parameter names must be distinct.");
        for (int i = 0; i < Gates.Length; i++)
        {
            var g = Gates[i];
            foreach (int q in g.Qubits)
                if (q >= qubitCount) throw new ArgumentException($"Gate {i} ({g}) acts on qubit {q}, but the circuit has {qubitCount} qubits (0..{qubitCount - 1}).");
            if (g.Angle is { Source: AngleSource.Parameter } ap && (ap.Index < 0 || ap.Index >= ParameterNames.Length))
                throw new ArgumentException($"Gate {i} ({g}) refers to parameter {ap.Index}; the circuit has {ParameterNames.Length}.");
            if (g.Angle is { Source: AngleSource.Input } ai && (ai.Index < 0 || ai.Index >= inputCount))
                throw new ArgumentException($"Gate {i} ({g}) refers to input {ai.Index}; the circuit has {inputCount}.");
        }
    }

    /// <summary>The number of qubits.</summary>
    public int QubitCount { get; }

    /// <summary>Indices of the gates that end a layer (for noise applied per layer).</summary>
    public ImmutableArray<int> LayerEnds { get; }

    /// <summary>The gates, applied in order.</summary>
    public ImmutableArray<Gate> Gates { get; }

    /// <summary>The names of the trainable parameters (their order is the order of parameter vectors).</summary>
    public ImmutableArray<string> ParameterNames { get; }

    /// <summary>The number of trainable parameters.</summary>
    public int ParameterCount => ParameterNames.Length;

    /// <summary>The number of per-circuit inputs.</summary>
    public int InputCount { get; }

    /// <summary>The state dimension 2^n.</summary>
    public long Dimension => 1L << QubitCount;

    /// <summary>This circuit followed by <paramref name="other"/> (same qubit count; parameters merged by name, inputs shared by index).</summary>
    public Circuit Then(Circuit other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.QubitCount != QubitCount) throw new ArgumentException($"Cannot append a {other.QubitCount}-qubit circuit to a {QubitCount}-qubit one.");
        var names = ParameterNames.ToList();
        var map = new int[other.ParameterCount];
        for (int i = 0; i < other.ParameterCount; i++)
        {
            int j = names.IndexOf(other.ParameterNames[i]);
            if (j < 0) { j = names.Count; names.Add(other.ParameterNames[i]); }
            map[i] = j;
        }
        var gates = Gates.ToList();
        foreach (var g in other.Gates)
            gates.Add(g.Angle is { Source: AngleSource.Parameter } a ? Gate.Create(g.Kind, g.Qubits, a with { Index = map[a.Index] }) : g);
        return new Circuit(QubitCount, gates, names, Math.Max(InputCount, other.InputCount));
    }

    /// <inheritdoc />
    public override string ToString() => $"Circuit({QubitCount} qubits, {Gates.Length} gates, {ParameterCount} parameters, {InputCount} inputs)";
}

/// <summary>Builds a <see cref="Circuit"/> gate by gate (named parameters are created on first use).</summary>
public sealed class CircuitBuilder
{
    private readonly List<Gate> _gates = [];
    private readonly List<string> _names = [];
    private readonly List<int> _layerEnds = [];
    private int _inputs;

    /// <summary>Starts a circuit on <paramref name="qubitCount"/> qubits with <paramref name="inputCount"/> inputs.</summary>
    public CircuitBuilder(int qubitCount, int inputCount = 0)
    {
        if (qubitCount is < 1 or > Circuit.MaxQubits) throw new ArgumentException($"A circuit has 1 to {Circuit.MaxQubits} qubits; got {qubitCount}.");
        QubitCount = qubitCount;
        _inputs = inputCount;
    }

    /// <summary>The number of qubits.</summary>
    public int QubitCount { get; }

    /// <summary>The parameter of this name (created if new), times <paramref name="scale"/>.</summary>
    public Angle Parameter(string name, double scale = 1.0)
    {
        int i = _names.IndexOf(name);
        if (i < 0) { i = _names.Count; _names.Add(name); }
        return Angle.Parameter(i, scale);
    }

    /// <summary>Input <paramref name="index"/> times <paramref name="scale"/> (the input count grows to include it).</summary>
    public Angle Input(int index, double scale = 1.0)
    {
        if (index < 0) throw new ArgumentException($"Negative input index {index}.");
        _inputs = Math.Max(_inputs, index + 1);
        return Angle.Input(index, scale);
    }

    /// <summary>Appends a gate by name.</summary>
    public CircuitBuilder Add(string name, IReadOnlyList<int> qubits, Angle? angle = null) => Add(Gate.Create(name, qubits, angle));

    /// <summary>Appends a gate.</summary>
    public CircuitBuilder Add(Gate gate)
    {
        ArgumentNullException.ThrowIfNull(gate);
        foreach (int q in gate.Qubits)
            if (q >= QubitCount) throw new ArgumentException($"Gate {gate} acts on qubit {q}, but the circuit has {QubitCount} qubits (0..{QubitCount - 1}).");
        _gates.Add(gate);
        return this;
    }

    /// <summary>Appends a fixed 1-qubit gate.</summary>
    public CircuitBuilder Add(GateKind kind, params int[] qubits) => Add(Gate.Create(kind, qubits));

    /// <summary>Appends a rotation.</summary>
    public CircuitBuilder Rotation(GateKind kind, Angle angle, params int[] qubits) => Add(Gate.Create(kind, qubits, angle));

    /// <summary>Appends RX.</summary>
    public CircuitBuilder RX(int q, Angle angle) => Rotation(GateKind.RX, angle, q);

    /// <summary>Appends RY.</summary>
    public CircuitBuilder RY(int q, Angle angle) => Rotation(GateKind.RY, angle, q);

    /// <summary>Appends RZ.</summary>
    public CircuitBuilder RZ(int q, Angle angle) => Rotation(GateKind.RZ, angle, q);

    /// <summary>Appends CNOT(control, target).</summary>
    public CircuitBuilder CNOT(int control, int target) => Add(GateKind.CNOT, control, target);

    /// <summary>Appends all gates of a circuit on the same qubits (its parameters merged by name).</summary>
    public CircuitBuilder Append(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (circuit.QubitCount != QubitCount) throw new ArgumentException($"Cannot append a {circuit.QubitCount}-qubit circuit to a {QubitCount}-qubit one.");
        foreach (var g in circuit.Gates)
            Add(g.Angle is { Source: AngleSource.Parameter } a ? Gate.Create(g.Kind, g.Qubits, Parameter(circuit.ParameterNames[a.Index], a.Scale) with { Offset = a.Offset }) : g);
        _inputs = Math.Max(_inputs, circuit.InputCount);
        return this;
    }

    /// <summary>Marks the last gate added so far as the end of a layer (for per-layer noise).</summary>
    public CircuitBuilder EndLayer()
    {
        if (_gates.Count > 0 && !_layerEnds.Contains(_gates.Count - 1)) _layerEnds.Add(_gates.Count - 1);
        return this;
    }

    /// <summary>The circuit.</summary>
    public Circuit Build() => new(QubitCount, _gates, _names, _inputs, _layerEnds);
}
