namespace Qex.Kernels.Fock;

/// <summary>
/// The Coulomb and exchange matrices J[D] and K[D] of density matrices in one basis, as an SCF needs them: the CPU
/// implementation contracts stored or direct integrals; an accelerator implementation can take its place.
/// </summary>
public interface ICoulombExchangeBuilder
{
    /// <summary>Number of basis functions (densities are n x n, row-major).</summary>
    int FunctionCount { get; }

    /// <summary>True when the last build was a full one (no accumulated screening error of incremental builds).</summary>
    bool LastWasFull { get; }

    /// <summary>
    /// J[D_s] and K[D_s] for each density; <paramref name="full"/> forces a full (not incremental) build; without
    /// <paramref name="exchange"/> only J is built (pure density functionals) and the exchange list is empty.
    /// </summary>
    (double[][] Coulomb, double[][] Exchange) Build(IReadOnlyList<double[]> densities, bool full = false, bool exchange = true);
}
