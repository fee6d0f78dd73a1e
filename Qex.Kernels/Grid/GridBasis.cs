namespace Qex.Kernels.Grid;

/// <summary>
/// One contracted shell as the grid kernels see it: phi_f(r) = sum_c M_fc (x - A_x)^a (y - A_y)^b (z - A_z)^c
/// sum_p d_p exp(-alpha_p |r - A|^2).
/// </summary>
/// <param name="X">Centre x (Bohr).</param>
/// <param name="Y">Centre y.</param>
/// <param name="Z">Centre z.</param>
/// <param name="Exponents">alpha_p.</param>
/// <param name="Coefficients">d_p (normalisation included).</param>
/// <param name="Powers">The cartesian components (a, b, c), 3 per component.</param>
/// <param name="Transform">M (functions x components, row-major): normalisation and solid harmonics.</param>
/// <param name="Offset">Index of the shell's first function.</param>
/// <param name="FunctionCount">Functions of the shell.</param>
/// <param name="Extent">Beyond this distance from the centre every function of the shell is below the basis cutoff.</param>
public sealed record GridShell(double X, double Y, double Z, double[] Exponents, double[] Coefficients, int[] Powers, double[] Transform, int Offset,
    int FunctionCount, double Extent)
{
    /// <summary>Number of cartesian components.</summary>
    public int ComponentCount => Powers.Length / 3;

    /// <summary>The angular momentum.</summary>
    public int AngularMomentum => Powers[0] + Powers[1] + Powers[2];
}

/// <summary>A basis set as plain data for the grid kernels (any backend): its shells and function count.</summary>
/// <param name="Shells">The shells, offsets increasing.</param>
/// <param name="FunctionCount">Number of basis functions.</param>
public sealed record GridBasis(IReadOnlyList<GridShell> Shells, int FunctionCount)
{
    /// <summary>
    /// The distance beyond which r^l sum_p |d_p| exp(-alpha_p r^2) max_f sum_c |M_fc| stays below
    /// <paramref name="cutoff"/> (the bound of every function of the shell at that distance).
    /// </summary>
    public static double ExtentOf(IReadOnlyList<double> exponents, IReadOnlyList<double> coefficients, int angularMomentum, double transformBound, double cutoff)
    {
        ArgumentNullException.ThrowIfNull(exponents);
        ArgumentNullException.ThrowIfNull(coefficients);
        double Bound(double r)
        {
            double s = 0;
            for (int p = 0; p < exponents.Count; p++) s += Math.Abs(coefficients[p]) * Math.Exp(-exponents[p] * r * r);
            return transformBound * Math.Pow(r, angularMomentum) * s;
        }
        // the bound decays monotonically beyond sqrt(l / (2 alpha_min)); bisect on [that, a radius where it is tiny]
        double amin = exponents.Min();
        double lo = Math.Sqrt(angularMomentum / (2 * amin)), hi = Math.Max(lo, 1) * 2;
        while (Bound(hi) > cutoff) hi *= 2;
        if (Bound(lo) <= cutoff) return lo;
        for (int i = 0; i < 60; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Bound(mid) > cutoff) lo = mid; else hi = mid;
        }
        return hi;
    }
}
