using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Kernels.Fock;

namespace Qex.Bench;

/// <summary>
/// Benzene/def2-SVP (114 functions, about 21 million stored integrals), one thread: the stored-integral J/K build for one
/// density against the floor of reading the same integrals once (a plain sum over the stored values, measured in the
/// same run), and the integral evaluation itself. The GB/s column counts the stored integrals' bytes.
/// </summary>
[Config(typeof(BandwidthConfig))]
[MemoryDiagnoser(false)]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class MolecularBenchmarks : IByteCount
{
    private sealed class BandwidthConfig : ManualConfig
    {
        public BandwidthConfig() => AddColumn(new BandwidthColumn());
    }

    /// <summary>Benzene (Angstrom), shared by the molecular benchmarks.</summary>
    internal const string Benzene = """
        C 0.00000000 1.39250000 0.0
        C 1.20594000 0.69625000 0.0
        C 1.20594000 -0.69625000 0.0
        C 0.00000000 -1.39250000 0.0
        C -1.20594000 -0.69625000 0.0
        C -1.20594000 0.69625000 0.0
        H 0.00000000 2.47450000 0.0
        H 2.14297000 1.23725000 0.0
        H 2.14297000 -1.23725000 0.0
        H 0.00000000 -2.47450000 0.0
        H -2.14297000 -1.23725000 0.0
        H -2.14297000 1.23725000 0.0
        """;

    private ElectronRepulsionEngine _engine = null!;
    private DensityFittedCoulombExchange _fitted = null!;
    private BasisSet _basis = null!, _aux = null!;
    private IReadOnlyList<EriBlocks> _stored = [];
    private readonly CpuCoulombExchangeKernel _kernel = new(maxThreads: 1);
    private double[] _density = [], _j = [], _k = [];

    private static readonly Lazy<double> StoredBytes = new(() =>
        new ElectronRepulsionEngine(BasisSet.For(Molecule.ParseGeometry(Benzene), BasisSetLibrary.Load("def2-svp"))).StoredValueCount() * 8.0);

    /// <summary>The stored integrals' bytes (the column is computed on an instance without setup).</summary>
    public double Bytes => StoredBytes.Value;

    [GlobalSetup]
    public void Setup()
    {
        var mol = Molecule.ParseGeometry(Benzene);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("def2-svp"));
        _engine = new ElectronRepulsionEngine(basis);
        _stored = _engine.Store(maxThreads: 1);
        (_basis, _aux) = (basis, RestrictedHartreeFock.FittingBasis(mol, basis));
        _fitted = new DensityFittedCoulombExchange(_basis, _aux, maxThreads: 1);
        int n = basis.FunctionCount;
        // the converged RHF density (rank 21): density fitting's K costs grow with the rank of the density
        _density = RestrictedHartreeFock.Run(mol, basis, new HartreeFockOptions(Integrals: IntegralMode.DensityFitting)).Density.ToArray();
        _j = new double[n * n];
        _k = new double[n * n];
    }

    [Benchmark(Baseline = true, Description = "read the stored integrals once (sum)")]
    public double ReadFloor()
    {
        double s = 0;
        foreach (var set in _stored)
            for (int i = 0; i < set.Count; i++) s += System.Numerics.Tensors.TensorPrimitives.Sum(set.Values(i));
        return s;
    }

    [Benchmark(Description = "J and K for one density (stored)")]
    public void CoulombExchange() => _kernel.Accumulate(_stored, [_density], [_j], [_k]);

    [Benchmark(Description = "evaluate and store all integrals")]
    public int Integrals() => _engine.Store(maxThreads: 1).Sum(s => s.Count);

    [Benchmark(Description = "J and K for one density (density fitting, def2-universal-jkfit)")]
    public double FittedCoulombExchange() => _fitted.Build([_density]).Exchange[0][0];

    [Benchmark(Description = "fitted three-center integrals B = (P|Q)^-1/2 (P|mn)")]
    public int FittedIntegrals() => new DensityFittedCoulombExchange(_basis, _aux, maxThreads: 1).FittingRank;
}
