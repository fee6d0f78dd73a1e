using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

/// <summary>Settings of a finite-difference check.</summary>
/// <param name="Step">Finite-difference step, relative: h = Step * max(1, |x_i|).</param>
/// <param name="MaxPerInput">At most this many coordinates of each input are checked (a seeded random subset).</param>
/// <param name="Floor">Errors of small components are measured against Floor * (largest component).</param>
/// <param name="Seed">Seed of the random cotangent and of the coordinate subset.</param>
public sealed record GradCheckOptions(double Step = 1e-3, int MaxPerInput = 64, double Floor = 1e-4, long Seed = 1234);

/// <summary>The outcome of a finite-difference check.</summary>
/// <param name="MaxRelativeError">Largest |analytic - numeric| / max(|analytic|, |numeric|, floor).</param>
/// <param name="WorstInput">Input index of the worst component.</param>
/// <param name="WorstIndex">Flat index of the worst component inside that input.</param>
/// <param name="Analytic">Analytic value at the worst component.</param>
/// <param name="Numeric">Finite-difference value at the worst component.</param>
/// <param name="Checked">Number of components compared.</param>
public sealed record GradCheckResult(double MaxRelativeError, int WorstInput, int WorstIndex, double Analytic, double Numeric, int Checked)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"max relative error {MaxRelativeError:E3} at input {WorstInput}[{WorstIndex}] (analytic {Analytic:G10}, numeric {Numeric:G10}; {Checked} compared)";
}

/// <summary>
/// Checks derivatives against central finite differences (the fourth-order five-point stencil
/// <c>(8(f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h</c>). Non-scalar outputs are contracted with a fixed random
/// cotangent, so the check covers the whole Jacobian-vector structure.
/// </summary>
public static class GradCheck
{
    /// <summary>Compares the reverse-mode gradient of f with finite differences at <paramref name="inputs"/>.</summary>
    public static GradCheckResult Gradient(Func<Var[], Var> f, Tensor[] inputs, GradCheckOptions? options = null)
    {
        options ??= new GradCheckOptions();
        var rng = new Rng(options.Seed);
        var probe = f(inputs.Select(Var.Constant).ToArray());
        var cot = rng.NormalTensor(probe.Value.ShapeArray());
        double Scalar(Tensor[] xs) => Contract(f(xs.Select(Var.Constant).ToArray()).Value, cot);
        var vars = inputs.Select(Var.Parameter).ToArray();
        var y = f(vars);
        var grads = Grad.Compute(y, vars, Var.Constant(cot));
        return Compare(inputs, grads.Select(g => g.Value).ToArray(), Scalar, options, rng);
    }

    /// <summary>
    /// Compares the Hessian-vector product (reverse over reverse) of a scalar f with central differences of the
    /// analytic gradient along the direction: <c>H v ~ (g(x + h v) - g(x - h v)) / 2h</c> (five-point).
    /// </summary>
    public static GradCheckResult HessianVectorProduct(Func<Var[], Var> f, Tensor[] inputs, Tensor[]? directions = null, GradCheckOptions? options = null)
    {
        options ??= new GradCheckOptions();
        var rng = new Rng(options.Seed);
        directions ??= inputs.Select(x => rng.NormalTensor(x.ShapeArray())).ToArray();
        var vars = inputs.Select(Var.Parameter).ToArray();
        var hv = Grad.HessianVectorProduct(f(vars), vars, directions.Select(Var.Constant).ToArray());
        Tensor[] GradAt(double t)
        {
            var shifted = inputs.Select((x, i) => TensorMath.Binary(BinaryOp.Add, x, TensorMath.Scale(directions[i], t))).Select(Var.Parameter).ToArray();
            return Grad.Compute(f(shifted), shifted).Select(g => g.Value).ToArray();
        }
        double h = options.Step;
        var gp1 = GradAt(h); var gm1 = GradAt(-h); var gp2 = GradAt(2 * h); var gm2 = GradAt(-2 * h);
        var numeric = new double[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            numeric[i] = new double[inputs[i].Length];
            for (int j = 0; j < numeric[i].Length; j++)
                numeric[i][j] = (8 * (gp1[i].Span[j] - gm1[i].Span[j]) - (gp2[i].Span[j] - gm2[i].Span[j])) / (12 * h);
        }
        return Summarize(hv.Select(v => v.Value.ToArray()).ToArray(), numeric, null, options);
    }

    /// <summary>Throws with a readable message unless the check passes the tolerance.</summary>
    public static void AssertWithin(GradCheckResult result, double tolerance, string what = "gradient")
    {
        if (!(result.MaxRelativeError <= tolerance))
            throw new GradCheckException($"{what} check failed (tolerance {tolerance:E1}): {result}");
    }

    private static double Contract(Tensor y, Tensor cot)
    {
        double s = 0;
        var a = y.Span; var b = cot.Span;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static GradCheckResult Compare(Tensor[] inputs, Tensor[] analytic, Func<Tensor[], double> f, GradCheckOptions o, Rng rng)
    {
        var an = new double[inputs.Length][];
        var nu = new double[inputs.Length][];
        var chosen = new int[inputs.Length][];
        for (int i = 0; i < inputs.Length; i++)
        {
            int len = inputs[i].Length;
            chosen[i] = len <= o.MaxPerInput ? Enumerable.Range(0, len).ToArray() : rng.Permutation(len)[..o.MaxPerInput];
            an[i] = chosen[i].Select(j => analytic[i].Span[j]).ToArray();
            nu[i] = new double[chosen[i].Length];
            for (int c = 0; c < chosen[i].Length; c++)
            {
                int j = chosen[i][c];
                double x0 = inputs[i].Span[j];
                double h = o.Step * Math.Max(1, Math.Abs(x0));
                double At(double dx)
                {
                    var copy = (Tensor[])inputs.Clone();
                    var data = inputs[i].ToArray();
                    data[j] = x0 + dx;
                    copy[i] = Tensor.Wrap(data, inputs[i].ShapeArray());
                    return f(copy);
                }
                nu[i][c] = (8 * (At(h) - At(-h)) - (At(2 * h) - At(-2 * h))) / (12 * h);
            }
        }
        return Summarize(an, nu, chosen, o);
    }

    private static GradCheckResult Summarize(double[][] analytic, double[][] numeric, int[][]? chosen, GradCheckOptions o)
    {
        double scale = 0;
        foreach (var n in numeric) foreach (double v in n) scale = Math.Max(scale, Math.Abs(v));
        foreach (var n in analytic) foreach (double v in n) scale = Math.Max(scale, Math.Abs(v));
        double floor = Math.Max(o.Floor * scale, 1e-300);
        double worst = 0; int wi = 0, wj = 0, count = 0;
        for (int i = 0; i < analytic.Length; i++)
            for (int c = 0; c < analytic[i].Length; c++)
            {
                double a = analytic[i][c], n = numeric[i][c];
                double err = Math.Abs(a - n) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(n)), floor);
                if (double.IsNaN(err)) err = double.PositiveInfinity;
                if (count++ == 0 || err > worst) { worst = err; wi = i; wj = c; }
            }
        int flat = chosen is null ? wj : chosen[wi][wj];
        return analytic.Length == 0 || analytic[wi].Length == 0
            ? new GradCheckResult(0, 0, 0, 0, 0, 0)
            : new GradCheckResult(worst, wi, flat, analytic[wi][wj], numeric[wi][wj], count);
    }
}

/// <summary>A derivative check failed.</summary>
public sealed class GradCheckException(string message) : Exception(message);
