using System.Numerics.Tensors;

namespace Qex.Core.Tensors;

/// <summary>Elementwise binary operations with NumPy broadcasting.</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,
    /// <summary>a - b</summary>
    Subtract,
    /// <summary>a * b</summary>
    Multiply,
    /// <summary>a / b</summary>
    Divide,
    /// <summary>a ^ b</summary>
    Pow,
}

/// <summary>Elementwise unary functions.</summary>
public enum UnaryOp
{
    /// <summary>-x</summary>
    Negate,
    /// <summary>exp(x)</summary>
    Exp,
    /// <summary>ln(x)</summary>
    Log,
    /// <summary>ln(1 + x)</summary>
    Log1p,
    /// <summary>sqrt(x)</summary>
    Sqrt,
    /// <summary>|x|</summary>
    Abs,
    /// <summary>sign(x) in {-1, 0, 1}</summary>
    Sign,
    /// <summary>tanh(x)</summary>
    Tanh,
    /// <summary>1 / (1 + exp(-x))</summary>
    Sigmoid,
    /// <summary>x sigmoid(x)</summary>
    Silu,
    /// <summary>ln(1 + exp(x)), computed stably</summary>
    Softplus,
    /// <summary>x Phi(x) (exact GELU with the normal CDF)</summary>
    Gelu,
    /// <summary>atan(x)</summary>
    Atan,
    /// <summary>erf(x)</summary>
    Erf,
    /// <summary>x * x</summary>
    Square,
    /// <summary>1 / x</summary>
    Reciprocal,
}

/// <summary>
/// Numeric kernels on <see cref="Tensor"/>: broadcasting arithmetic, elementwise functions, reductions and
/// shape manipulation. Every method returns a new tensor; large elementwise maps use SIMD (TensorPrimitives).
/// </summary>
public static class TensorMath
{
    /// <summary>Elementwise <paramref name="op"/> of a and b with NumPy broadcasting.</summary>
    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        var shape = ShapeUtil.Broadcast(a.Shape, b.Shape);
        int n = ShapeUtil.Product(shape);
        var r = GC.AllocateUninitializedArray<double>(n);
        var x = a.Span; var y = b.Span;
        if (x.Length == n && y.Length == n) Same(op, x, y, r);
        else if (y.Length == 1 && x.Length == n) ScalarRight(op, x, y[0], r);
        else if (x.Length == 1 && y.Length == n) ScalarLeft(op, x[0], y, r);
        else if (x.Length == n && IsTrailing(b.Shape, shape))
        {
            int m = y.Length;
            for (int o = 0; o < n; o += m) Same(op, x.Slice(o, m), y, r.AsSpan(o, m));
        }
        else if (y.Length == n && IsTrailing(a.Shape, shape))
        {
            int m = x.Length;
            for (int o = 0; o < n; o += m) Same(op, x, y.Slice(o, m), r.AsSpan(o, m));
        }
        else General(op, a, b, shape, r);
        return Tensor.Wrap(r, shape);
    }

    private static bool IsTrailing(ReadOnlySpan<int> small, ReadOnlySpan<int> full)
    {
        // small (after dropping leading 1s) equals the trailing axes of full
        int s = 0;
        while (s < small.Length && small[s] == 1) s++;
        var core = small[s..];
        return core.Length <= full.Length && core.SequenceEqual(full[(full.Length - core.Length)..]);
    }

    private static void Same(BinaryOp op, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> r)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, r); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, r); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(x, y, r); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, r); break;
            case BinaryOp.Pow: for (int i = 0; i < r.Length; i++) r[i] = Math.Pow(x[i], y[i]); break;
        }
    }

    private static void ScalarRight(BinaryOp op, ReadOnlySpan<double> x, double y, Span<double> r)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, r); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, r); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(x, y, r); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, r); break;
            case BinaryOp.Pow:
                if (y == 2) TensorPrimitives.Multiply(x, x, r);
                else for (int i = 0; i < r.Length; i++) r[i] = Math.Pow(x[i], y);
                break;
        }
    }

    private static void ScalarLeft(BinaryOp op, double x, ReadOnlySpan<double> y, Span<double> r)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(y, x, r); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, r); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(y, x, r); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, r); break;
            case BinaryOp.Pow: for (int i = 0; i < r.Length; i++) r[i] = Math.Pow(x, y[i]); break;
        }
    }

    private static double Apply(BinaryOp op, double x, double y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Subtract => x - y,
        BinaryOp.Multiply => x * y,
        BinaryOp.Divide => x / y,
        _ => Math.Pow(x, y),
    };

    private static void General(BinaryOp op, Tensor a, Tensor b, int[] shape, double[] r)
    {
        var sa = ShapeUtil.BroadcastStrides(a.Shape, shape);
        var sb = ShapeUtil.BroadcastStrides(b.Shape, shape);
        var x = a.Span; var y = b.Span;
        int rank = shape.Length;
        var idx = new int[rank];
        int ia = 0, ib = 0;
        for (int o = 0; o < r.Length; o++)
        {
            r[o] = Apply(op, x[ia], y[ib]);
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++; ia += sa[d]; ib += sb[d];
                if (idx[d] < shape[d]) break;
                ia -= sa[d] * shape[d]; ib -= sb[d] * shape[d]; idx[d] = 0;
            }
        }
    }

    /// <summary>Elementwise unary function.</summary>
    public static Tensor Unary(UnaryOp op, Tensor a)
    {
        var x = a.Span;
        var r = GC.AllocateUninitializedArray<double>(x.Length);
        Unary(op, x, r);
        return Tensor.Wrap(r, a.ShapeArray());
    }

    /// <summary>Elementwise unary function into a destination span.</summary>
    public static void Unary(UnaryOp op, ReadOnlySpan<double> x, Span<double> r)
    {
        switch (op)
        {
            case UnaryOp.Negate: TensorPrimitives.Negate(x, r); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, r); break;
            case UnaryOp.Log: TensorPrimitives.Log(x, r); break;
            case UnaryOp.Log1p: for (int i = 0; i < r.Length; i++) r[i] = Log1p(x[i]); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, r); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, r); break;
            case UnaryOp.Sign: for (int i = 0; i < r.Length; i++) r[i] = Math.Sign(x[i]); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(x, r); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, r); break;
            case UnaryOp.Silu: TensorPrimitives.Sigmoid(x, r); TensorPrimitives.Multiply(x, r, r); break;
            case UnaryOp.Softplus: for (int i = 0; i < r.Length; i++) r[i] = Softplus(x[i]); break;
            case UnaryOp.Gelu: for (int i = 0; i < r.Length; i++) r[i] = x[i] * NormalCdf(x[i]); break;
            case UnaryOp.Atan: for (int i = 0; i < r.Length; i++) r[i] = Math.Atan(x[i]); break;
            case UnaryOp.Erf: for (int i = 0; i < r.Length; i++) r[i] = MathNet.Numerics.SpecialFunctions.Erf(x[i]); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, r); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Divide(1.0, x, r); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown unary operation.");
        }
    }

    /// <summary>Numerically stable logistic function.</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0) return 1 / (1 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1 + e);
    }

    /// <summary>Numerically stable ln(1 + exp(x)).</summary>
    public static double Softplus(double x) => x > 0 ? x + Log1p(Math.Exp(-x)) : Log1p(Math.Exp(x));

    /// <summary>ln(1 + x), accurate for small x and finite for every finite x &gt; -1.</summary>
    public static double Log1p(double x)
    {
        double u = 1 + x;
        if (u == 1) return x;
        if (double.IsPositiveInfinity(u)) return u;
        // x / (u - 1) first: ln(u) x overflows for x near the top of the range
        return Math.Log(u) * (x / (u - 1));
    }

    /// <summary>The standard normal cumulative distribution function.</summary>
    public static double NormalCdf(double x) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <summary>The standard normal density.</summary>
    public static double NormalPdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    /// <summary>Applies a scalar function to every element.</summary>
    public static Tensor Map(Tensor a, Func<double, double> f)
    {
        var x = a.Span;
        var r = GC.AllocateUninitializedArray<double>(x.Length);
        for (int i = 0; i < r.Length; i++) r[i] = f(x[i]);
        return Tensor.Wrap(r, a.ShapeArray());
    }

    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor Scale(Tensor a, double s)
    {
        var r = GC.AllocateUninitializedArray<double>(a.Length);
        TensorPrimitives.Multiply(a.Span, s, r);
        return Tensor.Wrap(r, a.ShapeArray());
    }

    /// <summary>Sum of all elements.</summary>
    public static double SumAll(Tensor a) => TensorPrimitives.Sum(a.Span);

    /// <summary>
    /// Sum over the given axes (all when empty). With <paramref name="keepDims"/> the reduced axes stay with length 1.
    /// </summary>
    public static Tensor Sum(Tensor a, int[] axes, bool keepDims)
    {
        var (outer, red, inner, shape, keep) = ReductionLayout(a, axes);
        var r = new double[outer * inner];
        var x = a.Span;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) r[o] = TensorPrimitives.Sum(x.Slice(o * red, red));
        }
        else
        {
            for (int o = 0; o < outer; o++)
            {
                var dst = r.AsSpan(o * inner, inner);
                for (int q = 0; q < red; q++) TensorPrimitives.Add(dst, x.Slice((o * red + q) * inner, inner), dst);
            }
        }
        return Tensor.Wrap(r, keepDims ? keep : shape);
    }

    /// <summary>Maximum over the given axes; also returns, for each input element, 1 where it attains the maximum.</summary>
    public static (Tensor Max, Tensor Mask) Max(Tensor a, int[] axes, bool keepDims)
    {
        var (outer, red, inner, shape, keep) = ReductionLayout(a, axes);
        if (red == 0) throw new ArgumentException("Max over an empty axis.");
        var r = new double[outer * inner];
        Array.Fill(r, double.NegativeInfinity);
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            for (int q = 0; q < red; q++)
                for (int i = 0; i < inner; i++)
                {
                    double v = x[(o * red + q) * inner + i];
                    ref double t = ref r[o * inner + i];
                    if (v > t || double.IsNaN(v)) t = v;
                }
        var mask = new double[a.Length];
        for (int o = 0; o < outer; o++)
            for (int q = 0; q < red; q++)
                for (int i = 0; i < inner; i++)
                {
                    int f = (o * red + q) * inner + i;
                    if (x[f] == r[o * inner + i] || (double.IsNaN(x[f]) && double.IsNaN(r[o * inner + i]))) mask[f] = 1;
                }
        return (Tensor.Wrap(r, keepDims ? keep : shape), Tensor.Wrap(mask, a.ShapeArray()));
    }

    /// <summary>
    /// Reduction over a set of axes; a transpose brings the reduced axes together when they are not contiguous.
    /// </summary>
    private static (int Outer, int Red, int Inner, int[] Shape, int[] Keep) ReductionLayout(Tensor a, int[] axes)
    {
        int rank = a.Rank;
        var set = new bool[rank];
        if (axes.Length == 0) Array.Fill(set, true);
        foreach (int ax in axes)
        {
            int n = ShapeUtil.NormalizeAxis(ax, rank);
            if (set[n] && axes.Length > 0 && axes.Count(v => ShapeUtil.NormalizeAxis(v, rank) == n) > 1)
                throw new ArgumentException($"Axis {ax} is repeated in the reduction.");
            set[n] = true;
        }
        int first = Array.IndexOf(set, true), last = Array.LastIndexOf(set, true);
        if (first < 0) // no axes at all (rank 0)
            return (a.Length, 1, 1, a.ShapeArray(), a.ShapeArray());
        for (int i = first; i <= last; i++)
            if (!set[i])
                throw new ArgumentException($"Reduction over non-contiguous axes [{string.Join(", ", axes)}] of shape {ShapeUtil.Format(a.Shape)} is not supported; transpose first.");
        int outer = 1, red = 1, inner = 1;
        var shape = new List<int>();
        var keep = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int d = a.Dim(i);
            if (i < first) { outer *= d; shape.Add(d); keep[i] = d; }
            else if (i <= last) { red *= d; keep[i] = 1; }
            else { inner *= d; shape.Add(d); keep[i] = d; }
        }
        return (outer, red, inner, shape.ToArray(), keep);
    }

    /// <summary>Broadcasts a to a target shape (NumPy rules).</summary>
    public static Tensor BroadcastTo(Tensor a, int[] shape)
    {
        var full = ShapeUtil.Broadcast(a.Shape, shape);
        if (!full.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"Cannot broadcast {ShapeUtil.Format(a.Shape)} to {ShapeUtil.Format(shape)}.");
        // tensors are immutable: a tensor of the target shape is its own broadcast, a single value fills one array
        if (a.Shape.SequenceEqual(shape)) return a;
        if (a.Length == 1) return Tensor.Full(0.0 + a.Span[0], shape);
        return Binary(BinaryOp.Add, Tensor.Zeros(shape), a);
    }

    /// <summary>Sums a tensor down to <paramref name="shape"/> (the adjoint of broadcasting to a's shape).</summary>
    public static Tensor SumTo(Tensor a, int[] shape)
    {
        if (a.Shape.SequenceEqual(shape)) return a;
        var bshape = ShapeUtil.Broadcast(shape, a.Shape);
        if (!bshape.AsSpan().SequenceEqual(a.Shape))
            throw new ArgumentException($"Cannot sum {ShapeUtil.Format(a.Shape)} down to {ShapeUtil.Format(shape)}.");
        int n = ShapeUtil.Product(shape);
        var r = new double[n];
        var x = a.Span;
        if (n == 1) { r[0] = TensorPrimitives.Sum(x); return Tensor.Wrap(r, shape); }
        if (IsTrailing(shape, a.Shape))
        {
            for (int o = 0; o < x.Length; o += n) TensorPrimitives.Add(r, x.Slice(o, n), r);
            return Tensor.Wrap(r, shape);
        }
        var st = ShapeUtil.BroadcastStrides(shape, a.Shape);
        int rank = a.Rank;
        var idx = new int[rank];
        int t = 0;
        for (int o = 0; o < x.Length; o++)
        {
            r[t] += x[o];
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++; t += st[d];
                if (idx[d] < a.Dim(d)) break;
                t -= st[d] * a.Dim(d); idx[d] = 0;
            }
        }
        return Tensor.Wrap(r, shape);
    }

    /// <summary>Permutes the axes: result axis i is input axis <paramref name="perm"/>[i].</summary>
    public static Tensor Permute(Tensor a, int[] perm)
    {
        int rank = a.Rank;
        if (perm.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank))
            throw new ArgumentException($"Invalid permutation [{string.Join(", ", perm)}] for shape {ShapeUtil.Format(a.Shape)}.");
        var shape = new int[rank];
        for (int i = 0; i < rank; i++) shape[i] = a.Dim(perm[i]);
        var inStrides = ShapeUtil.Strides(a.Shape);
        var st = new int[rank];
        for (int i = 0; i < rank; i++) st[i] = inStrides[perm[i]];
        var r = GC.AllocateUninitializedArray<double>(a.Length);
        var x = a.Span;
        if (rank == 2)
        {
            int m = shape[0], n = shape[1];
            const int B = 32;
            for (int i0 = 0; i0 < m; i0 += B)
                for (int j0 = 0; j0 < n; j0 += B)
                    for (int i = i0; i < Math.Min(m, i0 + B); i++)
                        for (int j = j0; j < Math.Min(n, j0 + B); j++)
                            r[i * n + j] = x[i * st[0] + j * st[1]];
            return Tensor.Wrap(r, shape);
        }
        var idx = new int[rank];
        int src = 0;
        for (int o = 0; o < r.Length; o++)
        {
            r[o] = x[src];
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++; src += st[d];
                if (idx[d] < shape[d]) break;
                src -= st[d] * shape[d]; idx[d] = 0;
            }
        }
        return Tensor.Wrap(r, shape);
    }

    /// <summary>Swaps the last two axes.</summary>
    public static Tensor TransposeLast(Tensor a)
    {
        if (a.Rank < 2) throw new ArgumentException($"Transpose needs rank >= 2; got shape {ShapeUtil.Format(a.Shape)}.");
        var perm = Enumerable.Range(0, a.Rank).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return Permute(a, perm);
    }

    private static (int Outer, int Len, int Inner) AxisLayout(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary>Elements start, start+step, ... (count of them) along an axis.</summary>
    public static Tensor Slice(Tensor a, int axis, int start, int count, int step = 1)
    {
        axis = ShapeUtil.NormalizeAxis(axis, a.Rank);
        int len = a.Dim(axis);
        if (step == 0) throw new ArgumentException("Slice step must not be zero.");
        int lastIdx = start + (count - 1) * step;
        if (count < 0 || (count > 0 && (start < 0 || start >= len || lastIdx < 0 || lastIdx >= len)))
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice start {start}, count {count}, step {step} is out of range for axis {axis} of length {len}.");
        var (outer, _, inner) = AxisLayout(a.Shape, axis);
        var shape = a.ShapeArray(); shape[axis] = count;
        var r = GC.AllocateUninitializedArray<double>(outer * count * inner);
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < count; c++)
                x.Slice((o * len + start + c * step) * inner, inner).CopyTo(r.AsSpan((o * count + c) * inner, inner));
        return Tensor.Wrap(r, shape);
    }

    /// <summary>
    /// The adjoint of <see cref="Slice"/>: places a into a zero tensor whose axis has length <paramref name="length"/>.
    /// </summary>
    public static Tensor Unslice(Tensor a, int axis, int length, int start, int step = 1)
    {
        axis = ShapeUtil.NormalizeAxis(axis, a.Rank);
        int count = a.Dim(axis);
        var (outer, _, inner) = AxisLayout(a.Shape, axis);
        var shape = a.ShapeArray(); shape[axis] = length;
        var r = new double[outer * length * inner];
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < count; c++)
                x.Slice((o * count + c) * inner, inner).CopyTo(r.AsSpan((o * length + start + c * step) * inner, inner));
        return Tensor.Wrap(r, shape);
    }

    /// <summary>Selects indices along an axis (indices may repeat).</summary>
    public static Tensor Gather(Tensor a, int axis, int[] indices)
    {
        axis = ShapeUtil.NormalizeAxis(axis, a.Rank);
        int len = a.Dim(axis);
        foreach (int i in indices)
            if ((uint)i >= (uint)len) throw new IndexOutOfRangeException($"Gather index {i} is out of range for axis {axis} of length {len}.");
        var (outer, _, inner) = AxisLayout(a.Shape, axis);
        var shape = a.ShapeArray(); shape[axis] = indices.Length;
        var r = GC.AllocateUninitializedArray<double>(outer * indices.Length * inner);
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < indices.Length; c++)
                x.Slice((o * len + indices[c]) * inner, inner).CopyTo(r.AsSpan((o * indices.Length + c) * inner, inner));
        return Tensor.Wrap(r, shape);
    }

    /// <summary>The adjoint of <see cref="Gather"/>: adds slices of a into a zero tensor at the given indices.</summary>
    public static Tensor ScatterAdd(Tensor a, int axis, int[] indices, int length)
    {
        axis = ShapeUtil.NormalizeAxis(axis, a.Rank);
        if (a.Dim(axis) != indices.Length)
            throw new ArgumentException($"ScatterAdd: {indices.Length} indices for axis {axis} of length {a.Dim(axis)}.");
        var (outer, _, inner) = AxisLayout(a.Shape, axis);
        var shape = a.ShapeArray(); shape[axis] = length;
        var r = new double[outer * length * inner];
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < indices.Length; c++)
            {
                var dst = r.AsSpan((o * length + indices[c]) * inner, inner);
                TensorPrimitives.Add(dst, x.Slice((o * indices.Length + c) * inner, inner), dst);
            }
        return Tensor.Wrap(r, shape);
    }

    /// <summary>Concatenates tensors along an axis (all other axes must agree).</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, int axis)
    {
        if (parts.Count == 0) throw new ArgumentException("Concat needs at least one tensor.");
        var first = parts[0];
        axis = ShapeUtil.NormalizeAxis(axis, first.Rank);
        int total = 0;
        foreach (var p in parts)
        {
            if (p.Rank != first.Rank) throw new ArgumentException($"Concat: ranks differ ({ShapeUtil.Format(first.Shape)} vs {ShapeUtil.Format(p.Shape)}).");
            for (int i = 0; i < first.Rank; i++)
                if (i != axis && p.Dim(i) != first.Dim(i))
                    throw new ArgumentException($"Concat along axis {axis}: shapes {ShapeUtil.Format(first.Shape)} and {ShapeUtil.Format(p.Shape)} differ on axis {i}.");
            total += p.Dim(axis);
        }
        var (outer, _, inner) = AxisLayout(first.Shape, axis);
        var shape = first.ShapeArray(); shape[axis] = total;
        var r = GC.AllocateUninitializedArray<double>(outer * total * inner);
        int off = 0;
        foreach (var p in parts)
        {
            int len = p.Dim(axis);
            var x = p.Span;
            for (int o = 0; o < outer; o++)
                x.Slice(o * len * inner, len * inner).CopyTo(r.AsSpan((o * total + off) * inner, len * inner));
            off += len;
        }
        return Tensor.Wrap(r, shape);
    }

    /// <summary>Reverses the order of elements along an axis.</summary>
    public static Tensor Flip(Tensor a, int axis)
    {
        axis = ShapeUtil.NormalizeAxis(axis, a.Rank);
        var (outer, len, inner) = AxisLayout(a.Shape, axis);
        var r = GC.AllocateUninitializedArray<double>(a.Length);
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < len; c++)
                x.Slice((o * len + c) * inner, inner).CopyTo(r.AsSpan((o * len + len - 1 - c) * inner, inner));
        return Tensor.Wrap(r, a.ShapeArray());
    }

    /// <summary>Pads an axis with a constant: <paramref name="before"/> values in front, <paramref name="after"/> behind.</summary>
    public static Tensor Pad(Tensor a, int axis, int before, int after, double value = 0)
    {
        axis = ShapeUtil.NormalizeAxis(axis, a.Rank);
        if (before < 0 || after < 0) throw new ArgumentException("Pad widths must be non-negative.");
        int len = a.Dim(axis);
        var (outer, _, inner) = AxisLayout(a.Shape, axis);
        int nl = len + before + after;
        var shape = a.ShapeArray(); shape[axis] = nl;
        var r = new double[outer * nl * inner];
        if (value != 0) Array.Fill(r, value);
        var x = a.Span;
        for (int o = 0; o < outer; o++)
            x.Slice(o * len * inner, len * inner).CopyTo(r.AsSpan((o * nl + before) * inner, len * inner));
        return Tensor.Wrap(r, shape);
    }

    /// <summary>Elementwise selection: where the mask is non-zero take a, else b (all broadcast together).</summary>
    public static Tensor Where(Tensor mask, Tensor a, Tensor b)
    {
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(mask.Shape, a.Shape), b.Shape);
        int n = ShapeUtil.Product(shape);
        var r = GC.AllocateUninitializedArray<double>(n);
        if (mask.Length == n && a.Length == n && (b.Length == n || b.Length == 1))
        {
            // the common cases without broadcast copies: equal shapes, or a single value for b
            var m0 = mask.Span; var x0 = a.Span; var y0 = b.Span;
            if (b.Length == n) for (int i = 0; i < n; i++) r[i] = m0[i] != 0 ? x0[i] : y0[i];
            else
            {
                double y = y0[0];
                for (int i = 0; i < n; i++) r[i] = m0[i] != 0 ? x0[i] : y;
            }
            return Tensor.Wrap(r, shape);
        }
        var m = BroadcastTo(mask, shape).Span;
        var x = BroadcastTo(a, shape).Span;
        var yb = BroadcastTo(b, shape).Span;
        for (int i = 0; i < r.Length; i++) r[i] = m[i] != 0 ? x[i] : yb[i];
        return Tensor.Wrap(r, shape);
    }
}
