namespace Qex.Dft.Molecular.Scf;

/// <summary>
/// Fermi–Dirac occupations of orbitals at a temperature theta: n_k = g / (1 + exp((eps_k - mu) / theta)), the chemical
/// potential mu found by bisection so that sum_k n_k = N, and the entropy S = -g sum_k [f ln f + (1 - f) ln(1 - f)],
/// f = n / g.
/// </summary>
public static class FermiDirac
{
    /// <summary>Occupations of <paramref name="energies"/> holding <paramref name="electrons"/> at <paramref name="theta"/>, at most <paramref name="capacity"/> per orbital.</summary>
    /// <exception cref="ArgumentException">More electrons than the orbitals can hold, or a non-positive temperature.</exception>
    public static double[] Occupations(IReadOnlyList<double> energies, double electrons, double capacity, double theta)
    {
        ArgumentNullException.ThrowIfNull(energies);
        Check(energies, electrons, capacity, theta);
        var n = new double[energies.Count];
        if (electrons == 0) return n;
        double mu0 = ChemicalPotential(energies, electrons, capacity, theta);
        for (int k = 0; k < n.Length; k++) n[k] = capacity * Fermi((energies[k] - mu0) / theta);
        return n;
    }

    /// <summary>The chemical potential mu with sum_k g / (1 + exp((eps_k - mu) / theta)) = N, by bisection to the last bit.</summary>
    /// <exception cref="ArgumentException">More electrons than the orbitals can hold, none, or a non-positive temperature.</exception>
    public static double ChemicalPotential(IReadOnlyList<double> energies, double electrons, double capacity, double theta)
    {
        ArgumentNullException.ThrowIfNull(energies);
        Check(energies, electrons, capacity, theta);
        if (energies.Count == 0) throw new ArgumentException("No orbitals to occupy.");
        double lo = energies.Min() - 60 * theta, hi = energies.Max() + 60 * theta;
        double Count(double mu)
        {
            double sum = 0;
            for (int k = 0; k < energies.Count; k++) sum += capacity * Fermi((energies[k] - mu) / theta);
            return sum;
        }
        // the count rises monotonically with mu: bisect to the last bit
        for (int i = 0; i < 200 && hi - lo > 1e-15 * Math.Max(1, Math.Abs(lo)); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Count(mid) < electrons) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    private static void Check(IReadOnlyList<double> energies, double electrons, double capacity, double theta)
    {
        if (!(theta > 0)) throw new ArgumentException($"The smearing temperature must be positive; got {theta}.");
        if (electrons < 0 || electrons > capacity * energies.Count + 1e-12)
            throw new ArgumentException($"{electrons} electrons do not fit in {energies.Count} orbitals of {capacity} each.");
    }

    /// <summary>S = -g sum_k [f ln f + (1 - f) ln(1 - f)], f = n_k / g.</summary>
    public static double Entropy(IReadOnlyList<double> occupations, double capacity)
    {
        ArgumentNullException.ThrowIfNull(occupations);
        double s = 0;
        foreach (double x in occupations)
        {
            double f = x / capacity;
            if (f > 0 && f < 1) s -= capacity * (f * Math.Log(f) + (1 - f) * Math.Log(1 - f));
        }
        return s;
    }

    /// <summary>D = sum_k n_k c_k c_k^T (coefficients n x m, row-major).</summary>
    public static double[] Density(double[] coefficients, IReadOnlyList<double> occupations, int n, int m)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(occupations);
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double v = 0;
                for (int k = 0; k < m; k++)
                    if (occupations[k] != 0) v += occupations[k] * coefficients[i * m + k] * coefficients[j * m + k];
                d[i * n + j] = d[j * n + i] = v;
            }
        return d;
    }

    /// <summary>1 / (1 + e^x), without overflow.</summary>
    private static double Fermi(double x) => x > 0 ? Math.Exp(-x) / (1 + Math.Exp(-x)) : 1 / (1 + Math.Exp(x));
}
