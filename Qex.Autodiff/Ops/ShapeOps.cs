using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    /// <summary>The same values with a new shape (one axis may be -1).</summary>
    public static Var Reshape(Var a, params int[] shape)
    {
        var from = a.Value.ShapeArray();
        var value = a.Value.Reshape(shape);
        if (value.Shape.SequenceEqual(from)) return a;
        return Var.Record(value, "reshape", [a], (g, s) => [Reshape(g, from)]);
    }

    /// <summary>Broadcasts to a shape (NumPy rules).</summary>
    public static Var BroadcastTo(Var a, int[] shape)
    {
        if (a.Shape.SequenceEqual(shape)) return a;
        var from = a.Value.ShapeArray();
        return Var.Record(TensorMath.BroadcastTo(a.Value, shape), "broadcast_to", [a], (g, s) => [SumTo(g, from)]);
    }

    /// <summary>Sums down to a shape that broadcasts to a's shape (the adjoint of <see cref="BroadcastTo"/>).</summary>
    public static Var SumTo(Var a, int[] shape)
    {
        if (a.Shape.SequenceEqual(shape)) return a;
        var from = a.Value.ShapeArray();
        return Var.Record(TensorMath.SumTo(a.Value, shape), "sum_to", [a], (g, s) => [BroadcastTo(g, from)]);
    }

    /// <summary>Swaps the last two axes.</summary>
    public static Var Transpose(Var a) =>
        Var.Record(TensorMath.TransposeLast(a.Value), "transpose", [a], (g, s) => [Transpose(g)]);

    /// <summary>Permutes axes: result axis i is input axis perm[i].</summary>
    public static Var Permute(Var a, params int[] perm)
    {
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return Var.Record(TensorMath.Permute(a.Value, perm), "permute", [a], (g, s) => [Permute(g, inverse)]);
    }

    /// <summary>Elements start, start+step, ... (count of them) along an axis.</summary>
    public static Var Slice(Var a, int axis, int start, int count, int step = 1)
    {
        int len = a.Dim(axis);
        return Var.Record(TensorMath.Slice(a.Value, axis, start, count, step), "slice", [a],
            (g, s) => [Unslice(g, axis, len, start, step)]);
    }

    /// <summary>Places a into zeros along an axis of the given length at start, start+step, ... (adjoint of Slice).</summary>
    public static Var Unslice(Var a, int axis, int length, int start, int step = 1)
    {
        int count = a.Dim(axis);
        return Var.Record(TensorMath.Unslice(a.Value, axis, length, start, step), "unslice", [a],
            (g, s) => [Slice(g, axis, start, count, step)]);
    }

    /// <summary>Selects indices along an axis (repeats allowed).</summary>
    public static Var Gather(Var a, int axis, int[] indices)
    {
        int len = a.Dim(axis);
        var idx = (int[])indices.Clone();
        return Var.Record(TensorMath.Gather(a.Value, axis, idx), "gather", [a],
            (g, s) => [ScatterAdd(g, axis, idx, len)]);
    }

    /// <summary>Adds slices of a into zeros at the given indices along an axis of the given length (adjoint of Gather).</summary>
    public static Var ScatterAdd(Var a, int axis, int[] indices, int length)
    {
        var idx = (int[])indices.Clone();
        return Var.Record(TensorMath.ScatterAdd(a.Value, axis, idx, length), "scatter_add", [a],
            (g, s) => [Gather(g, axis, idx)]);
    }

    /// <summary>Concatenates along an axis.</summary>
    public static Var Concat(IReadOnlyList<Var> parts, int axis)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var inputs = parts.ToArray(); // the caller's list may change afterwards; the graph must not
        var values = inputs.Select(p => p.Value).ToArray();
        var result = TensorMath.Concat(values, axis);
        var lengths = values.Select(v => v.Dim(axis)).ToArray();
        return Var.Record(result, "concat", inputs, (g, s) =>
        {
            var r = new Var?[lengths.Length];
            int off = 0;
            for (int i = 0; i < lengths.Length; i++)
            {
                if (inputs[i].RequiresGrad) r[i] = Slice(g, axis, off, lengths[i]);
                off += lengths[i];
            }
            return r;
        });
    }

    /// <summary>Reverses an axis.</summary>
    public static Var Flip(Var a, int axis) =>
        Var.Record(TensorMath.Flip(a.Value, axis), "flip", [a], (g, s) => [Flip(g, axis)]);

    /// <summary>Pads an axis with a constant value.</summary>
    public static Var Pad(Var a, int axis, int before, int after, double value = 0)
    {
        int len = a.Dim(axis);
        return Var.Record(TensorMath.Pad(a.Value, axis, before, after, value), "pad", [a],
            (g, s) => [Slice(g, axis, before, len)]);
    }
}
