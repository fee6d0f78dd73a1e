using ILGPU;
using ILGPU.Runtime;

namespace Qex.Kernels.Statevector;

/// <summary>
/// One 2x2 gate on a batch of states (split real/imaginary arrays, amplitude i of circuit b at i Batch + b): the target's
/// bit position, the control bits that must be 1, and where its matrix lies (8 doubles a, b, c, d as re/im pairs; per
/// circuit 8 Batch doubles when <see cref="PerCircuit"/> is 1).
/// </summary>
internal readonly record struct GateLaunch(int Position, long ControlMask, int Batch, int PerCircuit, int MatrixOffset);

/// <summary>A dense 4x4 gate on bit positions P0 (the matrix index's high bit) and P1; its matrix (re, im per element, row-major) at Offset.</summary>
internal readonly record struct DenseLaunch(int P0, int P1, int Batch, int Offset);

/// <summary>dst += W i^y (-1)^{|j AND z|} src[j], j = i XOR X, for every amplitude i (phase (Pr, Pi) = i^y).</summary>
internal readonly record struct PauliLaunch(long XMask, long ZMask, double Pr, double Pi, double W, int Batch);

/// <summary>Chunked sums over Count items (amplitudes or amplitude pairs) of Batch circuits, Chunk items per thread.</summary>
internal readonly record struct ChunkLaunch(long Count, int Batch, int Chunk);

/// <summary>A generator G (2x2, as 8 doubles) on the target's bit position where the control bits are 1.</summary>
internal readonly record struct GeneratorLaunch(int Position, long ControlMask, double Ar, double Ai, double Br, double Bi, double Cr, double Ci, double Dr, double Di);

/// <summary>
/// The statevector kernels on a device: 1-qubit (controlled) gates with one matrix for all circuits or one per circuit,
/// dense 2-qubit gates, Pauli strings, and the per-circuit sums of the expectation value and of the adjoint gradient,
/// each as fixed-size chunks summed in order (no atomics: the same device gives the same numbers).
/// </summary>
internal sealed class StatevectorDeviceKernels
{
    /// <summary>Items one thread of a reduction sums (then the chunks are summed in order on the host).</summary>
    public const int Chunk = 1024;

    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, GateLaunch> _apply1;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, DenseLaunch> _dense;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, PauliLaunch> _pauli;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ChunkLaunch> _inner;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ChunkLaunch, GeneratorLaunch> _generator;

    public StatevectorDeviceKernels(Accelerator accelerator)
    {
        _apply1 = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, GateLaunch>(Apply1Kernel);
        _dense = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, DenseLaunch>(DenseKernel);
        _pauli = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, PauliLaunch>(PauliKernel);
        _inner = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ChunkLaunch>(InnerKernel);
        _generator = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ChunkLaunch, GeneratorLaunch>(GeneratorKernel);
    }

    /// <summary>Applies a 2x2 gate to states of <paramref name="qubits"/> qubits.</summary>
    public void Apply1(ArrayView<double> re, ArrayView<double> im, ArrayView<double> matrices, int qubits, in GateLaunch g) =>
        _apply1(Threads((1L << (qubits - 1)) * g.Batch), re, im, matrices, g);

    /// <summary>Applies a dense 2-qubit gate.</summary>
    public void Dense(ArrayView<double> re, ArrayView<double> im, ArrayView<double> matrices, int qubits, in DenseLaunch g) =>
        _dense(Threads((1L << (qubits - 2)) * g.Batch), re, im, matrices, g);

    /// <summary>dst += w P src for one Pauli string.</summary>
    public void Pauli(ArrayView<double> srcRe, ArrayView<double> srcIm, ArrayView<double> dstRe, ArrayView<double> dstIm, int qubits, in PauliLaunch p) =>
        _pauli(Threads((1L << qubits) * p.Batch), srcRe, srcIm, dstRe, dstIm, p);

    /// <summary>Chunk sums of Re sum_i conj(a_i) x_i per circuit into partial[c Batch + b] (chunks of <see cref="Chunk"/> amplitudes).</summary>
    public void Inner(ArrayView<double> aRe, ArrayView<double> aIm, ArrayView<double> xRe, ArrayView<double> xIm, ArrayView<double> partial, int qubits, int batch) =>
        _inner(Threads(Chunks(1L << qubits) * batch), aRe, aIm, xRe, xIm, partial, new ChunkLaunch(1L << qubits, batch, Chunk));

    /// <summary>Chunk sums of Re sum conj(l) (G x) over the target's pairs (controls 1) per circuit (chunks of <see cref="Chunk"/> pairs).</summary>
    public void Generator(ArrayView<double> lRe, ArrayView<double> lIm, ArrayView<double> xRe, ArrayView<double> xIm, ArrayView<double> partial, int qubits, int batch,
        in GeneratorLaunch g) =>
        _generator(Threads(Chunks(1L << (qubits - 1)) * batch), lRe, lIm, xRe, xIm, partial, new ChunkLaunch(1L << (qubits - 1), batch, Chunk), g);

    /// <summary>Number of chunks of <paramref name="items"/> items.</summary>
    public static long Chunks(long items) => (items + Chunk - 1) / Chunk;

    private static Index1D Threads(long n) => n <= int.MaxValue
        ? new Index1D((int)n)
        : throw new InsufficientMemoryException($"{n} work items exceed one launch's 2^31 threads; use fewer qubits or a smaller batch.");

    /// <summary>The index with a 0 bit inserted at <paramref name="position"/>.</summary>
    private static long Insert(long j, int position) => ((j >> position) << (position + 1)) | (j & ((1L << position) - 1));

    private static void Apply1Kernel(Index1D t, ArrayView<double> re, ArrayView<double> im, ArrayView<double> m, GateLaunch g)
    {
        int b = t % g.Batch;
        long j = t / g.Batch;
        long lo = Insert(j, g.Position), hi = lo | (1L << g.Position);
        if ((lo & g.ControlMask) != g.ControlMask) return;
        int o = g.MatrixOffset + (g.PerCircuit != 0 ? 8 * b : 0);
        long x = lo * g.Batch + b, y = hi * g.Batch + b;
        double xr = re[x], xi = im[x], yr = re[y], yi = im[y];
        double ar = m[o], ai = m[o + 1], br = m[o + 2], bi = m[o + 3], cr = m[o + 4], ci = m[o + 5], dr = m[o + 6], di = m[o + 7];
        re[x] = ar * xr - ai * xi + br * yr - bi * yi;
        im[x] = ar * xi + ai * xr + br * yi + bi * yr;
        re[y] = cr * xr - ci * xi + dr * yr - di * yi;
        im[y] = cr * xi + ci * xr + dr * yi + di * yr;
    }

    private static void DenseKernel(Index1D t, ArrayView<double> re, ArrayView<double> im, ArrayView<double> m, DenseLaunch g)
    {
        int b = t % g.Batch;
        long j = t / g.Batch;
        int low = g.P0 < g.P1 ? g.P0 : g.P1, high = g.P0 < g.P1 ? g.P1 : g.P0;
        long base0 = Insert(Insert(j, low), high);
        long s0 = 1L << g.P0, s1 = 1L << g.P1;
        // amplitudes |r0 r1> with r0 the matrix index's high bit (position P0)
        long a0 = (base0) * g.Batch + b, a1 = (base0 | s1) * g.Batch + b, a2 = (base0 | s0) * g.Batch + b, a3 = (base0 | s0 | s1) * g.Batch + b;
        double r0 = re[a0], j0 = im[a0], r1 = re[a1], j1 = im[a1], r2 = re[a2], j2 = im[a2], r3 = re[a3], j3 = im[a3];
        for (int r = 0; r < 4; r++)
        {
            int o = g.Offset + 8 * r;
            double vr = m[o] * r0 - m[o + 1] * j0 + m[o + 2] * r1 - m[o + 3] * j1 + m[o + 4] * r2 - m[o + 5] * j2 + m[o + 6] * r3 - m[o + 7] * j3;
            double vi = m[o] * j0 + m[o + 1] * r0 + m[o + 2] * j1 + m[o + 3] * r1 + m[o + 4] * j2 + m[o + 5] * r2 + m[o + 6] * j3 + m[o + 7] * r3;
            long a = r == 0 ? a0 : r == 1 ? a1 : r == 2 ? a2 : a3;
            re[a] = vr;
            im[a] = vi;
        }
    }

    private static void PauliKernel(Index1D t, ArrayView<double> sr, ArrayView<double> si, ArrayView<double> dr, ArrayView<double> di, PauliLaunch p)
    {
        int b = t % p.Batch;
        long i = t / p.Batch;
        long j = i ^ p.XMask;
        long z = j & p.ZMask;
        int parity = 0;
        while (z != 0)
        {
            parity ^= 1;
            z &= z - 1;
        }
        double sign = parity == 0 ? p.W : -p.W;
        double cr = sign * p.Pr, ci = sign * p.Pi;
        long s = j * p.Batch + b, d = i * p.Batch + b;
        double xr = sr[s], xi = si[s];
        dr[d] += cr * xr - ci * xi;
        di[d] += cr * xi + ci * xr;
    }

    private static void InnerKernel(Index1D t, ArrayView<double> ar, ArrayView<double> ai, ArrayView<double> xr, ArrayView<double> xi, ArrayView<double> partial, ChunkLaunch c)
    {
        int b = t % c.Batch;
        long chunk = t / c.Batch;
        long from = chunk * c.Chunk, to = from + c.Chunk < c.Count ? from + c.Chunk : c.Count;
        double s = 0;
        for (long i = from; i < to; i++)
        {
            long o = i * c.Batch + b;
            s += ar[o] * xr[o] + ai[o] * xi[o];
        }
        partial[t] = s;
    }

    private static void GeneratorKernel(Index1D t, ArrayView<double> lr, ArrayView<double> li, ArrayView<double> xr, ArrayView<double> xi, ArrayView<double> partial,
        ChunkLaunch c, GeneratorLaunch g)
    {
        int b = t % c.Batch;
        long chunk = t / c.Batch;
        long from = chunk * c.Chunk, to = from + c.Chunk < c.Count ? from + c.Chunk : c.Count;
        double s = 0;
        for (long j = from; j < to; j++)
        {
            long lo = Insert(j, g.Position);
            if ((lo & g.ControlMask) != g.ControlMask) continue;
            long x = lo * c.Batch + b, y = (lo | (1L << g.Position)) * c.Batch + b;
            double ur = xr[x], ui = xi[x], vr = xr[y], vi = xi[y];
            double zr = g.Ar * ur - g.Ai * ui + g.Br * vr - g.Bi * vi;
            double zi = g.Ar * ui + g.Ai * ur + g.Br * vi + g.Bi * vr;
            double wr = g.Cr * ur - g.Ci * ui + g.Dr * vr - g.Di * vi;
            double wi = g.Cr * ui + g.Ci * ur + g.Dr * vi + g.Di * vr;
            s += lr[x] * zr + li[x] * zi + lr[y] * wr + li[y] * wi;
        }
        partial[t] = s;
    }
}
