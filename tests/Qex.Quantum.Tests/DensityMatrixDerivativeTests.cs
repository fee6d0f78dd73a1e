using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Autodiff;
using Qex.Quantum.Circuits;
using Qex.Quantum.Differentiation;
using Qex.Quantum.Gates;
using Qex.Quantum.Noise;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

public sealed class DensityMatrixDerivativeTests
{
    // an encoding layer (inputs only), then a trained circuit with controlled rotations: the analytic route applies
    private static Circuit Encoded(int qubits, int values, FeatureMapKind map) =>
        new CircuitBuilder(qubits, values).Encode(map, values).Ansatz(2, HardwareEfficientAnsatz.ParseRotations("rz,rx,rz"), EntanglerKind.Ring)
            .Rotation(GateKind.CRY, Angle.Parameter(0, 0.7), 0, 1).Build();

    private static NoiseModel Noise(int qubits) => new([new NoiseRule(KrausChannel.Create("amplitude-damping", 0.04), NoiseScope.AfterEachGate),
        new NoiseRule(KrausChannel.Create("phase-damping", 0.03), NoiseScope.AfterEachGate)], ReadoutError.Uniform(qubits, 0.02, 0.05));

    private static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected.Span[i] - actual.Span[i]) <= tol, $"{what} entry {i}: {actual.Span[i]} vs {expected.Span[i]}");
    }

    [Theory]
    [InlineData(3, 3, FeatureMapKind.Direct, 11L)]
    [InlineData(4, 2, FeatureMapKind.Tower, 12L)]
    public void AnalyticDerivativesEqualTheShiftRules(int qubits, int values, FeatureMapKind map, long seed)
    {
        var c = Encoded(qubits, values, map);
        var dm = new DensityMatrixSimulator(c, Observable.TotalMagnetisation(qubits), Noise(qubits));
        Assert.True(dm.ProductPrefix);
        var rng = new Rng(seed);
        var args = new CircuitArguments(rng.UniformTensor([c.ParameterCount], -1.5, 1.5), rng.UniformTensor([4, values], -1, 1));
        Assert.True(dm.HasAnalyticDerivatives(args));

        var analytic = dm.Gradient(args);
        var shifted = ParameterShift.Gradient(dm, args);
        Close(dm.Estimate(args), analytic.Values, 1e-13, "value");
        Close(shifted.Parameters, analytic.Parameters, 1e-11, "parameter derivative");
        Close(shifted.Inputs, analytic.Inputs, 1e-11, "input derivative");

        // along the inputs (the XC potential's response), and with a parameter part too
        foreach (bool withParameters in new[] { false, true })
        {
            var dir = new CircuitDirection(withParameters ? rng.UniformTensor([4, c.ParameterCount], -1, 1) : Tensor.Zeros(4, c.ParameterCount),
                rng.UniformTensor([4, values], -1, 1));
            var h = dm.HessianVectorProduct(args, dir);
            var hs = ParameterShift.HessianVector(dm, args, dir);
            Close(hs.Parameters, h.Parameters, 1e-10, $"H u parameter rows (parameter part {withParameters})");
            Close(hs.Inputs, h.Inputs, 1e-10, $"H u input rows (parameter part {withParameters})");
        }
    }

    [Fact]
    public void AnalyticInputResponseMatchesFiniteDifferencesAndTheNoiselessAdjoint()
    {
        var c = Encoded(3, 3, FeatureMapKind.Direct);
        var rng = new Rng(21);
        var args = new CircuitArguments(rng.UniformTensor([c.ParameterCount], -1.5, 1.5), rng.UniformTensor([2, 3], -1, 1));
        var dir = new CircuitDirection(Tensor.Zeros(2, c.ParameterCount), rng.UniformTensor([2, 3], -1, 1));

        // noiseless channels: equal to the exact statevector's tangent-adjoint products
        var o = Observable.TotalMagnetisation(3);
        var clean = new DensityMatrixSimulator(c, o, new NoiseModel([new NoiseRule(KrausChannel.Create("depolarizing", 0.0), NoiseScope.AfterEachGate)]));
        var exact = new StatevectorSimulator(c, o).HessianVectorProduct(args, dir);
        var h0 = clean.HessianVectorProduct(args, dir);
        Close(exact.Parameters, h0.Parameters, 1e-11, "noiseless parameter rows");
        Close(exact.Inputs, h0.Inputs, 1e-11, "noiseless input rows");

        // under noise: central differences of the analytic gradient along the direction
        var dm = new DensityMatrixSimulator(c, o, Noise(3));
        var h = dm.HessianVectorProduct(args, dir);
        for (int b = 0; b < 2; b++)
        {
            CircuitDerivatives G(double step)
            {
                var x = args.Inputs.ToArray();
                for (int i = 0; i < 3; i++) x[b * 3 + i] += step * dir.Inputs[b, i];
                return dm.Gradient(args with { Inputs = Tensor.Wrap(x, 2, 3) });
            }
            const double s = 1e-3;
            var (p1, m1, p2, m2) = (G(s), G(-s), G(2 * s), G(-2 * s));
            double D(Func<CircuitDerivatives, double> sel) => (8 * (sel(p1) - sel(m1)) - (sel(p2) - sel(m2))) / (12 * s);
            for (int i = 0; i < c.ParameterCount; i++)
                Assert.True(Math.Abs(D(g => g.Parameters[b, i]) - h.Parameters[b, i]) < 1e-7, $"parameter {i}, circuit {b}");
            for (int i = 0; i < 3; i++)
                Assert.True(Math.Abs(D(g => g.Inputs[b, i]) - h.Inputs[b, i]) < 1e-7, $"input {i}, circuit {b}");
        }
    }

    [Fact]
    public void CircuitsWithoutAProductPrefixTakeTheShiftRules()
    {
        var c = RandomCircuits.Create(3, 20, 3, 2, 31);
        var dm = new DensityMatrixSimulator(c, Observable.TotalMagnetisation(3), Noise(3));
        var args = RandomCircuits.Arguments(c, 2, 32);
        if (dm.HasAnalyticDerivatives(args)) return;   // a random circuit may happen to be encoding-first
        var ex = Assert.Throws<NotSupportedException>(() => dm.Gradient(args));
        Assert.Contains("ParameterShift", ex.Message);
        var viaOp = new EstimatedCircuit(dm).Jacobian(args);
        Close(ParameterShift.Gradient(dm, args).Parameters, viaOp.Parameters, 0, "estimated circuit");
    }
}
