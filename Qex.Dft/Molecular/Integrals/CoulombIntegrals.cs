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
        if (SphericalTransform.Needed(basis)) return SphericalTransform.Apply(basis, cart => NuclearAttraction(cart, molecule));
        int n = basis.FunctionCount;
        var m = new double[n * n];
        var shells = basis.Shells;
        Parallel.For(0, shells.Count, i =>
        {
            for (int j = 0; j <= i; j++)
            {
                var (sa, sb) = (shells[i], shells[j]);
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
                    {
                        double v = block[x, y] * McMurchieDavidson.ComponentScale(ca[x], sa.AngularMomentum) * McMurchieDavidson.ComponentScale(cb[y], sb.AngularMomentum);
                        m[(sa.Offset + x) * n + sb.Offset + y] = v;
                        m[(sb.Offset + y) * n + sa.Offset + x] = v;
                    }
            }
        });
        return Tensor.Wrap(m, n, n);
    }

    /// <summary>
    /// All electron-repulsion integrals (ab|cd) in chemists' notation as a dense n^4 array (index ((a n + b) n + c) n + d),
    /// each unique quartet computed once (8-fold permutational symmetry) and skipped when the Cauchy–Schwarz bound
    /// sqrt((ab|ab)(cd|cd)) is below <paramref name="screening"/>.
    /// </summary>
    public static double[] ElectronRepulsion(BasisSet basis, double screening = 1e-14)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if (SphericalTransform.Needed(basis))
        {
            var cart = SphericalTransform.CartesianTwin(basis);
            var t = SphericalTransform.Matrix(basis, cart);
            return SphericalTransform.Transform4(t, ElectronRepulsion(cart, screening), basis.FunctionCount, cart.FunctionCount);
        }
        int n = basis.FunctionCount;
        MemoryBound(n);
        var eri = new double[(long)n * n * n * n];
        var shells = basis.Shells;
        int ns = shells.Count;
        // Schwarz bounds per shell pair
        var bound = new double[ns, ns];
        for (int i = 0; i < ns; i++)
            for (int j = 0; j <= i; j++)
            {
                var q = ShellQuartet(shells[i], shells[j], shells[i], shells[j]);
                double mx = 0;
                foreach (double v in q) mx = Math.Max(mx, Math.Abs(v));
                bound[i, j] = bound[j, i] = Math.Sqrt(mx);
            }
        var pairs = new List<(int, int)>();
        for (int i = 0; i < ns; i++) for (int j = 0; j <= i; j++) pairs.Add((i, j));
        Parallel.For(0, pairs.Count, pi =>
        {
            var (i, j) = pairs[pi];
            for (int qi = 0; qi <= pi; qi++)
            {
                var (k, l) = pairs[qi];
                if (bound[i, j] * bound[k, l] < screening) continue;
                var block = ShellQuartet(shells[i], shells[j], shells[k], shells[l]);
                int di = shells[i].FunctionCount, dj = shells[j].FunctionCount, dk = shells[k].FunctionCount, dl = shells[l].FunctionCount;
                for (int a = 0; a < di; a++)
                    for (int b = 0; b < dj; b++)
                        for (int c = 0; c < dk; c++)
                            for (int d = 0; d < dl; d++)
                            {
                                double v = block[((a * dj + b) * dk + c) * dl + d];
                                long A = shells[i].Offset + a, B = shells[j].Offset + b, C = shells[k].Offset + c, D = shells[l].Offset + d;
                                eri[((A * n + B) * n + C) * n + D] = v; eri[((B * n + A) * n + C) * n + D] = v;
                                eri[((A * n + B) * n + D) * n + C] = v; eri[((B * n + A) * n + D) * n + C] = v;
                                eri[((C * n + D) * n + A) * n + B] = v; eri[((D * n + C) * n + A) * n + B] = v;
                                eri[((C * n + D) * n + B) * n + A] = v; eri[((D * n + C) * n + B) * n + A] = v;
                            }
            }
        });
        return eri;
    }

    private static void MemoryBound(int n)
    {
        double bytes = Math.Pow(n, 4) * 8;
        if (Math.Pow(n, 4) > Array.MaxLength || bytes > 0.5 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
            throw new InsufficientMemoryException($"Stored integrals for {n} basis functions need {bytes / (1 << 30):F1} GiB; that basis needs the direct (integral-direct) mode.");
    }

    /// <summary>(ab|cd) for all components of four shells, index ((a dj + b) dk + c) dl + d, normalised components.</summary>
    private static double[] ShellQuartet(Shell s1, Shell s2, Shell s3, Shell s4)
    {
        var c1 = OneElectronIntegrals.Components(s1.AngularMomentum);
        var c2 = OneElectronIntegrals.Components(s2.AngularMomentum);
        var c3 = OneElectronIntegrals.Components(s3.AngularMomentum);
        var c4 = OneElectronIntegrals.Components(s4.AngularMomentum);
        var result = new double[c1.Length * c2.Length * c3.Length * c4.Length];
        int l12 = s1.AngularMomentum + s2.AngularMomentum, l34 = s3.AngularMomentum + s4.AngularMomentum;
        for (int p1 = 0; p1 < s1.Exponents.Length; p1++)
            for (int p2 = 0; p2 < s2.Exponents.Length; p2++)
            {
                double a = s1.Exponents[p1], b = s2.Exponents[p2], p = a + b;
                var e1 = new double[3][,,];
                var pc = new double[3];
                for (int d = 0; d < 3; d++)
                {
                    e1[d] = McMurchieDavidson.Hermite(s1.AngularMomentum, s2.AngularMomentum, a, b, s1.Center[d], s2.Center[d]);
                    pc[d] = (a * s1.Center[d] + b * s2.Center[d]) / p;
                }
                for (int p3 = 0; p3 < s3.Exponents.Length; p3++)
                    for (int p4 = 0; p4 < s4.Exponents.Length; p4++)
                    {
                        double c = s3.Exponents[p3], dd = s4.Exponents[p4], q = c + dd, alpha = p * q / (p + q);
                        var e2 = new double[3][,,];
                        var qc = new double[3];
                        for (int d = 0; d < 3; d++)
                        {
                            e2[d] = McMurchieDavidson.Hermite(s3.AngularMomentum, s4.AngularMomentum, c, dd, s3.Center[d], s4.Center[d]);
                            qc[d] = (c * s3.Center[d] + dd * s4.Center[d]) / q;
                        }
                        var r = McMurchieDavidson.Coulomb(l12 + l34, alpha, pc[0] - qc[0], pc[1] - qc[1], pc[2] - qc[2]);
                        double pref = 2 * Math.Pow(Math.PI, 2.5) / (p * q * Math.Sqrt(p + q))
                            * s1.Coefficients[p1] * s2.Coefficients[p2] * s3.Coefficients[p3] * s4.Coefficients[p4];
                        int idx = 0;
                        foreach (var (x1, y1, z1) in c1)
                            foreach (var (x2, y2, z2) in c2)
                                foreach (var (x3, y3, z3) in c3)
                                    foreach (var (x4, y4, z4) in c4)
                                    {
                                        double s = 0;
                                        for (int t = 0; t <= x1 + x2; t++)
                                            for (int u = 0; u <= y1 + y2; u++)
                                                for (int v = 0; v <= z1 + z2; v++)
                                                {
                                                    double ebra = e1[0][x1, x2, t] * e1[1][y1, y2, u] * e1[2][z1, z2, v];
                                                    if (ebra == 0) continue;
                                                    double ket = 0;
                                                    for (int tau = 0; tau <= x3 + x4; tau++)
                                                        for (int nu = 0; nu <= y3 + y4; nu++)
                                                            for (int phi = 0; phi <= z3 + z4; phi++)
                                                            {
                                                                double sign = ((tau + nu + phi) & 1) == 0 ? 1 : -1;
                                                                ket += sign * e2[0][x3, x4, tau] * e2[1][y3, y4, nu] * e2[2][z3, z4, phi] * r[t + tau, u + nu, v + phi];
                                                            }
                                                    s += ebra * ket;
                                                }
                                        result[idx++] += pref * s;
                                    }
                    }
            }
        int n1 = c1.Length, n2 = c2.Length, n3 = c3.Length, n4 = c4.Length;
        for (int i = 0; i < n1; i++)
            for (int j = 0; j < n2; j++)
                for (int k = 0; k < n3; k++)
                    for (int l = 0; l < n4; l++)
                        result[((i * n2 + j) * n3 + k) * n4 + l] *= McMurchieDavidson.ComponentScale(c1[i], s1.AngularMomentum) * McMurchieDavidson.ComponentScale(c2[j], s2.AngularMomentum)
                            * McMurchieDavidson.ComponentScale(c3[k], s3.AngularMomentum) * McMurchieDavidson.ComponentScale(c4[l], s4.AngularMomentum);
        return result;
    }
}
