using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Qex.Core.Tensors;

namespace Qex.Core.IO;

/// <summary>
/// Reader and writer for NumPy's .npy format (versions 1.0, 2.0 and 3.0): little-endian float32, float64, int32
/// and int64 in C order, of any rank including 0-d; unicode string arrays ('&lt;U{n}') are readable.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a .npy file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a supported .npy file; the message says why.</exception>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No .npy file at '{path}'.", path);
        try
        {
            return Read(File.ReadAllBytes(path));
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a numeric .npy file as a double tensor.</summary>
    public static Tensor ReadTensor(string path) => Read(path).ToTensor();

    /// <summary>Parses the bytes of a .npy file.</summary>
    /// <exception cref="InvalidDataException">Not a supported .npy file; the message says why.</exception>
    public static NpyArray Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new InvalidDataException("not a .npy file (bad magic string).");
        int major = bytes[6];
        int headerLen, start;
        switch (major)
        {
            case 1:
                headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                start = 10;
                break;
            case 2:
            case 3:
                if (bytes.Length < 12) throw new InvalidDataException("truncated .npy header.");
                headerLen = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));
                start = 12;
                break;
            default:
                throw new InvalidDataException($"unsupported .npy format version {major}.{bytes[7]}.");
        }
        if (bytes.Length < start + headerLen) throw new InvalidDataException("truncated .npy header.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(start, headerLen));
        var (descr, fortran, shape) = ParseHeader(header);
        if (fortran)
            throw new InvalidDataException("Fortran-order arrays are not supported; save with np.ascontiguousarray(...).");
        var (dtype, itemSize) = ParseDescr(descr);
        int count = ShapeUtil.Product(shape);
        var payload = bytes[(start + headerLen)..];
        long needed = (long)count * itemSize;
        if (payload.Length < needed)
            throw new InvalidDataException($"truncated data: shape {ShapeUtil.Format(shape)} of '{descr}' needs {needed} bytes, the file has {payload.Length}.");
        Array data = dtype switch
        {
            NpyDType.Float64 => ReadValues(payload, count, 8, static s => BinaryPrimitives.ReadDoubleLittleEndian(s)),
            NpyDType.Float32 => ReadValues(payload, count, 4, static s => BinaryPrimitives.ReadSingleLittleEndian(s)),
            NpyDType.Int32 => ReadValues(payload, count, 4, static s => BinaryPrimitives.ReadInt32LittleEndian(s)),
            NpyDType.Int64 => ReadValues(payload, count, 8, static s => BinaryPrimitives.ReadInt64LittleEndian(s)),
            NpyDType.Unicode => ReadStrings(payload, count, itemSize / 4),
            _ => throw new InvalidDataException($"unsupported dtype '{descr}'."),
        };
        return new NpyArray(dtype, shape, data);
    }

    private delegate T ElementReader<T>(ReadOnlySpan<byte> s);

    private static T[] ReadValues<T>(ReadOnlySpan<byte> payload, int count, int size, ElementReader<T> read)
    {
        var r = new T[count];
        for (int i = 0; i < count; i++) r[i] = read(payload.Slice(i * size, size));
        return r;
    }

    private static string[] ReadStrings(ReadOnlySpan<byte> payload, int count, int chars)
    {
        var r = new string[count];
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            for (int c = 0; c < chars; c++)
            {
                int cp = BinaryPrimitives.ReadInt32LittleEndian(payload.Slice((i * chars + c) * 4, 4));
                if (cp == 0) break;
                sb.Append(char.ConvertFromUtf32(cp));
            }
            r[i] = sb.ToString();
        }
        return r;
    }

    private static (NpyDType Type, int ItemSize) ParseDescr(string descr)
    {
        if (descr.Length < 3) throw new InvalidDataException($"unsupported dtype '{descr}'.");
        char order = descr[0];
        string code = descr[1..];
        if (order == '>' && code is not ("u1" or "i1" or "b1"))
            throw new InvalidDataException($"big-endian dtype '{descr}' is not supported; convert with arr.astype('<{code}').");
        if (order is not ('<' or '|' or '='))
            throw new InvalidDataException($"unsupported byte order in dtype '{descr}'.");
        switch (code)
        {
            case "f8": return (NpyDType.Float64, 8);
            case "f4": return (NpyDType.Float32, 4);
            case "i4": return (NpyDType.Int32, 4);
            case "i8": return (NpyDType.Int64, 8);
        }
        if (code[0] == 'U' && int.TryParse(code.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
            return (NpyDType.Unicode, 4 * n);
        throw new InvalidDataException($"unsupported dtype '{descr}' (supported: <f4, <f8, <i4, <i8, <U{{n}}).");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();

    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header)
    {
        var d = DescrRegex().Match(header);
        var f = FortranRegex().Match(header);
        var s = ShapeRegex().Match(header);
        if (!d.Success || !f.Success || !s.Success)
            throw new InvalidDataException($"malformed .npy header: {header.Trim()}");
        var dims = s.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            string t = dims[i].TrimEnd('L');
            if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"malformed shape in .npy header: ({s.Groups[1].Value}).");
        }
        return (d.Groups[1].Value, f.Groups[1].Value == "True", shape);
    }

    /// <summary>Writes a double tensor as a float64 .npy file (atomically: a temporary file, then a rename).</summary>
    public static void Write(string path, Tensor t) => Write(path, NpyArray.FromTensor(t));

    /// <summary>Writes an array as a .npy file (version 1.0; atomically: a temporary file, then a rename).</summary>
    /// <exception cref="ArgumentException">The data type does not match the declared dtype or shape.</exception>
    public static void Write(string path, NpyArray array)
    {
        var bytes = ToBytes(array);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>The bytes of a .npy file (version 1.0) holding the array.</summary>
    public static byte[] ToBytes(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        int count = ShapeUtil.Product(array.Shape);
        if (array.Data.Length != count)
            throw new ArgumentException($"Npy.Write: {array.Data.Length} values do not fit shape {ShapeUtil.Format(array.Shape)}.");
        string descr;
        int size;
        switch (array.Data)
        {
            case double[] when array.DType == NpyDType.Float64: descr = "<f8"; size = 8; break;
            case float[] when array.DType == NpyDType.Float32: descr = "<f4"; size = 4; break;
            case int[] when array.DType == NpyDType.Int32: descr = "<i4"; size = 4; break;
            case long[] when array.DType == NpyDType.Int64: descr = "<i8"; size = 8; break;
            default:
                throw new ArgumentException($"Npy.Write: data of type {array.Data.GetType().Name} with dtype {array.DType} cannot be written.");
        }
        string shapeText = array.Shape.Length switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int unpadded = 10 + dict.Length + 1;
        int pad = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        var result = new byte[10 + header.Length + count * size];
        Magic.CopyTo(result, 0);
        result[6] = 1; result[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header, result.AsSpan(10));
        var o = result.AsSpan(10 + header.Length);
        switch (array.Data)
        {
            case double[] a: for (int i = 0; i < count; i++) BinaryPrimitives.WriteDoubleLittleEndian(o[(i * 8)..], a[i]); break;
            case float[] a: for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(o[(i * 4)..], a[i]); break;
            case int[] a: for (int i = 0; i < count; i++) BinaryPrimitives.WriteInt32LittleEndian(o[(i * 4)..], a[i]); break;
            case long[] a: for (int i = 0; i < count; i++) BinaryPrimitives.WriteInt64LittleEndian(o[(i * 8)..], a[i]); break;
        }
        return result;
    }
}
