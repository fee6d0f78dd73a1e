using Qex.Autodiff;

using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Autodiff;
using Qex.Quantum.Noise;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

public sealed class CircuitOpsTests
{
    private static (ExactCircuit Circuit, Tensor X, Tensor P, Tensor? A) Setup(long seed, bool amplitudes)
    {
        var c = RandomCircuits.Create(3, 30, 4, 2, seed);
        var sim = new StatevectorSimulator(c, RandomCircuits.RandomObservable(3, seed + 1));
        var args = RandomCircuits.Arguments(c, 3, seed + 2, amplitudes);
        return (new ExactCircuit(sim), args.Inputs, args.Parameters, args.InitialAmplitudes);
    }

    [Theory]
    [InlineData(61L, false)]
    [InlineData(62L, true)]
    public void FirstDerivativesThroughTheTape(long seed, bool amplitudes)
    {
        var (circuit, x, p, a) = Setup(seed, amplitudes);
        var w = Var.Constant(new Rng(seed).NormalTensor([3]));
        Var F(Var[] v) => Op.Sum(Op.Tanh(CircuitOps.Expectation(circuit, v[0], v[1], amplitudes ? v[2] : null)) * w);
        var inputs = amplitudes ? new[] { x, p, a! } : [x, p];
        GradCheck.AssertWithin(GradCheck.Gradient(F, inputs), 1e-7);
    }

    [Theory]
    [InlineData(63L, false)]
    [InlineData(64L, true)]
    public void NestedDerivativesThroughTheTape(long seed, bool amplitudes)
    {
        // the XC pattern: a potential v = dE/dx (recorded), then a loss of v differentiated by the parameters and inputs
        var (circuit, x, p, a) = Setup(seed, amplitudes);
        var r = Var.Constant(new Rng(seed + 5).NormalTensor([3, 2]));
        var w = Var.Constant(new Rng(seed + 6).NormalTensor([3]));
        Var Loss(Var[] v)
        {
            var xs = v[0].RequiresGrad ? v[0] : Var.Parameter(v[0].Value);
            var e = Op.Sum(Op.Tanh(CircuitOps.Expectation(circuit, xs, v[1], amplitudes ? v[2] : null)) * w);
            var pot = Grad.Of(e, xs, createGraph: true);
            return Op.Sum(Op.Square(pot - r)) + e;
        }
        var inputs = amplitudes ? new[] { x, p, a! } : [x, p];
        GradCheck.AssertWithin(GradCheck.Gradient(Loss, inputs), 1e-6);
        // Hessian-vector products of a plain expectation (reverse over reverse through the Jacobian op)
        Var F(Var[] v) => Op.Sum(CircuitOps.Expectation(circuit, v[0], v[1], amplitudes ? v[2] : null) * w);
        GradCheck.AssertWithin(GradCheck.HessianVectorProduct(F, inputs), 1e-5, "Hessian-vector product");
    }

    [Fact]
    public void NonFiniteInputsPropagateAsNaN()
    {
        var (circuit, x, p, _) = Setup(68, false);
        var bad = x.ToArray();
        bad[1] = double.NaN;
        var xv = Var.Parameter(Tensor.Wrap(bad, x.ShapeArray()));
        var e = CircuitOps.Expectation(circuit, xv, Var.Parameter(p));
        Assert.All(e.Value.ToArray(), v => Assert.True(double.IsNaN(v)));
        Assert.All(Grad.Of(Op.Sum(e), xv).Value.ToArray(), v => Assert.True(double.IsNaN(v)));
        // the simulator itself rejects them with a message
        var sim = new StatevectorSimulator(circuit.Circuit, Observable.TotalMagnetisation(3));
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => sim.Expectation(new CircuitArguments(p, xv.Value))).Message);
    }

    [Fact]
    public void ThirdOrderGivesAClearErrorAndNoisySecondOrderMatchesFiniteDifferences()
    {
        var (circuit, x, p, _) = Setup(65, false);
        var xv = Var.Parameter(x);
        var pv = Var.Parameter(p);
        var e = Op.Sum(CircuitOps.Expectation(circuit, xv, pv));
        var g = Grad.Compute(e, [xv, pv], createGraph: true);
        var s = Op.Sum(Op.Square(g[1]));
        var h = Grad.Compute(s, [pv], createGraph: true);
        var ex = Assert.Throws<NotSupportedException>(() => Grad.Compute(Op.Sum(Op.Square(h[0])), [pv]));
        Assert.Contains("Third derivatives", ex.Message);

        // under noise, the potential-like path (the input derivative, then its derivative by the parameters) is exact:
        // d/dp sum_b (df_b/dx)^2 against central differences of the parameter-shift input gradient
        var c = RandomCircuits.Create(3, 20, 3, 2, 66);
        var dm = new DensityMatrixSimulator(c, Observable.TotalMagnetisation(3), NoiseModel.FromDevice(DevicePreset.Best, 1));
        var noisy = new EstimatedCircuit(dm);
        var args = RandomCircuits.Arguments(c, 2, 67);
        var nx = Var.Parameter(args.Inputs);
        var np = Var.Parameter(args.Parameters);
        var en = Op.Sum(CircuitOps.Expectation(noisy, nx, np));
        var gn = Grad.Of(en, nx, createGraph: true);
        var dp = Grad.Of(Op.Sum(Op.Square(gn)), np).Value;
        double S(double[] q) => Qex.Quantum.Differentiation.ParameterShift.Gradient(dm, args with { Parameters = Tensor.Wrap(q, q.Length) }, false, true)
            .Inputs.Span.ToArray().Sum(v => v * v);
        const double step = 1e-3;
        for (int i = 0; i < c.ParameterCount; i++)
        {
            double At(double d) { var q = args.Parameters.ToArray(); q[i] += d; return S(q); }
            double fd = (8 * (At(step) - At(-step)) - (At(2 * step) - At(-2 * step))) / (12 * step);
            Assert.True(Math.Abs(fd - dp[i]) < 1e-7, $"parameter {i}: {dp[i]} vs {fd}");
        }
    }
}
