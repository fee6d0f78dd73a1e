namespace Qex.Kernels.Fock;

/// <summary>
/// Electron-repulsion integrals (ab|cd) stored as blocks, one per unique shell quartet: the block holds every
/// component combination of its four shells (index ((a nb + b) nc + c) nd + d) together with the shells' first
/// functions and sizes and the quartet's permutational degeneracy weight, so that summing the eight index
/// permutations of every stored integral with that weight reproduces the full tensor. The layout the J/K kernels
/// of every backend read.
/// </summary>
public sealed class EriBlocks
{
    /// <summary>Values live in chunks of at most this many doubles (8 MiB); a block never straddles two chunks.</summary>
    private const int ChunkSize = 1 << 20;

    /// <summary>The first chunk's size; each next one doubles up to <see cref="ChunkSize"/> (a small basis' integrals
    /// fit in a few small chunks: a first chunk of 8 MiB was garbage at every start of a small molecule, and at every atom of the SAD guess).</summary>
    private const int FirstChunkSize = 1 << 12;

    private int[] meta = new int[8 * 64];
    private double[] weight = new double[64];
    private int[] chunkOf = new int[64];
    private int[] offsetIn = new int[64];
    private double[] maxAbs = new double[64];
    private readonly List<double[]> chunks = [];
    private int used; // doubles used in the last chunk
    private long valueCount;

    /// <summary>An empty set for a basis of <paramref name="functionCount"/> functions.</summary>
    public EriBlocks(int functionCount)
    {
        if (functionCount < 1) throw new ArgumentOutOfRangeException(nameof(functionCount), "A basis has at least one function.");
        FunctionCount = functionCount;
    }

    /// <summary>Number of basis functions.</summary>
    public int FunctionCount { get; }

    /// <summary>Number of blocks.</summary>
    public int Count { get; private set; }

    /// <summary>Number of stored integrals.</summary>
    public long ValueCount => valueCount;

    /// <summary>Bytes held by the stored integrals and their block descriptions.</summary>
    public long Bytes => (long)chunks.Sum(c => c.Length) * sizeof(double) + Count * (10L * sizeof(int) + sizeof(double));

    /// <summary>Removes all blocks (keeps the largest chunk, the last, for reuse).</summary>
    public void Clear()
    {
        Count = 0;
        valueCount = 0;
        used = 0;
        if (chunks.Count > 1) chunks.RemoveRange(0, chunks.Count - 1);
    }

    /// <summary>
    /// Appends a block: first functions a0, b0, c0, d0, sizes na, nb, nc, nd, weight (1/2 for each of a = b shells,
    /// c = d shells and ab = cd pairs), and the na nb nc nd values.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes that do not match the values or reach past the basis.</exception>
    public void Add(int a0, int na, int b0, int nb, int c0, int nc, int d0, int nd, double blockWeight, ReadOnlySpan<double> blockValues)
    {
        int size = na * nb * nc * nd;
        if (blockValues.Length < size) throw new ArgumentException($"Block of {na}x{nb}x{nc}x{nd} needs {size} values; got {blockValues.Length}.");
        if (a0 < 0 || b0 < 0 || c0 < 0 || d0 < 0 || a0 + na > FunctionCount || b0 + nb > FunctionCount || c0 + nc > FunctionCount || d0 + nd > FunctionCount)
            throw new ArgumentException($"Block at ({a0}, {b0}, {c0}, {d0}) reaches past the {FunctionCount} basis functions.");
        if (Count == weight.Length)
        {
            Array.Resize(ref meta, meta.Length * 2);
            Array.Resize(ref weight, weight.Length * 2);
            Array.Resize(ref chunkOf, chunkOf.Length * 2);
            Array.Resize(ref offsetIn, offsetIn.Length * 2);
            Array.Resize(ref maxAbs, maxAbs.Length * 2);
        }
        if (chunks.Count == 0 || used + size > chunks[^1].Length)
        {
            int next = chunks.Count == 0 ? FirstChunkSize : (int)Math.Min(ChunkSize, 2L * chunks[^1].Length);
            chunks.Add(new double[Math.Max(next, size)]);
            used = 0;
        }
        var m = meta.AsSpan(8 * Count, 8);
        m[0] = a0; m[1] = na; m[2] = b0; m[3] = nb; m[4] = c0; m[5] = nc; m[6] = d0; m[7] = nd;
        weight[Count] = blockWeight;
        chunkOf[Count] = chunks.Count - 1;
        offsetIn[Count] = used;
        blockValues[..size].CopyTo(chunks[^1].AsSpan(used, size));
        maxAbs[Count] = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(blockValues[..size]) * blockWeight);
        used += size;
        valueCount += size;
        Count++;
    }

    /// <summary>Trims the last chunk and the block tables to what is used.</summary>
    public void Compact()
    {
        if (chunks.Count > 0 && used < chunks[^1].Length) chunks[^1] = chunks[^1][..used];
        Array.Resize(ref meta, 8 * Count);
        Array.Resize(ref weight, Count);
        Array.Resize(ref chunkOf, Count);
        Array.Resize(ref offsetIn, Count);
        Array.Resize(ref maxAbs, Count);
    }

    /// <summary>Block i's storage for the kernels: the shape table (block i at 8 i), weight, chunk and offset in it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal (int[] Shapes, double Weight, double[] Chunk, int Offset, double MaxAbs) Raw(int i) => (meta, weight[i], chunks[chunkOf[i]], offsetIn[i], maxAbs[i]);

    /// <summary>The eight shape numbers of block <paramref name="i"/>: a0, na, b0, nb, c0, nc, d0, nd.</summary>
    public ReadOnlySpan<int> Shape(int i) => meta.AsSpan(8 * i, 8);

    /// <summary>The largest |weight x value| of block <paramref name="i"/> (for density screening).</summary>
    public double MaxAbs(int i) => maxAbs[i];

    /// <summary>The degeneracy weight of block <paramref name="i"/>.</summary>
    public double Weight(int i) => weight[i];

    /// <summary>The values of block <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> Values(int i)
    {
        var m = meta.AsSpan(8 * i, 8);
        return chunks[chunkOf[i]].AsSpan(offsetIn[i], m[1] * m[3] * m[5] * m[7]);
    }
}
