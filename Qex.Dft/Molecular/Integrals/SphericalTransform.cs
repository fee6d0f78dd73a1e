using Qex.Dft.Molecular.Basis;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// Cartesian-to-spherical transformation of pure shells (d to i): the real solid harmonics written on Qex's normalised
/// cartesian components, in the order m = 0, +1, -1, +2, -2, ... (Psi4's). Integrals are computed over the
/// cartesian twin of a basis and transformed, <c>M_sph = T M_cart T^T</c> (and per index for the 4-index integrals).
/// </summary>
internal static class SphericalTransform
{
    /// <summary>True when the basis has pure shells with L &gt;= 2.</summary>
    public static bool Needed(BasisSet basis) => basis.Shells.Any(s => s.Pure && s.AngularMomentum >= 2);

    /// <summary>The same shells, all cartesian (offsets recomputed).</summary>
    public static BasisSet CartesianTwin(BasisSet basis) => basis.WithCartesianShells();

    /// <summary>T (n_spherical x n_cartesian), row-major.</summary>
    public static double[] Matrix(BasisSet basis, BasisSet cartesian)
    {
        int ns = basis.FunctionCount, nc = cartesian.FunctionCount;
        var t = new double[ns * nc];
        for (int k = 0; k < basis.Shells.Count; k++)
        {
            var sh = basis.Shells[k];
            var ch = cartesian.Shells[k];
            var comps = OneElectronIntegrals.Components(sh.AngularMomentum);
            if (!sh.Pure || sh.AngularMomentum < 2)
            {
                for (int i = 0; i < sh.FunctionCount; i++) t[(sh.Offset + i) * nc + ch.Offset + i] = 1;
                continue;
            }
            var rows = Harmonics(sh.AngularMomentum);
            for (int r = 0; r < rows.Length; r++)
                foreach (var (a, b, c, coef) in rows[r])
                    t[(sh.Offset + r) * nc + ch.Offset + IndexOf(comps, a, b, c)] += coef / McMurchieDavidson.ComponentScale((a, b, c), sh.AngularMomentum);
        }
        return t;
    }

    /// <summary>
    /// The shell's functions in terms of its raw cartesian components (x^l y^m z^n with the x^L normalisation), row-major
    /// (functions x components): the component normalisation for cartesian shells, the solid-harmonic coefficients for pure ones.
    /// </summary>
    public static double[] ShellMatrix(Shell shell)
    {
        var comps = OneElectronIntegrals.Components(shell.AngularMomentum);
        int nc = comps.Length, nf = shell.FunctionCount;
        var m = new double[nf * nc];
        if (!shell.Pure || shell.AngularMomentum < 2)
        {
            for (int i = 0; i < nc; i++) m[i * nc + i] = McMurchieDavidson.ComponentScale(comps[i], shell.AngularMomentum);
            return m;
        }
        var rows = Harmonics(shell.AngularMomentum);
        for (int r = 0; r < rows.Length; r++)
            foreach (var (a, b, c, coef) in rows[r]) m[r * nc + IndexOf(comps, a, b, c)] += coef;
        return m;
    }

    /// <summary>The position of x^a y^b z^c among a shell's cartesian components.</summary>
    private static int IndexOf((int, int, int)[] components, int a, int b, int c)
    {
        for (int i = 0; i < components.Length; i++)
            if (components[i].Item1 == a && components[i].Item2 == b && components[i].Item3 == c) return i;
        throw new InvalidOperationException($"No cartesian component x^{a} y^{b} z^{c} in a shell of {components.Length}.");
    }

    /// <summary>The highest angular momentum of spherical shells (i); the cartesian integrals go as far.</summary>
    public const int MaxAngularMomentum = 6;

    // each L's table is built on first use (building all of them at every start cost 20 ms)
    private static readonly Lazy<(int, int, int, double)[][]>[] Tables = [.. Enumerable.Range(0, MaxAngularMomentum + 1).Select(l => new Lazy<(int, int, int, double)[][]>(() => BuildHarmonics(l)))];

    /// <summary>
    /// Real solid harmonics S_lm as (x power, y power, z power, coefficient) lists, m = 0, +1, -1, ..., +l, -l, on the
    /// raw monomials with the x^L normalisation (so S_l0 = z^l + ...): Helgaker, Jørgensen and Olsen, Molecular
    /// Electronic-Structure Theory, eqs. 6.4.47-6.4.50.
    /// </summary>
    internal static (int, int, int, double)[][] Harmonics(int l) => l >= 0 && l <= MaxAngularMomentum ? Tables[l].Value
        : throw new NotSupportedException($"Spherical shells with L = {l} are not supported (s to i are: L <= {MaxAngularMomentum}).");

    private static (int, int, int, double)[][] BuildHarmonics(int l)
    {
        var rows = new (int, int, int, double)[2 * l + 1][];
        // the coefficient of x^a y^b z^(l-a-b), indexed a (l + 1) + b
        var terms = new double[(l + 1) * (l + 1)];
        for (int r = 0; r < rows.Length; r++)
        {
            int m = r == 0 ? 0 : r % 2 == 1 ? (r + 1) / 2 : -(r / 2);   // 0, +1, -1, +2, -2, ...
            int am = Math.Abs(m);
            double norm = Math.Sqrt(2 * Factorial(l + am) * Factorial(l - am) / (m == 0 ? 2.0 : 1.0)) / (Math.Pow(2, am) * Factorial(l));
            // v runs over v_m, v_m + 1, ..., with v_m = 0 (m >= 0) or 1/2 (m < 0); twoV = 2v
            int twoVm = m < 0 ? 1 : 0;
            Array.Clear(terms);
            for (int t = 0; t <= (l - am) / 2; t++)
                for (int u = 0; u <= t; u++)
                    for (int twoV = twoVm; twoV <= am; twoV += 2)
                    {
                        int sign = (t + (twoV - twoVm) / 2) % 2 == 0 ? 1 : -1;
                        double c = sign * Math.Pow(0.25, t) * Binomial(l, t) * Binomial(l - t, am + t) * Binomial(t, u) * Binomial(am, twoV);
                        terms[(2 * t + am - 2 * u - twoV) * (l + 1) + 2 * u + twoV] += norm * c;
                    }
            // x powers descending, then y descending: the order of first appearance does not matter (rows are sums)
            int count = 0;
            foreach (double v in terms) if (v != 0) count++;
            var row = new (int, int, int, double)[count];
            int k = 0;
            for (int a = l; a >= 0; a--)
                for (int b = l - a; b >= 0; b--)
                    if (terms[a * (l + 1) + b] is var v && v != 0) row[k++] = (a, b, l - a - b, v);
            rows[r] = row;
        }
        return rows;
    }

    private static double Factorial(int n)
    {
        double r = 1;
        for (int k = 2; k <= n; k++) r *= k;
        return r;
    }

    private static double Binomial(int n, int k) => k < 0 || k > n ? 0 : Factorial(n) / (Factorial(k) * Factorial(n - k));

    /// <summary>A one-electron matrix of a basis with pure shells: built over the cartesian twin, then T M T^T.</summary>
    public static Qex.Core.Tensors.Tensor Apply(BasisSet basis, Func<BasisSet, Qex.Core.Tensors.Tensor> cartesianBuilder)
    {
        var cart = CartesianTwin(basis);
        var t = Matrix(basis, cart);
        int ns = basis.FunctionCount;
        return Qex.Core.Tensors.Tensor.Wrap(Transform2(t, cartesianBuilder(cart).ToArray(), ns, cart.FunctionCount), ns, ns);
    }

    /// <summary>T M T^T for a symmetric n_cart x n_cart matrix.</summary>
    public static double[] Transform2(double[] t, double[] m, int ns, int nc)
    {
        var tm = new double[ns * nc];
        for (int i = 0; i < ns; i++)
            for (int k = 0; k < nc; k++)
            {
                double tik = t[i * nc + k];
                if (tik == 0) continue;
                for (int j = 0; j < nc; j++) tm[i * nc + j] += tik * m[k * nc + j];
            }
        var r = new double[ns * ns];
        for (int i = 0; i < ns; i++)
            for (int j = 0; j < ns; j++)
            {
                double v = 0;
                for (int k = 0; k < nc; k++) v += tm[i * nc + k] * t[j * nc + k];
                r[i * ns + j] = v;
            }
        return r;
    }
}
