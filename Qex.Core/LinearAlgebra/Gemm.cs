using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>
/// Dense double-precision matrix multiplication <c>C = alpha op(A) op(B) + beta C</c> on row-major storage.
/// </summary>
/// <remarks>
/// BLIS-style: B is packed into k x NR column panels, A into MR x k row panels (alpha folded in), and a
/// 6 x 8 register-blocked micro-kernel with fused multiply-add accumulates into C. Above
/// <see cref="ParallelFlopThreshold"/> the row blocks of C are distributed over threads.
/// </remarks>
public static unsafe class Gemm
{
    private const int MR = 6, NR = 8, KC = 256, MC = 96, NC = 2048;

    /// <summary>Products with fewer flops (2mnk) than this run on one thread.</summary>
    public const long ParallelFlopThreshold = 2_000_000;

    /// <summary>Products with fewer multiply-adds (mnk) than this use a simple unpacked loop.</summary>
    private const long SmallThreshold = 8 * 8 * 8;

    /// <summary>
    /// General matrix product on row-major buffers: <c>C[m x n] = alpha op(A)[m x k] op(B)[k x n] + beta C</c>.
    /// </summary>
    /// <param name="transA">Use A transposed: A is stored k x m with leading dimension <paramref name="lda"/>.</param>
    /// <param name="transB">Use B transposed: B is stored n x k with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The contracted dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="lda">Row stride of A's storage.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="ldb">Row stride of B's storage.</param>
    /// <param name="beta">Scale of the old C (0 overwrites, ignoring NaN in C).</param>
    /// <param name="c">C's storage.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="maxThreads">Upper bound on threads; 0 or negative means the processor count.</param>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, double alpha,
        ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc,
        int maxThreads = 0)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Gemm: negative dimension (m={m}, n={n}, k={k}).");
        CheckStorage(a.Length, transA ? k : m, transA ? m : k, lda, "A");
        CheckStorage(b.Length, transB ? n : k, transB ? k : n, ldb, "B");
        CheckStorage(c.Length, m, n, ldc, "C");
        if (m == 0 || n == 0) return;
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
        {
            ScaleC(pc, m, n, ldc, beta);
            if (k == 0 || alpha == 0) return;
            long mnk = (long)m * n * k;
            if (mnk <= SmallThreshold)
            {
                SmallKernel(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, pc, ldc);
                return;
            }
            int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
            if (2 * mnk < ParallelFlopThreshold) threads = 1;
            Blocked(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, pc, ldc, threads);
        }
    }

    /// <summary>Matrix product of two rank-2 tensors, optionally transposing either operand.</summary>
    /// <exception cref="ArgumentException">Ranks or inner dimensions do not match.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        ShapeUtil.RequireRank(a, 2, "MatMul (left operand)");
        ShapeUtil.RequireRank(b, 2, "MatMul (right operand)");
        int m = transA ? a.Dim(1) : a.Dim(0), ka = transA ? a.Dim(0) : a.Dim(1);
        int kb = transB ? b.Dim(1) : b.Dim(0), n = transB ? b.Dim(0) : b.Dim(1);
        if (ka != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ: {ShapeUtil.Format(a.Shape)}{(transA ? "^T" : "")} x {ShapeUtil.Format(b.Shape)}{(transB ? "^T" : "")}.");
        var c = GC.AllocateUninitializedArray<double>(m * n);
        Multiply(transA, transB, m, n, ka, 1.0, a.Span, a.Dim(1), b.Span, b.Dim(1), 0.0, c, n);
        return Tensor.Wrap(c, m, n);
    }

    private static void CheckStorage(int length, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentException($"Gemm: leading dimension of {name} ({ld}) is smaller than its {cols} columns.");
        if ((long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"Gemm: {name} needs {(long)(rows - 1) * ld + cols} elements for {rows}x{cols} with leading dimension {ld}; got {length}.");
    }

    private static void ScaleC(double* c, int m, int n, int ldc, double beta)
    {
        if (beta == 1.0) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<double>(c + (long)i * ldc, n);
            if (beta == 0.0) row.Clear();
            else for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static void SmallKernel(bool ta, bool tb, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double* c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[(long)p * lda + i] : a[(long)i * lda + p]) * (tb ? b[(long)j * ldb + p] : b[(long)p * ldb + j]);
                c[(long)i * ldc + j] += alpha * s;
            }
    }

    private static void Blocked(bool ta, bool tb, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double* c, int ldc, int threads)
    {
        // packing buffers of the size this product needs, not of the largest blocks: small products (the grid kernels'
        // 24 x 256 x 24) otherwise asked for 0.5 MB and 0.2 MB per call, which the C allocator maps and unmaps every time
        // (page faults took as long as the products themselves)
        int nc0 = Math.Min(NC, RoundUp(n, NR)), kc0 = Math.Min(KC, k), mc0 = Math.Min(MC, RoundUp(m, MR));
        double* bp = (double*)NativeMemory.AlignedAlloc((nuint)((long)kc0 * nc0 * sizeof(double)), 64);
        int mBlocks = (m + MC - 1) / MC;
        int workers = Math.Max(1, Math.Min(threads, mBlocks));
        var apBuffers = new nint[workers];
        try
        {
            for (int w = 0; w < workers; w++)
                apBuffers[w] = (nint)NativeMemory.AlignedAlloc((nuint)((long)kc0 * mc0 * sizeof(double)), 64);
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    PackB(tb, b, ldb, pc, jc, kc, nc, bp);
                    nint bpn = (nint)bp, an = (nint)a, cn = (nint)c;
                    if (workers == 1)
                    {
                        for (int ib = 0; ib < mBlocks; ib++)
                            RowBlock(ib, ta, m, kc, nc, pc, jc, alpha, (double*)an, lda, (double*)bpn, (double*)cn, ldc, (double*)apBuffers[0]);
                    }
                    else
                    {
                        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
                        {
                            for (int ib = w; ib < mBlocks; ib += workers)
                                RowBlock(ib, ta, m, kc, nc, pc, jc, alpha, (double*)an, lda, (double*)bpn, (double*)cn, ldc, (double*)apBuffers[w]);
                        });
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(bp);
            foreach (var p in apBuffers) if (p != 0) NativeMemory.AlignedFree((void*)p);
        }
    }

    private static void RowBlock(int ib, bool ta, int m, int kc, int nc, int pc, int jc, double alpha,
        double* a, int lda, double* bp, double* c, int ldc, double* ap)
    {
        int ic = ib * MC;
        int mc = Math.Min(MC, m - ic);
        PackA(ta, a, lda, ic, pc, mc, kc, alpha, ap);
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            double* bpanel = bp + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int mr = Math.Min(MR, mc - ir);
                double* cblock = c + (long)(ic + ir) * ldc + jc + jr;
                MicroKernel(kc, ap + (long)ir * kc, bpanel, cblock, ldc, mr, nr);
            }
        }
    }

    private static int RoundUp(int x, int r) => (x + r - 1) / r * r;

    /// <summary>Packs a kc x nc block of op(B) into NR-wide column panels, zero padded.</summary>
    private static void PackB(bool tb, double* b, int ldb, int pc, int jc, int kc, int nc, double* bp)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            double* dst = bp + (long)jr * kc;
            if (!tb)
            {
                for (int p = 0; p < kc; p++)
                {
                    double* src = b + (long)(pc + p) * ldb + jc + jr;
                    if (nr == NR && Vector256.IsHardwareAccelerated)
                    {
                        Vector256.Store(Vector256.Load(src), dst);
                        Vector256.Store(Vector256.Load(src + 4), dst + 4);
                    }
                    else
                    {
                        int j = 0;
                        for (; j < nr; j++) dst[j] = src[j];
                        for (; j < NR; j++) dst[j] = 0;
                    }
                    dst += NR;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    int j = 0;
                    for (; j < nr; j++) dst[j] = b[(long)(jc + jr + j) * ldb + pc + p];
                    for (; j < NR; j++) dst[j] = 0;
                    dst += NR;
                }
            }
        }
    }

    /// <summary>Packs an mc x kc block of alpha op(A) into MR-tall row panels, zero padded.</summary>
    private static void PackA(bool ta, double* a, int lda, int ic, int pc, int mc, int kc, double alpha, double* ap)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            double* dst = ap + (long)ir * kc;
            if (!ta)
            {
                for (int i = 0; i < MR; i++)
                {
                    if (i < mr)
                    {
                        double* src = a + (long)(ic + ir + i) * lda + pc;
                        for (int p = 0; p < kc; p++) dst[p * MR + i] = alpha * src[p];
                    }
                    else for (int p = 0; p < kc; p++) dst[p * MR + i] = 0;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    double* src = a + (long)(pc + p) * lda + ic + ir;
                    int i = 0;
                    for (; i < mr; i++) dst[i] = alpha * src[i];
                    for (; i < MR; i++) dst[i] = 0;
                    dst += MR;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, double* a, double* b, double* c, int ldc, int mr, int nr)
    {
        if (Fma.IsSupported)
        {
            Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<double> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx.LoadAlignedVector256(b);
                var b1 = Avx.LoadAlignedVector256(b + 4);
                var a0 = Vector256.Create(a[0]);
                c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
                var a1 = Vector256.Create(a[1]);
                c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
                var a2 = Vector256.Create(a[2]);
                c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
                var a3 = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
                var a4 = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
                var a5 = Vector256.Create(a[5]);
                c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
                a += MR; b += NR;
            }
            if (mr == MR && nr == NR)
            {
                Add(c, c00, c01); Add(c + ldc, c10, c11); Add(c + 2L * ldc, c20, c21);
                Add(c + 3L * ldc, c30, c31); Add(c + 4L * ldc, c40, c41); Add(c + 5L * ldc, c50, c51);
                return;
            }
            double* t = stackalloc double[MR * NR];
            Vector256.Store(c00, t); Vector256.Store(c01, t + 4); Vector256.Store(c10, t + 8); Vector256.Store(c11, t + 12);
            Vector256.Store(c20, t + 16); Vector256.Store(c21, t + 20); Vector256.Store(c30, t + 24); Vector256.Store(c31, t + 28);
            Vector256.Store(c40, t + 32); Vector256.Store(c41, t + 36); Vector256.Store(c50, t + 40); Vector256.Store(c51, t + 44);
            for (int i = 0; i < mr; i++)
                for (int j = 0; j < nr; j++) c[(long)i * ldc + j] += t[i * NR + j];
        }
        else
        {
            double* t = stackalloc double[MR * NR];
            for (int i = 0; i < MR * NR; i++) t[i] = 0;
            for (int p = 0; p < kc; p++)
            {
                for (int i = 0; i < MR; i++)
                {
                    double ai = a[i];
                    for (int j = 0; j < NR; j++) t[i * NR + j] += ai * b[j];
                }
                a += MR; b += NR;
            }
            for (int i = 0; i < mr; i++)
                for (int j = 0; j < nr; j++) c[(long)i * ldc + j] += t[i * NR + j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(double* c, Vector256<double> lo, Vector256<double> hi)
    {
        Vector256.Store(Vector256.Load(c) + lo, c);
        Vector256.Store(Vector256.Load(c + 4) + hi, c + 4);
    }
}
