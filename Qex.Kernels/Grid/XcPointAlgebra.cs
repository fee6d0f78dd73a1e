namespace Qex.Kernels.Grid;

/// <summary>
/// The per-point algebra every grid kernel shares, in libxc's layouts (gradients g[3 (p spins + s) + k]): sigma from
/// density gradients, and the coefficients of a channel's XC matrix from the functional's derivatives.
/// </summary>
internal static class XcPointAlgebra
{
    /// <summary>sigma from gradients (libxc layout), or with <paramref name="firstOrder"/> its first-order change from g (ground) and g1 (change).</summary>
    public static void Sigma(int spins, int np, ReadOnlySpan<double> g, ReadOnlySpan<double> g1, Span<double> sigma, bool firstOrder)
    {
        double f = firstOrder ? 2 : 1;
        for (int p = 0; p < np; p++)
        {
            if (spins == 1) sigma[p] = f * Dot3(g, 3 * p, g1, 3 * p);
            else
            {
                int a = 6 * p, b = 6 * p + 3;
                sigma[3 * p] = f * Dot3(g, a, g1, a);
                sigma[3 * p + 1] = firstOrder ? Dot3(g, a, g1, b) + Dot3(g1, a, g, b) : Dot3(g, a, g, b);
                sigma[3 * p + 2] = f * Dot3(g, b, g1, b);
            }
        }
    }

    /// <summary>
    /// The coefficients of channel s's matrix per point: a (of phi_u phi_v), c (of grad(phi_u phi_v), 3 per point) and t
    /// (of grad phi_u . grad phi_v) from the derivatives vr, vs, vt and gradients g: a = vr_s, c = 2 vs_ss g_s + vs_ab
    /// g_s', t = vt_s (restricted: c = 2 vs g). With <paramref name="addFirstOrder"/> only c is accumulated.
    /// </summary>
    public static void Coefficients(int spins, bool gradient, bool tau, int np, int s, ReadOnlySpan<double> vr, ReadOnlySpan<double> vs, ReadOnlySpan<double> vt,
        ReadOnlySpan<double> g, Span<double> a, Span<double> c, Span<double> t, bool addFirstOrder)
    {
        for (int p = 0; p < np; p++)
        {
            if (!addFirstOrder)
            {
                a[p] = vr[p * spins + s];
                t[p] = tau ? vt[p * spins + s] : 0;
                c[3 * p] = c[3 * p + 1] = c[3 * p + 2] = 0;
            }
            if (!gradient) continue;
            for (int k = 0; k < 3; k++)
            {
                double ck;
                if (spins == 1) ck = 2 * vs[p] * g[3 * p + k];
                else
                {
                    int mine = 3 * (2 * p + s) + k, other = 3 * (2 * p + 1 - s) + k;
                    ck = 2 * vs[3 * p + (s == 0 ? 0 : 2)] * g[mine] + vs[3 * p + 1] * g[other];
                }
                c[3 * p + k] += ck;
            }
        }
    }

    /// <summary>Checks the inputs of an integration; returns the number of spin channels (1 or 2).</summary>
    /// <exception cref="ArgumentException">Not one or two n x n densities.</exception>
    public static int CheckDensities(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(densities);
        int n = basis.FunctionCount;
        if (densities.Count is not (1 or 2) || densities.Any(d => d is null || d.Length != n * n))
            throw new ArgumentException($"XC integration needs one (restricted) or two (alpha, beta) {n} x {n} densities.");
        return densities.Count;
    }

    /// <summary>Checks the trial densities of a response: groups of one per spin channel, each n x n.</summary>
    /// <exception cref="ArgumentException">Names the expected layout.</exception>
    public static void CheckTrials(int n, int spins, IReadOnlyList<double[]> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0 || trials.Count % spins != 0 || trials.Any(d => d is null || d.Length != n * n))
            throw new ArgumentException($"Response needs trial densities in groups of {spins} (one per spin channel), each {n} x {n}; got {trials.Count}.");
    }

    private static double Dot3(ReadOnlySpan<double> g, int a, ReadOnlySpan<double> h, int b) => g[a] * h[b] + g[a + 1] * h[b + 1] + g[a + 2] * h[b + 2];
}
