using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// One-electron integrals over contracted cartesian Gaussians by the Obara–Saika recurrences: overlap and kinetic
/// energy. Cartesian components of a shell are ordered xx, xy, xz, yy, yz, zz (x power descending, then y), each
/// normalised to one.
/// </summary>
/// <remarks>Spherical (pure) d and f shells: computed over the cartesian twin and transformed.</remarks>
public static class OneElectronIntegrals
{
    /// <summary>The overlap matrix S (n x n).</summary>
    public static Tensor Overlap(BasisSet basis) => Build(basis, kinetic: false);

    /// <summary>The kinetic-energy matrix T = &lt;a| -1/2 nabla^2 |b&gt; (n x n).</summary>
    public static Tensor Kinetic(BasisSet basis) => Build(basis, kinetic: true);

    /// <summary>The dipole integrals &lt;a| r_d |b&gt; (origin at 0) for d = x, y, z, each n x n.</summary>
    public static Tensor[] Dipole(BasisSet basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        return [BuildDipole(basis, 0), BuildDipole(basis, 1), BuildDipole(basis, 2)];
    }

    private static Tensor BuildDipole(BasisSet basis, int axis) => Assemble(basis, (sa, sb) =>
    {
        var ca = Components(sa.AngularMomentum);
        var cb = Components(sb.AngularMomentum);
        var block = new double[ca.Length, cb.Length];
        for (int p = 0; p < sa.Exponents.Length; p++)
            for (int q = 0; q < sb.Exponents.Length; q++)
            {
                double a = sa.Exponents[p], b = sb.Exponents[q], sum = a + b, mu = a * b / sum, r2 = 0;
                var s1 = new double[3][,];
                for (int d = 0; d < 3; d++)
                {
                    double px = (a * sa.Center[d] + b * sb.Center[d]) / sum;
                    r2 += (sa.Center[d] - sb.Center[d]) * (sa.Center[d] - sb.Center[d]);
                    s1[d] = Overlap1D(sa.AngularMomentum + 1, sb.AngularMomentum, px - sa.Center[d], px - sb.Center[d], sum);
                }
                double k = Math.Exp(-mu * r2) * sa.Coefficients[p] * sb.Coefficients[q];
                for (int x = 0; x < ca.Length; x++)
                    for (int y = 0; y < cb.Length; y++)
                    {
                        int[] pa = [ca[x].L, ca[x].M, ca[x].N], pb = [cb[y].L, cb[y].M, cb[y].N];
                        double v = k;
                        for (int d = 0; d < 3; d++)
                            v *= d == axis ? s1[d][pa[d] + 1, pb[d]] + sa.Center[d] * s1[d][pa[d], pb[d]] : s1[d][pa[d], pb[d]];
                        block[x, y] += v * McMurchieDavidson.ComponentScale(ca[x], sa.AngularMomentum) * McMurchieDavidson.ComponentScale(cb[y], sb.AngularMomentum);
                    }
            }
        return block;
    });

    /// <summary>
    /// A symmetric one-electron matrix from its shell-pair blocks (normalised cartesian components, a x b), each pair
    /// computed once; for a basis with pure shells over the cartesian twin, then transformed.
    /// </summary>
    internal static Tensor Assemble(BasisSet basis, Func<Shell, Shell, double[,]> block)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if (SphericalTransform.Needed(basis)) return SphericalTransform.Apply(basis, cart => Assemble(cart, block));
        int n = basis.FunctionCount;
        var m = new double[n * n];
        var shells = basis.Shells;
        Parallel.For(0, shells.Count, i =>
        {
            for (int j = 0; j <= i; j++)
            {
                var (sa, sb) = (shells[i], shells[j]);
                var b = block(sa, sb);
                for (int x = 0; x < b.GetLength(0); x++)
                    for (int y = 0; y < b.GetLength(1); y++)
                    {
                        m[(sa.Offset + x) * n + sb.Offset + y] = b[x, y];
                        m[(sb.Offset + y) * n + sa.Offset + x] = b[x, y];
                    }
            }
        });
        return Tensor.Wrap(m, n, n);
    }

    /// <summary>The cartesian powers (l, m, n) of a shell's components, in Qex's order.</summary>
    public static (int L, int M, int N)[] Components(int l)
    {
        var r = new List<(int, int, int)>();
        for (int a = l; a >= 0; a--)
            for (int b = l - a; b >= 0; b--) r.Add((a, b, l - a - b));
        return [.. r];
    }

    private static Tensor Build(BasisSet basis, bool kinetic) => Assemble(basis, (sa, sb) => ShellPair(sa, sb, kinetic));

    private static double[,] ShellPair(Shell sa, Shell sb, bool kinetic)
    {
        var ca = Components(sa.AngularMomentum);
        var cb = Components(sb.AngularMomentum);
        var result = new double[ca.Length, cb.Length];
        int la = sa.AngularMomentum, lb = sb.AngularMomentum;
        for (int p = 0; p < sa.Exponents.Length; p++)
            for (int q = 0; q < sb.Exponents.Length; q++)
            {
                double a = sa.Exponents[p], b = sb.Exponents[q], sum = a + b, mu = a * b / sum;
                double coef = sa.Coefficients[p] * sb.Coefficients[q];
                var s1 = new double[3][,];
                double r2 = 0;
                for (int d = 0; d < 3; d++)
                {
                    double ax = sa.Center[d], bx = sb.Center[d], px = (a * ax + b * bx) / sum;
                    r2 += (ax - bx) * (ax - bx);
                    s1[d] = Overlap1D(la, lb + 2, px - ax, px - bx, sum);
                }
                double k = Math.Exp(-mu * r2);
                for (int i = 0; i < ca.Length; i++)
                    for (int j = 0; j < cb.Length; j++)
                    {
                        int[] pa = [ca[i].L, ca[i].M, ca[i].N], pb = [cb[j].L, cb[j].M, cb[j].N];
                        double sx = s1[0][pa[0], pb[0]], sy = s1[1][pa[1], pb[1]], sz = s1[2][pa[2], pb[2]];
                        double v;
                        if (!kinetic) v = sx * sy * sz;
                        else
                        {
                            double T(int d) => -2 * b * b * s1[d][pa[d], pb[d] + 2] + b * (2 * pb[d] + 1) * s1[d][pa[d], pb[d]]
                                - (pb[d] >= 2 ? 0.5 * pb[d] * (pb[d] - 1) * s1[d][pa[d], pb[d] - 2] : 0);
                            v = T(0) * sy * sz + sx * T(1) * sz + sx * sy * T(2);
                        }
                        result[i, j] += coef * k * v;
                    }
            }
        // each cartesian component normalised (the contraction coefficients normalise x^L)
        for (int i = 0; i < ca.Length; i++)
            for (int j = 0; j < cb.Length; j++)
                result[i, j] *= McMurchieDavidson.ComponentScale(ca[i], la) * McMurchieDavidson.ComponentScale(cb[j], lb);
        return result;
    }

    /// <summary>1D overlaps S[i, j] = integral (x - A)^i (x - B)^j exp(-p (x - P)^2) dx, without the exp(-mu R^2) factor.</summary>
    private static double[,] Overlap1D(int imax, int jmax, double pa, double pb, double p)
    {
        var s = new double[imax + 1, jmax + 1];
        s[0, 0] = Math.Sqrt(Math.PI / p);
        double h = 1 / (2 * p);
        for (int i = 0; i <= imax; i++)
            for (int j = 0; j <= jmax; j++)
            {
                if (i == 0 && j == 0) continue;
                if (i > 0)
                    s[i, j] = pa * s[i - 1, j] + h * ((i > 1 ? (i - 1) * s[i - 2, j] : 0) + (j > 0 ? j * s[i - 1, j - 1] : 0));
                else
                    s[i, j] = pb * s[i, j - 1] + h * (j > 1 ? (j - 1) * s[i, j - 2] : 0);
            }
        return s;
    }
}
