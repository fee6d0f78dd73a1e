using System.Globalization;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>
/// What the correlated methods need in memory, computed from the orbital and electron counts alone, so a calculation
/// that cannot fit is refused before the SCF, the integral transformation or the string lists are built.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>The number of ways to choose <paramref name="k"/> of <paramref name="n"/> (saturates at long.MaxValue).</summary>
    public static long Binomial(int n, int k)
    {
        if (k < 0 || k > n) return 0;
        k = Math.Min(k, n - k);
        long c = 1;
        for (int i = 1; i <= k; i++)
        {
            // c * (n - k + i) / i is exact at every step; stop before overflowing
            if (c > long.MaxValue / (n - k + i)) return long.MaxValue;
            c = c * (n - k + i) / i;
        }
        return c;
    }

    /// <summary>Bytes for the dense AO and MO electron-repulsion tensors of <paramref name="functions"/> functions (the transformation holds two at once).</summary>
    public static double Integrals(int functions) => 3.0 * Math.Pow(functions, 4) * sizeof(double);

    /// <summary>FCI: determinants, and bytes (Davidson subspace and sigma vectors, same-spin Hamiltonians, integrals).</summary>
    public static (double Determinants, double Bytes) Fci(int orbitals, int alpha, int beta)
    {
        double ca = Binomial(orbitals, alpha), cb = Binomial(orbitals, beta);
        double dets = ca * cb;
        double vectors = 2 * 16 + 8;   // Davidson keeps up to 16 vectors and their sigma vectors, plus diagonal, sort keys and work vectors
        double bytes = vectors * dets * sizeof(double) + (ca * ca + cb * cb) * sizeof(double) + Integrals(orbitals);
        return (dets, bytes);
    }

    /// <summary>Closed-shell CCSD(T): bytes for the integrals, the (ab|cd) block and the amplitude intermediates.</summary>
    public static double CoupledCluster(int orbitals, int occupied)
    {
        double o = occupied, v = orbitals - occupied;
        return Integrals(orbitals) + (Math.Pow(v, 4) + 24 * o * o * v * v + 6 * Math.Pow(o, 3) * v) * sizeof(double);
    }

    /// <summary>The memory this process may still use (the runtime's view of the machine or container limit).</summary>
    public static long Available() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws when <paramref name="bytes"/> exceed what is available.</summary>
    /// <exception cref="InsufficientMemoryException">The message gives the estimate, what is available and what was asked.</exception>
    public static void Require(double bytes, string what)
    {
        long available = Available();
        if (bytes > available)
            throw new InsufficientMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs about {bytes / 1e9:F1} GB of memory; {available / 1e9:F1} GB are available. Nothing was computed; use a smaller basis or active space, or a machine with more memory."));
    }
}
