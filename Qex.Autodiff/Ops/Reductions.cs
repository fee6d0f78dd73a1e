using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    /// <summary>Sum of all elements (a scalar).</summary>
    public static Var Sum(Var a) => Sum(a, [], keepDims: false);

    /// <summary>Sum over the given axes (contiguous axes; all when empty).</summary>
    public static Var Sum(Var a, int[] axes, bool keepDims = false)
    {
        var shape = a.Value.ShapeArray();
        var keep = KeepShape(shape, axes);
        var result = TensorMath.Sum(a.Value, axes, keepDims);
        return Var.Record(result, "sum", [a], (g, s) => [BroadcastTo(Reshape(g, keep), shape)]);
    }

    /// <summary>The shape with the reduced axes (all when empty) set to length 1.</summary>
    private static int[] KeepShape(int[] shape, int[] axes)
    {
        var keep = (int[])shape.Clone();
        if (axes.Length == 0) Array.Fill(keep, 1);
        foreach (int ax in axes) keep[ShapeUtil.NormalizeAxis(ax, shape.Length)] = 1;
        return keep;
    }

    /// <summary>Mean over the given axes (all when empty).</summary>
    public static Var Mean(Var a, int[]? axes = null, bool keepDims = false)
    {
        axes ??= [];
        int count = 1;
        if (axes.Length == 0) count = a.Length;
        else foreach (int ax in axes) count *= a.Dim(ax);
        return Scale(Sum(a, axes, keepDims), 1.0 / count);
    }

    /// <summary>Maximum over the given axes; the gradient is shared equally between tied maxima.</summary>
    public static Var Max(Var a, int[]? axes = null, bool keepDims = false)
    {
        axes ??= [];
        var shape = a.Value.ShapeArray();
        var keep = KeepShape(shape, axes);
        var (result, mask) = TensorMath.Max(a.Value, axes, keepDims);
        var ties = TensorMath.Sum(mask, axes, keepDims: true);
        var weights = TensorMath.Binary(BinaryOp.Divide, mask, ties);
        var w = Var.Constant(weights);
        return Var.Record(result, "max", [a], (g, s) => [BroadcastTo(Reshape(g, keep), shape) * w]);
    }
}
