using Qex.Kernels.Devices;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Tests;

/// <summary>
/// The statevector emulation on a device (ILGPU's CPU accelerator here, the test double of CUDA) against the CPU
/// emulation: final states, expectation values and adjoint gradients of random circuits with every gate kind (controlled,
/// dense two-qubit, input-dependent angles per circuit), one large state and batches of odd size.
/// </summary>
public sealed class DeviceStatevectorTests : IDisposable
{
    private readonly ComputeDevice _device = DeviceCatalog.Open(DeviceKind.IlgpuCpu);

    public void Dispose() => _device.Dispose();

    private static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: {expected[i]:R} (CPU) vs {actual[i]:R} (device)");
    }

    [Theory]
    [InlineData(2, 1, 11L, false)]
    [InlineData(3, 7, 12L, false)]
    [InlineData(4, 3, 13L, true)]
    [InlineData(5, 5, 14L, false)]
    [InlineData(12, 1, 15L, false)]
    public void StatesValuesAndGradientsMatchTheCpu(int qubits, int batch, long seed, bool amplitudes)
    {
        var circuit = RandomCircuits.Create(qubits, 8 * qubits, 4, 2, seed);
        var observable = RandomCircuits.RandomObservable(qubits, seed + 100);
        var args = RandomCircuits.Arguments(circuit, batch, seed + 200, amplitudes);
        var cpu = new StatevectorSimulator(circuit, observable);
        var gpu = new StatevectorSimulator(circuit, observable, _device);

        var (ar, ai) = cpu.Run(args).RawArrays();
        var (br, bi) = gpu.Run(args).RawArrays();
        Close(ar, br, 1e-13, "Re psi");
        Close(ai, bi, 1e-13, "Im psi");
        Close(cpu.Estimate(args).Span, gpu.Estimate(args).Span, 1e-12, "<O>");

        var a = cpu.Gradient(args);
        var b = gpu.Gradient(args);
        Close(a.Values.Span, b.Values.Span, 1e-12, "values");
        Close(a.Parameters.Span, b.Parameters.Span, 1e-12, "d/dparameters");
        Close(a.Inputs.Span, b.Inputs.Span, 1e-12, "d/dinputs");
        Assert.Equal(a.InitialAmplitudes is null, b.InitialAmplitudes is null);
        if (a.InitialAmplitudes is not null) Close(a.InitialAmplitudes.Span, b.InitialAmplitudes!.Span, 1e-12, "d/damplitudes");

        // fixed-order reductions: the same numbers every time
        var again = gpu.Gradient(args);
        Assert.Equal(b.Values.Span.ToArray(), again.Values.Span.ToArray());
        Assert.Equal(b.Parameters.Span.ToArray(), again.Parameters.Span.ToArray());
    }

    [Fact]
    public void AShiftedAngleIsAppliedOnTheDevice()
    {
        var circuit = RandomCircuits.Create(3, 20, 3, 1, 5);
        var observable = RandomCircuits.RandomObservable(3, 6);
        var args = RandomCircuits.Arguments(circuit, 4, 7);
        int rotation = Enumerable.Range(0, circuit.Gates.Length).First(k => circuit.Gates[k].IsRotation);
        var shift = new GateShift(rotation, Math.PI / 2);
        Close(new StatevectorSimulator(circuit, observable).Estimate(args, shift).Span,
            new StatevectorSimulator(circuit, observable, _device).Estimate(args, shift).Span, 1e-12, "shifted <O>");
    }
}
