using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Qex.Autodiff;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Xc;
using Qex.Quantum.Circuits;
using Qex.Quantum.Gates;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Bench;

/// <summary>Benchmarks whose work is a known number of bytes read plus written.</summary>
public interface IByteCount
{
    /// <summary>Bytes read plus bytes written by one invocation, for the current parameters.</summary>
    double Bytes { get; }
}

/// <summary>GB/s = bytes / mean time, for benchmark classes implementing <see cref="IByteCount"/>.</summary>
public sealed class BandwidthColumn : PerSecondColumn
{
    public override string Id => "GBs";
    public override string ColumnName => "GB/s";
    public override string Legend => "Bytes read plus written per second (1 GB = 1e9 B)";
    protected override double? Work(object instance) => instance is IByteCount b ? b.Bytes : null;
}

/// <summary>
/// A single-qubit gate on one large state (complex128, split real/imaginary arrays) against a plain memory copy of
/// the same bytes in the same run: the gate reads and writes every amplitude once (2 x 16 B per amplitude); the copy
/// reads the state and writes a second buffer (the same 2 x 16 B per amplitude). Copies are timed both with one thread
/// (memcpy) and split across the cores like the gate kernel.
/// </summary>
[Config(typeof(BandwidthConfig))]
[MemoryDiagnoser(false)]
public class StatevectorGateBenchmarks : IByteCount
{
    private sealed class BandwidthConfig : ManualConfig
    {
        public BandwidthConfig() => AddColumn(new BandwidthColumn());
    }

    private double[] _re = [], _im = [], _re2 = [], _im2 = [];
    private StatevectorSimulator _first = null!, _last = null!;
    private CircuitArguments _args = null!;
    private BatchedState _state = null!;

    [Params(20, 24, 26)]
    public int Qubits { get; set; }

    public double Bytes => (1L << Qubits) * 16.0 * 2;

    [GlobalSetup]
    public void Setup()
    {
        long dim = 1L << Qubits;
        _re2 = new double[dim];
        _im2 = new double[dim];
        var b0 = new CircuitBuilder(Qubits);
        _first = new StatevectorSimulator(b0.RY(0, b0.Parameter("t")).Build(), Observable.TotalMagnetisation(1));
        var b1 = new CircuitBuilder(Qubits);
        _last = new StatevectorSimulator(b1.RY(Qubits - 1, b1.Parameter("t")).Build(), Observable.TotalMagnetisation(1));
        _args = CircuitArguments.Single(0.3);
        _state = _first.Run(_args);
        (_re, _im) = _state.RawArrays();
        new Rng(1).FillUniform(_re);
        new Rng(2).FillUniform(_im);
    }

    [Benchmark(Baseline = true, Description = "memory copy (1 thread)")]
    public void Copy()
    {
        _re.AsSpan().CopyTo(_re2);
        _im.AsSpan().CopyTo(_im2);
    }

    [Benchmark(Description = "memory copy (all cores)")]
    public void ParallelCopy()
    {
        int parts = Environment.ProcessorCount * 4;
        long n = _re.Length;
        Parallel.For(0, parts, p =>
        {
            int from = (int)(n * p / parts), to = (int)(n * (p + 1) / parts);
            _re.AsSpan(from, to - from).CopyTo(_re2.AsSpan(from));
            _im.AsSpan(from, to - from).CopyTo(_im2.AsSpan(from));
        });
    }

    [Benchmark(Description = "RY on qubit 0 (most significant)")]
    public void GateFirstQubit() => _first.ApplyTo(_state, _args);

    [Benchmark(Description = "RY on qubit n-1 (least significant)")]
    public void GateLastQubit() => _last.ApplyTo(_state, _args);
}

/// <summary>
/// One energy, and one energy plus gradient (with respect to the parameters and the density), of the paper's
/// 316-parameter global quantum model on a 513-point H2-like density; the MLP control and KSR-global beside it.
/// </summary>
[MemoryDiagnoser(false)]
public class QuantumXcBenchmarks
{
    private IXcFunctional _f = null!;
    private Tensor[] _p = [];
    private Tensor _n = null!;
    private XcContext _ctx = null!;

    [Params("qnn-global", "mlp-global", "ksr-global")]
    public string Functional { get; set; } = "qnn-global";

    [GlobalSetup]
    public void Setup()
    {
        var grid = Grid1D.Linspace(-256 * 0.08, 256 * 0.08, 513);
        _ctx = new XcContext(grid, new ExponentialCoulomb());
        _f = XcFunctionals.Create(Functional);
        _p = [.. _f.InitialParameters(RngKey.FromSeed(0)).Items.Select(i => i.Value)];
        _n = Tensor.Create([513], s =>
        {
            for (int i = 0; i < 513; i++)
            {
                double x = grid.Points[i];
                s[i] = 0.5 * (Math.Exp(-Math.Abs(x - 0.7)) + Math.Exp(-Math.Abs(x + 0.7)));
            }
        });
    }

    [Benchmark(Baseline = true, Description = "E_xc")]
    public double Energy() => XcEnergy.Energy(x => _f.EnergyDensity(x, [.. _p.Select(Var.Constant)], _ctx), Var.Constant(_n), _ctx.H).ToScalar();

    [Benchmark(Description = "E_xc + gradient (parameters and density)")]
    public double EnergyAndGradient()
    {
        var p = _p.Select(Var.Parameter).ToArray();
        var n = Var.Parameter(_n);
        var e = XcEnergy.Energy(x => _f.EnergyDensity(x, p, _ctx), n, _ctx.H);
        var g = Grad.Compute(e, [n, .. p]);
        return e.ToScalar() + g[0].Value[0];
    }
}
