using BenchmarkDotNet.Attributes;
using Qex.Core.LinearAlgebra;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Kernels.Grid;

namespace Qex.Bench;

/// <summary>
/// One B3LYP XC integration (energy and V_xc of the atomic-guess density) of water and benzene in def2-SVP on the
/// 75 x 302 grid, one thread, against the floor of its dense products alone (the two m x m x 256 matrix products per
/// block of 256 points, m the basis size, without screening), measured in the same run.
/// </summary>
[MemoryDiagnoser(false)]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class MolecularDftBenchmarks
{
    private const string Water = "O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692";


    private XcIntegrator _xc = null!;
    private double[] _density = [], _a = [], _b = [], _c = [], _m = [];
    private int _n, _blocks;

    /// <summary>The molecule.</summary>
    [Params("water", "benzene")]
    public string Molecule { get; set; } = "water";

    [GlobalSetup]
    public void Setup()
    {
        var mol = Qex.Dft.Molecular.Molecule.ParseGeometry(Molecule == "water" ? Water : MolecularBenchmarks.Benzene);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("def2-svp"));
        var grid = MolecularGrid.Create(mol, GridOptions.Psi4(75, 302));
        _xc = new XcIntegrator(grid, basis, XcFunctional.Parse("b3lyp"), new CpuXcGridKernel(maxThreads: 1));
        _density = AtomicDensityGuess.SuperpositionOfAtomicDensities(mol, basis, new HartreeFockOptions());
        _n = basis.FunctionCount;
        _blocks = (grid.Count + CpuXcGridKernel.BlockSize - 1) / CpuXcGridKernel.BlockSize;
        var rng = new Random(1);
        _a = [.. Enumerable.Range(0, _n * _n).Select(_ => rng.NextDouble())];
        _b = [.. Enumerable.Range(0, _n * CpuXcGridKernel.BlockSize).Select(_ => rng.NextDouble())];
        _c = new double[_n * CpuXcGridKernel.BlockSize];
        _m = new double[_n * _n];
    }

    [Benchmark(Baseline = true)]
    public double GridIntegration() => _xc.Evaluate([_density]).Energy;

    [Benchmark]
    public double DenseProductsOnly()
    {
        int np = CpuXcGridKernel.BlockSize;
        for (int b = 0; b < _blocks; b++)
        {
            Gemm.Multiply(false, false, _n, np, _n, 1, _a, _n, _b, np, 0, _c, np, 1);
            Gemm.Multiply(false, true, _n, _n, np, 1, _b, np, _c, np, 0, _m, _n, 1);
        }
        return _m[0];
    }
}
