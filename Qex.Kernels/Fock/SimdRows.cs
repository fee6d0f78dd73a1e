using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Qex.Kernels.Fock;

/// <summary>Dot products and axpys over short rows (a few to a few dozen elements), 256-bit SIMD where available.</summary>
public static unsafe class SimdRows
{
    /// <summary>sum_i x[i] y[i] over n elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(double* x, double* y, int n)
    {
        double r = 0;
        int i = 0;
        if (n >= 4 && Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<double>.Zero;
            for (; i <= n - 4; i += 4) acc += Vector256.Load(x + i) * Vector256.Load(y + i);
            r = Vector256.Sum(acc);
        }
        for (; i < n; i++) r += x[i] * y[i];
        return r;
    }

    /// <summary>y[i] += a x[i] over n elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(double a, double* x, double* y, int n)
    {
        int i = 0;
        if (n >= 4 && Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 4; i += 4) Vector256.Store(Vector256.Load(y + i) + va * Vector256.Load(x + i), y + i);
        }
        for (; i < n; i++) y[i] += a * x[i];
    }
}
