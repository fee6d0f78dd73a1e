using System.Globalization;
using System.Text;

namespace Qex.Core.Tensors;

/// <summary>
/// An immutable dense tensor of <see cref="double"/> values in row-major (C) order.
/// </summary>
/// <remarks>
/// The values are never modified after construction, so reshaping shares the underlying buffer.
/// <see cref="Wrap"/> takes ownership of an array without copying; every other factory copies.
/// </remarks>
public sealed class Tensor
{
    private readonly double[] _data;
    private readonly int[] _shape;

    private Tensor(double[] data, int[] shape)
    {
        _data = data;
        _shape = shape;
    }

    /// <summary>The shape (length of every axis).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of axes (0 for a scalar).</summary>
    public int Rank => _shape.Length;

    /// <summary>The total number of elements.</summary>
    public int Length => _data.Length;

    /// <summary>The values in row-major order.</summary>
    public ReadOnlySpan<double> Span => _data;

    /// <summary>The values as read-only memory (for APIs that cannot take spans, such as parallel loops).</summary>
    public ReadOnlyMemory<double> Memory => _data;

    /// <summary>Length of axis <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank)];

    /// <summary>The shape as a new array.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>True when this is a scalar (rank 0) or has a single element.</summary>
    public bool IsScalarLike => _data.Length == 1;

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public double ToScalar() => _data.Length == 1
        ? _data[0]
        : throw new InvalidOperationException($"ToScalar needs a one-element tensor; this one has shape {ShapeUtil.Format(_shape)}.");

    /// <summary>Element at a multi-index.</summary>
    public double this[params int[] index] => _data[ShapeUtil.FlatIndex(_shape, index)];

    /// <summary>Wraps <paramref name="data"/> without copying; the caller must not modify it afterwards.</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static Tensor Wrap(double[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ShapeUtil.Validate(shape);
        int n = ShapeUtil.Product(shape);
        if (n != data.Length)
            throw new ArgumentException($"Data of length {data.Length} does not fit shape {ShapeUtil.Format(shape)} ({n} elements).", nameof(data));
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>Creates a tensor from a copy of <paramref name="values"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<double> values, params int[] shape) => Wrap(values.ToArray(), shape);

    /// <summary>A rank-1 tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor Vector(params double[] values) => Wrap((double[])values.Clone(), values.Length);

    /// <summary>A rank-0 tensor.</summary>
    public static Tensor Scalar(double value) => new([value], []);

    /// <summary>A matrix from a two-dimensional array.</summary>
    public static Tensor Matrix(double[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int r = values.GetLength(0), c = values.GetLength(1);
        var data = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                data[i * c + j] = values[i, j];
        return new Tensor(data, [r, c]);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Full(0.0, shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1.0, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(double value, params int[] shape)
    {
        ShapeUtil.Validate(shape);
        var data = new double[ShapeUtil.Product(shape)];
        if (value != 0) Array.Fill(data, value);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>The n x n identity matrix.</summary>
    public static Tensor Identity(int n)
    {
        var data = new double[n * n];
        for (int i = 0; i < n; i++) data[i * n + i] = 1;
        return new Tensor(data, [n, n]);
    }

    /// <summary>A tensor whose values are produced by <paramref name="fill"/> writing into a fresh buffer.</summary>
    public static Tensor Create(int[] shape, SpanFill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        ShapeUtil.Validate(shape);
        var data = new double[ShapeUtil.Product(shape)];
        fill(data);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>Writes values into a fresh buffer.</summary>
    public delegate void SpanFill(Span<double> destination);

    /// <summary>The same values with a new shape (shares the buffer). One axis may be -1 (inferred).</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(params int[] shape)
    {
        var s = ShapeUtil.InferReshape(_shape, shape);
        return new Tensor(_data, s);
    }

    /// <summary>A copy of the values.</summary>
    public double[] ToArray() => (double[])_data.Clone();

    /// <summary>A copy of a matrix as a two-dimensional array.</summary>
    public double[,] ToArray2D()
    {
        ShapeUtil.RequireRank(this, 2, "ToArray2D");
        int r = _shape[0], c = _shape[1];
        var a = new double[r, c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                a[i, j] = _data[i * c + j];
        return a;
    }

    /// <summary>Row <paramref name="i"/> of a matrix (a view of its values).</summary>
    public ReadOnlySpan<double> Row(int i)
    {
        ShapeUtil.RequireRank(this, 2, "Row");
        if ((uint)i >= (uint)_shape[0]) throw new ArgumentOutOfRangeException(nameof(i), $"Row {i} of a matrix with {_shape[0]} rows.");
        return _data.AsSpan(i * _shape[1], _shape[1]);
    }

    /// <summary>True when the shapes are equal.</summary>
    public bool SameShape(Tensor other) => ShapeUtil.Equal(_shape, other._shape);

    /// <summary>Largest absolute elementwise difference to <paramref name="other"/> (same shape required).</summary>
    public double MaxAbsDiff(Tensor other)
    {
        ShapeUtil.RequireSame(_shape, other._shape, "MaxAbsDiff");
        double m = 0;
        for (int i = 0; i < _data.Length; i++) m = Math.Max(m, Math.Abs(_data[i] - other._data[i]));
        return m;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeUtil.Format(_shape)).Append(' ');
        int shown = Math.Min(_data.Length, 8);
        sb.Append('[');
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(_data[i].ToString("G6", CultureInfo.InvariantCulture));
        }
        if (shown < _data.Length) sb.Append(", ...");
        sb.Append(']');
        return sb.ToString();
    }
}
