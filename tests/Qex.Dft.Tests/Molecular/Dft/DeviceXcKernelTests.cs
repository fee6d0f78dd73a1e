using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Kernels.Devices;
using Qex.Kernels.Grid;

namespace Qex.Dft.Tests.Molecular.Dft;

/// <summary>
/// The device XC integration (ILGPU, here on its CPU accelerator: the test double of CUDA and OpenCL) against the CPU
/// kernel: energies, electron counts, V_xc and its linear response for LDA, GGA and meta-GGA, closed and open shells, in
/// one batch and in many, and the same numbers on every run.
/// </summary>
public sealed class DeviceXcKernelTests : IDisposable
{
    private static readonly Molecule Water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);
    private readonly ComputeDevice _device = DeviceCatalog.Open(DeviceKind.IlgpuCpu);

    public void Dispose() => _device.Dispose();

    private static (MolecularGrid Grid, BasisSet Basis, double[] Density) Setup()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var grid = MolecularGrid.Create(Water, GridOptions.Psi4(16, 26));
        var d = AtomicDensityGuess.SuperpositionOfAtomicDensities(Water, basis, new HartreeFockOptions());
        return (grid, basis, d);
    }

    /// <summary>Alpha and beta densities that differ (a symmetric perturbation of half the total each way).</summary>
    private static double[][] Spin(double[] d, int n, int seed)
    {
        var rng = new Random(seed);
        var a = new double[n * n];
        var b = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double x = 0.02 * (rng.NextDouble() - 0.5);
                a[i * n + j] = a[j * n + i] = 0.5 * d[i * n + j] + x;
                b[i * n + j] = b[j * n + i] = 0.5 * d[i * n + j] - x;
            }
        return [a, b];
    }

    private static double[] Symmetric(int n, int seed)
    {
        var rng = new Random(seed);
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = 0.1 * (rng.NextDouble() - 0.5);
        return m;
    }

    private static void Same(double[] expected, double[] actual, double relative, string what, double[]? floor = null)
    {
        double scale = Math.Max(expected.Max(Math.Abs), 1e-300);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = Math.Max(relative * scale, floor?[i] ?? 0);
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed, $"{what}[{i}]: {expected[i]:R} (CPU) vs {actual[i]:R} (device), allowed {allowed:E2}");
        }
    }

    [Theory]
    [InlineData("svwn", false)]
    [InlineData("b3lyp", false)]
    [InlineData("tpss", false)]
    [InlineData("svwn", true)]
    [InlineData("pbe", true)]
    [InlineData("tpss", true)]
    public void IntegrationMatchesTheCpuKernel(string name, bool open)
    {
        var (grid, basis, d) = Setup();
        int n = basis.FunctionCount;
        double[][] densities = open ? Spin(d, n, 7) : [d];
        var f = XcFunctional.Parse(name);
        var cpu = new XcIntegrator(grid, basis, f).Evaluate(densities);
        var device = new XcIntegrator(grid, basis, f, new IlgpuXcGridKernel(_device)).Evaluate(densities);
        Assert.Equal(cpu.Energy, device.Energy, 1e-12 * Math.Abs(cpu.Energy));
        Assert.Equal(cpu.Electrons, device.Electrons, 1e-12 * cpu.Electrons);
        for (int s = 0; s < densities.Length; s++) Same(cpu.Matrices[s], device.Matrices[s], 1e-12, $"V[{s}]");
    }

    [Theory]
    [InlineData("svwn", false)]
    [InlineData("b3lyp", false)]
    [InlineData("pbe", true)]
    [InlineData("tpss", false)]
    public void ResponseMatchesTheCpuKernel(string name, bool open)
    {
        var (grid, basis, d) = Setup();
        int n = basis.FunctionCount;
        double[][] densities = open ? Spin(d, n, 3) : [d];
        int trials = 2 * densities.Length;
        var t = Enumerable.Range(0, trials).Select(i => Symmetric(n, 11 + i)).ToArray();
        var f = XcFunctional.Parse(name);
        var cpu = new XcIntegrator(grid, basis, f).Response(densities, t);
        var device = new XcIntegrator(grid, basis, f, new IlgpuXcGridKernel(_device)).Response(densities, t);
        Assert.Equal(trials, device.Length);
        // the CPU's own sensitivity to a last-bit change of the density (D (1 + 1e-15)): the features of the two kernels
        // differ by rounding, and TPSS's kernel at the grid's tiny densities magnifies that to 1e-12 of the largest element
        // (a 1e-15 change moves V1 by 2e-14 there; PBE's by 3e-17, so 1e-12 relative governs every other functional)
        var nudged = new XcIntegrator(grid, basis, f).Response([.. densities.Select(m => m.Select(v => v * (1 + 1e-15)).ToArray())], t);
        for (int i = 0; i < trials; i++)
        {
            var floor = cpu[i].Zip(nudged[i], (a, b) => 4 * Math.Abs(a - b)).ToArray();
            Same(cpu[i], device[i], 1e-12, $"V1[{i}]", floor);
        }
    }

    [Fact]
    public void BatchesAndKeptValuesGiveTheSameNumbersEveryTime()
    {
        var (grid, basis, d) = Setup();
        var f = XcFunctional.Parse("b3lyp");
        // one batch with the basis values kept on the device (the second call reads them), and batches of about 300 points
        // with a partial last batch and nothing kept
        var kept = new XcIntegrator(grid, basis, f, new IlgpuXcGridKernel(_device));
        var first = kept.Evaluate([d]);
        var second = kept.Evaluate([d]);
        Assert.Equal(first.Energy, second.Energy);
        Assert.Equal(first.Matrices[0], second.Matrices[0]);
        int n = basis.FunctionCount;
        long perPoint = n * 8L * 6 + 8L * 10;
        var batched = new XcIntegrator(grid, basis, f, new IlgpuXcGridKernel(_device, batchBytes: 300 * perPoint, cacheBytes: 0)).Evaluate([d]);
        Assert.True(grid.Count % 300 != 0 && grid.Count > 900);
        Assert.Equal(first.Energy, batched.Energy, 1e-13 * Math.Abs(first.Energy));
        Same(first.Matrices[0], batched.Matrices[0], 1e-13, "V");
        var again = new XcIntegrator(grid, basis, f, new IlgpuXcGridKernel(_device, batchBytes: 300 * perPoint, cacheBytes: 0)).Evaluate([d]);
        Assert.Equal(batched.Energy, again.Energy);
        Assert.Equal(batched.Matrices[0], again.Matrices[0]);
    }

    [Fact]
    public void AnEmptyGridAndBadInputAreHandled()
    {
        var (_, basis, d) = Setup();
        var gb = GridBasisFactory.Create(basis);
        var kernel = new IlgpuXcGridKernel(_device);
        var f = new XcIntegrator.PointFunctional(XcFunctional.Parse("pbe"));
        var empty = kernel.Integrate(gb, new GridPoints([], [], [], []), [d], f);
        Assert.Equal(0, empty.Energy);
        Assert.All(empty.Matrices[0], v => Assert.Equal(0, v));
        var e = Assert.Throws<ArgumentException>(() => kernel.Integrate(gb, new GridPoints([0], [0], [0], [1]), [new double[3]], f));
        Assert.Contains("densities", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IlgpuXcGridKernel(_device, batchBytes: -1));
    }
}

/// <summary>The same checks on a CUDA GPU, where one exists (skipped with the reason elsewhere).</summary>
public sealed class CudaXcKernelTests
{
    [CudaFact]
    public void KohnShamOnCudaGivesTheCpuEnergy()
    {
        var water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);
        var basis = BasisSet.For(water, BasisSetLibrary.Load("def2-svp"));
        var f = XcFunctional.Parse("b3lyp");
        var grid = GridOptions.Psi4(50, 194);
        using var device = DeviceCatalog.Open(DeviceKind.Cuda);
        var cpu = KohnSham.Run(water, basis, f, grid);
        var gpu = KohnSham.Run(water, basis, f, grid, new HartreeFockOptions(XcKernel: new IlgpuXcGridKernel(device)));
        Assert.Equal(cpu.Energy, gpu.Energy, 1e-10);
        var d = cpu.Densities[0].ToArray();
        var a = new XcIntegrator(MolecularGrid.Create(water, grid), basis, f).Evaluate([d]);
        var b = new XcIntegrator(MolecularGrid.Create(water, grid), basis, f, new IlgpuXcGridKernel(device)).Evaluate([d]);
        Assert.Equal(a.Energy, b.Energy, 1e-12 * Math.Abs(a.Energy));
        double scale = a.Matrices[0].Max(Math.Abs);
        for (int i = 0; i < a.Matrices[0].Length; i++) Assert.True(Math.Abs(a.Matrices[0][i] - b.Matrices[0][i]) <= 1e-12 * scale, $"V[{i}]");
    }
}

/// <summary>Density-fitted J and K on a device (ILGPU's CPU accelerator) against the CPU builder, and a whole DF Kohn–Sham SCF on the device.</summary>
public sealed class DeviceDensityFittingTests : IDisposable
{
    private static readonly Molecule Water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);
    private readonly ComputeDevice _device = DeviceCatalog.Open(DeviceKind.IlgpuCpu);

    public void Dispose() => _device.Dispose();

    [Fact]
    public void CoulombAndExchangeMatchTheCpuBuilder()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var cpu = new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(Water, basis));
        using var gpu = cpu.OnDevice(_device);
        int n = basis.FunctionCount;
        var d = AtomicDensityGuess.SuperpositionOfAtomicDensities(Water, basis, new HartreeFockOptions());
        // an indefinite density too (the exchange of a difference of densities, as incremental builds and responses make)
        var rng = new Random(5);
        var e = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) e[i * n + j] = e[j * n + i] = 0.05 * (rng.NextDouble() - 0.5);
        double[][] densities = [d, e];
        var (ja, ka) = cpu.Build(densities);
        var (jb, kb) = gpu.Build(densities);
        for (int s = 0; s < 2; s++)
        {
            foreach (var (a, b, what) in new[] { (ja[s], jb[s], "J"), (ka[s], kb[s], "K") })
            {
                double scale = a.Max(Math.Abs);
                for (int i = 0; i < a.Length; i++)
                    Assert.True(Math.Abs(a[i] - b[i]) <= 1e-12 * scale, $"{what}[{s}][{i}]: {a[i]:R} (CPU) vs {b[i]:R} (device)");
            }
        }
        var (jOnly, kNone) = gpu.Build([d], exchange: false);
        Assert.Empty(kNone);
        Assert.Equal(jb[0], jOnly[0]);
        Assert.Throws<ArgumentException>(() => gpu.Build([new double[4]]));
    }

    [Fact]
    public void DensityFittedKohnShamOnTheDeviceGivesTheCpuEnergy()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var f = XcFunctional.Parse("b3lyp");
        var grid = GridOptions.Psi4(20, 50);
        var cpu = KohnSham.Run(Water, basis, f, grid, new HartreeFockOptions(Integrals: IntegralMode.DensityFitting));
        using var jk = new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(Water, basis)).OnDevice(_device);
        var gpu = KohnSham.Run(Water, basis, f, grid, new HartreeFockOptions(CoulombExchange: jk, XcKernel: new IlgpuXcGridKernel(_device)));
        Assert.Equal(cpu.Energy, gpu.Energy, 1e-10);
    }
}
