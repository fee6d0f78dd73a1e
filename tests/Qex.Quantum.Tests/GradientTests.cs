using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

public sealed class GradientTests
{
    private const double Step = 1e-3;

    /// <summary>Five-point central difference of every circuit value along one coordinate of the arguments.</summary>
    private static double[] Fd(StatevectorSimulator sim, CircuitArguments a, Func<CircuitArguments, double, CircuitArguments> shift)
    {
        var f = (double h) => sim.Expectation(shift(a, h)).ToArray();
        var p1 = f(Step); var m1 = f(-Step); var p2 = f(2 * Step); var m2 = f(-2 * Step);
        return [.. p1.Select((_, b) => (8 * (p1[b] - m1[b]) - (p2[b] - m2[b])) / (12 * Step))];
    }

    private static Tensor Bump(Tensor t, int index, double h)
    {
        var d = t.ToArray();
        d[index] += h;
        return Tensor.Wrap(d, t.ShapeArray());
    }

    [Theory]
    [InlineData(3, 1L, false)]
    [InlineData(4, 2L, false)]
    [InlineData(3, 3L, true)]
    public void AdjointGradientMatchesFiniteDifferences(int qubits, long seed, bool amplitudes)
    {
        var c = RandomCircuits.Create(qubits, 40, 6, 3, seed);
        var sim = new StatevectorSimulator(c, RandomCircuits.RandomObservable(qubits, seed + 100));
        var args = RandomCircuits.Arguments(c, 3, seed + 200, amplitudes);
        var g = sim.Gradient(args);
        Assert.Equal(sim.Expectation(args).ToArray(), g.Values.ToArray());
        for (int p = 0; p < c.ParameterCount; p++)
        {
            var fd = Fd(sim, args, (a, h) => a with { Parameters = Bump(a.Parameters, p, h) });
            for (int b = 0; b < 3; b++) Assert.True(Math.Abs(fd[b] - g.Parameters[b, p]) < 1e-7, $"param {p} circuit {b}: {g.Parameters[b, p]} vs fd {fd[b]}");
        }
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < c.InputCount; i++)
            {
                var fd = Fd(sim, args, (a, h) => a with { Inputs = Bump(a.Inputs, b * c.InputCount + i, h) });
                Assert.True(Math.Abs(fd[b] - g.Inputs[b, i]) < 1e-7, $"input {i} circuit {b}: {g.Inputs[b, i]} vs fd {fd[b]}");
            }
        if (amplitudes)
        {
            int dim = (int)c.Dimension;
            for (int j = 0; j < dim; j += 3)
            {
                var fd = Fd(sim, args, (a, h) => a with { InitialAmplitudes = Bump(a.InitialAmplitudes!, dim + j, h) });
                Assert.True(Math.Abs(fd[1] - g.InitialAmplitudes![1, j]) < 1e-7, $"amplitude {j}: {g.InitialAmplitudes[1, j]} vs fd {fd[1]}");
            }
        }
    }

    [Theory]
    [InlineData(3, 5L, false)]
    [InlineData(4, 6L, true)]
    public void HessianVectorProductsMatchFiniteDifferencesOfTheGradient(int qubits, long seed, bool amplitudes)
    {
        var c = RandomCircuits.Create(qubits, 35, 5, 2, seed);
        var sim = new StatevectorSimulator(c, RandomCircuits.RandomObservable(qubits, seed + 1));
        var args = RandomCircuits.Arguments(c, 2, seed + 2, amplitudes);
        var rng = new Qex.Core.Random.Rng(seed + 3);
        var dir = new CircuitDirection(rng.UniformTensor([2, c.ParameterCount], -1, 1), rng.UniformTensor([2, c.InputCount], -1, 1),
            amplitudes ? rng.UniformTensor([2, (int)c.Dimension], -1, 1) : null);
        var hv = sim.HessianVectorProduct(args, dir);
        // per circuit b: the Hessian of f_b along (dir.P[b], dir.X[b], dir.A[b])
        for (int b = 0; b < 2; b++)
        {
            CircuitDerivatives G(double h)
            {
                var p = args.Parameters.ToArray();
                for (int i = 0; i < p.Length; i++) p[i] += h * dir.Parameters[b, i];
                var x = args.Inputs.ToArray();
                for (int i = 0; i < c.InputCount; i++) x[b * c.InputCount + i] += h * dir.Inputs[b, i];
                Tensor? a = null;
                if (amplitudes)
                {
                    var ad = args.InitialAmplitudes!.ToArray();
                    int dim = (int)c.Dimension;
                    for (int i = 0; i < dim; i++) ad[b * dim + i] += h * dir.InitialAmplitudes![b, i];
                    a = Tensor.Wrap(ad, 2, dim);
                }
                return sim.Gradient(new CircuitArguments(Tensor.Wrap(p, p.Length), Tensor.Wrap(x, args.Inputs.ShapeArray()), a));
            }
            double h = 1e-3;
            var (gp1, gm1, gp2, gm2) = (G(h), G(-h), G(2 * h), G(-2 * h));
            double D(Func<CircuitDerivatives, double> sel) => (8 * (sel(gp1) - sel(gm1)) - (sel(gp2) - sel(gm2))) / (12 * h);
            for (int i = 0; i < c.ParameterCount; i++)
                Assert.True(Math.Abs(D(g => g.Parameters[b, i]) - hv.Parameters[b, i]) < 1e-5, $"param {i} circuit {b}");
            for (int i = 0; i < c.InputCount; i++)
                Assert.True(Math.Abs(D(g => g.Inputs[b, i]) - hv.Inputs[b, i]) < 1e-5, $"input {i} circuit {b}");
            if (amplitudes)
                for (int i = 0; i < (int)c.Dimension; i += 5)
                    Assert.True(Math.Abs(D(g => g.InitialAmplitudes![b, i]) - hv.InitialAmplitudes![b, i]) < 1e-5, $"amplitude {i} circuit {b}");
        }
    }
}
