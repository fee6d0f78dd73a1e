using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Molecular.Grids;

/// <summary>
/// Basis functions and their gradients at grid points: phi_f(r) = sum_c M_fc (x - A_x)^a (y - A_y)^b (z - A_z)^c
/// sum_p d_p exp(-alpha_p |r - A|^2), M the shell's cartesian-to-function matrix (normalisation, solid harmonics).
/// </summary>
public sealed class BasisOnGrid
{
    private readonly BasisSet _basis;
    private readonly double[][] _shellMatrix;
    private readonly (int L, int M, int N)[][] _components;

    /// <summary>Prepares the shells of <paramref name="basis"/>.</summary>
    public BasisOnGrid(BasisSet basis)
    {
        _basis = basis ?? throw new ArgumentNullException(nameof(basis));
        _shellMatrix = [.. basis.Shells.Select(SphericalTransform.ShellMatrix)];
        _components = [.. basis.Shells.Select(s => OneElectronIntegrals.Components(s.AngularMomentum))];
    }

    /// <summary>Number of basis functions.</summary>
    public int FunctionCount => _basis.FunctionCount;

    /// <summary>
    /// Values (points x functions, row-major) at the points, and with <paramref name="gradients"/> their x, y, z
    /// derivatives.
    /// </summary>
    public (double[] Value, double[]? Dx, double[]? Dy, double[]? Dz) Evaluate(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, bool gradients)
    {
        int np = x.Length, nf = _basis.FunctionCount;
        var v = new double[np * nf];
        double[]? gx = gradients ? new double[np * nf] : null, gy = gradients ? new double[np * nf] : null, gz = gradients ? new double[np * nf] : null;
        Span<double> cart = stackalloc double[28], cdx = stackalloc double[28], cdy = stackalloc double[28], cdz = stackalloc double[28];
        for (int s = 0; s < _basis.Shells.Count; s++)
        {
            var sh = _basis.Shells[s];
            var comps = _components[s];
            var m = _shellMatrix[s];
            int nc = comps.Length, nfs = sh.FunctionCount, off = sh.Offset;
            double ax = sh.Center[0], ay = sh.Center[1], az = sh.Center[2];
            for (int p = 0; p < np; p++)
            {
                double dx = x[p] - ax, dy = y[p] - ay, dz = z[p] - az, r2 = dx * dx + dy * dy + dz * dz;
                double radial = 0, dradial = 0;   // sum d exp(-a r2), and its derivative by r2
                for (int k = 0; k < sh.Exponents.Length; k++)
                {
                    double e = sh.Coefficients[k] * Math.Exp(-sh.Exponents[k] * r2);
                    radial += e;
                    dradial -= sh.Exponents[k] * e;
                }
                if (radial == 0 && dradial == 0) continue;
                for (int c = 0; c < nc; c++)
                {
                    var (a, b, cc) = comps[c];
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
                int row = p * nf + off;
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
                    v[row + f] = sv;
                    if (gradients) { gx![row + f] = sx; gy![row + f] = sy; gz![row + f] = sz; }
                }
            }
        }
        return (v, gx, gy, gz);
    }

    private static double Pow(double b, int e) => e switch { 0 => 1, 1 => b, 2 => b * b, 3 => b * b * b, _ => Math.Pow(b, e) };
}
