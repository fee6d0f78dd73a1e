using Qex.Autodiff.Forward;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Xc;
using Qex.Kernels.Grid;

namespace Qex.Dft.Molecular.Dft;

/// <summary>The XC energy and matrices of densities on a grid.</summary>
/// <param name="Energy">E_xc (semilocal part).</param>
/// <param name="Matrices">V_xc per spin channel (one for a restricted density).</param>
/// <param name="Electrons">The integrated electron count (a check of the grid).</param>
public sealed record XcResult(double Energy, double[][] Matrices, double Electrons);

/// <summary>
/// Numerical integration of a semilocal functional on a molecular grid through a grid kernel
/// (<see cref="IXcGridKernel"/>; the CPU one by default): the kernel supplies the density features of each block, the
/// functional's energy density and first derivatives come from one evaluation of its formula with forward-mode
/// numbers (<see cref="Dual5"/>), and the kernel assembles V_xc.
/// </summary>
public sealed class XcIntegrator
{
    private readonly GridPoints _points;
    private readonly GridBasis _basis;
    private readonly PointFunctional _functional;
    private readonly IXcGridKernel _kernel;

    /// <summary>An integrator of <paramref name="functional"/> for <paramref name="basis"/> on <paramref name="grid"/>.</summary>
    public XcIntegrator(MolecularGrid grid, BasisSet basis, XcFunctional functional, IXcGridKernel? kernel = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        _points = new GridPoints(grid.X, grid.Y, grid.Z, grid.W);
        _basis = GridBasisFactory.Create(basis ?? throw new ArgumentNullException(nameof(basis)));
        _functional = new PointFunctional(functional ?? throw new ArgumentNullException(nameof(functional)));
        _kernel = kernel ?? new CpuXcGridKernel();
    }

    /// <summary>E_xc and V_xc of a restricted total density (one matrix) or of alpha and beta densities (two).</summary>
    public XcResult Evaluate(IReadOnlyList<double[]> densities)
    {
        var r = _kernel.Integrate(_basis, _points, densities, _functional);
        return new XcResult(r.Energy, r.Matrices, r.Electrons);
    }

    /// <summary>
    /// The linear response of V_xc to trial densities (restricted: one matrix per trial; unrestricted: alpha, beta per
    /// trial), at the ground-state densities: the XC kernel's part of orbital-Hessian products and TDDFT.
    /// </summary>
    public double[][] Response(IReadOnlyList<double[]> densities, IReadOnlyList<double[]> trials) =>
        _kernel.Response(_basis, _points, densities, trials, _functional);

    /// <summary>An <see cref="XcFunctional"/> as the kernels' point functional, with its kernel from second-order jets.</summary>
    internal sealed class PointFunctional(XcFunctional functional) : IPointKernel
    {
        /// <summary>Points whose total density is below this contribute nothing.</summary>
        public const double DensityCutoff = 1e-14;

        public XcInputs Inputs => functional.Family switch
        {
            XcFamily.Lda => XcInputs.Density,
            XcFamily.Gga => XcInputs.Gradient,
            _ => XcInputs.KineticEnergyDensity,
        };

        public void Evaluate(in XcBlock b)
        {
            bool gga = functional.Family != XcFamily.Lda, meta = functional.Family == XcFamily.MetaGga;
            if (b.Spins == 1 && functional.HasClosedShellPath)
            {
                ClosedShell(b, gga);
                return;
            }
            for (int p = 0; p < b.Points; p++)
            {
                if (b.Spins == 1)
                {
                    double rho = b.Rho[p];
                    if (rho < DensityCutoff) continue;
                    var e = functional.EnergyDensity(XcPoint.ClosedShell(rho, gga ? b.Sigma[p] : 0, meta ? b.Tau[p] : 0));
                    b.E[p] = e.Value;
                    b.VRho[p] = e.Gradient(0);
                    if (gga) b.VSigma[p] = e.Gradient(1);
                    if (meta) b.VTau[p] = e.Gradient(2);
                }
                else
                {
                    double ra = Math.Max(b.Rho[2 * p], 0), rb = Math.Max(b.Rho[2 * p + 1], 0);
                    if (ra + rb < DensityCutoff) continue;
                    if (meta)
                    {
                        // seven features: first-order jets (the five-variable dual has no room for tau)
                        var j = functional.EnergyDensity(XcPoint.Of(XcFamily.MetaGga, ra, rb, b.Sigma[3 * p], b.Sigma[3 * p + 1], b.Sigma[3 * p + 2],
                            Math.Max(b.Tau[2 * p], 0), Math.Max(b.Tau[2 * p + 1], 0), order: 1));
                        b.E[p] = j.Value;
                        b.VRho[2 * p] = j.Gradient(0);
                        b.VRho[2 * p + 1] = j.Gradient(1);
                        for (int k = 0; k < 3; k++) b.VSigma[3 * p + k] = j.Gradient(2 + k);
                        b.VTau[2 * p] = j.Gradient(5);
                        b.VTau[2 * p + 1] = j.Gradient(6);
                        continue;
                    }
                    var e = gga
                        ? functional.EnergyDensity(XcPoint.Polarised(ra, rb, b.Sigma[3 * p], b.Sigma[3 * p + 1], b.Sigma[3 * p + 2]))
                        : functional.EnergyDensity(XcPoint.Polarised(ra, rb));
                    b.E[p] = e.Value;
                    b.VRho[2 * p] = e.Gradient(0);
                    b.VRho[2 * p + 1] = e.Gradient(1);
                    if (gga) for (int k = 0; k < 3; k++) b.VSigma[3 * p + k] = e.Gradient(2 + k);
                }
            }
        }

        /// <summary>
        /// Restricted points through the components' closed-shell fast paths, in chunks; points below the density cutoff
        /// are evaluated at a harmless stand-in and then zeroed, as the point-by-point path leaves them.
        /// </summary>
        private void ClosedShell(in XcBlock b, bool gga)
        {
            const int chunk = 256;
            Span<double> buffer = stackalloc double[3 * chunk];
            for (int start = 0; start < b.Points; start += chunk)
            {
                int np = Math.Min(chunk, b.Points - start);
                Span<double> rho = buffer[..np], sigma = buffer.Slice(chunk, gga ? np : 0), rho13 = buffer.Slice(2 * chunk, np);
                bool any = false;
                for (int p = 0; p < np; p++)
                {
                    double r = b.Rho[start + p];
                    // as the point-by-point path: only densities below the cutoff are skipped, so a NaN density gives NaN, not 0
                    bool kept = !(r < DensityCutoff);
                    any |= kept;
                    rho[p] = kept ? r : 1;
                    if (gga) sigma[p] = kept ? b.Sigma[start + p] : 0;
                    rho13[p] = Math.Cbrt(rho[p]);
                }
                if (!any) continue;
                var e = b.E.Slice(start, np);
                var vRho = b.VRho.Slice(start, np);
                var vSigma = gga ? b.VSigma.Slice(start, np) : default;
                functional.EvaluateClosedShell(new ClosedShellPoints(rho, sigma, rho13), e, vRho, vSigma);
                for (int p = 0; p < np; p++)
                    if (b.Rho[start + p] < DensityCutoff)
                    {
                        e[p] = vRho[p] = 0;
                        if (gga) vSigma[p] = 0;
                    }
            }
        }

        public void EvaluateResponse(in XcResponseBlock b)
        {
            var family = functional.Family;
            bool gga = family != XcFamily.Lda, meta = family == XcFamily.MetaGga;
            Span<double> y1 = stackalloc double[7];
            for (int p = 0; p < b.Points; p++)
            {
                if (b.Spins == 1)
                {
                    double rho = b.Rho[p];
                    if (rho < DensityCutoff) continue;
                    var e = functional.EnergyDensity(XcPoint.ClosedShellJet(family, rho, gga ? b.Sigma[p] : 0, meta ? b.Tau[p] : 0));
                    // features (rho, sigma, tau) and their changes; v1_i = sum_j H_ij y1_j
                    int nv = meta ? 3 : gga ? 2 : 1;
                    y1.Clear();
                    y1[0] = b.Rho1[p];
                    if (gga) y1[1] = b.Sigma1[p];
                    if (meta) y1[2] = b.Tau1[p];
                    for (int i = 0; i < nv; i++)
                    {
                        double d = 0;
                        for (int k = 0; k < nv; k++) d += e.Hessian(i, k) * y1[k];
                        if (i == 0) { b.VRho[p] = e.Gradient(0); b.VRho1[p] = d; }
                        else if (i == 1) { b.VSigma[p] = e.Gradient(1); b.VSigma1[p] = d; }
                        else { b.VTau[p] = e.Gradient(2); b.VTau1[p] = d; }
                    }
                }
                else
                {
                    double ra = Math.Max(b.Rho[2 * p], 0), rb = Math.Max(b.Rho[2 * p + 1], 0);
                    if (ra + rb < DensityCutoff) continue;
                    var e = meta
                        ? functional.EnergyDensity(XcPoint.Of(family, ra, rb, b.Sigma[3 * p], b.Sigma[3 * p + 1], b.Sigma[3 * p + 2], Math.Max(b.Tau[2 * p], 0), Math.Max(b.Tau[2 * p + 1], 0)))
                        : gga
                            ? functional.EnergyDensity(XcPoint.Of(family, ra, rb, b.Sigma[3 * p], b.Sigma[3 * p + 1], b.Sigma[3 * p + 2]))
                            : functional.EnergyDensity(XcPoint.Of(family, ra, rb));
                    int nv = meta ? 7 : gga ? 5 : 2;
                    y1.Clear();
                    y1[0] = b.Rho1[2 * p];
                    y1[1] = b.Rho1[2 * p + 1];
                    if (gga) for (int k = 0; k < 3; k++) y1[2 + k] = b.Sigma1[3 * p + k];
                    if (meta) { y1[5] = b.Tau1[2 * p]; y1[6] = b.Tau1[2 * p + 1]; }
                    for (int i = 0; i < nv; i++)
                    {
                        double d = 0;
                        for (int j = 0; j < nv; j++) d += e.Hessian(i, j) * y1[j];
                        if (i < 2) { b.VRho[2 * p + i] = e.Gradient(i); b.VRho1[2 * p + i] = d; }
                        else if (i < 5) { b.VSigma[3 * p + i - 2] = e.Gradient(i); b.VSigma1[3 * p + i - 2] = d; }
                        else { b.VTau[2 * p + i - 5] = e.Gradient(i); b.VTau1[2 * p + i - 5] = d; }
                    }
                }
            }
        }
    }
}
