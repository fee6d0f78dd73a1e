using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;

namespace Qex.Dft.Molecular.Integrals;

/// <summary>
/// Nuclear-attraction and electron-repulsion integrals over contracted cartesian Gaussians (McMurchie–Davidson),
/// with the component order and normalisation of <see cref="OneElectronIntegrals"/>.
/// </summary>
public static class CoulombIntegrals
{
    /// <summary>The core Hamiltonian H = T + V (n x n).</summary>
    public static Tensor CoreHamiltonian(BasisSet basis, Molecule molecule) =>
        TensorMath.Binary(BinaryOp.Add, OneElectronIntegrals.Kinetic(basis), NuclearAttraction(basis, molecule));

    /// <summary>V = sum_C &lt;a| -Z_C / |r - C| |b&gt; (n x n).</summary>
    public static Tensor NuclearAttraction(BasisSet basis, Molecule molecule)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(molecule);
        return OneElectronIntegrals.Assemble(basis, (sa, sb) =>
        {
            var ca = OneElectronIntegrals.Components(sa.AngularMomentum);
            var cb = OneElectronIntegrals.Components(sb.AngularMomentum);
            var block = new double[ca.Length, cb.Length];
            int lsum = sa.AngularMomentum + sb.AngularMomentum;
            for (int p = 0; p < sa.Exponents.Length; p++)
                for (int q = 0; q < sb.Exponents.Length; q++)
                {
                    double a = sa.Exponents[p], b = sb.Exponents[q], pp = a + b;
                    var ex = McMurchieDavidson.Hermite(sa.AngularMomentum, sb.AngularMomentum, a, b, sa.Center[0], sb.Center[0]);
                    var ey = McMurchieDavidson.Hermite(sa.AngularMomentum, sb.AngularMomentum, a, b, sa.Center[1], sb.Center[1]);
                    var ez = McMurchieDavidson.Hermite(sa.AngularMomentum, sb.AngularMomentum, a, b, sa.Center[2], sb.Center[2]);
                    double[] pc = [(a * sa.Center[0] + b * sb.Center[0]) / pp, (a * sa.Center[1] + b * sb.Center[1]) / pp, (a * sa.Center[2] + b * sb.Center[2]) / pp];
                    double pref = 2 * Math.PI / pp * sa.Coefficients[p] * sb.Coefficients[q];
                    foreach (var atom in molecule.Atoms)
                    {
                        var r = McMurchieDavidson.Coulomb(lsum, pp, pc[0] - atom.X, pc[1] - atom.Y, pc[2] - atom.Z);
                        for (int x = 0; x < ca.Length; x++)
                            for (int y = 0; y < cb.Length; y++)
                            {
                                var (l1, m1, n1) = ca[x];
                                var (l2, m2, n2) = cb[y];
                                double s = 0;
                                for (int t = 0; t <= l1 + l2; t++)
                                    for (int u = 0; u <= m1 + m2; u++)
                                        for (int v = 0; v <= n1 + n2; v++)
                                            s += ex[l1, l2, t] * ey[m1, m2, u] * ez[n1, n2, v] * r[t, u, v];
                                block[x, y] -= atom.AtomicNumber * pref * s;
                            }
                    }
                }
            for (int x = 0; x < ca.Length; x++)
                for (int y = 0; y < cb.Length; y++)
                    block[x, y] *= McMurchieDavidson.ComponentScale(ca[x], sa.AngularMomentum) * McMurchieDavidson.ComponentScale(cb[y], sb.AngularMomentum);
            return block;
        });
    }

    /// <summary>
    /// All electron-repulsion integrals (ab|cd) in chemists' notation as a dense n^4 array (index ((a n + b) n + c) n + d),
    /// each unique quartet computed once (8-fold permutational symmetry) and skipped when the Cauchy–Schwarz bound
    /// sqrt((ab|ab)(cd|cd)) is below <paramref name="screening"/>. For small bases (correlated methods, tests); the SCF
    /// uses <see cref="ElectronRepulsionEngine"/> blocks or the direct mode.
    /// </summary>
    public static double[] ElectronRepulsion(BasisSet basis, double screening = 1e-14) => new ElectronRepulsionEngine(basis, screening).Dense();
}
