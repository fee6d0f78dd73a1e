namespace Qex.Kernels.Grid;

/// <summary>
/// Basis functions and their gradients at the points of a block, for the shells that reach the block: values are
/// stored points x (selected functions), row-major, in the order of <see cref="Select"/>'s function list.
/// </summary>
public static class BasisOnGrid
{
    /// <summary>
    /// The shells whose extent reaches a block of points (by the block's bounding sphere), and the functions they
    /// hold, in basis order. Returns the number of functions selected.
    /// </summary>
    public static int Select(GridBasis basis, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, List<int> shells, List<int> functions)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(shells);
        ArgumentNullException.ThrowIfNull(functions);
        shells.Clear();
        functions.Clear();
        int np = x.Length;
        if (np == 0) return 0;
        double cx = 0, cy = 0, cz = 0;
        for (int p = 0; p < np; p++) { cx += x[p]; cy += y[p]; cz += z[p]; }
        (cx, cy, cz) = (cx / np, cy / np, cz / np);
        double r2 = 0;
        for (int p = 0; p < np; p++) r2 = Math.Max(r2, (x[p] - cx) * (x[p] - cx) + (y[p] - cy) * (y[p] - cy) + (z[p] - cz) * (z[p] - cz));
        double radius = Math.Sqrt(r2);
        for (int s = 0; s < basis.Shells.Count; s++)
        {
            var sh = basis.Shells[s];
            double d = Math.Sqrt((sh.X - cx) * (sh.X - cx) + (sh.Y - cy) * (sh.Y - cy) + (sh.Z - cz) * (sh.Z - cz));
            if (d - radius > sh.Extent) continue;
            shells.Add(s);
            for (int f = 0; f < sh.FunctionCount; f++) functions.Add(sh.Offset + f);
        }
        return functions.Count;
    }

    /// <summary>
    /// Values (and with non-empty gradient spans the x, y, z derivatives) of the functions of <paramref name="shells"/>
    /// at the points: points x functions, row-major, functions in the shells' order; <paramref name="columns"/> is the
    /// row length.
    /// </summary>
    public static void Evaluate(GridBasis basis, IReadOnlyList<int> shells, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z,
        Span<double> value, Span<double> gx, Span<double> gy, Span<double> gz, int columns)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(shells);
        int np = x.Length;
        bool gradients = !gx.IsEmpty;
        if (value.Length < np * columns || (gradients && (gx.Length < np * columns || gy.Length < np * columns || gz.Length < np * columns)))
            throw new ArgumentException($"Buffers for {np} points x {columns} functions are too short.");
        Span<double> cart = stackalloc double[28], cdx = stackalloc double[28], cdy = stackalloc double[28], cdz = stackalloc double[28];
        int col = 0;
        foreach (int s in shells)
        {
            var sh = basis.Shells[s];
            var pw = sh.Powers;
            var m = sh.Transform;
            int nc = sh.ComponentCount, nfs = sh.FunctionCount;
            if (nc > 28) throw new NotSupportedException("Grid kernels handle shells up to angular momentum 6.");
            double e2 = sh.Extent * sh.Extent;
            for (int p = 0; p < np; p++)
            {
                int row = p * columns + col;
                double dx = x[p] - sh.X, dy = y[p] - sh.Y, dz = z[p] - sh.Z, r2 = dx * dx + dy * dy + dz * dz;
                if (r2 > e2)
                {
                    value.Slice(row, nfs).Clear();
                    if (gradients) { gx.Slice(row, nfs).Clear(); gy.Slice(row, nfs).Clear(); gz.Slice(row, nfs).Clear(); }
                    continue;
                }
                double radial = 0, dradial = 0;   // sum d exp(-a r2), and its derivative by r2
                for (int k = 0; k < sh.Exponents.Length; k++)
                {
                    double e = sh.Coefficients[k] * Math.Exp(-sh.Exponents[k] * r2);
                    radial += e;
                    dradial -= sh.Exponents[k] * e;
                }
                for (int c = 0; c < nc; c++)
                {
                    int a = pw[3 * c], b = pw[3 * c + 1], cc = pw[3 * c + 2];
                    double pa = Pow(dx, a), pb = Pow(dy, b), pc = Pow(dz, cc);
                    double ang = pa * pb * pc;
                    cart[c] = ang * radial;
                    if (gradients)
                    {
                        // d/dx [x^a R(r2)] = a x^(a-1) R + x^a 2x R'
                        cdx[c] = (a > 0 ? a * Pow(dx, a - 1) * pb * pc : 0) * radial + ang * 2 * dx * dradial;
                        cdy[c] = (b > 0 ? b * pa * Pow(dy, b - 1) * pc : 0) * radial + ang * 2 * dy * dradial;
                        cdz[c] = (cc > 0 ? cc * pa * pb * Pow(dz, cc - 1) : 0) * radial + ang * 2 * dz * dradial;
                    }
                }
                for (int f = 0; f < nfs; f++)
                {
                    double sv = 0, sx = 0, sy = 0, sz = 0;
                    for (int c = 0; c < nc; c++)
                    {
                        double mc = m[f * nc + c];
                        if (mc == 0) continue;
                        sv += mc * cart[c];
                        if (gradients) { sx += mc * cdx[c]; sy += mc * cdy[c]; sz += mc * cdz[c]; }
                    }
                    value[row + f] = sv;
                    if (gradients) { gx[row + f] = sx; gy[row + f] = sy; gz[row + f] = sz; }
                }
            }
            col += nfs;
        }
    }

    private static double Pow(double b, int e) => e switch { 0 => 1, 1 => b, 2 => b * b, 3 => b * b * b, _ => Math.Pow(b, e) };
}
