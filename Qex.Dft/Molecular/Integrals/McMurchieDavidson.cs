using Qex.Dft.Molecular.Basis;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// McMurchie–Davidson machinery: Hermite expansion coefficients E^(ij)_t of Gaussian products and the Hermite
/// Coulomb integrals R^n_(tuv). Used for the nuclear-attraction and electron-repulsion integrals.
/// </summary>
internal static class McMurchieDavidson
{
    /// <summary>E[i, j, t] for one cartesian direction: x_A^i x_B^j = sum_t E[i, j, t] Lambda_t (Hermite Gaussians at P), including exp(-mu X_AB^2).</summary>
    public static double[,,] Hermite(int la, int lb, double a, double b, double ax, double bx)
    {
        double p = a + b, mu = a * b / p, xab = ax - bx;
        double xpa = -b * xab / p, xpb = a * xab / p;
        var e = new double[la + 1, lb + 1, la + lb + 2];
        e[0, 0, 0] = Math.Exp(-mu * xab * xab);
        double h = 1 / (2 * p);
        for (int i = 0; i <= la; i++)
            for (int j = 0; j <= lb; j++)
            {
                if (i == 0 && j == 0) continue;
                for (int t = 0; t <= i + j; t++)
                {
                    double v;
                    if (i > 0)
                        v = (t > 0 ? h * e[i - 1, j, t - 1] : 0) + xpa * e[i - 1, j, t] + (t + 1 <= i - 1 + j ? (t + 1) * e[i - 1, j, t + 1] : 0);
                    else
                        v = (t > 0 ? h * e[i, j - 1, t - 1] : 0) + xpb * e[i, j - 1, t] + (t + 1 <= i + j - 1 ? (t + 1) * e[i, j - 1, t + 1] : 0);
                    e[i, j, t] = v;
                }
            }
        return e;
    }

    /// <summary>R[t, u, v] = R^0_(tuv)(p, (X, Y, Z)) for t + u + v &lt;= lmax.</summary>
    public static double[,,] Coulomb(int lmax, double p, double x, double y, double z)
    {
        var f = new double[lmax + 1];
        Boys.Evaluate(p * (x * x + y * y + z * z), f);
        // r[n][t,u,v]
        var r = new double[lmax + 1][,,];
        for (int n = 0; n <= lmax; n++)
        {
            r[n] = new double[lmax + 1, lmax + 1, lmax + 1];
            r[n][0, 0, 0] = Math.Pow(-2 * p, n) * f[n];
        }
        for (int n = lmax - 1; n >= 0; n--)
        {
            var rn = r[n];
            var r1 = r[n + 1];
            int top = lmax - n;
            for (int t = 0; t <= top; t++)
                for (int u = 0; u <= top - t; u++)
                    for (int v = 0; v <= top - t - u; v++)
                    {
                        if (t == 0 && u == 0 && v == 0) continue;
                        double val;
                        if (t > 0) val = (t > 1 ? (t - 1) * r1[t - 2, u, v] : 0) + x * r1[t - 1, u, v];
                        else if (u > 0) val = (u > 1 ? (u - 1) * r1[t, u - 2, v] : 0) + y * r1[t, u - 1, v];
                        else val = (v > 1 ? (v - 1) * r1[t, u, v - 2] : 0) + z * r1[t, u, v - 1];
                        rn[t, u, v] = val;
                    }
        }
        return r[0];
    }

    /// <summary>sqrt((2L-1)!! / ((2l-1)!! (2m-1)!! (2n-1)!!)): normalises component (l, m, n) given a normalised x^L.</summary>
    public static double ComponentScale((int L, int M, int N) c, int l) =>
        Math.Sqrt(BasisSet.DoubleFactorial(2 * l - 1) / (BasisSet.DoubleFactorial(2 * c.L - 1) * BasisSet.DoubleFactorial(2 * c.M - 1) * BasisSet.DoubleFactorial(2 * c.N - 1)));
}
