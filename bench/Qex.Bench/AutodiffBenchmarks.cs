using BenchmarkDotNet.Attributes;
using Qex.Autodiff;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Bench;

/// <summary>
/// A 3-layer MLP (16 -> 64 -> 64 -> 1, SiLU, biases) applied to 10^4 input points (the grid-point batch of a local
/// XC functional), summed to a scalar. Gradients are taken with respect to all 6 parameter tensors.
/// </summary>
public abstract class MlpBenchmarkBase
{
    protected const int Points = 10_000, Features = 16, Hidden = 64;
    protected Var Inputs = null!;
    protected Tensor[] Parameters = null!;
    protected Var[] Directions = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        Inputs = Var.Constant(rng.NormalTensor([Points, Features]));
        Parameters =
        [
            rng.NormalTensor([Features, Hidden], 0, 0.25), rng.NormalTensor([Hidden], 0, 0.1),
            rng.NormalTensor([Hidden, Hidden], 0, 0.125), rng.NormalTensor([Hidden], 0, 0.1),
            rng.NormalTensor([Hidden, 1], 0, 0.125), rng.NormalTensor([1]),
        ];
        Directions = Parameters.Select(p => Var.Constant(rng.NormalTensor(p.ShapeArray()))).ToArray();
    }

    protected Var Loss(Var[] p)
    {
        var h = Op.Silu(Op.MatMul(Inputs, p[0]) + p[1]);
        h = Op.Silu(Op.MatMul(h, p[2]) + p[3]);
        return Op.Sum(Op.MatMul(h, p[4]) + p[5]);
    }

    protected Var[] Gradient()
    {
        var v = Parameters.Select(Var.Parameter).ToArray();
        return Grad.Compute(Loss(v), v);
    }
}

/// <summary>Gradient time over forward time (the Ratio column; target at most 4).</summary>
public class MlpGradientOverForward : MlpBenchmarkBase
{
    [Benchmark(Baseline = true)]
    public Var Forward() => Loss(Parameters.Select(Var.Constant).ToArray());

    [Benchmark]
    public Var[] ForwardAndGradient() => Gradient();
}

/// <summary>Hessian-vector product time over gradient time (the Ratio column; target at most 3).</summary>
public class MlpHvpOverGradient : MlpBenchmarkBase
{
    [Benchmark(Baseline = true)]
    public Var[] ForwardAndGradient() => Gradient();

    [Benchmark]
    public Var[] HessianVectorProduct()
    {
        var v = Parameters.Select(Var.Parameter).ToArray();
        return Grad.HessianVectorProduct(Loss(v), v, Directions);
    }
}
