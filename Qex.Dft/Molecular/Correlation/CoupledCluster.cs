using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>CCSD and CCSD(T) energies.</summary>
/// <param name="ReferenceEnergy">The reference (RHF) energy.</param>
/// <param name="CcsdEnergy">Total CCSD energy.</param>
/// <param name="TriplesCorrection">The (T) correction.</param>
/// <param name="Iterations">CCSD iterations.</param>
public sealed record CoupledClusterResult(double ReferenceEnergy, double CcsdEnergy, double TriplesCorrection, int Iterations)
{
    /// <summary>CCSD(T) total energy.</summary>
    public double CcsdTEnergy => CcsdEnergy + TriplesCorrection;
}

/// <summary>
/// Spin-orbital CCSD (the Stanton–Gauss–Watts–Bartlett intermediates; the v^4 o^2 terms as matrix products) with DIIS
/// on the amplitudes, converged on the energy change and the amplitude step, and the
/// perturbative triples (T) correction, on a closed-shell RHF reference. Spin orbital P = 2p + spin; the occupied
/// ones come first. For small molecules (the spin-orbital integrals are stored).
/// </summary>
public static class CoupledCluster
{
    /// <summary>Runs CCSD and (T) for <paramref name="occupied"/> doubly occupied spatial orbitals.</summary>
    /// <exception cref="ConvergenceException">CCSD does not converge.</exception>
    public static CoupledClusterResult Run(MolecularOrbitalIntegrals mo, int occupied, double tolerance = 1e-10, int maxIterations = 200)
    {
        ArgumentNullException.ThrowIfNull(mo);
        int n = mo.Orbitals, ns = 2 * n, o = 2 * occupied, v = ns - o;
        // antisymmetrised <pq||rs>
        var g = new double[(long)ns * ns * ns * ns];
        Parallel.For(0, ns, p =>
        {
            for (int q = 0; q < ns; q++)
                for (int r = 0; r < ns; r++)
                    for (int s = 0; s < ns; s++)
                    {
                        double a = (p % 2 == r % 2 && q % 2 == s % 2) ? mo.Eri(p / 2, r / 2, q / 2, s / 2) : 0;
                        double b = (p % 2 == s % 2 && q % 2 == r % 2) ? mo.Eri(p / 2, s / 2, q / 2, r / 2) : 0;
                        g[((long)(p * ns + q) * ns + r) * ns + s] = a - b;
                    }
        });
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double G(int p, int q, int r, int s) => g[((long)(p * ns + q) * ns + r) * ns + s];
        var f = new double[ns * ns];
        for (int p = 0; p < ns; p++)
            for (int q = 0; q < ns; q++)
            {
                double val = p % 2 == q % 2 ? mo.OneElectron[(p / 2) * n + q / 2] : 0;
                for (int m = 0; m < o; m++) val += G(p, m, q, m);
                f[p * ns + q] = val;
            }
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double F(int p, int q) => f[p * ns + q];
        double eref = mo.NuclearRepulsion;
        for (int i = 0; i < o; i++) eref += mo.OneElectron[(i / 2) * n + i / 2] + 0.5 * (F(i, i) - mo.OneElectron[(i / 2) * n + i / 2]);
        // amplitudes: t1[i, a], t2[i, j, a, b] with a, b virtual indices 0..v-1 (spin orbital o + a)
        var t1 = new double[o * v];
        var t2 = new double[o * o * v * v];
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] int T2(int i, int j, int a, int b) => ((i * o + j) * v + a) * v + b;
        for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
            t2[T2(i, j, a, b)] = G(i, j, o + a, o + b) / (F(i, i) + F(j, j) - F(o + a, o + a) - F(o + b, o + b));
        // <mn||ef> as an (o^2 x v^2) matrix for the contractions done by matrix products
        var goovv = new double[o * o * v * v];
        for (int m = 0; m < o; m++) for (int nn = 0; nn < o; nn++) for (int e = 0; e < v; e++) for (int ff = 0; ff < v; ff++)
            goovv[T2(m, nn, e, ff)] = G(m, nn, o + e, o + ff);
        // <ab||ef>, <am||ef> and <ab||ej> with the (e, f) pair contiguous
        var gvvvv = new double[v * v * v * v];
        var gvovv = new double[v * o * v * v];
        var gvvvo = new double[o * v * v * v];
        Parallel.For(0, v, a =>
        {
            for (int b = 0; b < v; b++) for (int e = 0; e < v; e++) for (int ff = 0; ff < v; ff++)
                gvvvv[((a * v + b) * v + e) * v + ff] = G(o + a, o + b, o + e, o + ff);
            for (int m = 0; m < o; m++) for (int e = 0; e < v; e++) for (int ff = 0; ff < v; ff++)
                gvovv[((a * o + m) * v + e) * v + ff] = G(o + a, m, o + e, o + ff);
        });
        for (int j = 0; j < o; j++) for (int e = 0; e < v; e++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
            gvvvo[((j * v + e) * v + a) * v + b] = G(o + a, o + b, o + e, j);
        (t1, t2, double ecc, int iterations) = AmplitudeSolver.Solve(t1, t2, Update, Energy, tolerance, maxIterations);
        double et = Triples(t1, t2);
        return new CoupledClusterResult(eref, eref + ecc, et, iterations);

        double Energy(double[] s1, double[] s2)
        {
            double e = 0;
            for (int i = 0; i < o; i++)
                for (int a = 0; a < v; a++) e += F(i, o + a) * s1[i * v + a];
            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
            {
                double gij = G(i, j, o + a, o + b);
                e += 0.25 * gij * s2[T2(i, j, a, b)] + 0.5 * gij * s1[i * v + a] * s1[j * v + b];
            }
            return e;
        }

        (double[], double[]) Update(double[] s1, double[] s2)
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double t1v(int i, int a) => s1[i * v + a];
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double t2v(int i, int j, int a, int b) => s2[T2(i, j, a, b)];
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double tauT(int i, int j, int a, int b) => t2v(i, j, a, b) + 0.5 * (t1v(i, a) * t1v(j, b) - t1v(i, b) * t1v(j, a));
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double tau(int i, int j, int a, int b) => t2v(i, j, a, b) + t1v(i, a) * t1v(j, b) - t1v(i, b) * t1v(j, a);
            var fae = new double[v * v];
            var fmi = new double[o * o];
            var fme = new double[o * v];
            for (int a = 0; a < v; a++)
                for (int e = 0; e < v; e++)
                {
                    double val = a == e ? 0 : F(o + a, o + e);
                    for (int m = 0; m < o; m++)
                    {
                        val -= 0.5 * F(m, o + e) * t1v(m, a);
                        for (int ff = 0; ff < v; ff++)
                        {
                            val += t1v(m, ff) * G(m, o + a, o + ff, o + e);
                            for (int nn = 0; nn < o; nn++) val -= 0.5 * tauT(m, nn, a, ff) * G(m, nn, o + e, o + ff);
                        }
                    }
                    fae[a * v + e] = val;
                }
            for (int m = 0; m < o; m++)
                for (int i = 0; i < o; i++)
                {
                    double val = m == i ? 0 : F(m, i);
                    for (int e = 0; e < v; e++)
                    {
                        val += 0.5 * t1v(i, e) * F(m, o + e);
                        for (int nn = 0; nn < o; nn++)
                        {
                            val += t1v(nn, e) * G(m, nn, i, o + e);
                            for (int ff = 0; ff < v; ff++) val += 0.5 * tauT(i, nn, e, ff) * G(m, nn, o + e, o + ff);
                        }
                    }
                    fmi[m * o + i] = val;
                }
            for (int m = 0; m < o; m++)
                for (int e = 0; e < v; e++)
                {
                    double val = F(m, o + e);
                    for (int nn = 0; nn < o; nn++) for (int ff = 0; ff < v; ff++) val += t1v(nn, ff) * G(m, nn, o + e, o + ff);
                    fme[m * v + e] = val;
                }
            var wmnij = new double[o * o * o * o];
            Parallel.For(0, o, m =>
            {
                for (int nn = 0; nn < o; nn++) for (int i = 0; i < o; i++) for (int j = 0; j < o; j++)
                {
                    double val = G(m, nn, i, j);
                    for (int e = 0; e < v; e++) val += t1v(j, e) * G(m, nn, i, o + e) - t1v(i, e) * G(m, nn, j, o + e);
                    wmnij[((m * o + nn) * o + i) * o + j] = val;
                }
            });
            var tauM = new double[o * o * v * v];
            for (int m = 0; m < o; m++) for (int nn = 0; nn < o; nn++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                tauM[T2(m, nn, a, b)] = tau(m, nn, a, b);
            // + 1/4 sum_ef tau_ij^ef <mn||ef>: W[mn, ij] += 1/4 Goovv[mn, ef] Tau[ij, ef]^T
            Gemm.Multiply(false, true, o * o, o * o, v * v, 0.25, goovv, v * v, tauM, v * v, 1, wmnij, o * o);
            // <ab||ef> - P(ab) t_m^b <am||ef>, with Y[a, b, ef] = sum_m t_m^b <am||ef> as one (v x o x v^2) product per a
            var yab = new double[v * v * v * v];
            Parallel.For(0, v, a =>
                Gemm.Multiply(true, false, v, v * v, o, 1, s1, v, gvovv.AsSpan(a * o * v * v, o * v * v), v * v, 0, yab.AsSpan(a * v * v * v, v * v * v), v * v, maxThreads: 1));
            var wabef = new double[v * v * v * v];
            Parallel.For(0, v, a =>
            {
                for (int b = 0; b < v; b++)
                {
                    int ab = (a * v + b) * v * v, ba = (b * v + a) * v * v;
                    for (int ef = 0; ef < v * v; ef++) wabef[ab + ef] = gvvvv[ab + ef] - yab[ab + ef] + yab[ba + ef];
                }
            });
            // + 1/4 sum_mn tau_mn^ab <mn||ef>: W[ab, ef] += 1/4 Tau^T[ab, mn] Goovv[mn, ef]
            Gemm.Multiply(true, false, v * v, v * v, o * o, 0.25, tauM, v * v, goovv, v * v, 1, wabef, v * v);
            // the particle-particle ladder of the doubles: L[ij, ab] = 1/2 sum_ef tau_ij^ef W_abef
            var ladder = new double[o * o * v * v];
            Gemm.Multiply(false, true, o * o, v * v, v * v, 0.5, tauM, v * v, wabef, v * v, 0, ladder, v * v);
            var wmbej = new double[o * v * v * o];
            Parallel.For(0, o, m =>
            {
                for (int b = 0; b < v; b++) for (int e = 0; e < v; e++) for (int j = 0; j < o; j++)
                {
                    double val = G(m, o + b, o + e, j);
                    for (int ff = 0; ff < v; ff++) val += t1v(j, ff) * G(m, o + b, o + e, o + ff);
                    for (int nn = 0; nn < o; nn++) val -= t1v(nn, b) * G(m, nn, o + e, j);
                    wmbej[((m * v + b) * v + e) * o + j] = val;
                }
            });
            {
                // - sum_nf (t_jn^fb / 2 + t_j^f t_n^b) <mn||ef>: X[jb, nf] G[nf, me] as one (ov x ov x ov) product
                int ovw = o * v;
                var xjb = new double[ovw * ovw];
                var gnf = new double[ovw * ovw];
                for (int j = 0; j < o; j++) for (int b = 0; b < v; b++) for (int nn = 0; nn < o; nn++) for (int ff = 0; ff < v; ff++)
                    xjb[(j * v + b) * ovw + nn * v + ff] = 0.5 * t2v(j, nn, ff, b) + t1v(j, ff) * t1v(nn, b);
                for (int nn = 0; nn < o; nn++) for (int ff = 0; ff < v; ff++) for (int m = 0; m < o; m++) for (int e = 0; e < v; e++)
                    gnf[(nn * v + ff) * ovw + m * v + e] = goovv[T2(m, nn, e, ff)];
                var prod = new double[ovw * ovw];
                Gemm.Multiply(false, false, ovw, ovw, ovw, 1, xjb, ovw, gnf, ovw, 0, prod, ovw);
                for (int m = 0; m < o; m++) for (int b = 0; b < v; b++) for (int e = 0; e < v; e++) for (int j = 0; j < o; j++)
                    wmbej[((m * v + b) * v + e) * o + j] -= prod[(j * v + b) * ovw + m * v + e];
            }
            var n1 = new double[o * v];
            for (int i = 0; i < o; i++)
                for (int a = 0; a < v; a++)
                {
                    double val = F(i, o + a);
                    for (int e = 0; e < v; e++) val += t1v(i, e) * fae[a * v + e];
                    for (int m = 0; m < o; m++) val -= t1v(m, a) * fmi[m * o + i];
                    for (int m = 0; m < o; m++)
                        for (int e = 0; e < v; e++)
                        {
                            val += t2v(i, m, a, e) * fme[m * v + e];
                            val -= t1v(m, e) * G(m, o + a, i, o + e);
                            for (int ff = 0; ff < v; ff++) val -= 0.5 * t2v(i, m, e, ff) * G(m, o + a, o + e, o + ff);
                            for (int nn = 0; nn < o; nn++) val -= 0.5 * t2v(m, nn, a, e) * G(nn, m, o + e, i);
                        }
                    n1[i * v + a] = val / (F(i, i) - F(o + a, o + a));
                }
            // Z[ia, bj] = sum_me t_im^ae W_mbej - t_i^e t_m^a <mb||ej>, as two (ov x ov x ov) matrix products
            int ov = o * v;
            var amp = new double[ov * ov];
            var t1t1 = new double[ov * ov];
            var wme = new double[ov * ov];
            var gme = new double[ov * ov];
            for (int i = 0; i < o; i++) for (int a = 0; a < v; a++) for (int m = 0; m < o; m++) for (int e = 0; e < v; e++)
            {
                amp[(i * v + a) * ov + m * v + e] = t2v(i, m, a, e);
                t1t1[(i * v + a) * ov + m * v + e] = t1v(i, e) * t1v(m, a);
            }
            for (int m = 0; m < o; m++) for (int e = 0; e < v; e++) for (int b = 0; b < v; b++) for (int j = 0; j < o; j++)
            {
                wme[(m * v + e) * ov + b * o + j] = wmbej[((m * v + b) * v + e) * o + j];
                gme[(m * v + e) * ov + b * o + j] = G(m, o + b, o + e, j);
            }
            var z = new double[ov * ov];
            Gemm.Multiply(false, false, ov, ov, ov, 1, amp, ov, wme, ov, 0, z, ov);
            Gemm.Multiply(false, false, ov, ov, ov, -1, t1t1, ov, gme, ov, 1, z, ov);
            double Z(int i, int a, int b, int j) => z[(i * v + a) * ov + b * o + j];
            // F~_be = F_be - 1/2 t_m^b F_me, F~_mj = F_mj + 1/2 t_j^e F_me, and H1[ij, ab] = sum_e t_i^e <ab||ej>
            var faeT = new double[v * v];
            var fmiT = new double[o * o];
            for (int b = 0; b < v; b++) for (int e = 0; e < v; e++)
            {
                double val = fae[b * v + e];
                for (int m = 0; m < o; m++) val -= 0.5 * t1v(m, b) * fme[m * v + e];
                faeT[b * v + e] = val;
            }
            for (int m = 0; m < o; m++) for (int j = 0; j < o; j++)
            {
                double val = fmi[m * o + j];
                for (int e = 0; e < v; e++) val += 0.5 * t1v(j, e) * fme[m * v + e];
                fmiT[m * o + j] = val;
            }
            var h1 = new double[o * o * v * v];
            for (int j = 0; j < o; j++)
            {
                var hj = new double[o * v * v];
                Gemm.Multiply(false, false, o, v * v, v, 1, s1, v, gvvvo.AsSpan(j * v * v * v, v * v * v), v * v, 0, hj, v * v);
                for (int i = 0; i < o; i++) Array.Copy(hj, i * v * v, h1, T2(i, j, 0, 0), v * v);
            }
            // R1[ija, b] = sum_e t_ij^ae F~_be; R2[i, j, ab] = sum_m F~_mj t_im^ab; the hole ladder
            // 1/2 sum_mn tau_mn^ab W_mnij; R3[ij, a, b] = sum_m t_m^a <mb||ij>: all matrix products
            var r1 = new double[o * o * v * v];
            Gemm.Multiply(false, true, o * o * v, v, v, 1, s2, v, faeT, v, 0, r1, v);
            var r2 = new double[o * o * v * v];
            for (int i = 0; i < o; i++)
                Gemm.Multiply(true, false, o, v * v, o, 1, fmiT, o, s2.AsSpan(i * o * v * v, o * v * v), v * v, 0, r2.AsSpan(i * o * v * v, o * v * v), v * v);
            var hole = new double[o * o * v * v];
            Gemm.Multiply(true, false, o * o, v * v, o * o, 0.5, wmnij, o * o, tauM, v * v, 0, hole, v * v);
            var gmbij = new double[o * o * o * v];
            for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int m = 0; m < o; m++) for (int b = 0; b < v; b++)
                gmbij[((i * o + j) * o + m) * v + b] = G(m, o + b, i, j);
            var r3 = new double[o * o * v * v];
            for (int ij = 0; ij < o * o; ij++)
                Gemm.Multiply(true, false, v, v, o, 1, s1, v, gmbij.AsSpan(ij * o * v, o * v), v, 0, r3.AsSpan(ij * v * v, v * v), v);
            var n2 = new double[o * o * v * v];
            Parallel.For(0, o, i =>
            {
                for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                {
                    double val = goovv[T2(i, j, a, b)];
                    val += r1[T2(i, j, a, b)] - r1[T2(i, j, b, a)];
                    val -= r2[T2(i, j, a, b)] - r2[T2(j, i, a, b)];
                    val += hole[T2(i, j, a, b)];
                    val += ladder[T2(i, j, a, b)];
                    // P(ij) P(ab) [t_im^ae W_mbej - t_i^e t_m^a <mb||ej>]
                    val += Z(i, a, b, j) - Z(j, a, b, i) - Z(i, b, a, j) + Z(j, b, a, i);
                    val += h1[T2(i, j, a, b)] - h1[T2(j, i, a, b)];
                    val -= r3[T2(i, j, a, b)] - r3[T2(i, j, b, a)];
                    n2[T2(i, j, a, b)] = val / (F(i, i) + F(j, j) - F(o + a, o + a) - F(o + b, o + b));
                }
            });
            return (n1, n2);
        }

        double Triples(double[] s1, double[] s2)
        {
            // contiguous operands of the two connected contractions: X1[i, b, c, e] = <e i||b c>, X2[a, j, k, m] = <m a||j k>,
            // and t2 with its second occupied index last, T2m[i, b, c, m] = t_im^bc
            var x1 = new double[o * v * v * v];
            var x2 = new double[v * o * o * o];
            var t2m = new double[o * v * v * o];
            for (int i = 0; i < o; i++) for (int b = 0; b < v; b++) for (int c = 0; c < v; c++)
            {
                for (int e = 0; e < v; e++) x1[((i * v + b) * v + c) * v + e] = G(o + e, i, o + b, o + c);
                for (int m = 0; m < o; m++) t2m[((i * v + b) * v + c) * o + m] = s2[T2(i, m, b, c)];
            }
            for (int a = 0; a < v; a++) for (int j = 0; j < o; j++) for (int k = 0; k < o; k++) for (int m = 0; m < o; m++)
                x2[((a * o + j) * o + k) * o + m] = G(m, o + a, j, k);
            double total = 0;
            var lockObj = new object();
            Parallel.For(0, o, () => 0.0, (i, _, acc) =>
            {
                for (int j = i + 1; j < o; j++) for (int k = j + 1; k < o; k++)
                    for (int a = 0; a < v; a++) for (int b = a + 1; b < v; b++) for (int c = b + 1; c < v; c++)
                    {
                        double d = F(i, i) + F(j, j) + F(k, k) - F(o + a, o + a) - F(o + b, o + b) - F(o + c, o + c);
                        double conn = Connected(i, j, k, a, b, c) - Connected(j, i, k, a, b, c) - Connected(k, j, i, a, b, c)
                            - Connected(i, j, k, b, a, c) + Connected(j, i, k, b, a, c) + Connected(k, j, i, b, a, c)
                            - Connected(i, j, k, c, b, a) + Connected(j, i, k, c, b, a) + Connected(k, j, i, c, b, a);
                        double disc = Disconnected(i, j, k, a, b, c) - Disconnected(j, i, k, a, b, c) - Disconnected(k, j, i, a, b, c)
                            - Disconnected(i, j, k, b, a, c) + Disconnected(j, i, k, b, a, c) + Disconnected(k, j, i, b, a, c)
                            - Disconnected(i, j, k, c, b, a) + Disconnected(j, i, k, c, b, a) + Disconnected(k, j, i, c, b, a);
                        acc += conn * (conn + disc) / d;
                    }
                return acc;
            }, acc => { lock (lockObj) total += acc; });
            return total;

            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double Connected(int i, int j, int k, int a, int b, int c) =>
                System.Numerics.Tensors.TensorPrimitives.Dot(s2.AsSpan(T2(j, k, a, 0), v), x1.AsSpan(((i * v + b) * v + c) * v, v))
                - System.Numerics.Tensors.TensorPrimitives.Dot(t2m.AsSpan(((i * v + b) * v + c) * o, o), x2.AsSpan(((a * o + j) * o + k) * o, o));

            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] double Disconnected(int i, int j, int k, int a, int b, int c) => s1[i * v + a] * goovv[T2(j, k, b, c)];
        }
    }
}
