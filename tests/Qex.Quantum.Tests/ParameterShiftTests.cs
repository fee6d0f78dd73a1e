using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Differentiation;
using Qex.Quantum.Noise;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

public sealed class ParameterShiftTests
{
    [Theory]
    [InlineData(3, 31L)]
    [InlineData(4, 32L)]
    public void ParameterShiftEqualsAdjointOnRandomCircuits(int qubits, long seed)
    {
        var c = RandomCircuits.Create(qubits, 40, 6, 3, seed);
        var sim = new StatevectorSimulator(c, RandomCircuits.RandomObservable(qubits, seed + 1));
        var args = RandomCircuits.Arguments(c, 3, seed + 2);
        var adj = sim.Gradient(args);
        var ps = ParameterShift.Gradient(sim, args);
        for (int i = 0; i < adj.Parameters.Length; i++) Assert.True(Math.Abs(adj.Parameters.Span[i] - ps.Parameters.Span[i]) < 1e-10);
        for (int i = 0; i < adj.Inputs.Length; i++) Assert.True(Math.Abs(adj.Inputs.Span[i] - ps.Inputs.Span[i]) < 1e-10);
    }

    [Fact]
    public void ParameterShiftUnderNoiseMatchesFiniteDifferences()
    {
        var c = RandomCircuits.Create(3, 25, 4, 2, 41);
        var o = Observable.TotalMagnetisation(3);
        var noise = new NoiseModel([new NoiseRule(KrausChannel.Create("amplitude-damping", 0.05), NoiseScope.AfterEachGate),
            new NoiseRule(KrausChannel.Create("phase-damping", 0.03), NoiseScope.AfterEachGate)], ReadoutError.Uniform(3, 0.02, 0.04));
        var dm = new DensityMatrixSimulator(c, o, noise);
        var args = RandomCircuits.Arguments(c, 2, 42);
        var ps = ParameterShift.Gradient(dm, args);
        const double h = 1e-3;
        for (int p = 0; p < c.ParameterCount; p++)
        {
            double F(double d)
            {
                var v = args.Parameters.ToArray();
                v[p] += d;
                return dm.Estimate(args with { Parameters = Tensor.Wrap(v, v.Length) })[1];
            }
            double fd = (8 * (F(h) - F(-h)) - (F(2 * h) - F(-2 * h))) / (12 * h);
            Assert.True(Math.Abs(fd - ps.Parameters[1, p]) < 1e-7, $"param {p}: {ps.Parameters[1, p]} vs {fd}");
        }
    }

    [Fact]
    public void ParameterShiftOnFiniteShotsIsUnbiased()
    {
        var c = RandomCircuits.Create(3, 20, 3, 0, 51, includeControlled: false);
        var o = Observable.Parse("Z0 + Z1 Z2");
        var sim = new StatevectorSimulator(c, o);
        var args = RandomCircuits.Arguments(c, 1, 52);
        var exact = sim.Gradient(args).Parameters;
        var est = new ShotEstimator(sim, o, 100, RngKey.FromSeed(53));
        const int reps = 150;
        var sum = new double[3];
        var sq = new double[3];
        for (int r = 0; r < reps; r++)
        {
            var g = ParameterShift.Gradient(est, args).Parameters;
            for (int p = 0; p < 3; p++) { sum[p] += g[0, p]; sq[p] += g[0, p] * g[0, p]; }
        }
        for (int p = 0; p < 3; p++)
        {
            double mean = sum[p] / reps, se = Math.Sqrt((sq[p] / reps - mean * mean) / reps);
            Assert.True(Math.Abs(mean - exact[0, p]) < 4 * se + 1e-12, $"param {p}: mean {mean} vs exact {exact[0, p]} (se {se})");
        }
    }

    [Theory]
    [InlineData(3, 71L)]
    [InlineData(4, 72L)]
    public void ShiftRuleHessianVectorEqualsTheAdjointOnes(int qubits, long seed)
    {
        // exact statevector: the second-order shift rules (two- and four-term gates) against the tangent-adjoint products
        var c = RandomCircuits.Create(qubits, 30, 5, 2, seed);
        var sim = new StatevectorSimulator(c, RandomCircuits.RandomObservable(qubits, seed + 1));
        var args = RandomCircuits.Arguments(c, 3, seed + 2);
        var rng = new Rng(seed + 3);
        var dir = new CircuitDirection(rng.UniformTensor([3, c.ParameterCount], -1, 1), rng.UniformTensor([3, c.InputCount], -1, 1));
        var adj = sim.HessianVectorProduct(args, dir);
        var ps = ParameterShift.HessianVector(sim, args, dir);
        for (int i = 0; i < adj.Parameters.Length; i++) Assert.True(Math.Abs(adj.Parameters.Span[i] - ps.Parameters.Span[i]) < 1e-10, $"parameter entry {i}: {ps.Parameters.Span[i]} vs {adj.Parameters.Span[i]}");
        for (int i = 0; i < adj.Inputs.Length; i++) Assert.True(Math.Abs(adj.Inputs.Span[i] - ps.Inputs.Span[i]) < 1e-10, $"input entry {i}: {ps.Inputs.Span[i]} vs {adj.Inputs.Span[i]}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ShiftRuleHessianVectorUnderNoiseMatchesFiniteDifferences(bool inputsOnly)
    {
        // exact density matrices with damping after every gate and readout error: H u against central differences of the
        // (exact, tested) parameter-shift gradient along u; inputsOnly is the XC potential's direction (no parameter part)
        var c = RandomCircuits.Create(3, 24, 4, 2, 81);
        var o = Observable.Parse("Z0 + 0.5 * X1 Z2");
        var noise = new NoiseModel([new NoiseRule(KrausChannel.Create("amplitude-damping", 0.05), NoiseScope.AfterEachGate),
            new NoiseRule(KrausChannel.Create("depolarizing", 0.02), NoiseScope.AfterEachGate)], ReadoutError.Uniform(3, 0.02, 0.04));
        var dm = new DensityMatrixSimulator(c, o, noise);
        var args = RandomCircuits.Arguments(c, 2, 82);
        var rng = new Rng(83);
        var dp = inputsOnly ? Tensor.Zeros(2, c.ParameterCount) : rng.UniformTensor([2, c.ParameterCount], -1, 1);
        var dir = new CircuitDirection(dp, rng.UniformTensor([2, c.InputCount], -1, 1));
        var hv = ParameterShift.HessianVector(dm, args, dir);
        for (int b = 0; b < 2; b++)
        {
            CircuitDerivatives G(double h)
            {
                var p = args.Parameters.ToArray();
                for (int i = 0; i < p.Length; i++) p[i] += h * dir.Parameters[b, i];
                var x = args.Inputs.ToArray();
                for (int i = 0; i < c.InputCount; i++) x[b * c.InputCount + i] += h * dir.Inputs[b, i];
                return ParameterShift.Gradient(dm, new CircuitArguments(Tensor.Wrap(p, p.Length), Tensor.Wrap(x, args.Inputs.ShapeArray())));
            }
            const double h = 1e-3;
            var (gp1, gm1, gp2, gm2) = (G(h), G(-h), G(2 * h), G(-2 * h));
            double D(Func<CircuitDerivatives, double> sel) => (8 * (sel(gp1) - sel(gm1)) - (sel(gp2) - sel(gm2))) / (12 * h);
            for (int i = 0; i < c.ParameterCount; i++)
                Assert.True(Math.Abs(D(g => g.Parameters[b, i]) - hv.Parameters[b, i]) < 1e-7, $"param {i} circuit {b}: {hv.Parameters[b, i]} vs {D(g => g.Parameters[b, i])}");
            for (int i = 0; i < c.InputCount; i++)
                Assert.True(Math.Abs(D(g => g.Inputs[b, i]) - hv.Inputs[b, i]) < 1e-7, $"input {i} circuit {b}: {hv.Inputs[b, i]} vs {D(g => g.Inputs[b, i])}");
        }
    }

    [Fact]
    public void ShiftRuleHessianVectorOnFiniteShotsIsUnbiased()
    {
        // every shifted estimate draws fresh shots: the mean of many products approaches the exact one within its standard error
        var c = RandomCircuits.Create(2, 10, 2, 1, 91, includeControlled: false);
        var o = Observable.Parse("Z0 + Z1");
        var sim = new StatevectorSimulator(c, o);
        var args = RandomCircuits.Arguments(c, 1, 92);
        var dir = new CircuitDirection(Tensor.Zeros(1, c.ParameterCount), Tensor.Wrap([1.0], 1, 1));
        var exact = sim.HessianVectorProduct(args, dir);
        var est = new ShotEstimator(sim, o, 200, RngKey.FromSeed(93));
        const int reps = 120;
        int n = c.ParameterCount + 1;
        var sum = new double[n];
        var sq = new double[n];
        for (int r = 0; r < reps; r++)
        {
            var h = ParameterShift.HessianVector(est, args, dir);
            for (int i = 0; i < n; i++)
            {
                double v = i < c.ParameterCount ? h.Parameters[0, i] : h.Inputs[0, 0];
                sum[i] += v; sq[i] += v * v;
            }
        }
        for (int i = 0; i < n; i++)
        {
            double e = i < c.ParameterCount ? exact.Parameters[0, i] : exact.Inputs[0, 0];
            double mean = sum[i] / reps, se = Math.Sqrt(Math.Max(0, sq[i] / reps - mean * mean) / reps);
            Assert.True(se > 0, $"entry {i}: the shot estimates did not vary");
            Assert.True(Math.Abs(mean - e) < 4 * se, $"entry {i}: mean {mean} vs exact {e} (se {se})");
        }
    }
}
