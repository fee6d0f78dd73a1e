using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

public static partial class Op
{
    /// <summary>
    /// Full-length (global) convolution of a signal with C kernels indexed by offset:
    /// <c>out[i, c] = sum_j k[c, i - j + L - 1] a[j]</c> for a (L) and k (C, 2L - 1); result (L, C).
    /// Bilinear, so its derivative rules are the two adjoint ops below, which are themselves differentiable.
    /// </summary>
    public static Var GlobalConv(Var signal, Var kernels)
    {
        int l = CheckGlobal(signal.Value, kernels.Value);
        var value = GlobalConvValue(signal.Value, kernels.Value, l);
        return Var.Record(value, "global_conv", [signal, kernels], (g, s) => [
            signal.RequiresGrad ? GlobalConvSignalGrad(g, s.Input(1)) : null,
            kernels.RequiresGrad ? GlobalConvKernelGrad(s.Input(0), g) : null]);
    }

    /// <summary>The adjoint of <see cref="GlobalConv"/> in the signal: <c>ga[j] = sum_{i,c} g[i, c] k[c, i - j + L - 1]</c>.</summary>
    public static Var GlobalConvSignalGrad(Var g, Var kernels)
    {
        int l = g.Dim(0);
        if (g.Rank != 2 || kernels.Rank != 2 || kernels.Dim(0) != g.Dim(1) || kernels.Dim(1) != 2 * l - 1)
            throw new ArgumentException($"GlobalConvSignalGrad: gradient {ShapeUtil.Format(g.Shape)} and kernels {ShapeUtil.Format(kernels.Shape)} do not match.");
        var value = GlobalConvSignalGradValue(g.Value, kernels.Value, l);
        return Var.Record(value, "global_conv_signal_grad", [g, kernels], (u, s) => [
            g.RequiresGrad ? GlobalConv(u, s.Input(1)) : null,
            kernels.RequiresGrad ? GlobalConvKernelGrad(u, s.Input(0)) : null]);
    }

    /// <summary>The adjoint of <see cref="GlobalConv"/> in the kernels: <c>gk[c, t] = sum_i g[i, c] a[i + L - 1 - t]</c>.</summary>
    public static Var GlobalConvKernelGrad(Var signal, Var g)
    {
        int l = signal.Length;
        if (signal.Rank != 1 || g.Rank != 2 || g.Dim(0) != l)
            throw new ArgumentException($"GlobalConvKernelGrad: signal {ShapeUtil.Format(signal.Shape)} and gradient {ShapeUtil.Format(g.Shape)} do not match.");
        var value = GlobalConvKernelGradValue(signal.Value, g.Value, l);
        return Var.Record(value, "global_conv_kernel_grad", [signal, g], (u, s) => [
            signal.RequiresGrad ? GlobalConvSignalGrad(s.Input(1), u) : null,
            g.RequiresGrad ? GlobalConv(s.Input(0), u) : null]);
    }

    private static int CheckGlobal(Tensor a, Tensor k)
    {
        if (a.Rank != 1) throw new ArgumentException($"GlobalConv: the signal must be a vector; got {ShapeUtil.Format(a.Shape)}.");
        int l = a.Length;
        if (k.Rank != 2 || k.Dim(1) != 2 * l - 1)
            throw new ArgumentException($"GlobalConv: kernels must be (C, {2 * l - 1}) for a signal of length {l}; got {ShapeUtil.Format(k.Shape)}.");
        return l;
    }

    private static Tensor GlobalConvValue(Tensor a, Tensor k, int l)
    {
        int c = k.Dim(0);
        var ra = a.ToArray();
        Array.Reverse(ra);
        var outT = new double[c * l]; // (C, L), transposed at the end
        var ks = k.Memory;
        Parallel.For(0, c, ch =>
        {
            var kc = ks.Span.Slice(ch * (2 * l - 1), 2 * l - 1);
            for (int i = 0; i < l; i++) outT[ch * l + i] = TensorPrimitives.Dot(kc.Slice(i, l), ra);
        });
        return TensorMath.Permute(Tensor.Wrap(outT, c, l), [1, 0]);
    }

    private static Tensor GlobalConvSignalGradValue(Tensor g, Tensor k, int l)
    {
        int c = k.Dim(0);
        var gt = TensorMath.Permute(g, [1, 0]); // (C, L)
        var partial = new double[c * l];
        var ks = k.Memory; var gs = gt.Memory;
        Parallel.For(0, c, ch =>
        {
            var kc = ks.Span.Slice(ch * (2 * l - 1), 2 * l - 1);
            var gc = gs.Span.Slice(ch * l, l);
            for (int j = 0; j < l; j++) partial[ch * l + j] = TensorPrimitives.Dot(gc, kc.Slice(l - 1 - j, l));
        });
        var r = new double[l];
        for (int ch = 0; ch < c; ch++) TensorPrimitives.Add(r, partial.AsSpan(ch * l, l), r);
        return Tensor.Wrap(r, l);
    }

    private static Tensor GlobalConvKernelGradValue(Tensor a, Tensor g, int l)
    {
        int c = g.Dim(1);
        var gt = TensorMath.Permute(g, [1, 0]);
        var r = new double[c * (2 * l - 1)];
        var am = a.Memory;
        var gs = gt.Memory;
        Parallel.For(0, c, ch =>
        {
            var gc = gs.Span.Slice(ch * l, l);
            // gk[t] = sum_i g[i] a[i + L - 1 - t], over max(0, t-L+1) <= i <= min(t, L-1): contiguous in i
            for (int t = 0; t < 2 * l - 1; t++)
            {
                int i0 = Math.Max(0, t - l + 1), i1 = Math.Min(t, l - 1);
                int len = i1 - i0 + 1;
                r[ch * (2 * l - 1) + t] = TensorPrimitives.Dot(gc.Slice(i0, len), am.Span.Slice(i0 + l - 1 - t, len));
            }
        });
        return Tensor.Wrap(r, c, 2 * l - 1);
    }
}
