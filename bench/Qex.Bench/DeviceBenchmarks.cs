using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ILGPU;
using ILGPU.Runtime;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Kernels.Devices;
using Qex.Kernels.Fock;
using Qex.Kernels.Grid;
using Qex.Kernels.Statevector;

namespace Qex.Bench;

/// <summary>
/// The accelerator the device benchmarks run on: <c>QEX_BENCH_DEVICE</c> (cuda, opencl, ilgpu-cpu; default: cuda when
/// there is one, else ILGPU's CPU accelerator, which only checks that the benchmarks run).
/// </summary>
internal static class BenchDevice
{
    public static ComputeDevice Open()
    {
        string choice = Environment.GetEnvironmentVariable("QEX_BENCH_DEVICE") ?? (DeviceCatalog.ProbeCuda().Available ? "cuda" : "ilgpu-cpu");
        var info = DeviceCatalog.Select(choice);
        return DeviceCatalog.Open(info.Kind == DeviceKind.Cpu ? DeviceKind.IlgpuCpu : info.Kind);
    }
}

/// <summary>
/// A single-qubit gate on one large state held on the device against a device-to-device copy of the same bytes in the
/// same run (the gate reads and writes every amplitude once: 2 x 16 B per amplitude, as the copy): the acceptance asks
/// for the gate at 80% or more of the copy's bandwidth from 26 qubits up. Qubit 0 is the most significant bit (pairs far
/// apart), the last qubit the least (neighbouring pairs).
/// </summary>
[Config(typeof(DeviceBandwidthConfig))]
public class DeviceStatevectorGateBenchmarks : IByteCount, IDisposable
{
    private sealed class DeviceBandwidthConfig : ManualConfig
    {
        public DeviceBandwidthConfig() => AddColumn(new BandwidthColumn());
    }

    private ComputeDevice _device = null!;
    private MemoryBuffer1D<double, Stride1D.Dense> _re = null!, _im = null!, _re2 = null!, _im2 = null!, _m = null!;
    private StatevectorDeviceKernels _kernels = null!;

    [Params(20, 24, 26, 28)]
    public int Qubits { get; set; }

    public double Bytes => (1L << Qubits) * 16.0 * 2;

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open();
        long dim = 1L << Qubits;
        _device.EnsureFits(4.0 * 8 * dim, $"two states of {Qubits} qubits");
        var acc = _device.Accelerator;
        (_re, _im, _re2, _im2) = (acc.Allocate1D<double>(dim), acc.Allocate1D<double>(dim), acc.Allocate1D<double>(dim), acc.Allocate1D<double>(dim));
        _re.MemSetToZero();
        _im.MemSetToZero();
        double c = Math.Cos(0.15), s = Math.Sin(0.15);
        _m = acc.Allocate1D(new[] { c, 0, -s, 0, s, 0, c, 0 });   // RY(0.3)
        _kernels = _device.Kernels(a => new StatevectorDeviceKernels(a));
        acc.Synchronize();
    }

    [Benchmark(Baseline = true, Description = "device copy")]
    public void Copy()
    {
        _re.View.CopyTo(_re2.View);
        _im.View.CopyTo(_im2.View);
        _device.Accelerator.Synchronize();
    }

    [Benchmark(Description = "RY on qubit 0 (MSB)")]
    public void GateFirst()
    {
        _kernels.Apply1(_re.View, _im.View, _m.View, Qubits, new GateLaunch(Qubits - 1, 0, 1, 0, 0));
        _device.Accelerator.Synchronize();
    }

    [Benchmark(Description = "RY on the last qubit (LSB)")]
    public void GateLast()
    {
        _kernels.Apply1(_re.View, _im.View, _m.View, Qubits, new GateLaunch(0, 0, 1, 0, 0));
        _device.Accelerator.Synchronize();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var b in new[] { _re, _im, _re2, _im2, _m }) b?.Dispose();
        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// B3LYP/def2-SVP benzene: one XC integration (energy and V_xc of the SAD density on Psi4's default 75 x 302 grid) and
/// one density-fitted J/K build, on our CPU backend and on the device, in the same run (the acceptance: 10x or more).
/// </summary>
public class DeviceMolecularBenchmarks : IDisposable
{
    private ComputeDevice _device = null!;
    private XcIntegrator _cpu = null!, _gpu = null!;
    private DensityFittedCoulombExchange _jkCpu = null!;
    private IlgpuDensityFittedCoulombExchange _jkGpu = null!;
    private double[] _d = [];

    [GlobalSetup]
    public void Setup()
    {
        _device = BenchDevice.Open();
        var benzene = Molecule.ParseXyz(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "benzene.xyz")), 0, 1);
        var basis = BasisSet.For(benzene, BasisSetLibrary.Load("def2-svp"));
        var grid = MolecularGrid.Create(benzene, GridOptions.Psi4());
        var f = XcFunctional.Parse("b3lyp");
        _cpu = new XcIntegrator(grid, basis, f);
        _gpu = new XcIntegrator(grid, basis, f, new IlgpuXcGridKernel(_device));
        _d = AtomicDensityGuess.SuperpositionOfAtomicDensities(benzene, basis, new HartreeFockOptions());
        _jkCpu = new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(benzene, basis));
        _jkGpu = _jkCpu.OnDevice(_device);
        _gpu.Evaluate([_d]);   // load the kernels and keep the basis values
    }

    [Benchmark(Baseline = true, Description = "XC integration, CPU")]
    public double XcCpu() => _cpu.Evaluate([_d]).Energy;

    [Benchmark(Description = "XC integration, device")]
    public double XcDevice() => _gpu.Evaluate([_d]).Energy;

    [Benchmark(Description = "DF J/K, CPU")]
    public double JkCpu() => _jkCpu.Build([_d]).Coulomb[0][0];

    [Benchmark(Description = "DF J/K, device")]
    public double JkDevice() => _jkGpu.Build([_d]).Coulomb[0][0];

    [GlobalCleanup]
    public void Dispose()
    {
        _jkGpu?.Dispose();
        _device?.Dispose();
        GC.SuppressFinalize(this);
    }
}
