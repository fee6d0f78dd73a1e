using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Qex.Quantum.Gates;

namespace Qex.Quantum.Simulation;

/// <summary>
/// A batch of state vectors in split real/imaginary arrays, batch index fastest: amplitude i of circuit b is at
/// <c>i * Batch + b</c>. Qubit q is bit <c>n - 1 - q</c> of i. For a single state (Batch = 1) this is the plain layout.
/// </summary>
internal readonly record struct StateView(double[] Re, double[] Im, int Qubits, int Batch)
{
    public long Dimension => 1L << Qubits;
    public int Length => (int)(Dimension * Batch);
    public int BitPosition(int qubit) => Qubits - 1 - qubit;
}

/// <summary>Per-circuit 2x2 matrices (split arrays of length Batch).</summary>
internal sealed class Mat2Batch(int batch)
{
    public readonly double[] Ar = new double[batch], Ai = new double[batch], Br = new double[batch], Bi = new double[batch],
        Cr = new double[batch], Ci = new double[batch], Dr = new double[batch], Di = new double[batch];

    public void Set(int b, Mat2 m)
    {
        Ar[b] = m.Ar; Ai[b] = m.Ai; Br[b] = m.Br; Bi[b] = m.Bi; Cr[b] = m.Cr; Ci[b] = m.Ci; Dr[b] = m.Dr; Di[b] = m.Di;
    }
}

/// <summary>
/// The hot loops of the emulator. Every kernel walks "runs": maximal contiguous stretches of the state in which
/// the bits of the involved qubits are fixed; a run has <c>stride(lowest involved qubit) * Batch</c> doubles, so the
/// inner loops are contiguous and SIMD-vectorised both for one large state and for many small ones.
/// </summary>
internal static class StateKernels
{
    /// <summary>States of at least this many doubles are processed in parallel.</summary>
    private const int ParallelThreshold = 1 << 17;

    /// <summary>
    /// The runs where all bits at the given positions are 0 except those of the ones-mask:
    /// (count, run length in amplitudes, a function from run number to the run's first amplitude).
    /// </summary>
    private readonly struct Runs
    {
        private readonly int[] _blockPositions;
        public readonly long OnesMask;
        public readonly int Shift;
        public readonly long Count;
        public readonly long RunAmplitudes;

        public Runs(int qubits, ReadOnlySpan<int> positions, long onesMask)
        {
            var sorted = positions.ToArray();
            Array.Sort(sorted);
            Shift = sorted[0];
            RunAmplitudes = 1L << Shift;
            _blockPositions = new int[sorted.Length];
            for (int i = 0; i < sorted.Length; i++) _blockPositions[i] = sorted[i] - Shift;
            Count = (1L << qubits) >> Shift >> sorted.Length;
            OnesMask = onesMask;
        }

        public long Start(long k)
        {
            foreach (int p in _blockPositions) k = ((k >> p) << (p + 1)) | (k & ((1L << p) - 1));
            return (k << Shift) | OnesMask;
        }
    }

    private static void ForRuns(in Runs runs, int batch, Action<long, long> body)
    {
        long total = runs.Count * runs.RunAmplitudes * batch;
        if (total >= ParallelThreshold && runs.Count > 1)
        {
            int parts = Math.Min(Environment.ProcessorCount * 4, (int)Math.Min(runs.Count, 1024));
            var r = runs;
            Parallel.For(0, parts, p =>
            {
                long from = r.Count * p / parts, to = r.Count * (p + 1) / parts;
                body(from, to);
            });
        }
        else body(0, runs.Count);
    }

    /// <summary>Applies a 2x2 matrix to the target qubit where all control bits are 1 (the same matrix for every circuit).</summary>
    public static void Apply1(StateView s, int target, long controlMask, Mat2 m)
    {
        int tp = s.BitPosition(target);
        Span<int> pos = stackalloc int[1 + BitOperations.PopCount((ulong)controlMask)];
        FillPositions(pos, tp, controlMask);
        var runs = new Runs(s.Qubits, pos, controlMask);
        long partner = (1L << tp) * s.Batch;
        int len = (int)(runs.RunAmplitudes * s.Batch);
        var (re, im, batch) = (s.Re, s.Im, s.Batch);
        if (len < 2 * Vector<double>.Count && controlMask == 0)
        {
            ApplyShortRuns(s, partner, len, m);
            return;
        }
        long total = runs.Count * (long)len;
        if (total >= ParallelThreshold)
        {
            // parallel over (run, piece of run): a gate on a most significant qubit is one or two long runs
            int parts = Environment.ProcessorCount * 4;
            long pieces = Math.Max(1, (parts + runs.Count - 1) / runs.Count);
            var r = runs;
            Parallel.For(0, r.Count * pieces, item =>
            {
                long k = item / pieces, piece = item % pieces;
                int from = (int)(len * piece / pieces), to = (int)(len * (piece + 1) / pieces);
                long lo = r.Start(k) * batch + from;
                int n = to - from;
                Rotate(re.AsSpan((int)lo, n), im.AsSpan((int)lo, n), re.AsSpan((int)(lo + partner), n), im.AsSpan((int)(lo + partner), n), m);
            });
            return;
        }
        for (long k = 0; k < runs.Count; k++)
        {
            long lo = runs.Start(k) * batch;
            Rotate(re.AsSpan((int)lo, len), im.AsSpan((int)lo, len), re.AsSpan((int)(lo + partner), len), im.AsSpan((int)(lo + partner), len), m);
        }
    }

    /// <summary>Applies per-circuit 2x2 matrices to the target qubit where all control bits are 1.</summary>
    public static void Apply1(StateView s, int target, long controlMask, Mat2Batch m)
    {
        int tp = s.BitPosition(target);
        Span<int> pos = stackalloc int[1 + BitOperations.PopCount((ulong)controlMask)];
        FillPositions(pos, tp, controlMask);
        var runs = new Runs(s.Qubits, pos, controlMask);
        int batch = s.Batch;
        long partner = (1L << tp) * batch;
        var (re, im) = (s.Re, s.Im);
        ForRuns(runs, batch, (from, to) =>
        {
            for (long k = from; k < to; k++)
            {
                long start = runs.Start(k);
                for (long a = 0; a < runs.RunAmplitudes; a++)
                {
                    int lo = (int)((start + a) * batch), hi = (int)((start + a) * batch + partner);
                    RotateBatched(re.AsSpan(lo, batch), im.AsSpan(lo, batch), re.AsSpan(hi, batch), im.AsSpan(hi, batch), m);
                }
            }
        });
    }

    /// <summary>
    /// A gate on one of the least significant qubits of a single large state: the pairs are closer than a SIMD
    /// vector, so walk blocks of 2 x partner doubles directly (no per-run bookkeeping), in parallel chunks.
    /// </summary>
    private static void ApplyShortRuns(StateView s, long partner, int len, Mat2 m)
    {
        long total = s.Length, block = 2 * partner;
        long blocks = total / block;
        var (re, im) = (s.Re, s.Im);
        if (Avx.IsSupported && (partner == 1 || partner == 2) && total % 4 == 0)
        {
            ApplyInterleaved(s, (int)partner, m);
            return;
        }
        void Body(long from, long to)
        {
            for (long k = from; k < to; k++)
            {
                long lo = k * block;
                for (long j = lo; j < lo + len; j++)
                {
                    long h = j + partner;
                    double xr = re[j], xi = im[j], yr = re[h], yi = im[h];
                    re[j] = m.Ar * xr - m.Ai * xi + m.Br * yr - m.Bi * yi;
                    im[j] = m.Ar * xi + m.Ai * xr + m.Br * yi + m.Bi * yr;
                    re[h] = m.Cr * xr - m.Ci * xi + m.Dr * yr - m.Di * yi;
                    im[h] = m.Cr * xi + m.Ci * xr + m.Dr * yi + m.Di * yr;
                }
            }
        }
        if (total >= ParallelThreshold)
        {
            int parts = Environment.ProcessorCount * 4;
            Parallel.For(0, parts, p => Body(blocks * p / parts, blocks * (p + 1) / parts));
        }
        else Body(0, blocks);
    }

    /// <summary>
    /// Pairs at distance 1 or 2 inside one AVX vector of 4 doubles: out = P v + Q swap(v), with P = (a, d, a, d) and
    /// Q = (b, c, b, c) for distance 1 (swap = adjacent pairs), P = (a, a, d, d) and Q = (b, b, c, c) for distance 2
    /// (swap = 128-bit halves).
    /// </summary>
    private static void ApplyInterleaved(StateView s, int partner, Mat2 m)
    {
        var (re, im) = (s.Re, s.Im);
        int total = s.Length;
        Vector256<double> pr, pi, qr, qi;
        if (partner == 1)
        {
            pr = Vector256.Create(m.Ar, m.Dr, m.Ar, m.Dr); pi = Vector256.Create(m.Ai, m.Di, m.Ai, m.Di);
            qr = Vector256.Create(m.Br, m.Cr, m.Br, m.Cr); qi = Vector256.Create(m.Bi, m.Ci, m.Bi, m.Ci);
        }
        else
        {
            pr = Vector256.Create(m.Ar, m.Ar, m.Dr, m.Dr); pi = Vector256.Create(m.Ai, m.Ai, m.Di, m.Di);
            qr = Vector256.Create(m.Br, m.Br, m.Cr, m.Cr); qi = Vector256.Create(m.Bi, m.Bi, m.Ci, m.Ci);
        }
        void Body(int from, int to)
        {
            var vre = MemoryMarshal.Cast<double, Vector256<double>>(re.AsSpan(from, to - from));
            var vim = MemoryMarshal.Cast<double, Vector256<double>>(im.AsSpan(from, to - from));
            for (int v = 0; v < vre.Length; v++)
            {
                var xr = vre[v];
                var xi = vim[v];
                var sr = partner == 1 ? Avx.Permute(xr, 0b0101) : Avx.Permute2x128(xr, xr, 0x01);
                var si = partner == 1 ? Avx.Permute(xi, 0b0101) : Avx.Permute2x128(xi, xi, 0x01);
                vre[v] = pr * xr - pi * xi + qr * sr - qi * si;
                vim[v] = pr * xi + pi * xr + qr * si + qi * sr;
            }
        }
        if (total >= ParallelThreshold)
        {
            int parts = Environment.ProcessorCount * 4;
            Parallel.For(0, parts, p =>
            {
                int from = (int)((long)total * p / parts) & ~3, to = p == parts - 1 ? total : (int)((long)total * (p + 1) / parts) & ~3;
                Body(from, to);
            });
        }
        else Body(0, total);
    }

    private static void FillPositions(Span<int> pos, int tp, long controlMask)
    {
        pos[0] = tp;
        int i = 1;
        for (int b = 0; b < 63; b++) if ((controlMask >> b & 1) != 0) pos[i++] = b;
    }

    /// <summary>(lo, hi) &lt;- M (lo, hi) element-wise over contiguous spans.</summary>
    private static void Rotate(Span<double> lr, Span<double> li, Span<double> hr, Span<double> hi, Mat2 m)
    {
        int n = lr.Length, i = 0;
        bool realEntries = m.Ai == 0 && m.Bi == 0 && m.Ci == 0 && m.Di == 0;
        if (realEntries && m.Ar == 0 && m.Dr == 0 && m.Br == 1 && m.Cr == 1)
        {
            // X (CNOT): swap the halves
            Swap(lr, hr);
            Swap(li, hi);
            return;
        }
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vlr = MemoryMarshal.Cast<double, Vector<double>>(lr);
            var vli = MemoryMarshal.Cast<double, Vector<double>>(li);
            var vhr = MemoryMarshal.Cast<double, Vector<double>>(hr);
            var vhi = MemoryMarshal.Cast<double, Vector<double>>(hi);
            Vector<double> ar = new(m.Ar), ai = new(m.Ai), br = new(m.Br), bi = new(m.Bi), cr = new(m.Cr), ci = new(m.Ci), dr = new(m.Dr), di = new(m.Di);
            if (m.Br == 0 && m.Bi == 0 && m.Cr == 0 && m.Ci == 0)
            {
                for (int v = 0; v < vlr.Length; v++)
                {
                    var xr = vlr[v]; var xi = vli[v]; var yr = vhr[v]; var yi = vhi[v];
                    vlr[v] = ar * xr - ai * xi;
                    vli[v] = ar * xi + ai * xr;
                    vhr[v] = dr * yr - di * yi;
                    vhi[v] = dr * yi + di * yr;
                }
            }
            else if (realEntries)
            {
                for (int v = 0; v < vlr.Length; v++)
                {
                    var xr = vlr[v]; var xi = vli[v]; var yr = vhr[v]; var yi = vhi[v];
                    vlr[v] = ar * xr + br * yr;
                    vli[v] = ar * xi + br * yi;
                    vhr[v] = cr * xr + dr * yr;
                    vhi[v] = cr * xi + dr * yi;
                }
            }
            else
            {
                for (int v = 0; v < vlr.Length; v++)
                {
                    var xr = vlr[v]; var xi = vli[v]; var yr = vhr[v]; var yi = vhi[v];
                    vlr[v] = ar * xr - ai * xi + br * yr - bi * yi;
                    vli[v] = ar * xi + ai * xr + br * yi + bi * yr;
                    vhr[v] = cr * xr - ci * xi + dr * yr - di * yi;
                    vhi[v] = cr * xi + ci * xr + dr * yi + di * yr;
                }
            }
            i = vlr.Length * Vector<double>.Count;
        }
        for (; i < n; i++)
        {
            double xr = lr[i], xi = li[i], yr = hr[i], yi = hi[i];
            lr[i] = m.Ar * xr - m.Ai * xi + m.Br * yr - m.Bi * yi;
            li[i] = m.Ar * xi + m.Ai * xr + m.Br * yi + m.Bi * yr;
            hr[i] = m.Cr * xr - m.Ci * xi + m.Dr * yr - m.Di * yi;
            hi[i] = m.Cr * xi + m.Ci * xr + m.Dr * yi + m.Di * yr;
        }
    }

    private static void Swap(Span<double> a, Span<double> b)
    {
        int n = a.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var va = MemoryMarshal.Cast<double, Vector<double>>(a);
            var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
            for (int v = 0; v < va.Length; v++) (va[v], vb[v]) = (vb[v], va[v]);
            i = va.Length * Vector<double>.Count;
        }
        for (; i < n; i++) (a[i], b[i]) = (b[i], a[i]);
    }

    private static void RotateBatched(Span<double> lr, Span<double> li, Span<double> hr, Span<double> hi, Mat2Batch m)
    {
        int n = lr.Length, b = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vlr = MemoryMarshal.Cast<double, Vector<double>>(lr);
            var vli = MemoryMarshal.Cast<double, Vector<double>>(li);
            var vhr = MemoryMarshal.Cast<double, Vector<double>>(hr);
            var vhi = MemoryMarshal.Cast<double, Vector<double>>(hi);
            var Ar = MemoryMarshal.Cast<double, Vector<double>>(m.Ar.AsSpan()); var Ai = MemoryMarshal.Cast<double, Vector<double>>(m.Ai.AsSpan());
            var Br = MemoryMarshal.Cast<double, Vector<double>>(m.Br.AsSpan()); var Bi = MemoryMarshal.Cast<double, Vector<double>>(m.Bi.AsSpan());
            var Cr = MemoryMarshal.Cast<double, Vector<double>>(m.Cr.AsSpan()); var Ci = MemoryMarshal.Cast<double, Vector<double>>(m.Ci.AsSpan());
            var Dr = MemoryMarshal.Cast<double, Vector<double>>(m.Dr.AsSpan()); var Di = MemoryMarshal.Cast<double, Vector<double>>(m.Di.AsSpan());
            for (int v = 0; v < vlr.Length; v++)
            {
                var xr = vlr[v]; var xi = vli[v]; var yr = vhr[v]; var yi = vhi[v];
                vlr[v] = Ar[v] * xr - Ai[v] * xi + Br[v] * yr - Bi[v] * yi;
                vli[v] = Ar[v] * xi + Ai[v] * xr + Br[v] * yi + Bi[v] * yr;
                vhr[v] = Cr[v] * xr - Ci[v] * xi + Dr[v] * yr - Di[v] * yi;
                vhi[v] = Cr[v] * xi + Ci[v] * xr + Dr[v] * yi + Di[v] * yr;
            }
            b = vlr.Length * Vector<double>.Count;
        }
        for (; b < n; b++)
        {
            double xr = lr[b], xi = li[b], yr = hr[b], yi = hi[b];
            double ar = m.Ar[b], ai = m.Ai[b], br = m.Br[b], bi = m.Bi[b], cr = m.Cr[b], ci = m.Ci[b], dr = m.Dr[b], di = m.Di[b];
            lr[b] = ar * xr - ai * xi + br * yr - bi * yi;
            li[b] = ar * xi + ai * xr + br * yi + bi * yr;
            hr[b] = cr * xr - ci * xi + dr * yr - di * yi;
            hi[b] = cr * xi + ci * xr + dr * yi + di * yr;
        }
    }

    /// <summary>
    /// acc[b] += Re sum conj(l) (G x) over the pairs of the target qubit where the controls are 1 (G is zero elsewhere).
    /// </summary>
    public static void InnerGenerator(StateView l, StateView x, int target, long controlMask, Mat2 g, double[] acc) =>
        ForPairSpans(x, target, controlMask, (lo, hi, len) => InnerSpan(l, x, lo, hi, len, g, acc));

    /// <summary>
    /// Calls <paramref name="body"/>(lo, hi, length) for the contiguous spans of amplitude pairs of the target qubit
    /// where the controls are 1: whole runs for one state, one span of Batch per amplitude for a batch.
    /// </summary>
    private static void ForPairSpans(StateView x, int target, long controlMask, Action<int, int, int> body)
    {
        int tp = x.BitPosition(target);
        Span<int> pos = stackalloc int[1 + BitOperations.PopCount((ulong)controlMask)];
        FillPositions(pos, tp, controlMask);
        var runs = new Runs(x.Qubits, pos, controlMask);
        int batch = x.Batch;
        long partner = (1L << tp) * batch;
        int span = batch == 1 ? (int)runs.RunAmplitudes : batch;
        long spansPerRun = batch == 1 ? 1 : runs.RunAmplitudes;
        for (long k = 0; k < runs.Count; k++)
        {
            long start = runs.Start(k);
            for (long a = 0; a < spansPerRun; a++)
            {
                int lo = (int)((start + a) * batch);
                body(lo, (int)(lo + partner), span);
            }
        }
    }

    private static void InnerSpan(StateView l, StateView x, int lo, int hi, int n, Mat2 g, double[] acc)
    {
        bool reduce = x.Batch == 1;
        int b = 0;
        Vector<double> total = Vector<double>.Zero;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var xlr = MemoryMarshal.Cast<double, Vector<double>>(x.Re.AsSpan(lo, n)); var xli = MemoryMarshal.Cast<double, Vector<double>>(x.Im.AsSpan(lo, n));
            var xhr = MemoryMarshal.Cast<double, Vector<double>>(x.Re.AsSpan(hi, n)); var xhi = MemoryMarshal.Cast<double, Vector<double>>(x.Im.AsSpan(hi, n));
            var llr = MemoryMarshal.Cast<double, Vector<double>>(l.Re.AsSpan(lo, n)); var lli = MemoryMarshal.Cast<double, Vector<double>>(l.Im.AsSpan(lo, n));
            var lhr = MemoryMarshal.Cast<double, Vector<double>>(l.Re.AsSpan(hi, n)); var lhi = MemoryMarshal.Cast<double, Vector<double>>(l.Im.AsSpan(hi, n));
            var va = MemoryMarshal.Cast<double, Vector<double>>(acc.AsSpan(0, reduce ? 0 : n));
            Vector<double> ar = new(g.Ar), ai = new(g.Ai), br = new(g.Br), bi = new(g.Bi), cr = new(g.Cr), ci = new(g.Ci), dr = new(g.Dr), di = new(g.Di);
            for (int v = 0; v < xlr.Length; v++)
            {
                var xr = xlr[v]; var xi = xli[v]; var yr = xhr[v]; var yi = xhi[v];
                var zr = ar * xr - ai * xi + br * yr - bi * yi;
                var zi = ar * xi + ai * xr + br * yi + bi * yr;
                var wr = cr * xr - ci * xi + dr * yr - di * yi;
                var wi = cr * xi + ci * xr + dr * yi + di * yr;
                var t = llr[v] * zr + lli[v] * zi + lhr[v] * wr + lhi[v] * wi;
                if (reduce) total += t; else va[v] += t;
            }
            b = xlr.Length * Vector<double>.Count;
        }
        double tail = 0;
        for (; b < n; b++)
        {
            double xr = x.Re[lo + b], xi = x.Im[lo + b], yr = x.Re[hi + b], yi = x.Im[hi + b];
            double zr = g.Ar * xr - g.Ai * xi + g.Br * yr - g.Bi * yi;
            double zi = g.Ar * xi + g.Ai * xr + g.Br * yi + g.Bi * yr;
            double wr = g.Cr * xr - g.Ci * xi + g.Dr * yr - g.Di * yi;
            double wi = g.Cr * xi + g.Ci * xr + g.Dr * yi + g.Di * yr;
            double t = l.Re[lo + b] * zr + l.Im[lo + b] * zi + l.Re[hi + b] * wr + l.Im[hi + b] * wi;
            if (reduce) tail += t; else acc[b] += t;
        }
        if (reduce) acc[0] += Vector.Sum(total) + tail;
    }

    /// <summary>y += c[b] G x over the pairs of the target qubit where the controls are 1.</summary>
    public static void AxpyGenerator(StateView y, double[] c, StateView x, int target, long controlMask, Mat2 g) =>
        ForPairSpans(x, target, controlMask, (lo, hi, len) => AxpySpan(y, c, x, lo, hi, len, g));

    private static void AxpySpan(StateView y, double[] c, StateView x, int lo, int hi, int n, Mat2 g)
    {
        bool single = x.Batch == 1;
        int b = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var xlr = MemoryMarshal.Cast<double, Vector<double>>(x.Re.AsSpan(lo, n)); var xli = MemoryMarshal.Cast<double, Vector<double>>(x.Im.AsSpan(lo, n));
            var xhr = MemoryMarshal.Cast<double, Vector<double>>(x.Re.AsSpan(hi, n)); var xhi = MemoryMarshal.Cast<double, Vector<double>>(x.Im.AsSpan(hi, n));
            var ylr = MemoryMarshal.Cast<double, Vector<double>>(y.Re.AsSpan(lo, n)); var yli = MemoryMarshal.Cast<double, Vector<double>>(y.Im.AsSpan(lo, n));
            var yhr = MemoryMarshal.Cast<double, Vector<double>>(y.Re.AsSpan(hi, n)); var yhi = MemoryMarshal.Cast<double, Vector<double>>(y.Im.AsSpan(hi, n));
            var vc = MemoryMarshal.Cast<double, Vector<double>>(c.AsSpan(0, single ? 0 : n));
            Vector<double> ar = new(g.Ar), ai = new(g.Ai), br = new(g.Br), bi = new(g.Bi), cr = new(g.Cr), ci = new(g.Ci), dr = new(g.Dr), di = new(g.Di);
            Vector<double> c0 = new(c[0]);
            for (int v = 0; v < xlr.Length; v++)
            {
                var cb = single ? c0 : vc[v];
                var xr = xlr[v]; var xi = xli[v]; var yr = xhr[v]; var yi = xhi[v];
                ylr[v] += cb * (ar * xr - ai * xi + br * yr - bi * yi);
                yli[v] += cb * (ar * xi + ai * xr + br * yi + bi * yr);
                yhr[v] += cb * (cr * xr - ci * xi + dr * yr - di * yi);
                yhi[v] += cb * (cr * xi + ci * xr + dr * yi + di * yr);
            }
            b = xlr.Length * Vector<double>.Count;
        }
        for (; b < n; b++)
        {
            double cb = single ? c[0] : c[b];
            double xr = x.Re[lo + b], xi = x.Im[lo + b], yr = x.Re[hi + b], yi = x.Im[hi + b];
            y.Re[lo + b] += cb * (g.Ar * xr - g.Ai * xi + g.Br * yr - g.Bi * yi);
            y.Im[lo + b] += cb * (g.Ar * xi + g.Ai * xr + g.Br * yi + g.Bi * yr);
            y.Re[hi + b] += cb * (g.Cr * xr - g.Ci * xi + g.Dr * yr - g.Di * yi);
            y.Im[hi + b] += cb * (g.Cr * xi + g.Ci * xr + g.Dr * yi + g.Di * yr);
        }
    }

    /// <summary>
    /// Applies a dense 2^k x 2^k matrix to the qubits at bit <paramref name="positions"/> (the first is the most
    /// significant bit of the matrix index), the same matrix for every circuit.
    /// </summary>
    public static void ApplyDense(StateView s, int[] positions, Complex[,] m)
    {
        int k = positions.Length, d = 1 << k;
        var runs = new Runs(s.Qubits, positions, 0);
        var offsets = new long[d];
        for (int t = 0; t < d; t++)
            for (int j = 0; j < k; j++)
                if ((t >> (k - 1 - j) & 1) != 0) offsets[t] += 1L << positions[j];
        int batch = s.Batch;
        long len = runs.RunAmplitudes * batch;
        var mr = new double[d * d];
        var mi = new double[d * d];
        for (int r = 0; r < d; r++) for (int c = 0; c < d; c++) { mr[r * d + c] = m[r, c].Real; mi[r * d + c] = m[r, c].Imaginary; }
        var (re, im) = (s.Re, s.Im);
        ForRuns(runs, batch, (from, to) =>
        {
            Span<double> vr = stackalloc double[16], vi = stackalloc double[16];
            Span<long> idx = stackalloc long[16];
            for (long q = from; q < to; q++)
            {
                long start = runs.Start(q) * batch;
                for (long e = 0; e < len; e++)
                {
                    for (int t = 0; t < d; t++)
                    {
                        idx[t] = start + offsets[t] * batch + e;
                        vr[t] = re[idx[t]];
                        vi[t] = im[idx[t]];
                    }
                    for (int r = 0; r < d; r++)
                    {
                        double sr = 0, si = 0;
                        for (int c = 0; c < d; c++)
                        {
                            double ar = mr[r * d + c], ai = mi[r * d + c];
                            sr += ar * vr[c] - ai * vi[c];
                            si += ar * vi[c] + ai * vr[c];
                        }
                        re[idx[r]] = sr;
                        im[idx[r]] = si;
                    }
                }
            }
        });
    }

    /// <summary>
    /// The reduced density matrix of the qubits at bit <paramref name="positions"/> (first = most significant), per
    /// circuit of the batch: rho[b][r * d + c] = sum over the other qubits of psi_r conj(psi_c).
    /// </summary>
    public static Complex[][] ReducedDensity(StateView s, int[] positions)
    {
        int k = positions.Length, d = 1 << k, batch = s.Batch;
        var runs = new Runs(s.Qubits, positions, 0);
        var offsets = DenseOffsets(positions);
        long len = runs.RunAmplitudes * batch;
        var rr = new double[batch * d * d];
        var ri = new double[batch * d * d];
        Span<double> vr = stackalloc double[16], vi = stackalloc double[16];
        for (long q = 0; q < runs.Count; q++)
        {
            long start = runs.Start(q) * batch;
            for (long e = 0; e < len; e++)
            {
                int b = (int)(e % batch);
                for (int t = 0; t < d; t++) { long o = start + offsets[t] * batch + e; vr[t] = s.Re[o]; vi[t] = s.Im[o]; }
                int baseIdx = b * d * d;
                for (int r = 0; r < d; r++)
                    for (int c = 0; c < d; c++)
                    {
                        rr[baseIdx + r * d + c] += vr[r] * vr[c] + vi[r] * vi[c];
                        ri[baseIdx + r * d + c] += vi[r] * vr[c] - vr[r] * vi[c];
                    }
            }
        }
        var result = new Complex[batch][];
        for (int b = 0; b < batch; b++)
        {
            result[b] = new Complex[d * d];
            for (int i = 0; i < d * d; i++) result[b][i] = new Complex(rr[b * d * d + i], ri[b * d * d + i]);
        }
        return result;
    }

    /// <summary>Applies a dense 2^k x 2^k matrix per circuit of the batch (m[b], row-major d x d) to the qubits at <paramref name="positions"/>.</summary>
    public static void ApplyDenseBatched(StateView s, int[] positions, Complex[][] m)
    {
        int k = positions.Length, d = 1 << k, batch = s.Batch;
        var runs = new Runs(s.Qubits, positions, 0);
        var offsets = DenseOffsets(positions);
        long len = runs.RunAmplitudes * batch;
        Span<Complex> v = stackalloc Complex[16];
        Span<long> idx = stackalloc long[16];
        for (long q = 0; q < runs.Count; q++)
        {
            long start = runs.Start(q) * batch;
            for (long e = 0; e < len; e++)
            {
                var mb = m[(int)(e % batch)];
                for (int t = 0; t < d; t++) { idx[t] = start + offsets[t] * batch + e; v[t] = new Complex(s.Re[idx[t]], s.Im[idx[t]]); }
                for (int r = 0; r < d; r++)
                {
                    Complex acc = 0;
                    for (int c = 0; c < d; c++) acc += mb[r * d + c] * v[c];
                    s.Re[idx[r]] = acc.Real;
                    s.Im[idx[r]] = acc.Imaginary;
                }
            }
        }
    }

    private static long[] DenseOffsets(int[] positions)
    {
        int k = positions.Length, d = 1 << k;
        var offsets = new long[d];
        for (int t = 0; t < d; t++)
            for (int j = 0; j < k; j++)
                if ((t >> (k - 1 - j) & 1) != 0) offsets[t] += 1L << positions[j];
        return offsets;
    }

    /// <summary>dst += w P src for a Pauli string with the given masks (P|j&gt; = i^y (-1)^{|j AND z|} |j XOR x&gt;).</summary>
    public static void AccumulatePauli(StateView src, StateView dst, long xMask, long zMask, int yCount, double w)
    {
        // i^y as (pr, pi)
        (double pr, double pi) = (yCount & 3) switch { 0 => (1.0, 0.0), 1 => (0.0, 1.0), 2 => (-1.0, 0.0), _ => (0.0, -1.0) };
        long dim = src.Dimension;
        int batch = src.Batch;
        void Body(long from, long to)
        {
            for (long i = from; i < to; i++)
            {
                long j = i ^ xMask;
                double sign = (BitOperations.PopCount((ulong)(j & zMask)) & 1) == 0 ? w : -w;
                double cr = sign * pr, ci = sign * pi;
                int di = (int)(i * batch), sj = (int)(j * batch);
                for (int b = 0; b < batch; b++)
                {
                    double xr = src.Re[sj + b], xi = src.Im[sj + b];
                    dst.Re[di + b] += cr * xr - ci * xi;
                    dst.Im[di + b] += cr * xi + ci * xr;
                }
            }
        }
        if (dim * batch >= ParallelThreshold)
        {
            int parts = Environment.ProcessorCount * 4;
            Parallel.For(0, parts, p => Body(dim * p / parts, dim * (p + 1) / parts));
        }
        else Body(0, dim);
    }

    /// <summary>acc[b] += Re sum_i conj(a_i) b_i per circuit.</summary>
    public static void InnerReal(StateView a, StateView x, double[] acc)
    {
        int batch = x.Batch, n = x.Length;
        if (batch == 1)
        {
            acc[0] += Dot(a.Re, x.Re, n) + Dot(a.Im, x.Im, n);
            return;
        }
        for (int i = 0; i < n; i += batch)
            for (int b = 0; b < batch; b++) acc[b] += a.Re[i + b] * x.Re[i + b] + a.Im[i + b] * x.Im[i + b];
    }

    private static double Dot(double[] a, double[] b, int n)
    {
        // fixed chunking, so the result does not depend on the number of threads
        const int chunk = 1 << 16;
        int chunks = (n + chunk - 1) / chunk;
        var partial = new double[chunks];
        void Body(int c)
        {
            int from = c * chunk, to = Math.Min(n, from + chunk);
            partial[c] = System.Numerics.Tensors.TensorPrimitives.Dot(a.AsSpan(from, to - from), b.AsSpan(from, to - from));
        }
        if (chunks > 1) Parallel.For(0, chunks, Body); else Body(0);
        double s = 0;
        foreach (double p in partial) s += p;
        return s;
    }
}
