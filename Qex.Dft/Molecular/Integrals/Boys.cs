namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// The Boys function <c>F_m(T) = integral_0^1 t^(2m) exp(-T t^2) dt</c> to full double precision. For T &lt; 35: the
/// highest order from the everywhere-convergent series (positive terms, no cancellation), then the stable downward
/// recursion <c>F_(m-1) = (2T F_m + exp(-T)) / (2m - 1)</c>. For T &gt;= 35: <c>F_0 = sqrt(pi / T) / 2</c> (erf(sqrt T) = 1
/// to 1e-16), then the upward recursion <c>F_(m+1) = ((2m + 1) F_m - exp(-T)) / (2T)</c>, stable for large T (the
/// asymptotic form of a high order alone is not accurate enough there).
/// </summary>
public static class Boys
{
    /// <summary>Fills <paramref name="values"/>[m] = F_m(T) for m = 0 .. values.Length - 1.</summary>
    public static void Evaluate(double t, Span<double> values)
    {
        int mmax = values.Length - 1;
        if (mmax < 0) return;
        if (t < 0 || !double.IsFinite(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "The Boys function argument must be finite and non-negative.");
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

    /// <summary>F_m(T) for one order.</summary>
    public static double Evaluate(int m, double t)
    {
        Span<double> v = stackalloc double[m + 1];
        Evaluate(t, v);
        return v[m];
    }
}
