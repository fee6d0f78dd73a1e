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

    /// <summary>F_m(T) for one order.</summary>
    public static double Evaluate(int m, double t)
    {
        Span<double> v = stackalloc double[m + 1];
        Evaluate(t, v);
        return v[m];
    }
}
