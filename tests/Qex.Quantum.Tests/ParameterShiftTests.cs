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
}
