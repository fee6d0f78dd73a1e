namespace Qex.Dft.Molecular.Correlation;

/// <summary>
/// The coupled-cluster amplitude iteration shared by the spin-orbital and spin-adapted codes: Jacobi updates
/// extrapolated by DIIS over the last eight (Scuseria, Lee and Schaefer 1986), converged when the energy changes by
/// less than the tolerance and no amplitude moves by more than its square root.
/// </summary>
internal static class AmplitudeSolver
{
    /// <summary>Iterates to convergence; returns the amplitudes, the correlation energy and the iteration count.</summary>
    /// <exception cref="ConvergenceException">No convergence within <paramref name="maxIterations"/>.</exception>
    public static (double[] T1, double[] T2, double Energy, int Iterations) Solve(double[] t1, double[] t2,
        Func<double[], double[], (double[], double[])> update, Func<double[], double[], double> energy, double tolerance, int maxIterations,
        Action<string>? progress = null)
    {
        double ecc = energy(t1, t2), last = double.NaN;
        var diis = new Scf.Diis(8, minimumVectors: 3);
        for (int it = 0; it < maxIterations; it++)
        {
            var (u1, u2) = update(t1, t2);
            var now = new double[u1.Length + u2.Length];
            u1.CopyTo(now, 0);
            u2.CopyTo(now, u1.Length);
            var step = new double[now.Length];
            for (int k = 0; k < t1.Length; k++) step[k] = u1[k] - t1[k];
            for (int k = 0; k < t2.Length; k++) step[t1.Length + k] = u2[k] - t2[k];
            diis.Add(now, step);
            var next = diis.Extrapolate();
            t1 = next[..t1.Length];
            t2 = next[t1.Length..];
            last = ecc;
            ecc = energy(t1, t2);
            progress?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"CCSD iteration {it + 1}: E_corr = {ecc:F12}, dE = {ecc - last:E2}"));
            if (Math.Abs(ecc - last) < tolerance && step.Max(Math.Abs) < Math.Sqrt(tolerance)) return (t1, t2, ecc, it + 1);
        }
        throw new ConvergenceException("CCSD", $"CCSD did not converge in {maxIterations} iterations (last energy change {ecc - last:E2}).");
    }
}
