namespace Qex.Dft.Molecular.Grids;

/// <summary>The radial quadratures of atom-centred grids.</summary>
public enum RadialScheme
{
    /// <summary>Treutler–Ahlrichs M4 (JCP 102, 346, 1995): r = (xi / ln 2) (1 + x)^0.6 ln(2 / (1 - x)) on Chebyshev nodes of the second kind, xi per element (Psi4's and PySCF's default).</summary>
    TreutlerAhlrichs,

    /// <summary>Mura–Knowles log3 (JCP 104, 9848, 1996): r = -a ln(1 - x^3), x midpoints, a = 7 for Li, Be, Na, Mg, K, Ca, else 5.</summary>
    MuraKnowles,

    /// <summary>Becke's Gauss–Chebyshev (JCP 88, 2547, 1988): r = R (1 + x) / (1 - x), Chebyshev nodes of the second kind, R half the Bragg–Slater radius (H: the radius).</summary>
    GaussChebyshev,
}

/// <summary>Radial nodes and weights: the integral of f(r) r^2 dr over (0, inf) is sum_i W_i f(R_i).</summary>
/// <param name="R">Radii (Bohr), ascending.</param>
/// <param name="W">Weights, including r^2.</param>
public sealed record RadialGrid(double[] R, double[] W)
{
    /// <summary>Number of radii.</summary>
    public int Count => R.Length;

    /// <summary>Treutler–Ahlrichs' xi for H to Kr (their Table I).</summary>
    private static readonly double[] TreutlerXi =
    [
        0.8, 0.9,
        1.8, 1.4, 1.3, 1.1, 0.9, 0.9, 0.9, 0.9,
        1.4, 1.3, 1.3, 1.2, 1.1, 1.0, 1.0, 1.0,
        1.5, 1.4, 1.3, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.1, 1.1, 1.1, 1.1, 1.0, 0.9, 0.9, 0.9, 0.9,
    ];

    /// <summary>Bragg–Slater radii (Angstrom; Slater, JCP 41, 3199, 1964) for H to Kr, with Becke's 0.35 for H and the usual values for the noble gases.</summary>
    internal static readonly double[] BraggSlaterAngstrom =
    [
        0.35, 1.40,
        1.45, 1.05, 0.85, 0.70, 0.65, 0.60, 0.50, 1.50,
        1.80, 1.50, 1.25, 1.10, 1.00, 1.00, 1.00, 1.80,
        2.20, 1.80, 1.60, 1.40, 1.35, 1.40, 1.40, 1.40, 1.35, 1.35, 1.35, 1.35, 1.30, 1.25, 1.15, 1.15, 1.15, 1.90,
    ];

    /// <summary>The Bragg–Slater radius of an element in Bohr.</summary>
    public static double BraggSlaterRadius(int atomicNumber) => BraggSlaterAngstrom[Check(atomicNumber) - 1] / Qex.Core.Units.PhysicalConstants.BohrInAngstrom;

    private static int Check(int z) => z is >= 1 and <= Elements.MaxAtomicNumber ? z
        : throw new ArgumentOutOfRangeException(nameof(z), z, $"Atomic number {z} is outside 1..{Elements.MaxAtomicNumber} (H to Kr).");

    /// <summary>A radial grid of <paramref name="points"/> radii for an element.</summary>
    /// <exception cref="ArgumentException">Fewer than 2 points, more than 10000, or an unknown element.</exception>
    public static RadialGrid Create(RadialScheme scheme, int points, int atomicNumber)
    {
        if (points is < 2 or > 10_000) throw new ArgumentException($"A radial grid needs 2 to 10000 points; got {points}.");
        Check(atomicNumber);
        var r = new double[points];
        var w = new double[points];
        switch (scheme)
        {
            case RadialScheme.TreutlerAhlrichs:
            {
                double xi = TreutlerXi[atomicNumber - 1], f = xi / Math.Log(2);
                for (int i = 1; i <= points; i++)
                {
                    double t = i * Math.PI / (points + 1), x = Math.Cos(t);
                    double p = Math.Pow(1 + x, 0.6), lg = Math.Log(2 / (1 - x));
                    double ri = f * p * lg;
                    double dr = f * (0.6 * p / (1 + x) * lg + p / (1 - x));
                    // Chebyshev of the second kind for the integral over x of g(x): weight pi/(n+1) sin(t)
                    r[i - 1] = ri;
                    w[i - 1] = Math.PI / (points + 1) * Math.Sin(t) * dr * ri * ri;
                }
                break;
            }
            case RadialScheme.MuraKnowles:
            {
                double a = atomicNumber is 3 or 4 or 11 or 12 or 19 or 20 ? 7 : 5;
                for (int i = 0; i < points; i++)
                {
                    double x = (i + 0.5) / points, x3 = x * x * x;
                    double ri = -a * Math.Log(1 - x3);
                    r[i] = ri;
                    w[i] = a * 3 * x * x / (1 - x3) / points * ri * ri;
                }
                break;
            }
            case RadialScheme.GaussChebyshev:
            {
                double rm = BraggSlaterRadius(atomicNumber) * (atomicNumber == 1 ? 1 : 0.5);
                for (int i = 1; i <= points; i++)
                {
                    double t = i * Math.PI / (points + 1), x = Math.Cos(t);
                    double ri = rm * (1 + x) / (1 - x);
                    double dr = 2 * rm / ((1 - x) * (1 - x));
                    r[i - 1] = ri;
                    w[i - 1] = Math.PI / (points + 1) * Math.Sin(t) * dr * ri * ri;
                }
                break;
            }
            default: throw new ArgumentException($"Unknown radial scheme {scheme}.");
        }
        // ascending radii
        if (r[0] > r[^1]) { Array.Reverse(r); Array.Reverse(w); }
        return new RadialGrid(r, w);
    }
}
