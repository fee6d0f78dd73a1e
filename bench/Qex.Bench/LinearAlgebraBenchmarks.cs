using BenchmarkDotNet.Attributes;
using MathNet.Numerics.LinearAlgebra;
using Qex.Core.LinearAlgebra;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Bench;

/// <summary>Square matrix products: Qex's GEMM against MathNet's managed product in the same run.</summary>
public class GemmBenchmarks : IFlopCount
{
    private Tensor _a = null!, _b = null!;
    private double[] _c = null!;
    private Matrix<double> _ma = null!, _mb = null!, _mc = null!;

    [Params(256, 512, 1024)]
    public int N { get; set; }

    public double Flops => 2.0 * N * N * N;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        _a = rng.NormalTensor([N, N]);
        _b = rng.NormalTensor([N, N]);
        _c = new double[N * N];
        _ma = Matrix<double>.Build.Dense(N, N, _a.ToArray());
        _mb = Matrix<double>.Build.Dense(N, N, _b.ToArray());
        _mc = Matrix<double>.Build.Dense(N, N);
    }

    [Benchmark(Baseline = true, Description = "MathNet a*b")]
    public void MathNet() => _ma.Multiply(_mb, _mc);

    [Benchmark(Description = "Qex Gemm")]
    public void Qex() => Gemm.Multiply(false, false, N, N, N, 1.0, _a.Span, N, _b.Span, N, 0.0, _c, N);
}

/// <summary>Symmetric eigendecomposition of a 513 x 513 matrix (the 1D Kohn-Sham grid size).</summary>
public class EighBenchmarks
{
    private Tensor _a = null!;
    private Matrix<double> _m = null!;

    [GlobalSetup]
    public void Setup()
    {
        const int n = 513;
        var r = new Rng(2).NormalTensor([n, n]).Span;
        var s = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) s[i * n + j] = 0.5 * (r[i * n + j] + r[j * n + i]);
        _a = Tensor.Wrap(s, n, n);
        _m = Matrix<double>.Build.DenseOfArray(_a.ToArray2D());
    }

    [Benchmark(Baseline = true, Description = "MathNet Evd (all pairs)")]
    public object MathNetAll() => _m.Evd(Symmetricity.Symmetric);

    [Benchmark(Description = "Qex eigh (all pairs)")]
    public object QexAll() => SymmetricEigen.Decompose(_a);

    [Benchmark(Description = "Qex eigh (lowest 2 pairs)")]
    public object QexLowest2() => SymmetricEigen.Lowest(_a, 2);
}
