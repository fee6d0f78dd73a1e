namespace Qex.Dft.Molecular.Xc;

/// <summary>
/// Closed-shell points of a block, as the fast path of the common functionals reads them: the total density rho
/// (above zero), sigma = |grad rho|^2 (empty for LDA-only functionals) and rho^(1/3), computed once for every
/// component.
/// </summary>
public readonly ref struct ClosedShellPoints
{
    /// <summary>Points with <paramref name="rho"/>, <paramref name="sigma"/> and <paramref name="rho13"/> = rho^(1/3).</summary>
    public ClosedShellPoints(ReadOnlySpan<double> rho, ReadOnlySpan<double> sigma, ReadOnlySpan<double> rho13)
    {
        if (rho13.Length != rho.Length || (!sigma.IsEmpty && sigma.Length != rho.Length))
            throw new ArgumentException($"Closed-shell points need rho^(1/3) ({rho13.Length}) and sigma ({sigma.Length}) for each of the {rho.Length} densities.");
        Rho = rho;
        Sigma = sigma;
        Rho13 = rho13;
    }

    /// <summary>Number of points.</summary>
    public int Count => Rho.Length;

    /// <summary>Total densities (above zero).</summary>
    public ReadOnlySpan<double> Rho { get; }

    /// <summary>|grad rho|^2 (empty for a functional without gradient terms).</summary>
    public ReadOnlySpan<double> Sigma { get; }

    /// <summary>rho^(1/3).</summary>
    public ReadOnlySpan<double> Rho13 { get; }
}

/// <summary>
/// A component with a fast closed-shell path: the energy density and its first derivatives by the total-density
/// features (rho, sigma) for a whole block of points, from hand-derived derivatives of the closed-shell form. It must
/// agree with the generic <see cref="IXcComponent.EnergyDensity{T}"/> at spin-symmetric points (the tests compare
/// the two and libxc); SCF energies and potentials of restricted densities take this path, every other use (spin
/// polarisation, kernels, meta-GGA) the generic one.
/// </summary>
public interface IClosedShellXc : IXcComponent
{
    /// <summary>
    /// Adds <paramref name="weight"/> times the energy density per volume to <paramref name="e"/>, and times de/drho
    /// and de/dsigma to <paramref name="vRho"/> and <paramref name="vSigma"/> (the latter left alone by LDA components).
    /// </summary>
    void AddClosedShell(double weight, in ClosedShellPoints points, Span<double> e, Span<double> vRho, Span<double> vSigma);
}
