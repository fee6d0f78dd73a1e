using System.Numerics;
using Qex.Core.Tensors;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

public sealed class StatevectorTests
{
    private static double Expect(Circuit c, string observable, params double[] p) =>
        new StatevectorSimulator(c, Observable.Parse(observable)).Expectation(new CircuitArguments(Tensor.Wrap(p, p.Length), Tensor.Zeros(1, 0)))[0];

    [Fact]
    public void QubitZeroIsTheMostSignificantBit()
    {
        var c = new CircuitBuilder(3).Add(GateKind.X, 0).Build();
        var s = new StatevectorSimulator(c, Observable.TotalMagnetisation(3)).Run(CircuitArguments.Single());
        Assert.Equal(1.0, s.Amplitude(0, 4).Real, 15);
        Assert.Equal(3.0, Expect(c, "Z1 + Z2 - Z0"), 14);
    }

    [Fact]
    public void BellState()
    {
        var c = new CircuitBuilder(2).Add(GateKind.H, 0).CNOT(0, 1).Build();
        var s = new StatevectorSimulator(c, Observable.TotalMagnetisation(2)).Run(CircuitArguments.Single());
        double r = Math.Sqrt(0.5);
        Assert.Equal(r, s.Amplitude(0, 0).Real, 15);
        Assert.Equal(r, s.Amplitude(0, 3).Real, 15);
        Assert.Equal(0.0, s.Amplitude(0, 1).Magnitude, 15);
        Assert.Equal(1.0, Expect(c, "Z0 Z1"), 14);
        Assert.Equal(1.0, Expect(c, "X0 X1"), 14);
        Assert.Equal(-1.0, Expect(c, "Y0 Y1"), 14);
        Assert.Equal(0.0, Expect(c, "Z0"), 14);
    }

    [Fact]
    public void GhzState()
    {
        var b = new CircuitBuilder(4).Add(GateKind.H, 0);
        for (int q = 0; q < 3; q++) b.CNOT(q, q + 1);
        var c = b.Build();
        Assert.Equal(1.0, Expect(c, "X0 X1 X2 X3"), 13);
        Assert.Equal(1.0, Expect(c, "Z1 Z3"), 13);
        Assert.Equal(-1.0, Expect(c, "Y0 Y1 X2 X3"), 13);
        Assert.Equal(0.0, Expect(c, "Z0 + Z1 + Z2 + Z3"), 13);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-2.1)]
    public void SingleQubitRotations(double t)
    {
        var b = new CircuitBuilder(1);
        var rx = b.RX(0, b.Parameter("t")).Build();
        Assert.Equal(Math.Cos(t), Expect(rx, "Z0", t), 14);
        Assert.Equal(-Math.Sin(t), Expect(rx, "Y0", t), 14);
        var b2 = new CircuitBuilder(1);
        var ry = b2.RY(0, b2.Parameter("t")).Build();
        Assert.Equal(Math.Cos(t), Expect(ry, "Z0", t), 14);
        Assert.Equal(Math.Sin(t), Expect(ry, "X0", t), 14);
        // RZ and PHASE rotate <X> about z: H then RZ(t): <X> = cos t, <Y> = sin t
        var b3 = new CircuitBuilder(1).Add(GateKind.H, 0);
        var rz = b3.RZ(0, b3.Parameter("t")).Build();
        Assert.Equal(Math.Cos(t), Expect(rz, "X0", t), 14);
        Assert.Equal(Math.Sin(t), Expect(rz, "Y0", t), 14);
        var b4 = new CircuitBuilder(1).Add(GateKind.H, 0);
        var ph = b4.Rotation(GateKind.Phase, b4.Parameter("t"), 0).Build();
        Assert.Equal(Math.Cos(t), Expect(ph, "X0", t), 14);
    }

    [Fact]
    public void ControlledGatesActOnlyWhenTheControlIsOne()
    {
        // CRY(pi) on |10> flips the target; on |00> does nothing
        var b = new CircuitBuilder(2).Add(GateKind.X, 0);
        var c = b.Rotation(GateKind.CRY, Angle.Constant(Math.PI), 0, 1).Build();
        Assert.Equal(-1.0, Expect(c, "Z1"), 14);
        var c0 = new CircuitBuilder(2).Rotation(GateKind.CRY, Angle.Constant(Math.PI), 0, 1).Build();
        Assert.Equal(1.0, Expect(c0, "Z1"), 14);
        // control below the target in significance
        var c2 = new CircuitBuilder(3).Add(GateKind.X, 2).CNOT(2, 0).Build();
        Assert.Equal(-1.0, Expect(c2, "Z0"), 14);
        Assert.Equal(1.0, Expect(c2, "Z1"), 14);
    }

    [Fact]
    public void SwapAndUnitaryMatchTheirDefinitions()
    {
        var c = new CircuitBuilder(3).Add(GateKind.X, 0).Add(GateKind.Swap, 0, 2).Build();
        Assert.Equal(-1.0, Expect(c, "Z2"), 14);
        Assert.Equal(1.0, Expect(c, "Z0"), 14);
        // a 2-qubit unitary equal to CNOT
        var cnot = new Complex[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 0, 1 }, { 0, 0, 1, 0 } };
        var u = new CircuitBuilder(2).Add(GateKind.H, 0).Add(Gate.Unitary(cnot, [0, 1])).Build();
        Assert.Equal(1.0, Expect(u, "X0 X1"), 14);
        Assert.Throws<ArgumentException>(() => Gate.Unitary(new Complex[,] { { 1, 1 }, { 0, 1 } }, [0]));
    }

    [Fact]
    public void BatchedCircuitsEqualSeparateRuns()
    {
        var c = RandomCircuits.Create(4, 30, 5, 2, seed: 3);
        var o = RandomCircuits.RandomObservable(4, 4);
        var sim = new StatevectorSimulator(c, o);
        var args = RandomCircuits.Arguments(c, 5, 7);
        var all = sim.Expectation(args);
        for (int b = 0; b < 5; b++)
        {
            var one = new CircuitArguments(args.Parameters, Tensor.FromSpan(args.Inputs.Span.Slice(b * 2, 2), 1, 2));
            Assert.Equal(sim.Expectation(one)[0], all[b], 13);
        }
    }

    [Fact]
    public void LargeStateKernelsAgreeAcrossLayouts()
    {
        // 17 qubits: the parallel, interleaved (least significant qubits) and long-run (most significant) paths of one
        // state against the batched layout of the same circuits (B = 3: different run lengths and partners)
        var c = RandomCircuits.Create(17, 80, 6, 2, seed: 13);
        var sim = new StatevectorSimulator(c, Observable.TotalMagnetisation(17));
        var one = RandomCircuits.Arguments(c, 1, 14);
        var x = one.Inputs.ToArray();
        var three = new CircuitArguments(one.Parameters, Tensor.Wrap([.. x, .. x, .. x], 3, 2));
        var s1 = sim.Run(one);
        var s3 = sim.Run(three);
        for (long i = 0; i < (1L << 17); i += 7)
            for (int b = 0; b < 3; b++)
                Assert.True((s1.Amplitude(0, i) - s3.Amplitude(b, i)).Magnitude < 1e-12, $"amplitude {i}, circuit {b}");
        // every single-qubit gate on every qubit of a one-state circuit, against the batched layout
        var b2 = new CircuitBuilder(17);
        for (int q = 0; q < 17; q++) { b2.Add(GateKind.H, q); b2.RY(q, b2.Parameter($"y{q}")); b2.RZ(q, b2.Parameter($"z{q}")); }
        var c2 = b2.Build();
        var p2 = new Qex.Core.Random.Rng(3).UniformTensor([c2.ParameterCount], -2, 2);
        var sim2 = new StatevectorSimulator(c2, Observable.TotalMagnetisation(17));
        var a1 = sim2.Run(new CircuitArguments(p2, Tensor.Zeros(1, 0)));
        var a2 = sim2.Run(new CircuitArguments(p2, Tensor.Zeros(2, 0)));
        for (long i = 0; i < (1L << 17); i += 5) Assert.True((a1.Amplitude(0, i) - a2.Amplitude(1, i)).Magnitude < 1e-12);
        Assert.Equal(1.0, a1.NormSquared(0), 11);
    }

    [Fact]
    public void StatesStayNormalisedOnManyQubits()
    {
        var c = RandomCircuits.Create(17, 60, 6, 0, seed: 11);
        var s = new StatevectorSimulator(c, Observable.TotalMagnetisation(17)).Run(RandomCircuits.Arguments(c, 1, 2));
        Assert.Equal(1.0, s.NormSquared(0), 11);
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        var e1 = Assert.Throws<ArgumentException>(() => Gate.Create("rq", [0]));
        Assert.Contains("Unknown gate 'rq'", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new CircuitBuilder(2).Add(GateKind.H, 2));
        Assert.Contains("qubit 2", e2.Message);
        Assert.Throws<ArgumentException>(() => Gate.Create(GateKind.RX, [0]));
        Assert.Throws<ArgumentException>(() => Gate.Create(GateKind.CNOT, [1, 1]));
        var e3 = Assert.Throws<InsufficientMemoryException>(() => BatchedState.Zero(30, 64));
        Assert.Contains("GiB", e3.Message);
        var c = new CircuitBuilder(2).Build();
        Assert.Throws<ArgumentException>(() => new StatevectorSimulator(c, Observable.Parse("Z3")));
    }
}
