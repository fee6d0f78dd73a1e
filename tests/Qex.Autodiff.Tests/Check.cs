using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

/// <summary>Shared tolerances of the acceptance criteria and input makers.</summary>
internal static class Check
{
    public const double GradientTolerance = 1e-6;
    public const double HvpTolerance = 1e-5;

    public static void Gradient(Func<Var[], Var> f, params Tensor[] inputs) =>
        GradCheck.AssertWithin(GradCheck.Gradient(f, inputs), GradientTolerance);

    /// <summary>HVP of the scalar <c>sum(c * f(x))</c> with a fixed random c (so every output's curvature counts).</summary>
    public static void Hvp(Func<Var[], Var> f, params Tensor[] inputs)
    {
        var probe = f(inputs.Select(Var.Constant).ToArray());
        var c = Var.Constant(new Rng(77).NormalTensor(probe.Value.ShapeArray()));
        GradCheck.AssertWithin(GradCheck.HessianVectorProduct(x => Op.Sum(f(x) * c), inputs), HvpTolerance, "Hessian-vector product");
    }

    public static void Both(Func<Var[], Var> f, params Tensor[] inputs)
    {
        Gradient(f, inputs);
        Hvp(f, inputs);
    }

    /// <summary>A constant 1, 2, ..., r*c (breaks symmetries so that a wrong index shows up).</summary>
    public static Var ConstantRamp(int r, int c) =>
        Var.Constant(Tensor.Wrap(Enumerable.Range(1, r * c).Select(i => (double)i).ToArray(), r, c));

    public static Tensor Normal(long seed, params int[] shape) => new Rng(seed).NormalTensor(shape);

    public static Tensor Uniform(long seed, double lo, double hi, params int[] shape) => new Rng(seed).UniformTensor(shape, lo, hi);

    /// <summary>Normal values pushed away from zero (for |x| and sign-sensitive cases).</summary>
    public static Tensor AwayFromZero(long seed, params int[] shape) =>
        Tensor.Create(shape, d =>
        {
            var r = new Rng(seed);
            for (int i = 0; i < d.Length; i++) { double v = r.Normal(); d[i] = v + 0.2 * Math.Sign(v); }
        });
}
