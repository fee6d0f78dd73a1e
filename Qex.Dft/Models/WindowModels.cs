using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Autodiff;
using Qex.Quantum.Circuits;
using Qex.Quantum.Observables;

namespace Qex.Dft.Models;

/// <summary>A function of a window of density values with trainable parameters: windows (B, k) -&gt; values (B).</summary>
public interface IWindowModel
{
    /// <summary>Values per window.</summary>
    int WindowSize { get; }

    /// <summary>Fresh parameters.</summary>
    IReadOnlyList<NamedTensor> InitialParameters(RngKey key);

    /// <summary>The number of parameter tensors.</summary>
    int ParameterTensors { get; }

    /// <summary>One value per window.</summary>
    Var Evaluate(Var windows, IReadOnlyList<Var> parameters);

    /// <summary>A one-line description.</summary>
    string Describe();
}

/// <summary>
/// A parameterised circuit on a window: feature map, hardware-efficient ansatz, total magnetisation sum_i &lt;Z_i&gt;
/// (with amplitude encoding: the window's norm times the circuit's value).
/// One parameter tensor "theta" of length rotations x qubits x layers.
/// </summary>
public sealed class QuantumWindowModel : IWindowModel
{
    private readonly IDifferentiableCircuit _circuit;

    /// <summary>Creates the model.</summary>
    public QuantumWindowModel(QuantumCircuitOptions options, int windowSize)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        WindowSize = windowSize;
        Circuit = options.BuildCircuit(windowSize);
        _circuit = (options.Backend ?? QuantumBackendOptions.Exact).Create(Circuit, Observable.TotalMagnetisation(options.Qubits));
    }

    /// <summary>The options.</summary>
    public QuantumCircuitOptions Options { get; }

    /// <summary>The circuit.</summary>
    public Circuit Circuit { get; }

    /// <inheritdoc />
    public int WindowSize { get; }

    /// <inheritdoc />
    public int ParameterTensors => 1;

    /// <inheritdoc />
    public IReadOnlyList<NamedTensor> InitialParameters(RngKey key) =>
        [new NamedTensor("theta", key.CreateGenerator().UniformTensor([Circuit.ParameterCount], -Options.InitialAngle, Options.InitialAngle))];

    /// <inheritdoc />
    public Var Evaluate(Var windows, IReadOnlyList<Var> parameters)
    {
        var x = windows * Options.InputScale;
        if (Options.FeatureMap == FeatureMapKind.Amplitude)
        {
            // the norm is lost in the state: the circuit's value is scaled by it
            var (amplitudes, norms) = AmplitudeEncoding.Encode(x, Options.Qubits);
            var none = Var.Constant(Tensor.Zeros(windows.Dim(0), 0));
            return CircuitOps.Expectation(_circuit, none, parameters[0], amplitudes) * norms;
        }
        if (Options.FeatureMap == FeatureMapKind.Chebyshev)
            x = Math.PI / 2 - 2.0 * Op.Atan(Op.Tanh(x * (0.5 / Options.ChebyshevScale))); // acos(tanh(x / s))
        return CircuitOps.Expectation(_circuit, x, parameters[0]);
    }

    /// <inheritdoc />
    public string Describe() => $"{Options.Qubits}-qubit circuit, {Options.FeatureMap} encoding of {WindowSize} values, {Options.Layers} layers {Options.Rotations} + {Options.Entangler}, sum Z; {(Options.Backend ?? QuantumBackendOptions.Exact)}";
}

/// <summary>
/// The classical control: an MLP on a window, SiLU activations, no output bias. The default widths 3 -&gt; 6 -&gt; 15 -&gt; 1
/// have 144 parameters, as many as the paper's 6-qubit, 8-layer circuit.
/// </summary>
public sealed class MlpWindowModel : IWindowModel
{
    /// <summary>Creates the model with the given hidden widths.</summary>
    public MlpWindowModel(int windowSize, int hidden1 = 6, int hidden2 = 15, double inputScale = 0.5)
    {
        if (windowSize < 1 || hidden1 < 1 || hidden2 < 1) throw new ArgumentException("MLP sizes must be positive.");
        WindowSize = windowSize;
        Hidden1 = hidden1;
        Hidden2 = hidden2;
        InputScale = inputScale;
    }

    /// <inheritdoc />
    public int WindowSize { get; }

    /// <summary>Hidden widths.</summary>
    public int Hidden1 { get; }

    /// <summary>Hidden widths.</summary>
    public int Hidden2 { get; }

    /// <summary>Density values are multiplied by this first (as for the circuit).</summary>
    public double InputScale { get; }

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => WindowSize * Hidden1 + Hidden1 + Hidden1 * Hidden2 + Hidden2 + Hidden2;

    /// <inheritdoc />
    public int ParameterTensors => 5;

    /// <inheritdoc />
    public IReadOnlyList<NamedTensor> InitialParameters(RngKey key)
    {
        var k = key.Split(3);
        return
        [
            new NamedTensor("W1", k[0].CreateGenerator().HeNormalTensor([WindowSize, Hidden1], WindowSize)),
            new NamedTensor("b1", Tensor.Zeros(Hidden1)),
            new NamedTensor("W2", k[1].CreateGenerator().HeNormalTensor([Hidden1, Hidden2], Hidden1)),
            new NamedTensor("b2", Tensor.Zeros(Hidden2)),
            new NamedTensor("W3", k[2].CreateGenerator().HeNormalTensor([Hidden2, 1], Hidden2)),
        ];
    }

    /// <inheritdoc />
    public Var Evaluate(Var windows, IReadOnlyList<Var> p)
    {
        var h = Op.Silu(Op.MatMul(windows * InputScale, p[0]) + p[1]);
        h = Op.Silu(Op.MatMul(h, p[2]) + p[3]);
        return Op.Reshape(Op.MatMul(h, p[4]), windows.Dim(0));
    }

    /// <inheritdoc />
    public string Describe() => $"MLP {WindowSize}-{Hidden1}-{Hidden2}-1 (SiLU, {ParameterCount} parameters)";
}
