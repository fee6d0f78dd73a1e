using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    private enum ConvMode { Forward, InputGrad, WeightGrad }

    /// <summary>
    /// 1D convolution as cross-correlation with zero "same" padding and no bias:
    /// <c>z[x, o] = sum_k sum_i a[x + k - (K-1)/2, i] W[k, i, o]</c>.
    /// Shapes: a (L, Cin) or (B, L, Cin); W (K, Cin, Cout); result (L, Cout) or (B, L, Cout).
    /// </summary>
    public static Var Conv1d(Var input, Var weight)
    {
        CheckConv(input.Value, weight.Value);
        var value = ConvKernel(ConvMode.Forward, input.Value, weight.Value, weight.Value.ShapeArray(), input.Value.ShapeArray());
        return Var.Record(value, "conv1d", [input, weight], (g, s) => [
            input.RequiresGrad ? Conv1dInputGrad(g, s.Input(1)) : null,
            weight.RequiresGrad ? Conv1dWeightGrad(s.Input(0), g, weight.Dim(0)) : null]);
    }

    /// <summary>The adjoint of <see cref="Conv1d"/> in its input: the input gradient for an output gradient g.</summary>
    public static Var Conv1dInputGrad(Var g, Var weight)
    {
        var gs = g.Value.ShapeArray();
        var inShape = (int[])gs.Clone();
        inShape[^1] = weight.Dim(1);
        if (gs[^1] != weight.Dim(2))
            throw new ArgumentException($"Conv1dInputGrad: gradient channels {gs[^1]} differ from weight output channels {weight.Dim(2)}.");
        var value = ConvKernel(ConvMode.InputGrad, g.Value, weight.Value, weight.Value.ShapeArray(), inShape);
        return Var.Record(value, "conv1d_input_grad", [g, weight], (u, s) => [
            g.RequiresGrad ? Conv1d(u, s.Input(1)) : null,
            weight.RequiresGrad ? Conv1dWeightGrad(u, s.Input(0), weight.Dim(0)) : null]);
    }

    /// <summary>The adjoint of <see cref="Conv1d"/> in its weight: the weight gradient for input a and output gradient g.</summary>
    public static Var Conv1dWeightGrad(Var input, Var g, int kernelWidth)
    {
        var wShape = new[] { kernelWidth, input.Dim(-1), g.Dim(-1) };
        if (input.Rank != g.Rank || input.Dim(-2) != g.Dim(-2))
            throw new ArgumentException($"Conv1dWeightGrad: input {ShapeUtil.Format(input.Shape)} and gradient {ShapeUtil.Format(g.Shape)} do not match.");
        var value = ConvKernel(ConvMode.WeightGrad, input.Value, g.Value, wShape, input.Value.ShapeArray());
        return Var.Record(value, "conv1d_weight_grad", [input, g], (u, s) => [
            input.RequiresGrad ? Conv1dInputGrad(s.Input(1), u) : null,
            g.RequiresGrad ? Conv1d(s.Input(0), u) : null]);
    }

    private static void CheckConv(Tensor a, Tensor w)
    {
        if (w.Rank != 3) throw new ArgumentException($"Conv1d weight must be (K, Cin, Cout); got {ShapeUtil.Format(w.Shape)}.");
        if (a.Rank is not (2 or 3)) throw new ArgumentException($"Conv1d input must be (L, Cin) or (B, L, Cin); got {ShapeUtil.Format(a.Shape)}.");
        if (a.Dim(-1) != w.Dim(1))
            throw new ArgumentException($"Conv1d: input has {a.Dim(-1)} channels, weight expects {w.Dim(1)} ({ShapeUtil.Format(a.Shape)} vs {ShapeUtil.Format(w.Shape)}).");
    }

    /// <summary>
    /// Forward: (a, W) -&gt; z. InputGrad: (g, W) -&gt; ga. WeightGrad: (a, g) -&gt; gW. Each is a sum over taps k of
    /// row-shifted matrix products, done with GEMM on contiguous row ranges.
    /// </summary>
    private static Tensor ConvKernel(ConvMode mode, Tensor x, Tensor y, int[] wShape, int[] inShape)
    {
        int kw = wShape[0], cin = wShape[1], cout = wShape[2];
        int left = (kw - 1) / 2;
        int batch = inShape.Length == 3 ? inShape[0] : 1;
        int len = inShape[^2];
        int[] outShape = mode switch
        {
            ConvMode.Forward => inShape.Length == 3 ? [batch, len, cout] : [len, cout],
            ConvMode.InputGrad => inShape,
            _ => wShape,
        };
        var r = new double[ShapeUtil.Product(outShape)];
        var xs = x.Span; var ys = y.Span;
        for (int b = 0; b < batch; b++)
            for (int k = 0; k < kw; k++)
            {
                int shift = k - left;
                int x0 = Math.Max(0, -shift), x1 = Math.Min(len, len - shift);
                int rows = x1 - x0;
                if (rows <= 0) continue;
                switch (mode)
                {
                    case ConvMode.Forward: // z[x0:x1] += a[x0+shift : x1+shift] W[k]
                        Gemm.Multiply(false, false, rows, cout, cin, 1.0,
                            xs.Slice((b * len + x0 + shift) * cin, rows * cin), cin,
                            ys.Slice(k * cin * cout, cin * cout), cout, 1.0,
                            r.AsSpan((b * len + x0) * cout, rows * cout), cout);
                        break;
                    case ConvMode.InputGrad: // ga[x0+shift : x1+shift] += g[x0:x1] W[k]^T
                        Gemm.Multiply(false, true, rows, cin, cout, 1.0,
                            xs.Slice((b * len + x0) * cout, rows * cout), cout,
                            ys.Slice(k * cin * cout, cin * cout), cout, 1.0,
                            r.AsSpan((b * len + x0 + shift) * cin, rows * cin), cin);
                        break;
                    default: // gW[k] += a[x0+shift : x1+shift]^T g[x0:x1]
                        Gemm.Multiply(true, false, cin, cout, rows, 1.0,
                            xs.Slice((b * len + x0 + shift) * cin, rows * cin), cin,
                            ys.Slice((b * len + x0) * cout, rows * cout), cout, 1.0,
                            r.AsSpan(k * cin * cout, cin * cout), cout);
                        break;
                }
            }
        return Tensor.Wrap(r, outShape);
    }
}
