using Qex.Dft.Molecular.Basis;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// Cartesian-to-spherical transformation of pure shells (d, f): the real solid harmonics written on Qex's normalised
/// cartesian components, in the order m = 0, +1, -1, +2, -2, +3, -3 (Psi4's). Integrals are computed over the
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
                {
                    int idx = Array.IndexOf(comps, (a, b, c));
                    t[(sh.Offset + r) * nc + ch.Offset + idx] += coef / McMurchieDavidson.ComponentScale((a, b, c), sh.AngularMomentum);
                }
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
            foreach (var (a, b, c, coef) in rows[r]) m[r * nc + Array.IndexOf(comps, (a, b, c))] += coef;
        return m;
    }

    /// <summary>Real solid harmonics as (x power, y power, z power, coefficient) lists, normalised with the x^L normalisation.</summary>
    private static (int, int, int, double)[][] Harmonics(int l) => l switch
    {
        2 =>
        [
            [(0, 0, 2, 1.0), (2, 0, 0, -0.5), (0, 2, 0, -0.5)],
            [(1, 0, 1, Math.Sqrt(3))],
            [(0, 1, 1, Math.Sqrt(3))],
            [(2, 0, 0, Math.Sqrt(3) / 2), (0, 2, 0, -Math.Sqrt(3) / 2)],
            [(1, 1, 0, Math.Sqrt(3))],
        ],
        3 =>
        [
            [(0, 0, 3, 1.0), (2, 0, 1, -1.5), (0, 2, 1, -1.5)],
            [(1, 0, 2, 4 * Math.Sqrt(3.0 / 8)), (3, 0, 0, -Math.Sqrt(3.0 / 8)), (1, 2, 0, -Math.Sqrt(3.0 / 8))],
            [(0, 1, 2, 4 * Math.Sqrt(3.0 / 8)), (2, 1, 0, -Math.Sqrt(3.0 / 8)), (0, 3, 0, -Math.Sqrt(3.0 / 8))],
            [(2, 0, 1, Math.Sqrt(15) / 2), (0, 2, 1, -Math.Sqrt(15) / 2)],
            [(1, 1, 1, Math.Sqrt(15))],
            [(3, 0, 0, Math.Sqrt(5.0 / 8)), (1, 2, 0, -3 * Math.Sqrt(5.0 / 8))],
            [(2, 1, 0, 3 * Math.Sqrt(5.0 / 8)), (0, 3, 0, -Math.Sqrt(5.0 / 8))],
        ],
        _ => throw new NotSupportedException($"Spherical shells with L = {l} are not supported (d and f are)."),
    };

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
