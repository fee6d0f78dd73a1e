using ILGPU;
using ILGPU.Runtime;

namespace Qex.Kernels.Grid;

/// <summary>A basis set as flat device tables (see <see cref="GridShell"/>): per shell 4 doubles (centre, extent) and 8 ints.</summary>
/// <param name="Geometry">x, y, z, extent of each shell.</param>
/// <param name="Info">Per shell: first primitive, primitives, first component, components, first transform element, first function, functions, unused.</param>
/// <param name="Exponents">Primitive exponents, shell after shell.</param>
/// <param name="Coefficients">Primitive coefficients (normalisation included).</param>
/// <param name="Powers">Cartesian powers (a, b, c) of each component.</param>
/// <param name="Transform">Each shell's functions x components matrix, row-major.</param>
internal readonly record struct DeviceShells(ArrayView<double> Geometry, ArrayView<int> Info, ArrayView<double> Exponents, ArrayView<double> Coefficients,
    ArrayView<int> Powers, ArrayView<double> Transform);

/// <summary>
/// Where a batch of points and its basis values lie: grid points Start .. Start + Count of the grid's coordinates (x, y, z
/// blocks of Total each); values of function u at batch point p at Offset + u Ld + p.
/// </summary>
internal readonly record struct BatchLayout(int Start, int Count, int Total, int Ld, int Offset);

/// <summary>The kernels of the device XC integration: basis values and gradients, row-wise dot products, and weighted row combinations.</summary>
internal sealed class GridDeviceKernels
{
    private readonly Action<Index2D, ArrayView<double>, DeviceShells, BatchLayout, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _basis;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, DotShape> _dot;
    private readonly Action<Index2D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, CombineShape> _combine;

    public GridDeviceKernels(Accelerator accelerator)
    {
        _basis = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<double>, DeviceShells, BatchLayout, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(BasisKernel);
        _dot = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, DotShape>(DotKernel);
        _combine = accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, CombineShape>(CombineKernel);
    }

    /// <summary>Basis values (and with <paramref name="gradient"/> their x, y, z derivatives) of every shell at the batch's points.</summary>
    public void Basis(ArrayView<double> points, DeviceShells shells, int shellCount, BatchLayout batch, bool gradient,
        ArrayView<double> phi, ArrayView<double> gx, ArrayView<double> gy, ArrayView<double> gz)
    {
        if (batch.Count == 0 || shellCount == 0) return;
        _basis(new Index2D(batch.Count, shellCount), points, shells, batch, gradient ? 1 : 0, phi, gx, gy, gz);
    }

    /// <summary>out[OutOffset + p] (+)= Scale sum_u a[Offset + u Ld + p] b[OffsetB + u LdB + p] for the batch's points.</summary>
    public void Dot(ArrayView<double> a, ArrayView<double> b, ArrayView<double> output, in DotShape shape)
    {
        if (shape.Count == 0) return;
        _dot(shape.Count, a, b, output, shape);
    }

    /// <summary>X[u, p] = c0_p A0[u, p] (+ c1_p A1 + c2_p A2 + c3_p A3 with four terms), coefficients at c[k Count + p].</summary>
    public void Combine(ArrayView<double> c, ArrayView<double> a0, ArrayView<double> a1, ArrayView<double> a2, ArrayView<double> a3, ArrayView<double> x, in CombineShape shape)
    {
        if (shape.Count == 0 || shape.Rows == 0) return;
        _combine(new Index2D(shape.Count, shape.Rows), c, a0, a1, a2, a3, x, shape);
    }

    private static double Power(double x, int k)
    {
        double r = 1;
        for (int i = 0; i < k; i++) r *= x;
        return r;
    }

    private static void BasisKernel(Index2D index, ArrayView<double> points, DeviceShells t, BatchLayout b, int gradient,
        ArrayView<double> phi, ArrayView<double> gx, ArrayView<double> gy, ArrayView<double> gz)
    {
        int p = index.X, sh = index.Y;
        int i = 8 * sh;
        int prim0 = t.Info[i], prims = t.Info[i + 1], comp0 = t.Info[i + 2], comps = t.Info[i + 3], tr0 = t.Info[i + 4], f0 = t.Info[i + 5], nf = t.Info[i + 6];
        int g = b.Start + p;
        double dx = points[g] - t.Geometry[4 * sh], dy = points[b.Total + g] - t.Geometry[4 * sh + 1], dz = points[2 * b.Total + g] - t.Geometry[4 * sh + 2];
        double r2 = dx * dx + dy * dy + dz * dz, extent = t.Geometry[4 * sh + 3];
        for (int f = 0; f < nf; f++)
        {
            int o = b.Offset + (f0 + f) * b.Ld + p;
            phi[o] = 0;
            if (gradient != 0) gx[o] = gy[o] = gz[o] = 0;
        }
        if (r2 > extent * extent) return;   // every function of the shell is below the basis cutoff here
        double radial = 0, dradial = 0;
        for (int k = 0; k < prims; k++)
        {
            double alpha = t.Exponents[prim0 + k], d = t.Coefficients[prim0 + k];
            double e = Math.Exp(-alpha * r2);
            radial += d * e;
            dradial += -2 * alpha * d * e;
        }
        for (int c = 0; c < comps; c++)
        {
            int pa = t.Powers[3 * (comp0 + c)], pb = t.Powers[3 * (comp0 + c) + 1], pc = t.Powers[3 * (comp0 + c) + 2];
            double xa = Power(dx, pa), yb = Power(dy, pb), zc = Power(dz, pc);
            double ang = xa * yb * zc;
            double value = ang * radial;
            double vx = 0, vy = 0, vz = 0;
            if (gradient != 0)
            {
                double ax = pa == 0 ? 0 : pa * Power(dx, pa - 1) * yb * zc;
                double ay = pb == 0 ? 0 : pb * Power(dy, pb - 1) * xa * zc;
                double az = pc == 0 ? 0 : pc * Power(dz, pc - 1) * xa * yb;
                vx = ax * radial + ang * dradial * dx;
                vy = ay * radial + ang * dradial * dy;
                vz = az * radial + ang * dradial * dz;
            }
            for (int f = 0; f < nf; f++)
            {
                double m = t.Transform[tr0 + f * comps + c];
                if (m == 0) continue;
                int o = b.Offset + (f0 + f) * b.Ld + p;
                phi[o] += m * value;
                if (gradient != 0)
                {
                    gx[o] += m * vx;
                    gy[o] += m * vy;
                    gz[o] += m * vz;
                }
            }
        }
    }

    private static void DotKernel(Index1D index, ArrayView<double> a, ArrayView<double> b, ArrayView<double> output, DotShape s)
    {
        int p = index;
        double sum = 0;
        for (int u = 0; u < s.Rows; u++) sum += a[s.OffsetA + u * s.LdA + p] * b[s.OffsetB + u * s.LdB + p];
        int o = s.OutOffset + p;
        output[o] = s.Accumulate != 0 ? output[o] + s.Scale * sum : s.Scale * sum;
    }

    private static void CombineKernel(Index2D index, ArrayView<double> c, ArrayView<double> a0, ArrayView<double> a1, ArrayView<double> a2, ArrayView<double> a3,
        ArrayView<double> x, CombineShape s)
    {
        int p = index.X, u = index.Y;
        int i = s.OffsetA + u * s.LdA + p;
        double v = c[s.OffsetC + p] * a0[i];
        if (s.Terms == 4)
            v += c[s.OffsetC + s.Count + p] * a1[i] + c[s.OffsetC + 2 * s.Count + p] * a2[i] + c[s.OffsetC + 3 * s.Count + p] * a3[i];
        x[u * s.LdX + p] = v;
    }
}

/// <summary>The shape of a row-wise dot product over <see cref="Rows"/> rows for <see cref="Count"/> points.</summary>
internal readonly record struct DotShape(int Rows, int Count, int LdA, int OffsetA, int LdB, int OffsetB, int OutOffset, double Scale, int Accumulate);

/// <summary>The shape of a weighted combination of 1 or 4 row blocks (Rows x Count) into X (leading dimension LdX).</summary>
internal readonly record struct CombineShape(int Rows, int Count, int LdA, int OffsetA, int LdX, int OffsetC, int Terms);
