using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Molecular.Dft;

/// <summary>The XC energy and matrices of densities on a grid.</summary>
/// <param name="Energy">E_xc (semilocal part).</param>
/// <param name="Matrices">V_xc per spin channel (one for a restricted density).</param>
/// <param name="Electrons">The integrated electron count (a check of the grid).</param>
public sealed record XcResult(double Energy, double[][] Matrices, double Electrons);

/// <summary>
/// Numerical integration of a semilocal functional on a molecular grid (CPU): basis values (and gradients) on
/// blocks of points, the density (and its gradient), the functional's energy density and first derivatives, and the
/// XC matrix V_uv = sum_g w_g (v_rho phi_u phi_v + 2 v_sigma grad rho . grad(phi_u phi_v)), restricted or per spin.
/// </summary>
public sealed class XcIntegrator
{
    private const int Block = 128;
    private const double DensityCutoff = 1e-14;
    private readonly MolecularGrid _grid;
    private readonly BasisOnGrid _basis;
    private readonly XcFunctional _functional;

    /// <summary>An integrator of <paramref name="functional"/> for <paramref name="basis"/> on <paramref name="grid"/>.</summary>
    public XcIntegrator(MolecularGrid grid, BasisSet basis, XcFunctional functional)
    {
        _grid = grid ?? throw new ArgumentNullException(nameof(grid));
        _basis = new BasisOnGrid(basis ?? throw new ArgumentNullException(nameof(basis)));
        _functional = functional ?? throw new ArgumentNullException(nameof(functional));
        if (functional.Family == XcFamily.MetaGga) throw new NotSupportedException("Meta-GGA functionals are not integrated yet.");
    }

    /// <summary>E_xc and V_xc of a restricted total density (one matrix) or of alpha and beta densities (two).</summary>
    public XcResult Evaluate(IReadOnlyList<double[]> densities)
    {
        ArgumentNullException.ThrowIfNull(densities);
        int n = _basis.FunctionCount, spins = densities.Count;
        if (spins is not (1 or 2) || densities.Any(d => d.Length != n * n)) throw new ArgumentException($"XC integration needs one (restricted) or two (alpha, beta) {n} x {n} densities.");
        bool gga = _functional.Family == XcFamily.Gga;
        int blocks = (_grid.Count + Block - 1) / Block;
        var partial = new (double E, double N, double[][] V)[blocks];
        Parallel.For(0, blocks, b =>
        {
            int start = b * Block, np = Math.Min(Block, _grid.Count - start);
            var (phi, dx, dy, dz) = _basis.Evaluate(_grid.X.AsSpan(start, np), _grid.Y.AsSpan(start, np), _grid.Z.AsSpan(start, np), gga);
            var phiT = Tensor.Wrap(phi, np, n);
            var rho = new double[spins][];
            var grad = new double[spins][];
            for (int s = 0; s < spins; s++)
            {
                var dphi = Gemm.MatMul(phiT, Tensor.Wrap(densities[s], n, n)).ToArray();   // (D phi) per point
                rho[s] = new double[np];
                grad[s] = gga ? new double[3 * np] : [];
                for (int p = 0; p < np; p++)
                {
                    double r = 0, gxs = 0, gys = 0, gzs = 0;
                    for (int u = 0; u < n; u++)
                    {
                        double t = dphi[p * n + u];
                        r += phi[p * n + u] * t;
                        if (gga) { gxs += dx![p * n + u] * t; gys += dy![p * n + u] * t; gzs += dz![p * n + u] * t; }
                    }
                    rho[s][p] = r;
                    if (gga) { grad[s][3 * p] = 2 * gxs; grad[s][3 * p + 1] = 2 * gys; grad[s][3 * p + 2] = 2 * gzs; }
                }
            }
            double e = 0, electrons = 0;
            var x = new double[spins][];
            for (int s = 0; s < spins; s++) x[s] = new double[np * n];
            for (int p = 0; p < np; p++)
            {
                double w = _grid.W[start + p];
                double ra = spins == 1 ? 0.5 * rho[0][p] : rho[0][p], rb = spins == 1 ? ra : rho[1][p];
                electrons += w * (ra + rb);
                if (ra + rb < DensityCutoff) continue;
                double saa = 0, sab = 0, sbb = 0;
                double[] ga = [0, 0, 0], gb = [0, 0, 0];
                if (gga)
                {
                    for (int k = 0; k < 3; k++)
                    {
                        ga[k] = spins == 1 ? 0.5 * grad[0][3 * p + k] : grad[0][3 * p + k];
                        gb[k] = spins == 1 ? ga[k] : grad[1][3 * p + k];
                    }
                    saa = ga[0] * ga[0] + ga[1] * ga[1] + ga[2] * ga[2];
                    sab = ga[0] * gb[0] + ga[1] * gb[1] + ga[2] * gb[2];
                    sbb = gb[0] * gb[0] + gb[1] * gb[1] + gb[2] * gb[2];
                }
                var j = _functional.EnergyDensity(XcPoint.Of(_functional.Family, Math.Max(ra, 0), Math.Max(rb, 0), saa, sab, sbb, order: 1));
                e += w * j.Value;
                for (int s = 0; s < spins; s++)
                {
                    // X_gu = 0.5 w v_rho phi_u + w (2 v_ss grad rho_s + v_ab grad rho_s') . grad phi_u, V = Phi^T X + X^T Phi
                    double vr, cx = 0, cy = 0, cz = 0;
                    if (spins == 1)
                    {
                        vr = 0.5 * (j.Gradient(0) + j.Gradient(1));
                        if (gga)
                        {
                            // sigma = |grad rho|^2 of the total density: v_sigma = (v_aa + v_ab + v_bb) / 4
                            double vs = 0.25 * (j.Gradient(2) + j.Gradient(3) + j.Gradient(4));
                            double gxt = grad[0][3 * p], gyt = grad[0][3 * p + 1], gzt = grad[0][3 * p + 2];
                            (cx, cy, cz) = (2 * vs * gxt, 2 * vs * gyt, 2 * vs * gzt);
                        }
                    }
                    else
                    {
                        vr = j.Gradient(s);
                        if (gga)
                        {
                            double vss = j.Gradient(s == 0 ? 2 : 4), vab = j.Gradient(3);
                            var (mine, other) = s == 0 ? (ga, gb) : (gb, ga);
                            cx = 2 * vss * mine[0] + vab * other[0];
                            cy = 2 * vss * mine[1] + vab * other[1];
                            cz = 2 * vss * mine[2] + vab * other[2];
                        }
                    }
                    var xs = x[s];
                    for (int u = 0; u < n; u++)
                    {
                        double val = 0.5 * vr * phi[p * n + u];
                        if (gga) val += cx * dx![p * n + u] + cy * dy![p * n + u] + cz * dz![p * n + u];
                        xs[p * n + u] = w * val;
                    }
                }
            }
            var v = new double[spins][];
            for (int s = 0; s < spins; s++)
            {
                var m = Gemm.MatMul(phiT, Tensor.Wrap(x[s], np, n), transA: true).ToArray();
                for (int u = 0; u < n; u++)
                    for (int t = 0; t <= u; t++) m[u * n + t] = m[t * n + u] = m[u * n + t] + m[t * n + u];
                v[s] = m;
            }
            partial[b] = (e, electrons, v);
        });
        // blocks are summed in order: deterministic
        double energy = 0, count = 0;
        var total = new double[spins][];
        for (int s = 0; s < spins; s++) total[s] = new double[n * n];
        foreach (var (e, c, v) in partial)
        {
            energy += e;
            count += c;
            for (int s = 0; s < spins; s++) for (int i = 0; i < n * n; i++) total[s][i] += v[s][i];
        }
        return new XcResult(energy, total, count);
    }
}
