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
    /// <exception cref="ConvergenceException">CCSD does not converge.</exception>
    /// <param name="mo">MO integrals over canonical RHF orbitals.</param>
    /// <param name="occupied">Doubly occupied orbitals.</param>
    /// <param name="tolerance">Convergence of the CCSD energy (the amplitude steps to its square root).</param>
    /// <param name="maxIterations">CCSD iterations before giving up.</param>
    /// <param name="triples">Whether to add (T).</param>
    /// <param name="progress">Receives a line per CCSD iteration, for long runs.</param>
    public static CoupledClusterResult Run(MolecularOrbitalIntegrals mo, int occupied, double tolerance = 1e-10, int maxIterations = 200, bool triples = true,
        Action<string>? progress = null)
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
        // the same integrals laid out as matrices for the contractions done by matrix products
        int ovn = o * v, vvn = v * v;
        var ovovKlCd = new double[o * o * vvn];       // [(k l), (c d)] = (kc|ld)
        var g1 = new double[ovn * ovn];                // [(l d), (k c)] = (ld|kc)
        var g2 = new double[ovn * ovn];                // [(l d), (k c)] = (lc|kd)
        for (int k = 0; k < o; k++) for (int c = 0; c < v; c++) for (int l = 0; l < o; l++) for (int d = 0; d < v; d++)
        {
            ovovKlCd[(k * o + l) * vvn + c * v + d] = OVOV(k, c, l, d);
            g1[(l * v + d) * ovn + k * v + c] = OVOV(l, d, k, c);
            g2[(l * v + d) * ovn + k * v + c] = OVOV(l, c, k, d);
        }
        var ovvvKcbd = new double[o * v * vvn];       // [k, (b c d)] = (kc|bd)
        var ovvvKadc = new double[v * o * vvn];       // [a][k, (c d)] = (kd|ac)
        for (int k = 0; k < o; k++) for (int b = 0; b < v; b++) for (int c = 0; c < v; c++) for (int d = 0; d < v; d++)
        {
            ovvvKcbd[((k * v + b) * v + c) * v + d] = OVVV(k, c, b, d);
            ovvvKadc[((b * o + k) * v + c) * v + d] = OVVV(k, d, b, c);
        }

        // buffers of the iteration, allocated once (each iteration overwrites them), so that the large-object heap does
        // not fill with one set per iteration
        int ovS = o * v, ooS = o * o, vvS = v * v;
        var bufTau = new double[ooS * vvS];
        var bufWvvvv = new double[vvS * vvS];
        var bufA1 = new double[ovS * ovS];
        var bufA2 = new double[ovS * ovS];
        var bufA3 = new double[ovS * ovS];
        var bufWa = new double[ovS * ovS];
        var bufWb = new double[ovS * ovS];
        var bufN2 = new double[ooS * vvS];
        var bufTkcjb = new double[ovS * ovS];
        var bufTkcjbSwap = new double[ovS * ovS];
        var bufWring = new double[ovS * ovS];
        var bufRing = new double[ovS * ovS];
        var bufRingB = new double[ovS * ovS];
        var bufTmpV = new double[v * v * o * v];
        var bufX = new double[ooS * vvS];
        var t1 = new double[o * v];
        var t2 = new double[o * o * v * v];
        for (int i = 0; i < o; i++) for (int a = 0; a < v; a++) t1[i * v + a] = F(i, o + a) / (eo[i] - ev[a]);
        for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
            t2[T2(i, j, a, b)] = OVOV(i, a, j, b) / (eo[i] + eo[j] - ev[a] - ev[b]);
        (t1, t2, double ecc, int iterations) = AmplitudeSolver.Solve(t1, t2, Update, Energy, tolerance, maxIterations, progress);
        double et = triples ? Triples(t1, t2) : 0;
        return new CoupledClusterResult(eref, eref + ecc, et, iterations);

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

            // two-body intermediates; every o^2 v^4, o^3 v^3 and o^4 v^2 contraction is a matrix product
            int ov = o * v, oo = o * o, vv = v * v;
            var tau = bufTau;
            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++) tau[T2(i, j, a, b)] = Tau(i, j, a, b);
            // W_klij = (ki|lj) + P t1 (lc|ki) + (kc|ld) tau_ij^cd
            var woooo = new double[oo * oo];
            Gemm.Multiply(false, true, oo, oo, vv, 1, ovovKlCd, vv, tau, vv, 0, woooo, oo);
            for (int k = 0; k < o; k++) for (int l = 0; l < o; l++) for (int i = 0; i < o; i++) for (int j = 0; j < o; j++)
            {
                double val = oooo[I4(o, o, o, k, i, l, j)];
                for (int c = 0; c < v; c++) val += OVOO(l, c, k, i) * T1(j, c) + OVOO(k, c, l, j) * T1(i, c);
                woooo[((k * o + l) * o + i) * o + j] += val;
            }
            // W_abcd = (ac|bd) - t_k^b (kd|ac) - t_k^a (kc|bd)
            var wvvvv = bufWvvvv;
            Gemm.Multiply(true, false, v, v * vv, o, -1, s1, v, ovvvKcbd, v * vv, 0, wvvvv, v * vv);
            Parallel.For(0, v, a =>
            {
                var y = new double[v * vv];
                Gemm.Multiply(true, false, v, vv, o, 1, s1, v, ovvvKadc.AsSpan(a * o * vv, o * vv), vv, 0, y, vv, maxThreads: 1);
                for (int b = 0; b < v; b++) for (int c = 0; c < v; c++) for (int d = 0; d < v; d++)
                    wvvvv[((a * v + b) * v + c) * v + d] += vvvv[I4(v, v, v, a, c, b, d)] - y[(b * v + c) * v + d];
            });
            // W_akic and W_akci as (ia) x (kc) matrices
            var a1 = bufA1;
            var a2 = bufA2;
            var a3 = bufA3;
            for (int i = 0; i < o; i++) for (int a = 0; a < v; a++) for (int l = 0; l < o; l++) for (int d = 0; d < v; d++)
            {
                int r = (i * v + a) * ov + l * v + d;
                a1[r] = Tt(i, l, a, d) - 0.5 * Tt(i, l, d, a) - T1(i, d) * T1(l, a);
                a2[r] = -0.5 * Tt(i, l, a, d);
                a3[r] = -0.5 * Tt(i, l, d, a) - T1(i, d) * T1(l, a);
            }
            var wa = bufWa;
            var wb = bufWb;
            Gemm.Multiply(false, false, ov, ov, ov, 1, a1, ov, g1, ov, 0, wa, ov);
            Gemm.Multiply(false, false, ov, ov, ov, 1, a2, ov, g2, ov, 1, wa, ov);
            Gemm.Multiply(false, false, ov, ov, ov, 1, a3, ov, g2, ov, 0, wb, ov);
            Parallel.For(0, o, i =>
            {
                for (int a = 0; a < v; a++) for (int k = 0; k < o; k++) for (int c = 0; c < v; c++)
                {
                    double w1 = OVVO(k, c, a, i), w2 = OOVV(k, i, a, c);
                    for (int d = 0; d < v; d++) { w1 += OVVV(k, c, a, d) * T1(i, d); w2 += OVVV(k, d, a, c) * T1(i, d); }
                    for (int l = 0; l < o; l++) { w1 -= OVOO(k, c, l, i) * T1(l, a); w2 -= OVOO(l, c, k, i) * T1(l, a); }
                    int r = (i * v + a) * ov + k * v + c;
                    wa[r] += w1;
                    wb[r] += w2;
                }
            });

            // T2: particle ladder sum_cd W_abcd tau_ij^cd, hole ladder sum_kl W_klij tau_kl^ab
            var n2 = bufN2;
            Gemm.Multiply(false, true, oo, vv, vv, 1, tau, vv, wvvvv, vv, 0, n2, vv);
            Gemm.Multiply(true, false, oo, vv, oo, 1, woooo, oo, tau, vv, 1, n2, vv);
            // ring terms: (2 W_akic - W_akci) t_kj^cb - W_akic t_kj^bc - W_bkci t_kj^ac, as (ia) x (jb) products
            var tkcjb = bufTkcjb;
            var tkcjbSwap = bufTkcjbSwap;
            for (int k = 0; k < o; k++) for (int c = 0; c < v; c++) for (int j = 0; j < o; j++) for (int b = 0; b < v; b++)
            {
                tkcjb[(k * v + c) * ov + j * v + b] = Tt(k, j, c, b);
                tkcjbSwap[(k * v + c) * ov + j * v + b] = Tt(k, j, b, c);
            }
            var wring = bufWring;
            for (int r = 0; r < wring.Length; r++) wring[r] = 2 * wa[r] - wb[r];
            var ring = bufRing;
            Gemm.Multiply(false, false, ov, ov, ov, 1, wring, ov, tkcjb, ov, 0, ring, ov);
            Gemm.Multiply(false, false, ov, ov, ov, -1, wa, ov, tkcjbSwap, ov, 1, ring, ov);
            var ringB = bufRingB;
            Gemm.Multiply(false, false, ov, ov, ov, 1, wb, ov, tkcjbSwap, ov, 0, ringB, ov);
            // the remaining terms symmetrised as X[ijab] + X[jiba]
            var tmpV = bufTmpV;   // (ia|cb) - sum_k (ki|bc) t_k^a  at [a, b, i, c]
            var tmpO = new double[v * o * o * o];   // (ia|jk) + sum_c (kc|ai) t_j^c at [a, k, i, j]
            Parallel.For(0, v, a =>
            {
                for (int b = 0; b < v; b++) for (int i = 0; i < o; i++) for (int c = 0; c < v; c++)
                {
                    double val = OVVV(i, a, c, b);
                    for (int k = 0; k < o; k++) val -= OOVV(k, i, b, c) * T1(k, a);
                    tmpV[((a * v + b) * o + i) * v + c] = val;
                }
                for (int k = 0; k < o; k++) for (int i = 0; i < o; i++) for (int j = 0; j < o; j++)
                {
                    double val = OVOO(i, a, j, k);
                    for (int c = 0; c < v; c++) val += OVVO(k, c, a, i) * T1(j, c);
                    tmpO[((a * o + k) * o + i) * o + j] = val;
                }
            });
            var x = bufX;
            Parallel.For(0, o, i =>
            {
                for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                {
                    double val = ring[(i * v + a) * ov + j * v + b] - ringB[(i * v + b) * ov + j * v + a];
                    for (int c = 0; c < v; c++) val += tmpV[((a * v + b) * o + i) * v + c] * T1(j, c) + lvv[a * v + c] * Tt(i, j, c, b);
                    for (int k = 0; k < o; k++) val -= tmpO[((a * o + k) * o + i) * o + j] * T1(k, b) + loo[k * o + i] * Tt(k, j, a, b);
                    x[T2(i, j, a, b)] = val;
                }
            });
            Parallel.For(0, o, i =>
            {
                for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                {
                    int r = T2(i, j, a, b);
                    n2[r] = (n2[r] + OVOV(i, a, j, b) + x[r] + x[T2(j, i, b, a)]) / (eo[i] + eo[j] - ev[a] - ev[b]);
                }
            });
            return (n1, n2);
        }

        double Triples(double[] s1, double[] s2)
        {
            // E(T) = 2 sum_abc sum_ijk W_abc(ijk) [r3(w_abc + v_abc / 2)](ijk) / D_abc(ijk), with the connected
            // w_abc(ijk) = sum_f (ia|fb) t_kj^cf - sum_m (ia|mj) t_mk^bc, the full W_abc = sum over the six joint
            // permutations of (abc) and (ijk) of w, the disconnected v_abc(ijk) = (ia|jb) t_k^c + t_ij^ab f_ck, and
            // r3(w) = 4 w_ijk + w_kij + w_jki - 2 w_kji - 2 w_ikj - 2 w_jik. Summed over a >= b >= c, each triple's six
            // orderings sharing its six w, with D scaled by the number of coinciding orderings.
            int o2 = o * o, o3 = o2 * o;
            var tf = new double[v * v * o2];   // [c][f, (k j)] = t_kj^cf
            for (int c = 0; c < v; c++) for (int ff = 0; ff < v; ff++) for (int k = 0; k < o; k++) for (int j = 0; j < o; j++)
                tf[(c * v + ff) * o2 + k * o + j] = s2[T2(k, j, c, ff)];
            var yx = new double[v * o3];       // [a][(i j), m] = (ia|mj)
            for (int a = 0; a < v; a++) for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int m = 0; m < o; m++)
                yx[((a * o + i) * o + j) * o + m] = OVOO(i, a, m, j);
            int[][] perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
            // for ordering p = (x, y, z): the orderings (x z y), (y x z), (y z x), (z x y), (z y x) by index
            var partner = new int[6, 6];
            for (int p = 0; p < 6; p++)
            {
                var q = perms[p];
                int[][] forms = [[q[0], q[1], q[2]], [q[0], q[2], q[1]], [q[1], q[0], q[2]], [q[1], q[2], q[0]], [q[2], q[0], q[1]], [q[2], q[1], q[0]]];
                for (int t = 0; t < 6; t++) partner[p, t] = Array.FindIndex(perms, r => r[0] == forms[t][0] && r[1] == forms[t][1] && r[2] == forms[t][2]);
            }
            var partial = new double[v]; // per a, summed in order afterwards (reproducible)
            Parallel.For(0, v, a =>
            {
                double acc = 0;
                var w = new double[6][];
                var z = new double[6][];
                for (int p = 0; p < 6; p++) { w[p] = new double[o3]; z[p] = new double[o3]; }
                var xi = new double[o * v];
                var zm = new double[o2];
                var w1 = new double[o3];
                for (int b = 0; b <= a; b++)
                    for (int c = 0; c <= b; c++)
                    {
                        int[] abc = [a, b, c];
                        double deg = a == c ? 6 : (a == b || b == c) ? 2 : 1;
                        for (int p = 0; p < 6; p++)
                        {
                            int x = abc[perms[p][0]], y = abc[perms[p][1]], zz = abc[perms[p][2]];
                            // w[i, j, k] = sum_f (ix|fy) t_kj^zf - sum_m (ix|mj) t_mk^yz
                            for (int i = 0; i < o; i++) for (int ff = 0; ff < v; ff++) xi[i * v + ff] = OVVV(i, x, ff, y);
                            Gemm.Multiply(false, false, o, o2, v, 1, xi, v, tf.AsSpan(zz * v * o2, v * o2), o2, 0, w1, o2, maxThreads: 1);
                            for (int m = 0; m < o; m++) for (int k = 0; k < o; k++) zm[m * o + k] = s2[T2(m, k, y, zz)];
                            Gemm.Multiply(false, false, o2, o, o, -1, yx.AsSpan(x * o3, o3), o, zm, o, 0, w[p], o, maxThreads: 1);
                            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++)
                                w[p][(i * o + j) * o + k] += w1[i * o2 + k * o + j];
                            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++)
                                z[p][(i * o + j) * o + k] = w[p][(i * o + j) * o + k]
                                    + 0.5 * (OVOV(i, x, j, y) * s1[k * v + zz] + s2[T2(i, j, x, y)] * F(o + zz, k));
                        }
                        double dv = ev[a] + ev[b] + ev[c];
                        for (int p = 0; p < 6; p++)
                        {
                            var zp = z[p];
                            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++)
                            {
                                int ijk = (i * o + j) * o + k;
                                double full = w[partner[p, 0]][ijk] + w[partner[p, 1]][(i * o + k) * o + j] + w[partner[p, 2]][(j * o + i) * o + k]
                                    + w[partner[p, 3]][(j * o + k) * o + i] + w[partner[p, 4]][(k * o + i) * o + j] + w[partner[p, 5]][(k * o + j) * o + i];
                                double r = 4 * zp[ijk] + zp[(k * o + i) * o + j] + zp[(j * o + k) * o + i]
                                    - 2 * zp[(k * o + j) * o + i] - 2 * zp[(i * o + k) * o + j] - 2 * zp[(j * o + i) * o + k];
                                acc += full * r / ((eo[i] + eo[j] + eo[k] - dv) * deg);
                            }
                        }
                    }
                partial[a] = acc;
            });
            return 2 * partial.Sum();
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
