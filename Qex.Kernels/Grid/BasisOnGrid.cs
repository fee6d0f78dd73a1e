using System.Buffers;
using System.Numerics.Tensors;

namespace Qex.Kernels.Grid;

/// <summary>
/// Basis functions and their gradients at the points of a block, for the shells that reach the block: values are
/// stored points x (selected functions), row-major, in the order of <see cref="Select"/>'s function list.
/// </summary>
public static class BasisOnGrid
{
    /// <summary>-ln 1e-18: a primitive whose bound over a block is below 1e-18 is not evaluated there.</summary>
    private const double PrimitiveLogCutoff = 41.44653167389282;

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
    /// at the points, function-major: function k (in the shells' order) at point p is element k x
    /// <paramref name="stride"/> + p. Exponentials and polynomials are evaluated vectorised over the points; a primitive
    /// below 1e-18 (value and gradient) at every point is skipped. Every row of the output is written (the buffers need
    /// no clearing).
    /// </summary>
    public static void Evaluate(GridBasis basis, IReadOnlyList<int> shells, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z,
        Span<double> value, Span<double> gx, Span<double> gy, Span<double> gz, int stride)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(shells);
        int np = x.Length;
        bool gradients = !gx.IsEmpty;
        int functions = shells.Sum(s => basis.Shells[s].FunctionCount);
        if (stride < np) throw new ArgumentException($"The row stride {stride} is shorter than the {np} points.");
        long need = (long)functions * stride;
        if (value.Length < need || (gradients && (gx.Length < need || gy.Length < need || gz.Length < need)))
            throw new ArgumentException($"Buffers for {functions} functions x {np} points (stride {stride}) are too short.");
        int maxL = shells.Count == 0 ? 0 : shells.Max(s => basis.Shells[s].AngularMomentum);
        if (maxL > 6) throw new NotSupportedException("Grid kernels handle shells up to angular momentum 6.");
        if (np == 0) return;   // nothing to write (and no extent of the points to screen primitives by)
        // scratch: dx, dy, dz, r2, radial, dradial, e, 4 component arrays, and the powers 0..L of dx, dy, dz
        int slots = 11 + 3 * (maxL + 1);
        var rented = ArrayPool<double>.Shared.Rent(slots * np);
        try
        {
            var buf = rented.AsSpan(0, slots * np);
            Span<double> Slot(int k, Span<double> b) => b.Slice(k * np, np);
            Span<double> ddx = Slot(0, buf), ddy = Slot(1, buf), ddz = Slot(2, buf), r2 = Slot(3, buf);
            Span<double> radial = Slot(4, buf), dradial = Slot(5, buf), e = Slot(6, buf);
            Span<double> cart = Slot(7, buf), cdx = Slot(8, buf), cdy = Slot(9, buf), cdz = Slot(10, buf);
            int col = 0;
            Span<bool> writtenRows = stackalloc bool[28];   // functions of a shell: at most the 28 cartesians of l = 6
            foreach (int s in shells)
            {
                var sh = basis.Shells[s];
                var pw = sh.Powers;
                var m = sh.Transform;
                int nc = sh.ComponentCount, nfs = sh.FunctionCount, l = sh.AngularMomentum;
                if (nfs > writtenRows.Length) throw new ArgumentException($"A shell of {nfs} functions; grid kernels handle at most {writtenRows.Length} (the cartesians of l = 6).");
                TensorPrimitives.Subtract(x, sh.X, ddx);
                TensorPrimitives.Subtract(y, sh.Y, ddy);
                TensorPrimitives.Subtract(z, sh.Z, ddz);
                TensorPrimitives.Multiply(ddx, ddx, r2);
                TensorPrimitives.MultiplyAdd(ddy, ddy, r2, r2);
                TensorPrimitives.MultiplyAdd(ddz, ddz, r2, r2);
                // primitives that stay below 1e-18 at every point of the block (value and gradient: |d| max(1, 2 alpha r_max)
                // r_max^l exp(-alpha r_min^2)) are skipped: the tight core primitives away from their atom, most of the
                // exponentials of a small molecule's grid. The first primitive kept writes, the others add (no clearing pass).
                double r2min = TensorPrimitives.Min(r2), rmax = Math.Sqrt(TensorPrimitives.Max(r2));
                double logPolynomial = l * Math.Log(Math.Max(1, rmax));
                bool first = true;
                for (int k = 0; k < sh.Exponents.Length; k++)
                {
                    double alpha = sh.Exponents[k], coefficient = sh.Coefficients[k];
                    if (alpha * r2min > PrimitiveLogCutoff + logPolynomial + Math.Log(Math.Abs(coefficient) * Math.Max(1, 2 * alpha * rmax))) continue;
                    TensorPrimitives.Multiply(r2, -alpha, e);
                    TensorPrimitives.Exp(e, e);
                    if (first)
                    {
                        TensorPrimitives.Multiply(e, coefficient, radial);
                        if (gradients) TensorPrimitives.Multiply(e, -2 * alpha * coefficient, dradial);   // dR/dr2 times 2
                        first = false;
                    }
                    else
                    {
                        TensorPrimitives.MultiplyAdd(e, coefficient, radial, radial);
                        if (gradients) TensorPrimitives.MultiplyAdd(e, -2 * alpha * coefficient, dradial, dradial);
                    }
                }
                if (first) { radial.Clear(); dradial.Clear(); }
                // powers 0..l of the offsets
                for (int k = 0; k <= l; k++)
                    for (int axis = 0; axis < 3; axis++)
                    {
                        var target = Slot(11 + 3 * k + axis, buf);
                        if (k == 0) target.Fill(1);
                        else TensorPrimitives.Multiply(Slot(11 + 3 * (k - 1) + axis, buf), axis == 0 ? ddx : axis == 1 ? ddy : ddz, target);
                    }
                // a function's first component writes its rows, later ones add (no clearing pass: for small molecules
                // clearing the rows cost a fifth of the whole XC integration)
                var written = writtenRows[..nfs];
                written.Clear();
                for (int c = 0; c < nc; c++)
                {
                    int a = pw[3 * c], b = pw[3 * c + 1], cc = pw[3 * c + 2];
                    Span<double> px = Slot(11 + 3 * a, buf), py = Slot(11 + 3 * b + 1, buf), pz = Slot(11 + 3 * cc + 2, buf);
                    // the angular part x^a y^b z^c into cart (then times R); its derivatives: d/dx [x^a R] = a x^(a-1) R + x^a 2x R'
                    TensorPrimitives.Multiply(px, py, cart);
                    TensorPrimitives.Multiply(cart, pz, cart);
                    if (gradients)
                    {
                        Derivative(a, Slot(11 + 3 * Math.Max(a - 1, 0), buf), py, pz, cdx);
                        Derivative(b, Slot(11 + 3 * Math.Max(b - 1, 0) + 1, buf), px, pz, cdy);
                        Derivative(cc, Slot(11 + 3 * Math.Max(cc - 1, 0) + 2, buf), px, py, cdz);
                        // c_k = dAng_k R + Ang 2 x_k R'/... : cdx = cdx R + cart ddx (2R')
                        TensorPrimitives.Multiply(cdx, radial, cdx);
                        TensorPrimitives.Multiply(cdy, radial, cdy);
                        TensorPrimitives.Multiply(cdz, radial, cdz);
                        TensorPrimitives.Multiply(cart, dradial, e);   // Ang 2R'
                        TensorPrimitives.MultiplyAdd(e, ddx, cdx, cdx);
                        TensorPrimitives.MultiplyAdd(e, ddy, cdy, cdy);
                        TensorPrimitives.MultiplyAdd(e, ddz, cdz, cdz);
                    }
                    TensorPrimitives.Multiply(cart, radial, cart);
                    for (int f = 0; f < nfs; f++)
                    {
                        double mc = m[f * nc + c];
                        if (mc == 0) continue;
                        int row = (col + f) * stride;
                        var v = value.Slice(row, np);
                        if (!written[f])
                        {
                            TensorPrimitives.Multiply(cart, mc, v);
                            if (gradients)
                            {
                                TensorPrimitives.Multiply(cdx, mc, gx.Slice(row, np));
                                TensorPrimitives.Multiply(cdy, mc, gy.Slice(row, np));
                                TensorPrimitives.Multiply(cdz, mc, gz.Slice(row, np));
                            }
                            written[f] = true;
                            continue;
                        }
                        TensorPrimitives.MultiplyAdd(cart, mc, v, v);
                        if (gradients)
                        {
                            var vx = gx.Slice(row, np);
                            var vy = gy.Slice(row, np);
                            var vz = gz.Slice(row, np);
                            TensorPrimitives.MultiplyAdd(cdx, mc, vx, vx);
                            TensorPrimitives.MultiplyAdd(cdy, mc, vy, vy);
                            TensorPrimitives.MultiplyAdd(cdz, mc, vz, vz);
                        }
                    }
                }
                // a function without any component (an all-zero transform row) is zero
                for (int f = 0; f < nfs; f++)
                {
                    if (written[f]) continue;
                    int row = (col + f) * stride;
                    value.Slice(row, np).Clear();
                    if (gradients) { gx.Slice(row, np).Clear(); gy.Slice(row, np).Clear(); gz.Slice(row, np).Clear(); }
                }
                col += nfs;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>k x^(k-1) times the other two axes' powers (0 for k = 0).</summary>
    private static void Derivative(int k, ReadOnlySpan<double> lower, ReadOnlySpan<double> p, ReadOnlySpan<double> q, Span<double> target)
    {
        if (k == 0) { target.Clear(); return; }
        TensorPrimitives.Multiply(lower, p, target);
        TensorPrimitives.Multiply(target, q, target);
        if (k != 1) TensorPrimitives.Multiply(target, (double)k, target);
    }

}
