namespace Qex.Core.Tensors;

/// <summary>Shape arithmetic: validation, broadcasting, strides and readable error messages.</summary>
public static class ShapeUtil
{
    /// <summary>Formats a shape as "(2, 3)".</summary>
    public static string Format(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";

    /// <summary>Number of elements of a shape.</summary>
    public static int Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape) p *= d;
        if (p > int.MaxValue) throw new ArgumentException($"Shape {Format(shape)} has more than {int.MaxValue} elements.");
        return (int)p;
    }

    /// <summary>Throws when an axis length is negative.</summary>
    public static void Validate(ReadOnlySpan<int> shape)
    {
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"Shape {Format(shape)} has a negative axis length.");
    }

    /// <summary>True when the two shapes are equal.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Throws a clear exception when the shapes differ.</summary>
    public static void RequireSame(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        if (!a.SequenceEqual(b))
            throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} differ.");
    }

    /// <summary>Throws unless the tensor has the given rank.</summary>
    public static void RequireRank(Tensor t, int rank, string op)
    {
        if (t.Rank != rank)
            throw new ArgumentException($"{op} needs a rank-{rank} tensor; got shape {Format(t.Shape)}.");
    }

    /// <summary>Throws unless the tensor is a square matrix; returns its order.</summary>
    public static int RequireSquare(Tensor t, string op)
    {
        if (t.Rank != 2 || t.Dim(0) != t.Dim(1))
            throw new ArgumentException($"{op} needs a square matrix; got shape {Format(t.Shape)}.");
        return t.Dim(0);
    }

    /// <summary>Maps a possibly negative axis into [0, rank).</summary>
    public static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for rank {rank}.");
        return a;
    }

    /// <summary>Row-major strides of a shape.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>Flat row-major offset of a multi-index, bounds-checked.</summary>
    public static int FlatIndex(ReadOnlySpan<int> shape, ReadOnlySpan<int> index)
    {
        if (index.Length != shape.Length)
            throw new ArgumentException($"Index of rank {index.Length} for a tensor of shape {Format(shape)}.");
        int off = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i])
                throw new IndexOutOfRangeException($"Index {Format(index)} is out of range for shape {Format(shape)}.");
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /// <summary>Resolves a reshape target that may contain one -1.</summary>
    public static int[] InferReshape(ReadOnlySpan<int> from, ReadOnlySpan<int> to)
    {
        int n = Product(from);
        var s = to.ToArray();
        int infer = -1, known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape target {Format(to)} has more than one -1.");
                infer = i;
            }
            else if (s[i] < 0) throw new ArgumentException($"Reshape target {Format(to)} has a negative axis.");
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || n % known != 0)
                throw new ArgumentException($"Cannot reshape {Format(from)} ({n} elements) to {Format(to)}.");
            s[infer] = n / known;
        }
        else if (known != n)
            throw new ArgumentException($"Cannot reshape {Format(from)} ({n} elements) to {Format(to)} ({known} elements).");
        return s;
    }

    /// <summary>NumPy broadcasting of two shapes.</summary>
    /// <exception cref="ArgumentException">The shapes are not broadcast-compatible.</exception>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int r = Math.Max(a.Length, b.Length);
        var s = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
            int db = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {Format(a)} and {Format(b)} cannot be broadcast together (axis {i}: {da} vs {db}).");
            s[i] = da == 1 ? db : da;
        }
        return s;
    }

    /// <summary>
    /// Strides for reading a tensor of shape <paramref name="shape"/> as if broadcast to <paramref name="target"/>
    /// (zero stride on broadcast axes).
    /// </summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var st = Strides(shape);
        var r = new int[target.Length];
        int off = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
        {
            int j = i - off;
            r[i] = j < 0 || shape[j] == 1 ? 0 : st[j];
        }
        return r;
    }
}
