using Qex.Core.Tensors;

namespace Qex.Core.IO;

/// <summary>Element types of .npy arrays that Qex reads and writes.</summary>
public enum NpyDType
{
    /// <summary>'&lt;f4'.</summary>
    Float32,
    /// <summary>'&lt;f8'.</summary>
    Float64,
    /// <summary>'&lt;i4'.</summary>
    Int32,
    /// <summary>'&lt;i8'.</summary>
    Int64,
    /// <summary>'&lt;U{n}': fixed-width UTF-32 strings (read only).</summary>
    Unicode,
}

/// <summary>An array read from (or to be written to) a NumPy .npy file.</summary>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Shape; empty for a 0-d array.</param>
/// <param name="Data">The elements in C order: <c>double[]</c>, <c>float[]</c>, <c>int[]</c>, <c>long[]</c> or <c>string[]</c>.</param>
public sealed record NpyArray(NpyDType DType, int[] Shape, Array Data)
{
    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Numeric values converted to a double tensor of the same shape.</summary>
    /// <exception cref="InvalidOperationException">The array holds strings.</exception>
    public Tensor ToTensor()
    {
        var d = Data switch
        {
            double[] a => (double[])a.Clone(),
            float[] a => Array.ConvertAll(a, x => (double)x),
            int[] a => Array.ConvertAll(a, x => (double)x),
            long[] a => Array.ConvertAll(a, x => (double)x),
            _ => throw new InvalidOperationException($"A .npy array of {DType} cannot be converted to a numeric tensor."),
        };
        return Tensor.Wrap(d, Shape);
    }

    /// <summary>Integer values (int32 or int64 arrays; integral floats are accepted too).</summary>
    /// <exception cref="InvalidOperationException">Strings, or floats that are not whole numbers.</exception>
    public long[] ToInt64()
    {
        return Data switch
        {
            long[] a => (long[])a.Clone(),
            int[] a => Array.ConvertAll(a, x => (long)x),
            double[] or float[] => ToTensor().ToArray().Select(x => x == Math.Round(x)
                ? (long)x
                : throw new InvalidOperationException($"Value {x} in a {DType} .npy array is not an integer.")).ToArray(),
            _ => throw new InvalidOperationException($"A .npy array of {DType} does not hold integers."),
        };
    }

    /// <summary>The strings of a unicode array.</summary>
    /// <exception cref="InvalidOperationException">The array is numeric.</exception>
    public string[] ToStrings() => Data as string[]
        ?? throw new InvalidOperationException($"A .npy array of {DType} does not hold strings.");

    /// <summary>A float64 array holding the tensor's values.</summary>
    public static NpyArray FromTensor(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new NpyArray(NpyDType.Float64, t.ShapeArray(), t.ToArray());
    }
}
