namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// The Boys function <c>F_m(T) = integral_0^1 t^(2m) exp(-T t^2) dt</c> to full double precision. For T &lt; 35: the
/// highest order from an 8-term Taylor expansion about the nearest point of a table (spacing 0.1, built once from the
/// everywhere-convergent series: positive terms, no cancellation; orders above <see cref="TabulatedOrders"/> use the
/// series directly), then the stable downward recursion <c>F_(m-1) = (2T F_m + exp(-T)) / (2m - 1)</c>. For T &gt;= 35: <c>F_0 = sqrt(pi / T) / 2</c> (erf(sqrt T) = 1
/// to 1e-16), then the upward recursion <c>F_(m+1) = ((2m + 1) F_m - exp(-T)) / (2T)</c>, stable for large T (the
/// asymptotic form of a high order alone is not accurate enough there).
/// </summary>
public static class Boys
{
    /// <summary>Orders served by the table (0 .. TabulatedOrders - 1); enough for (ff|ff) integrals and their derivatives.</summary>
    public const int TabulatedOrders = 26;

    private const double Step = 0.1;
    private const int Points = 351, Terms = 8, Stride = TabulatedOrders + Terms;
    private static readonly double[] Table = BuildTable();

    private static double[] BuildTable()
    {
        var table = new double[Points * Stride];
        for (int i = 0; i < Points; i++) Series(i * Step, table.AsSpan(i * Stride, Stride));
        return table;
    }

    /// <summary>Fills <paramref name="values"/>[m] = F_m(T) for m = 0 .. values.Length - 1.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Evaluate(double t, Span<double> values)
    {
        int mmax = values.Length - 1;
        if (mmax < 0) return;
        if (t < 0 || !double.IsFinite(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "The Boys function argument must be finite and non-negative.");
        if (t < 35 && mmax < TabulatedOrders)
        {
            int i = (int)(t / Step + 0.5);
            double d = i * Step - t, e = Math.Exp(-t), f = 0, term = 1;
            var row = Table.AsSpan(i * Stride + mmax, Terms);
            // F_m(T0 - d) = sum_k F_(m+k)(T0) d^k / k!
            for (int k = 0; k < Terms; k++)
            {
                f += row[k] * term;
                term *= d / (k + 1);
            }
            values[mmax] = f;
            for (int m = mmax; m > 0; m--) values[m - 1] = (2 * t * values[m] + e) / (2 * m - 1);
            return;
        }
        Series(t, values);
    }

    /// <summary>The reference evaluation: the series for the highest order and downward recursion (T &lt; 35), else the large-T form.</summary>
    private static void Series(double t, Span<double> values)
    {
        int mmax = values.Length - 1;
        double e = Math.Exp(-t);
        if (t < 35)
        {
            // F_m(T) = e^-T sum_k (2T)^k / ((2m+1)(2m+3)...(2m+2k+1))
            double term = 1.0 / (2 * mmax + 1), sum = term;
            for (int k = 1; k < 1000; k++)
            {
                term *= 2 * t / (2 * mmax + 2 * k + 1);
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            values[mmax] = e * sum;
        }
        else
        {
            values[0] = 0.5 * Math.Sqrt(Math.PI / t);
            for (int m = 0; m < mmax; m++) values[m + 1] = ((2 * m + 1) * values[m] - e) / (2 * t);
            return;
        }
        for (int m = mmax; m > 0; m--) values[m - 1] = (2 * t * values[m] + e) / (2 * m - 1);
    }

    /// <summary>F_0(T) alone (the (ss|ss) case): the tabulated Taylor series, or sqrt(pi / T) / 2 for T &gt;= 35.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Evaluate0(double t)
    {
        if (t < 35 && t >= 0)
        {
            int i = (int)(t / Step + 0.5);
            double d = i * Step - t, f = 0, term = 1;
            var row = Table.AsSpan(i * Stride, Terms);
            for (int k = 0; k < Terms; k++)
            {
                f += row[k] * term;
                term *= d / (k + 1);
            }
            return f;
        }
        Span<double> v = stackalloc double[1];
        Evaluate(t, v);
        return v[0];
    }

    /// <summary>
    /// F_m(T) for four arguments at once (SIMD): <paramref name="values"/>[4 m + lane] = F_m(T[lane]) for m = 0 .. mmax,
    /// mmax &lt; <see cref="TabulatedOrders"/>. The same formulas as <see cref="Evaluate(double, Span{double})"/>: table
    /// Taylor series and downward recursion below T = 35, the large-T form and upward recursion above.
    /// </summary>
    /// <exception cref="ArgumentException">Too many orders, a span too short, or a negative or non-finite argument.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Evaluate4(System.Runtime.Intrinsics.Vector256<double> t, int mmax, Span<double> values)
    {
        if (mmax < 0 || mmax >= TabulatedOrders || values.Length < 4 * (mmax + 1))
            throw new ArgumentException($"Evaluate4 serves orders 0 .. {TabulatedOrders - 1} into 4 (mmax + 1) values; got mmax = {mmax} and {values.Length} values.");
        if (!System.Runtime.Intrinsics.Vector256.GreaterThanOrEqualAll(t, System.Runtime.Intrinsics.Vector256<double>.Zero) || t[0] + t[1] + t[2] + t[3] is double.NaN or double.PositiveInfinity)
            throw new ArgumentOutOfRangeException(nameof(t), "The Boys function arguments must be finite and non-negative.");
        var limit = System.Runtime.Intrinsics.Vector256.Create(35.0);
        var small = System.Runtime.Intrinsics.Vector256.LessThan(t, limit);
        var tc = System.Runtime.Intrinsics.Vector256.ConditionalSelect(small, t, System.Runtime.Intrinsics.Vector256<double>.Zero);
        var idx = System.Runtime.Intrinsics.Vector256.ConvertToInt64(tc * System.Runtime.Intrinsics.Vector256.Create(1 / Step) + System.Runtime.Intrinsics.Vector256.Create(0.5));
        var d = System.Runtime.Intrinsics.Vector256.ConvertToDouble(idx) * System.Runtime.Intrinsics.Vector256.Create(Step) - tc;
        var e = System.Runtime.Intrinsics.Vector256.Exp(-t);
        var two = System.Runtime.Intrinsics.Vector256.Create(2.0) * t;
        fixed (double* table = Table)
        fixed (double* f = values)
        {
            double* r0 = table + idx[0] * Stride + mmax, r1 = table + idx[1] * Stride + mmax, r2 = table + idx[2] * Stride + mmax, r3 = table + idx[3] * Stride + mmax;
            var fm = System.Runtime.Intrinsics.Vector256<double>.Zero;
            var term = System.Runtime.Intrinsics.Vector256<double>.One;
            for (int k = 0; k < Terms; k++)
            {
                fm += System.Runtime.Intrinsics.Vector256.Create(r0[k], r1[k], r2[k], r3[k]) * term;
                term = term * d * System.Runtime.Intrinsics.Vector256.Create(1.0 / (k + 1));
            }
            System.Runtime.Intrinsics.Vector256.Store(fm, f + 4 * mmax);
            for (int m = mmax; m > 0; m--)
            {
                fm = (two * fm + e) * System.Runtime.Intrinsics.Vector256.Create(1.0 / (2 * m - 1));
                System.Runtime.Intrinsics.Vector256.Store(fm, f + 4 * (m - 1));
            }
            if (System.Runtime.Intrinsics.Vector256.LessThanAll(t, limit)) return;
            // large T: F_0 = sqrt(pi / T) / 2, upward recursion; blended into the lanes with T >= 35
            var safe = System.Runtime.Intrinsics.Vector256.Max(t, limit);
            var g = System.Runtime.Intrinsics.Vector256.Create(0.5) * System.Runtime.Intrinsics.Vector256.Sqrt(System.Runtime.Intrinsics.Vector256.Create(Math.PI) / safe);
            var inv2t = System.Runtime.Intrinsics.Vector256<double>.One / (System.Runtime.Intrinsics.Vector256.Create(2.0) * safe);
            var es = System.Runtime.Intrinsics.Vector256.Exp(-safe);
            for (int m = 0; m <= mmax; m++)
            {
                var cur = System.Runtime.Intrinsics.Vector256.Load(f + 4 * m);
                System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.ConditionalSelect(small, cur, g), f + 4 * m);
                g = (System.Runtime.Intrinsics.Vector256.Create(2.0 * m + 1) * g - es) * inv2t;
            }
        }
    }

    /// <summary>F_m(T) for one order.</summary>
    public static double Evaluate(int m, double t)
    {
        Span<double> v = stackalloc double[m + 1];
        Evaluate(t, v);
        return v[m];
    }
}
