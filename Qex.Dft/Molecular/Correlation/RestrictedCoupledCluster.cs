using Qex.Core.LinearAlgebra;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>
/// Closed-shell (spin-adapted) CCSD in spatial orbitals, in the intermediates of Hirata et al. (J. Chem. Phys. 120,
/// 2581, 2004), with amplitude DIIS, and the closed-shell (T) correction (Rendell, Lee and Komornicki, J. Chem. Phys.
/// 94, 442, 1991). It stores (ab|cd) over the virtual orbitals once (v^4), a sixteenth of the spin-orbital code's
/// antisymmetrised virtual block, so it reaches molecules the spin-orbital code cannot; the spin-orbital
/// <see cref="CoupledCluster"/> stays as the independent check.
/// </summary>
public static class RestrictedCoupledCluster
{
    /// <summary>CCSD and (T) for <paramref name="occupied"/> doubly occupied canonical RHF orbitals.</summary>
    /// <exception cref="InvalidOperationException">CCSD does not converge.</exception>
    public static CoupledClusterResult Run(MolecularOrbitalIntegrals mo, int occupied, double tolerance = 1e-10, int maxIterations = 200, bool triples = true)
    {
        ArgumentNullException.ThrowIfNull(mo);
        int n = mo.Orbitals, o = occupied, v = n - o;
        if (o < 1 || v < 1) throw new ArgumentException($"CCSD needs occupied and virtual orbitals; got {o} of {n} occupied.");
        // Fock matrix in the MO basis and the integral blocks (chemists' notation)
        var f = new double[n * n];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++)
            {
                double val = mo.OneElectron[p * n + q];
                for (int k = 0; k < o; k++) val += 2 * mo.Eri(p, q, k, k) - mo.Eri(p, k, k, q);
                f[p * n + q] = val;
            }
        double eref = mo.NuclearRepulsion;
        for (int i = 0; i < o; i++) eref += mo.OneElectron[i * n + i] + f[i * n + i];
        var eo = new double[o];
        var ev = new double[v];
        for (int i = 0; i < o; i++) eo[i] = f[i * n + i];
        for (int a = 0; a < v; a++) ev[a] = f[(o + a) * n + o + a];
        var ovov = Block(mo, o, v, o, v, 0, o, 0, o);   // (ia|jb)
        var ovoo = Block(mo, o, v, o, o, 0, o, 0, 0);   // (ia|jk)
        var ovvv = Block(mo, o, v, v, v, 0, o, o, o);   // (ia|bc)
        var oooo = Block(mo, o, o, o, o, 0, 0, 0, 0);   // (ij|kl)
        var ovvo = Block(mo, o, v, v, o, 0, o, o, 0);   // (ia|bj)
        var oovv = Block(mo, o, o, v, v, 0, 0, o, o);   // (ij|ab)
        var vvvv = Block(mo, v, v, v, v, o, o, o, o);   // (ab|cd)
        int I4(int d1, int d2, int d3, int x0, int x1, int x2, int x3) => ((x0 * d1 + x1) * d2 + x2) * d3 + x3;
        double OVOV(int i, int a, int j, int b) => ovov[I4(v, o, v, i, a, j, b)];
        double OVOO(int i, int a, int j, int k) => ovoo[I4(v, o, o, i, a, j, k)];
        double OVVV(int i, int a, int b, int c) => ovvv[I4(v, v, v, i, a, b, c)];
        double OVVO(int i, int a, int b, int j) => ovvo[I4(v, v, o, i, a, b, j)];
        double OOVV(int i, int j, int a, int b) => oovv[I4(o, v, v, i, j, a, b)];
        double F(int p, int q) => f[p * n + q];
        int T2(int i, int j, int a, int b) => ((i * o + j) * v + a) * v + b;

        var t1 = new double[o * v];
        var t2 = new double[o * o * v * v];
        for (int i = 0; i < o; i++) for (int a = 0; a < v; a++) t1[i * v + a] = F(i, o + a) / (eo[i] - ev[a]);
        for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
            t2[T2(i, j, a, b)] = OVOV(i, a, j, b) / (eo[i] + eo[j] - ev[a] - ev[b]);
        double ecc = Energy(t1, t2), last = double.NaN;
        var history = new List<(double[] T, double[] Step)>();
        int it = 0;
        for (; it < maxIterations; it++)
        {
            var (u1, u2) = Update(t1, t2);
            var now = new double[u1.Length + u2.Length];
            u1.CopyTo(now, 0);
            u2.CopyTo(now, u1.Length);
            var step = new double[now.Length];
            for (int k = 0; k < t1.Length; k++) step[k] = u1[k] - t1[k];
            for (int k = 0; k < t2.Length; k++) step[t1.Length + k] = u2[k] - t2[k];
            history.Add((now, step));
            if (history.Count > 8) history.RemoveAt(0);
            var next = history.Count >= 3 ? CoupledCluster.Extrapolate(history) : now;
            t1 = next[..t1.Length];
            t2 = next[t1.Length..];
            last = ecc;
            ecc = Energy(t1, t2);
            if (Math.Abs(ecc - last) < tolerance && step.Max(Math.Abs) < Math.Sqrt(tolerance)) break;
        }
        if (it == maxIterations) throw new InvalidOperationException($"CCSD did not converge in {maxIterations} iterations (last energy change {ecc - last:E2}).");
        double et = triples ? Triples(t1, t2) : 0;
        return new CoupledClusterResult(eref, eref + ecc, et, it + 1);

        double Energy(double[] s1, double[] s2)
        {
            double e = 0;
            for (int i = 0; i < o; i++) for (int a = 0; a < v; a++) e += 2 * F(i, o + a) * s1[i * v + a];
            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                e += (s2[T2(i, j, a, b)] + s1[i * v + a] * s1[j * v + b]) * (2 * OVOV(i, a, j, b) - OVOV(i, b, j, a));
            return e;
        }

        (double[], double[]) Update(double[] s1, double[] s2)
        {
            double T1(int i, int a) => s1[i * v + a];
            double Tt(int i, int j, int a, int b) => s2[T2(i, j, a, b)];
            double Tau(int i, int j, int a, int b) => s2[T2(i, j, a, b)] + s1[i * v + a] * s1[j * v + b];
            // one-body intermediates
            var foo = new double[o * o];
            var fvv = new double[v * v];
            var fov = new double[o * v];
            for (int k = 0; k < o; k++)
                for (int i = 0; i < o; i++)
                {
                    double val = F(k, i);
                    for (int l = 0; l < o; l++) for (int c = 0; c < v; c++) for (int d = 0; d < v; d++)
                        val += (2 * OVOV(k, c, l, d) - OVOV(k, d, l, c)) * (Tt(i, l, c, d) + T1(i, c) * T1(l, d));
                    foo[k * o + i] = val;
                }
            for (int a = 0; a < v; a++)
                for (int c = 0; c < v; c++)
                {
                    double val = F(o + a, o + c);
                    for (int k = 0; k < o; k++) for (int l = 0; l < o; l++) for (int d = 0; d < v; d++)
                        val -= (2 * OVOV(k, c, l, d) - OVOV(k, d, l, c)) * (Tt(k, l, a, d) + T1(k, a) * T1(l, d));
                    fvv[a * v + c] = val;
                }
            for (int k = 0; k < o; k++)
                for (int c = 0; c < v; c++)
                {
                    double val = F(k, o + c);
                    for (int l = 0; l < o; l++) for (int d = 0; d < v; d++) val += (2 * OVOV(k, c, l, d) - OVOV(k, d, l, c)) * T1(l, d);
                    fov[k * v + c] = val;
                }
            var loo = new double[o * o];
            var lvv = new double[v * v];
            for (int k = 0; k < o; k++)
                for (int i = 0; i < o; i++)
                {
                    double val = foo[k * o + i];
                    for (int c = 0; c < v; c++) val += F(k, o + c) * T1(i, c);
                    for (int l = 0; l < o; l++) for (int c = 0; c < v; c++) val += (2 * OVOO(l, c, k, i) - OVOO(k, c, l, i)) * T1(l, c);
                    loo[k * o + i] = val - (k == i ? eo[i] : 0);
                }
            for (int a = 0; a < v; a++)
                for (int c = 0; c < v; c++)
                {
                    double val = fvv[a * v + c];
                    for (int k = 0; k < o; k++) val -= F(k, o + c) * T1(k, a);
                    for (int k = 0; k < o; k++) for (int d = 0; d < v; d++) val += (2 * OVVV(k, d, a, c) - OVVV(k, c, a, d)) * T1(k, d);
                    lvv[a * v + c] = val - (a == c ? ev[a] : 0);
                }
            for (int i = 0; i < o; i++) foo[i * o + i] -= eo[i];
            for (int a = 0; a < v; a++) fvv[a * v + a] -= ev[a];

            // T1
            var n1 = new double[o * v];
            Parallel.For(0, o, i =>
            {
                for (int a = 0; a < v; a++)
                {
                    double val = F(i, o + a);
                    for (int c = 0; c < v; c++) val += fvv[a * v + c] * T1(i, c);
                    for (int k = 0; k < o; k++) val -= foo[k * o + i] * T1(k, a);
                    for (int k = 0; k < o; k++)
                        for (int c = 0; c < v; c++)
                        {
                            double fkc = F(k, o + c), fovkc = fov[k * v + c];
                            val += -2 * fkc * T1(k, a) * T1(i, c);
                            val += 2 * fovkc * Tt(k, i, c, a) - fovkc * Tt(i, k, c, a) + fovkc * T1(i, c) * T1(k, a);
                            val += 2 * OVVO(k, c, a, i) * T1(k, c) - OOVV(k, i, a, c) * T1(k, c);
                            for (int d = 0; d < v; d++)
                                val += (2 * OVVV(k, d, a, c) - OVVV(k, c, a, d)) * (Tt(i, k, c, d) + T1(k, d) * T1(i, c));
                            for (int l = 0; l < o; l++)
                                val += (-2 * OVOO(l, c, k, i) + OVOO(k, c, l, i)) * (Tt(k, l, a, c) + T1(l, c) * T1(k, a));
                        }
                    n1[i * v + a] = val / (eo[i] - ev[a]);
                }
            });

            // two-body intermediates
            var woooo = new double[o * o * o * o];
            for (int k = 0; k < o; k++) for (int l = 0; l < o; l++) for (int i = 0; i < o; i++) for (int j = 0; j < o; j++)
            {
                double val = oooo[I4(o, o, o, k, i, l, j)];
                for (int c = 0; c < v; c++) val += OVOO(l, c, k, i) * T1(j, c) + OVOO(k, c, l, j) * T1(i, c);
                for (int c = 0; c < v; c++) for (int d = 0; d < v; d++) val += OVOV(k, c, l, d) * Tau(i, j, c, d);
                woooo[((k * o + l) * o + i) * o + j] = val;
            }
            var wvvvv = new double[v * v * v * v];
            Parallel.For(0, v, a =>
            {
                for (int b = 0; b < v; b++) for (int c = 0; c < v; c++) for (int d = 0; d < v; d++)
                {
                    double val = vvvv[I4(v, v, v, a, c, b, d)];
                    for (int k = 0; k < o; k++) val -= OVVV(k, d, a, c) * T1(k, b) + OVVV(k, c, b, d) * T1(k, a);
                    wvvvv[((a * v + b) * v + c) * v + d] = val;
                }
            });
            var wvoov = new double[v * o * o * v];
            var wvovo = new double[v * o * v * o];
            Parallel.For(0, v, a =>
            {
                for (int k = 0; k < o; k++) for (int i = 0; i < o; i++) for (int c = 0; c < v; c++)
                {
                    double w1 = OVVO(k, c, a, i), w2 = OOVV(k, i, a, c);
                    for (int d = 0; d < v; d++) { w1 += OVVV(k, c, a, d) * T1(i, d); w2 += OVVV(k, d, a, c) * T1(i, d); }
                    for (int l = 0; l < o; l++) { w1 -= OVOO(k, c, l, i) * T1(l, a); w2 -= OVOO(l, c, k, i) * T1(l, a); }
                    for (int l = 0; l < o; l++)
                        for (int d = 0; d < v; d++)
                        {
                            double ldkc = OVOV(l, d, k, c), lckd = OVOV(l, c, k, d);
                            w1 += -0.5 * ldkc * Tt(i, l, d, a) - 0.5 * lckd * Tt(i, l, a, d) - ldkc * T1(i, d) * T1(l, a) + ldkc * Tt(i, l, a, d);
                            w2 += -0.5 * lckd * Tt(i, l, d, a) - lckd * T1(i, d) * T1(l, a);
                        }
                    wvoov[((a * o + k) * o + i) * v + c] = w1;
                    wvovo[((a * o + k) * v + c) * o + i] = w2;
                }
            });
            double WVOOV(int a, int k, int i, int c) => wvoov[((a * o + k) * o + i) * v + c];
            double WVOVO(int a, int k, int c, int i) => wvovo[((a * o + k) * v + c) * o + i];

            // T2: the particle ladder sum_cd W_abcd tau_ij^cd as one product
            var tau = new double[o * o * v * v];
            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++) tau[T2(i, j, a, b)] = Tau(i, j, a, b);
            var ladder = new double[o * o * v * v];
            Gemm.Multiply(false, true, o * o, v * v, v * v, 1, tau, v * v, wvvvv, v * v, 0, ladder, v * v);
            // the terms symmetrised as X[ijab] + X[jiba]
            var x = new double[o * o * v * v];
            Parallel.For(0, o, i =>
            {
                for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                {
                    double val = 0;
                    for (int c = 0; c < v; c++)
                    {
                        double tmp2 = OVVV(i, a, c, b);
                        for (int k = 0; k < o; k++) tmp2 -= OOVV(k, i, b, c) * T1(k, a);
                        val += tmp2 * T1(j, c);
                        val += lvv[a * v + c] * Tt(i, j, c, b);
                    }
                    for (int k = 0; k < o; k++)
                    {
                        double tmp2 = OVOO(i, a, j, k);
                        for (int c = 0; c < v; c++) tmp2 += OVVO(k, c, a, i) * T1(j, c);
                        val -= tmp2 * T1(k, b);
                        val -= loo[k * o + i] * Tt(k, j, a, b);
                        for (int c = 0; c < v; c++)
                            val += (2 * WVOOV(a, k, i, c) - WVOVO(a, k, c, i)) * Tt(k, j, c, b)
                                - WVOOV(a, k, i, c) * Tt(k, j, b, c) - WVOVO(b, k, c, i) * Tt(k, j, a, c);
                    }
                    x[T2(i, j, a, b)] = val;
                }
            });
            var n2 = new double[o * o * v * v];
            Parallel.For(0, o, i =>
            {
                for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                {
                    double val = OVOV(i, a, j, b) + x[T2(i, j, a, b)] + x[T2(j, i, b, a)] + ladder[T2(i, j, a, b)];
                    for (int k = 0; k < o; k++) for (int l = 0; l < o; l++) val += woooo[((k * o + l) * o + i) * o + j] * Tau(k, l, a, b);
                    n2[T2(i, j, a, b)] = val / (eo[i] + eo[j] - ev[a] - ev[b]);
                }
            });
            return (n1, n2);
        }

        double Triples(double[] s1, double[] s2)
        {
            // E(T) = 2 sum_abc sum_ijk W_abc(ijk) [r3(w_abc + v_abc / 2)](ijk) / D_abc(ijk), with the connected
            // w_abc(ijk) = sum_f (ia|fb) t_kj^cf - sum_m (ia|mj) t_mk^bc, the full W_abc = sum over the six joint
            // permutations of (abc) and (ijk) of w, the disconnected v_abc(ijk) = (ia|jb) t_k^c + t_ij^ab f_ck, and
            // r3(w) = 4 w_ijk + w_kij + w_jki - 2 w_kji - 2 w_ikj - 2 w_jik
            int o3 = o * o * o;
            double total = 0;
            var lockObj = new object();
            Parallel.For(0, v, () => 0.0, (a, _, acc) =>
            {
                var w = new double[6][];
                for (int p = 0; p < 6; p++) w[p] = new double[o3];
                var z = new double[o3];
                for (int b = 0; b < v; b++)
                    for (int c = 0; c < v; c++)
                    {
                        // w for the six orderings: abc, acb, bac, bca, cab, cba
                        Connected(a, b, c, w[0]); Connected(a, c, b, w[1]); Connected(b, a, c, w[2]);
                        Connected(b, c, a, w[3]); Connected(c, a, b, w[4]); Connected(c, b, a, w[5]);
                        for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++)
                        {
                            double vv = OVOV(i, a, j, b) * s1[k * v + c] + s2[T2(i, j, a, b)] * F(o + c, k);
                            z[(i * o + j) * o + k] = w[0][(i * o + j) * o + k] + 0.5 * vv;
                        }
                        for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++)
                        {
                            int ijk = (i * o + j) * o + k;
                            double full = w[0][ijk] + w[1][(i * o + k) * o + j] + w[2][(j * o + i) * o + k]
                                + w[3][(j * o + k) * o + i] + w[4][(k * o + i) * o + j] + w[5][(k * o + j) * o + i];
                            double r = 4 * z[ijk] + z[(k * o + i) * o + j] + z[(j * o + k) * o + i]
                                - 2 * z[(k * o + j) * o + i] - 2 * z[(i * o + k) * o + j] - 2 * z[(j * o + i) * o + k];
                            acc += full * r / (eo[i] + eo[j] + eo[k] - ev[a] - ev[b] - ev[c]);
                        }
                    }
                return acc;
            }, acc => { lock (lockObj) total += acc; });
            return 2 * total;

            void Connected(int a, int b, int c, double[] w)
            {
                for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++)
                {
                    double val = 0;
                    for (int ff = 0; ff < v; ff++) val += OVVV(i, a, ff, b) * s2[T2(k, j, c, ff)];
                    for (int m = 0; m < o; m++) val -= OVOO(i, a, m, j) * s2[T2(m, k, b, c)];
                    w[(i * o + j) * o + k] = val;
                }
            }
        }
    }

    /// <summary>The block (pq|rs) with p, q, r, s running over d0 .. d3 orbitals from offsets o0 .. o3, dense.</summary>
    private static double[] Block(MolecularOrbitalIntegrals mo, int d0, int d1, int d2, int d3, int o0, int o1, int o2, int o3)
    {
        var r = new double[(long)d0 * d1 * d2 * d3];
        Parallel.For(0, d0, p =>
        {
            for (int q = 0; q < d1; q++) for (int s = 0; s < d2; s++) for (int t = 0; t < d3; t++)
                r[((p * d1 + q) * d2 + s) * d3 + t] = mo.Eri(o0 + p, o1 + q, o2 + s, o3 + t);
        });
        return r;
    }
}
