namespace Qex.Dft;

/// <summary>
/// An iterative method (SCF, coupled-cluster amplitudes, FCI Davidson) that did not converge within its iteration
/// limit; the message names the method and gives its last iterations.
/// </summary>
/// <param name="method">The method, as users name it (RHF, UHF, CCSD, FCI).</param>
/// <param name="message">What happened, with the last errors.</param>
public sealed class ConvergenceException(string method, string message) : Exception(message)
{
    /// <summary>The method that did not converge.</summary>
    public string Method { get; } = method;
}
