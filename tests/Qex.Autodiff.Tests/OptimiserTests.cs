using Qex.Autodiff.Optimisers;
using Qex.Core.Tensors;

namespace Qex.Autodiff.Tests;

public sealed class OptimiserTests
{
    private static (double, double[]) Rosenbrock(double[] x)
    {
        int n = x.Length;
        double f = 0;
        var g = new double[n];
        for (int i = 0; i < n - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * x[i] * a - 2 * b;
            g[i + 1] += 200 * a;
        }
        return (f, g);
    }

    [Fact]
    public void LbfgsMinimisesTenDimensionalRosenbrock()
    {
        var x0 = Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        var r = Lbfgs.Minimize(Rosenbrock, x0, new LbfgsOptions(GradientTolerance: 1e-7, FunctionTolerance: 0));
        Assert.True(r.Value < 1e-8, $"f = {r.Value} after {r.Evaluations} evaluations ({r.Status})");
        Assert.True(r.Evaluations < 200, $"{r.Evaluations} evaluations");
        Assert.All(r.X, v => Assert.Equal(1.0, v, 4));
        Assert.True(r.Converged);
    }

    [Fact]
    public void LbfgsRespectsTheEvaluationBudgetAndReportsIt()
    {
        var x0 = Enumerable.Repeat(-1.0, 10).ToArray();
        var r = Lbfgs.Minimize(Rosenbrock, x0, new LbfgsOptions(MaxEvaluations: 15));
        Assert.Equal(LbfgsStatus.MaxEvaluations, r.Status);
        Assert.True(r.Evaluations <= 15);
        Assert.True(r.Value < Rosenbrock(x0).Item1);
    }

    [Fact]
    public void LbfgsShortensStepsIntoNonFiniteRegions()
    {
        // f = x - log(x) (minimum at 1) is undefined for x <= 0; a long first step lands there
        static (double, double[]) F(double[] x) => x[0] <= 0
            ? (double.NaN, [double.NaN])
            : (x[0] - Math.Log(x[0]), [1 - 1 / x[0]]);
        var r = Lbfgs.Minimize(F, [0.05]);
        Assert.Equal(1.0, r.X[0], 4);
        Assert.Throws<ArgumentException>(() => Lbfgs.Minimize(F, [-1.0]));
    }

    [Fact]
    public void LbfgsCallbackCanStop()
    {
        int calls = 0;
        var r = Lbfgs.Minimize(Rosenbrock, [-1.2, 1], null, p => ++calls < 3);
        Assert.Equal(LbfgsStatus.Stopped, r.Status);
        Assert.Equal(3, r.Iterations);
    }

    [Fact]
    public void AdamDecreasesAConvexQuadraticMonotonically()
    {
        // f = 1/2 sum_i c_i x_i^2 with curvatures spanning two decades
        double[] c = [0.1, 1, 3, 10];
        double F(double[] x) => 0.5 * x.Select((v, i) => c[i] * v * v).Sum();
        var x = new[] { 2.0, -1.5, 1.0, 0.5 };
        var adam = new Adam(4, new AdamOptions(LearningRate: 0.01));
        double prev = F(x), first = prev;
        for (int step = 0; step < 150; step++)
        {
            var g = x.Select((v, i) => c[i] * v).ToArray();
            adam.Step(x, g);
            double f = F(x);
            Assert.True(f < prev, $"step {step}: f rose from {prev} to {f}");
            prev = f;
        }
        Assert.True(prev < 0.5 * first);
    }

    [Fact]
    public void AdamResumesFromItsStateExactly()
    {
        var a = new Adam(2, new AdamOptions(LearningRate: 0.1));
        var x = new[] { 1.0, -1.0 };
        a.Step(x, [0.5, -0.2]);
        var saved = a.State;
        var y = (double[])x.Clone();
        a.Step(x, [0.3, 0.1]);
        new Adam(saved, new AdamOptions(LearningRate: 0.1)).Step(y, [0.3, 0.1]);
        Assert.Equal(x, y);
        Assert.Throws<ArgumentException>(() => a.Step(x, [double.NaN, 0]));
    }

    [Fact]
    public void ParameterSetFlattensNestedTreesInOrder()
    {
        var tree = new Dictionary<string, object>
        {
            ["eta"] = Tensor.Vector(1, 2),
            ["conv"] = new Dictionary<string, object> { ["W1"] = Tensor.Wrap([3, 4, 5, 6], 2, 2), ["W2"] = Tensor.Scalar(7) },
        };
        var ps = ParameterSet.FromNested(tree);
        Assert.Equal(["eta", "conv.W1", "conv.W2"], ps.Items.Select(i => i.Name));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], ps.Flatten());
        var back = ps.Unflatten([7, 6, 5, 4, 3, 2, 1]);
        Assert.Equal(3, back["conv.W1"][1, 0]); // eta = [7, 6], W1 = [[5, 4], [3, 2]]
        Assert.Equal([2, 2], back["conv.W1"].ShapeArray());
        Assert.Throws<ArgumentException>(() => ps.Unflatten(new double[6]));
        var ex = Assert.Throws<KeyNotFoundException>(() => ps["nope"]);
        Assert.Contains("conv.W1", ex.Message);
    }
}
