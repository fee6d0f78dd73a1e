using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.Models;

namespace Qex.Dft.Molecular.Learning;

/// <summary>The density features a learned molecular functional reads.</summary>
public enum MolecularXcFeatures
{
    /// <summary>The density only (local, LDA-like).</summary>
    Lda,

    /// <summary>The density and its gradient (GGA-like).</summary>
    Gga,
}

/// <summary>
/// A learned exchange-correlation functional for closed-shell molecules, in the one signature of every functional:
/// the energy per volume on the grid points, <c>e = f(density features, parameters)</c>, so that E_xc = sum_g w_g e_g.
/// </summary>
public interface IMolecularXcModel
{
    /// <summary>A name for messages, checkpoints and reports.</summary>
    string Name { get; }

    /// <summary>The features the model reads.</summary>
    MolecularXcFeatures Features { get; }

    /// <summary>Fresh parameters from a key.</summary>
    ParameterSet InitialParameters(RngKey key);

    /// <summary>
    /// True for a local (semilocal) model: e at a point depends on that point's features only. A global model also
    /// reads integrals over the whole density (see <see cref="MomentXcModel"/>).
    /// </summary>
    bool IsLocal { get; }

    /// <summary>
    /// e on every point from the total density rho and sigma = |grad rho|^2 (both of shape (points)) and the
    /// quadrature weights of the points (read by global models only); parameters in the order of
    /// <see cref="InitialParameters"/>.
    /// </summary>
    Var EnergyDensity(Var rho, Var sigma, Var weights, IReadOnlyList<Var> parameters);

    /// <summary>A one-line description (architecture and parameter count).</summary>
    string Describe();

    /// <summary>
    /// The trained model as a component of the production functionals (<see cref="Xc.XcFunctional.FromComponent"/>).
    /// Global models have none of their own (see <see cref="MomentXcModel.Linearised"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">A global model.</exception>
    Xc.IXcComponent Component(ParameterSet parameters);
}

/// <summary>
/// A local learned functional as an enhancement over Slater exchange: e = e_x^LDA(rho) F(x), F = 1 + MLP(x) with
/// SiLU hidden layers and a last layer that starts at zero (so training starts from LDA exchange, whose SCF is
/// stable). Features: x0 = rho^(1/3) (proportional to 1 / r_s); with <see cref="MolecularXcFeatures.Gga"/> also
/// x1 = s^2 / (1 + s^2), s the reduced gradient sqrt(sigma) / (2 (3 pi^2)^(1/3) rho^(4/3)), bounded in [0, 1).
/// Points below <see cref="DensityCutoff"/> contribute nothing (as in standard functionals).
/// Parameters: W1 (k, h1), b1 (h1), W2 (h1, h2), b2 (h2), W3 (h2, 1), b3 ().
/// </summary>
public sealed class EnhancementXcModel : IMolecularXcModel
{
    /// <summary>Densities at or below this are treated as vacuum.</summary>
    public const double DensityCutoff = 1e-12;

    /// <summary>Creates the model.</summary>
    /// <exception cref="ArgumentException">Non-positive widths.</exception>
    public EnhancementXcModel(MolecularXcFeatures features = MolecularXcFeatures.Gga, int hidden1 = 16, int hidden2 = 16)
    {
        if (hidden1 < 1 || hidden2 < 1) throw new ArgumentException($"Hidden widths must be positive; got {hidden1} and {hidden2}.");
        Features = features;
        Hidden1 = hidden1;
        Hidden2 = hidden2;
    }

    /// <inheritdoc />
    public string Name => Features == MolecularXcFeatures.Lda ? "enhancement-lda" : "enhancement-gga";

    /// <inheritdoc />
    public MolecularXcFeatures Features { get; }

    /// <summary>Hidden widths.</summary>
    public int Hidden1 { get; }

    /// <summary>Hidden widths.</summary>
    public int Hidden2 { get; }

    private int Inputs => Features == MolecularXcFeatures.Lda ? 1 : 2;

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => Inputs * Hidden1 + Hidden1 + Hidden1 * Hidden2 + Hidden2 + Hidden2 + 1;

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key) => EnhancementFeatures.MlpParameters(key, Inputs, Hidden1, Hidden2);

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public Var EnergyDensity(Var rho, Var sigma, Var weights, IReadOnlyList<Var> p)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(sigma);
        ArgumentNullException.ThrowIfNull(p);
        if (p.Count != 6) throw new ArgumentException($"{Name} takes 6 parameter tensors (W1, b1, W2, b2, W3, b3); got {p.Count}.");
        var (mask, ex, x) = EnhancementFeatures.Of(rho, sigma, Features);
        var f = Op.SiluMlp(x, [p[0], p[1], p[2], p[3], p[4]]) + p[5] + 1.0;
        return Op.Where(mask, ex * f, Var.Constant(0.0));
    }

    /// <inheritdoc />
    public Xc.IXcComponent Component(ParameterSet parameters) => new LearnedXcComponent(this, parameters);

    /// <inheritdoc />
    public string Describe() => $"{Name}: e_x^LDA (1 + MLP {Inputs}-{Hidden1}-{Hidden2}-1, SiLU), {ParameterCount} parameters";
}

/// <summary>
/// The features of the enhancement models: the vacuum mask (rho above <see cref="EnhancementXcModel.DensityCutoff"/>),
/// e_x^LDA = -(3/4)(3/pi)^(1/3) rho^(4/3), and the inputs x0 = rho^(1/3) and (GGA) x1 = s^2 / (1 + s^2) with
/// s^2 = sigma / (4 (3 pi^2)^(2/3) rho^(8/3)), shape (points, 1 or 2).
/// </summary>
public static class EnhancementFeatures
{
    /// <summary>(3/4)(3/pi)^(1/3).</summary>
    public static readonly double Cx = 0.75 * Math.Cbrt(3 / Math.PI);

    /// <summary>4 (3 pi^2)^(2/3).</summary>
    public static readonly double S2 = 4 * Math.Pow(3 * Math.PI * Math.PI, 2.0 / 3.0);

    /// <summary>
    /// The same at one point in forward-mode numbers (closed shell: rho = rho_a + rho_b, sigma = sigma_aa + 2 sigma_ab +
    /// sigma_bb): false in vacuum; otherwise e_x^LDA, the total density and the inputs.
    /// </summary>
    public static bool AtPoint<T>(in Xc.XcPoint<T> p, MolecularXcFeatures features, out T rho, out T slaterExchange, out T[] inputs)
        where T : struct, Autodiff.Forward.IForwardNumber<T>
    {
        rho = p.RhoA + p.RhoB;
        slaterExchange = 0 * rho;
        inputs = [];
        if (rho.Value <= EnhancementXcModel.DensityCutoff) return false;
        var cbrt = Autodiff.Forward.ForwardMath.Cbrt(rho);
        var r43 = rho * cbrt;
        slaterExchange = -Cx * r43;
        if (features == MolecularXcFeatures.Lda) { inputs = [cbrt]; return true; }
        var s2 = (p.SigmaAA + 2 * p.SigmaAB + p.SigmaBB) / (S2 * (r43 * r43));
        inputs = [cbrt, s2 / (s2 + 1.0)];
        return true;
    }

    /// <summary>
    /// The parameters of the enhancement MLP: W1 (inputs, h1) and W2 (h1, h2) He-normal, biases zero, and the last
    /// layer W3 (h2, 1), b3 () at zero, so that F = 1 (Slater exchange) at initialisation.
    /// </summary>
    public static ParameterSet MlpParameters(RngKey key, int inputs, int hidden1, int hidden2)
    {
        var k = key.Split(2);
        return new ParameterSet(
        [
            new NamedTensor("W1", k[0].CreateGenerator().HeNormalTensor([inputs, hidden1], inputs)),
            new NamedTensor("b1", Tensor.Zeros(hidden1)),
            new NamedTensor("W2", k[1].CreateGenerator().HeNormalTensor([hidden1, hidden2], hidden1)),
            new NamedTensor("b2", Tensor.Zeros(hidden2)),
            new NamedTensor("W3", Tensor.Zeros(hidden2, 1)),
            new NamedTensor("b3", Tensor.Scalar(0)),
        ]);
    }

    /// <summary>Checks that <paramref name="parameters"/> have the names and shapes of <paramref name="model"/>'s.</summary>
    /// <exception cref="ArgumentException">They do not (the message describes the model).</exception>
    public static void RequireLayout(IMolecularXcModel model, ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        var layout = model.InitialParameters(RngKey.FromSeed(0));
        if (parameters.Items.Count != layout.Items.Count || parameters.Items.Zip(layout.Items).Any(p => p.First.Name != p.Second.Name || !p.First.Value.Shape.SequenceEqual(p.Second.Value.Shape)))
            throw new ArgumentException($"The parameters do not fit {model.Describe()}.");
    }

    /// <summary>Mask, Slater exchange and the input matrix.</summary>
    public static (Tensor Mask, Var SlaterExchange, Var Inputs) Of(Var rho, Var sigma, MolecularXcFeatures features)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(sigma);
        int np = rho.Length;
        var mask = TensorMath.Map(rho.Value, v => v > EnhancementXcModel.DensityCutoff ? 1 : 0);
        // the "double where": the masked-out branch sees a harmless density, so no NaN or infinity reaches a gradient
        var r = Op.Where(mask, rho, Var.Constant(1.0));
        var cbrt = Op.Pow(r, 1.0 / 3.0);
        var ex = Op.Neg(r * cbrt) * Cx;
        Var x = Op.Reshape(cbrt, np, 1);
        if (features == MolecularXcFeatures.Gga)
        {
            var sg = Op.Where(mask, sigma, Var.Constant(0.0));
            var s2 = sg / (Op.Square(r * cbrt) * S2);
            x = Op.Concat([x, Op.Reshape(s2 / (s2 + 1.0), np, 1)], 1);
        }
        return (mask, ex, x);
    }
}

/// <summary>
/// A quantum learned functional: the enhancement factor from a parameterised circuit per grid point,
/// e = e_x^LDA(rho) (1 + b + a z(x) / n), z = sum_i &lt;Z_i&gt; of an n-qubit circuit with the features x of
/// <see cref="EnhancementFeatures"/> encoded directly (times the input scale), a hardware-efficient ansatz (RZ-RX-RZ,
/// brick-wall CNOTs), exact statevector emulation with exact first and second derivatives. a and b start at zero
/// (Slater exchange). Parameters: theta (circuit), a (), b ().
/// </summary>
public sealed class QuantumEnhancementXcModel : IMolecularXcModel
{
    private readonly Models.QuantumWindowModel circuit;

    /// <summary>Creates the model.</summary>
    public QuantumEnhancementXcModel(MolecularXcFeatures features = MolecularXcFeatures.Gga, int qubits = 4, int layers = 4, double inputScale = 1.0)
    {
        if (qubits < 1 || qubits > 12) throw new ArgumentException($"The per-point circuit uses 1 to 12 qubits; got {qubits}.");
        if (layers < 0 || layers > 64) throw new ArgumentException($"The circuit has 0 to 64 layers; got {layers}.");
        if (!double.IsFinite(inputScale) || inputScale == 0) throw new ArgumentException($"The input scale must be a finite non-zero number; got {inputScale}.");
        Features = features;
        Qubits = qubits;
        Layers = layers;
        InputScale = inputScale;
        circuit = new Models.QuantumWindowModel(new Models.QuantumCircuitOptions(Qubits: qubits, Layers: layers, InputScale: inputScale),
            features == MolecularXcFeatures.Lda ? 1 : 2);
    }

    /// <inheritdoc />
    public string Name => Features == MolecularXcFeatures.Lda ? "qnn-enhancement-lda" : "qnn-enhancement-gga";

    /// <inheritdoc />
    public MolecularXcFeatures Features { get; }

    /// <summary>Qubits per circuit.</summary>
    public int Qubits { get; }

    /// <summary>Ansatz layers.</summary>
    public int Layers { get; }

    /// <summary>Features are multiplied by this before encoding.</summary>
    public double InputScale { get; }

    /// <summary>The circuit.</summary>
    public Qex.Quantum.Circuits.Circuit Circuit => circuit.Circuit;

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => Circuit.ParameterCount + 2;

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key)
    {
        var items = circuit.InitialParameters(key).ToList();
        items.Add(new NamedTensor("a", Tensor.Scalar(0)));
        items.Add(new NamedTensor("b", Tensor.Scalar(0)));
        return new ParameterSet(items);
    }

    /// <inheritdoc />
    public bool IsLocal => true;

    /// <inheritdoc />
    public Var EnergyDensity(Var rho, Var sigma, Var weights, IReadOnlyList<Var> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Count != 3) throw new ArgumentException($"{Name} takes 3 parameter tensors (theta, a, b); got {p.Count}.");
        var (mask, ex, x) = EnhancementFeatures.Of(rho, sigma, Features);
        var z = circuit.Evaluate(x, [p[0]]);
        var f = z * p[1] * (1.0 / Qubits) + p[2] + 1.0;
        return Op.Where(mask, ex * f, Var.Constant(0.0));
    }

    /// <inheritdoc />
    public Xc.IXcComponent Component(ParameterSet parameters) => new QuantumLearnedXcComponent(this, parameters);

    /// <inheritdoc />
    public string Describe() => $"{Name}: e_x^LDA (1 + b + a <sum Z>/{Qubits}), {Qubits}-qubit {Layers}-layer circuit per point, {ParameterCount} parameters";
}
