namespace Qex.Kernels.Grid;

/// <summary>The density features a functional reads, and so what the grid kernel must supply.</summary>
public enum XcInputs
{
    /// <summary>rho only (LDA).</summary>
    Density,

    /// <summary>rho and sigma (GGA).</summary>
    Gradient,

    /// <summary>rho, sigma and tau (meta-GGA).</summary>
    KineticEnergyDensity,
}

/// <summary>
/// The points of an integration grid (Bohr) and their weights, as plain arrays of equal length.
/// </summary>
/// <param name="X">x of each point.</param>
/// <param name="Y">y of each point.</param>
/// <param name="Z">z of each point.</param>
/// <param name="W">Weights.</param>
public sealed record GridPoints(double[] X, double[] Y, double[] Z, double[] W)
{
    /// <summary>Number of points.</summary>
    public int Count => W.Length;
}

/// <summary>
/// The density features of a block of points and the functional's outputs, in libxc's layout: restricted (one spin
/// channel) rho[p], sigma[p] = |grad rho|^2, tau[p]; polarised rho[2p + s], sigma[3p + (aa, ab, bb)], tau[2p + s];
/// outputs e (energy per volume, so E = sum w e), v_rho, v_sigma, v_tau, the partial derivatives of e in the same
/// layouts. Outputs are zeroed before the call.
/// </summary>
public readonly ref struct XcBlock
{
    /// <summary>A block of <paramref name="points"/> points with <paramref name="spins"/> spin channels.</summary>
    public XcBlock(int points, int spins, ReadOnlySpan<double> rho, ReadOnlySpan<double> sigma, ReadOnlySpan<double> tau, Span<double> e,
        Span<double> vRho, Span<double> vSigma, Span<double> vTau)
    {
        Points = points;
        Spins = spins;
        Rho = rho;
        Sigma = sigma;
        Tau = tau;
        E = e;
        VRho = vRho;
        VSigma = vSigma;
        VTau = vTau;
    }

    /// <summary>Number of points.</summary>
    public int Points { get; }

    /// <summary>1 (restricted, total density) or 2 (alpha, beta).</summary>
    public int Spins { get; }

    /// <summary>Densities.</summary>
    public ReadOnlySpan<double> Rho { get; }

    /// <summary>Gradient invariants (empty for LDA).</summary>
    public ReadOnlySpan<double> Sigma { get; }

    /// <summary>Kinetic-energy densities tau = 1/2 sum_i |grad phi_i|^2 (empty below meta-GGA).</summary>
    public ReadOnlySpan<double> Tau { get; }

    /// <summary>Energy per volume.</summary>
    public Span<double> E { get; }

    /// <summary>de / d rho.</summary>
    public Span<double> VRho { get; }

    /// <summary>de / d sigma.</summary>
    public Span<double> VSigma { get; }

    /// <summary>de / d tau.</summary>
    public Span<double> VTau { get; }
}

/// <summary>A semilocal functional evaluated point by point on blocks (the kernel calls it once per block, possibly from several threads).</summary>
public interface IPointFunctional
{
    /// <summary>The features it needs.</summary>
    XcInputs Inputs { get; }

    /// <summary>Fills the outputs of <paramref name="block"/> from its features.</summary>
    void Evaluate(in XcBlock block);
}

/// <summary>
/// A block for the linear response of the potential: the ground-state features (<see cref="XcBlock"/>'s layouts),
/// their first-order changes rho1, sigma1, tau1 along a trial density, and as outputs the first derivatives v and
/// their first-order changes v1 = (second derivatives) . (rho1, sigma1, tau1). Outputs are zeroed before the call.
/// </summary>
public readonly ref struct XcResponseBlock
{
    /// <summary>A block of <paramref name="points"/> points with <paramref name="spins"/> spin channels.</summary>
    public XcResponseBlock(int points, int spins, ReadOnlySpan<double> rho, ReadOnlySpan<double> sigma, ReadOnlySpan<double> tau,
        ReadOnlySpan<double> rho1, ReadOnlySpan<double> sigma1, ReadOnlySpan<double> tau1,
        Span<double> vRho, Span<double> vSigma, Span<double> vTau, Span<double> vRho1, Span<double> vSigma1, Span<double> vTau1)
    {
        Points = points;
        Spins = spins;
        Rho = rho;
        Sigma = sigma;
        Tau = tau;
        Rho1 = rho1;
        Sigma1 = sigma1;
        Tau1 = tau1;
        VRho = vRho;
        VSigma = vSigma;
        VTau = vTau;
        VRho1 = vRho1;
        VSigma1 = vSigma1;
        VTau1 = vTau1;
    }

    /// <summary>Number of points.</summary>
    public int Points { get; }

    /// <summary>1 (restricted) or 2.</summary>
    public int Spins { get; }

    /// <summary>Densities.</summary>
    public ReadOnlySpan<double> Rho { get; }

    /// <summary>Gradient invariants (empty for LDA).</summary>
    public ReadOnlySpan<double> Sigma { get; }

    /// <summary>Kinetic-energy densities (empty below meta-GGA).</summary>
    public ReadOnlySpan<double> Tau { get; }

    /// <summary>First-order change of rho.</summary>
    public ReadOnlySpan<double> Rho1 { get; }

    /// <summary>First-order change of sigma.</summary>
    public ReadOnlySpan<double> Sigma1 { get; }

    /// <summary>First-order change of tau.</summary>
    public ReadOnlySpan<double> Tau1 { get; }

    /// <summary>de / d rho.</summary>
    public Span<double> VRho { get; }

    /// <summary>de / d sigma.</summary>
    public Span<double> VSigma { get; }

    /// <summary>de / d tau.</summary>
    public Span<double> VTau { get; }

    /// <summary>First-order change of de / d rho.</summary>
    public Span<double> VRho1 { get; }

    /// <summary>First-order change of de / d sigma.</summary>
    public Span<double> VSigma1 { get; }

    /// <summary>First-order change of de / d tau.</summary>
    public Span<double> VTau1 { get; }
}

/// <summary>A point functional that also gives its second derivatives, contracted with a first-order change of the features (the XC kernel f_xc).</summary>
public interface IPointKernel : IPointFunctional
{
    /// <summary>Fills the first derivatives and their first-order changes of <paramref name="block"/>.</summary>
    void EvaluateResponse(in XcResponseBlock block);
}

/// <summary>E_xc (semilocal), the integrated electron count and the XC matrices.</summary>
/// <param name="Energy">sum_g w_g e_g.</param>
/// <param name="Electrons">sum_g w_g rho_g (a check of the grid).</param>
/// <param name="Matrices">V_xc per spin channel (n x n, row-major, symmetric).</param>
public sealed record XcGridResult(double Energy, double Electrons, double[][] Matrices);

/// <summary>
/// Numerical integration of a semilocal functional over a molecular grid: basis values and gradients on blocks of
/// points (only the shells that reach a block), the density, its gradient and tau from the density matrices, the
/// functional, and the XC matrix V_uv = sum_g w_g (v_rho phi_u phi_v + v_sigma-terms . grad(phi_u phi_v) + 1/2 v_tau
/// grad phi_u . grad phi_v), restricted (one total density) or per spin. Every backend implements this interface; sums
/// are taken in a fixed order, so results do not depend on the thread count.
/// </summary>
public interface IXcGridKernel
{
    /// <summary>Integrates <paramref name="functional"/> for one total density or alpha and beta densities (n x n, row-major, symmetric).</summary>
    XcGridResult Integrate(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IPointFunctional functional);

    /// <summary>
    /// The linear response of V_xc: for each trial density D1 (symmetric; trial t of spin s at index t x spins + s),
    /// V1_s = d/d eps V_xc,s[D + eps D1] at eps = 0 (the XC kernel f_xc contracted with the trial's density change), in the
    /// same layout.
    /// </summary>
    double[][] Response(GridBasis basis, GridPoints grid, IReadOnlyList<double[]> densities, IReadOnlyList<double[]> trials, IPointKernel functional);
}
