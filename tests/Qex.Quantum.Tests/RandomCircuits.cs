using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

/// <summary>Random circuits with every gate type, parameters and inputs, for derivative tests.</summary>
internal static class RandomCircuits
{
    public static Circuit Create(int qubits, int gates, int parameters, int inputs, long seed, bool includeControlled = true)
    {
        var rng = new Rng(seed);
        var b = new CircuitBuilder(qubits, inputs);
        for (int p = 0; p < parameters; p++) b.Parameter($"p{p}");
        GateKind[] rot = includeControlled
            ? [GateKind.RX, GateKind.RY, GateKind.RZ, GateKind.Phase, GateKind.CRX, GateKind.CRY, GateKind.CRZ, GateKind.CPhase]
            : [GateKind.RX, GateKind.RY, GateKind.RZ, GateKind.Phase];
        GateKind[] fix = [GateKind.H, GateKind.X, GateKind.Y, GateKind.Z, GateKind.S, GateKind.T, GateKind.Sdg, GateKind.Tdg, GateKind.CNOT, GateKind.CZ, GateKind.Swap];
        for (int g = 0; g < gates; g++)
        {
            if (rng.Uniform() < 0.6)
            {
                var kind = rot[rng.NextInt(rot.Length)];
                int[] qs = TwoOrOne(kind is GateKind.CRX or GateKind.CRY or GateKind.CRZ or GateKind.CPhase, qubits, rng);
                Angle a = rng.Uniform() < 0.5 || inputs == 0
                    ? Angle.Parameter(rng.NextInt(parameters), rng.Uniform(0.5, 2.0))
                    : Angle.Input(rng.NextInt(inputs), rng.Uniform(0.5, 2.0)) with { Offset = rng.Uniform(-1, 1) };
                b.Add(Gate.Create(kind, qs, a));
            }
            else
            {
                var kind = fix[rng.NextInt(fix.Length)];
                b.Add(Gate.Create(kind, TwoOrOne(kind is GateKind.CNOT or GateKind.CZ or GateKind.Swap, qubits, rng)));
            }
        }
        return b.Build();
    }

    private static int[] TwoOrOne(bool two, int qubits, Rng rng)
    {
        int a = rng.NextInt(qubits);
        if (!two) return [a];
        int c = rng.NextInt(qubits - 1);
        if (c >= a) c++;
        return [a, c];
    }

    public static Observable RandomObservable(int qubits, long seed)
    {
        var rng = new Rng(seed);
        var terms = new List<(double, PauliString)>();
        for (int t = 0; t < 3; t++)
        {
            var ops = new List<(int, char)>();
            for (int q = 0; q < qubits; q++) ops.Add((q, "IXYZ"[rng.NextInt(4)]));
            terms.Add((rng.Uniform(-1, 1), new PauliString(ops)));
        }
        return new Observable(terms);
    }

    public static CircuitArguments Arguments(Circuit c, int batch, long seed, bool amplitudes = false)
    {
        var rng = new Rng(seed);
        var p = rng.UniformTensor([c.ParameterCount], -Math.PI, Math.PI);
        var x = rng.UniformTensor([batch, c.InputCount], -1, 1);
        Tensor? a = null;
        if (amplitudes)
        {
            int dim = (int)c.Dimension;
            var data = new double[batch * dim];
            rng.FillNormal(data);
            for (int bb = 0; bb < batch; bb++)
            {
                double n = Math.Sqrt(data.AsSpan(bb * dim, dim).ToArray().Sum(v => v * v));
                for (int i = 0; i < dim; i++) data[bb * dim + i] /= n;
            }
            a = Tensor.Wrap(data, batch, dim);
        }
        return new CircuitArguments(p, x, a);
    }
}
