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
/// Spin-orbital CCSD (the Stanton–Gauss–Watts–Bartlett intermediates) with DIIS-free Jacobi updates, and the
/// perturbative triples (T) correction, on a closed-shell RHF reference. Spin orbital P = 2p + spin; the occupied
/// ones come first. For small molecules (the spin-orbital integrals are stored).
/// </summary>
public static class CoupledCluster
{
    /// <summary>Runs CCSD and (T) for <paramref name="occupied"/> doubly occupied spatial orbitals.</summary>
    /// <exception cref="InvalidOperationException">CCSD does not converge.</exception>
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
        double G(int p, int q, int r, int s) => g[((long)(p * ns + q) * ns + r) * ns + s];
        var f = new double[ns * ns];
        for (int p = 0; p < ns; p++)
            for (int q = 0; q < ns; q++)
            {
                double val = p % 2 == q % 2 ? mo.OneElectron[(p / 2) * n + q / 2] : 0;
                for (int m = 0; m < o; m++) val += G(p, m, q, m);
                f[p * ns + q] = val;
            }
        double F(int p, int q) => f[p * ns + q];
        double eref = mo.NuclearRepulsion;
        for (int i = 0; i < o; i++) eref += mo.OneElectron[(i / 2) * n + i / 2] + 0.5 * (F(i, i) - mo.OneElectron[(i / 2) * n + i / 2]);
        // amplitudes: t1[i, a], t2[i, j, a, b] with a, b virtual indices 0..v-1 (spin orbital o + a)
        var t1 = new double[o * v];
        var t2 = new double[o * o * v * v];
        int T2(int i, int j, int a, int b) => ((i * o + j) * v + a) * v + b;
        for (int i = 0; i < o; i++) for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
            t2[T2(i, j, a, b)] = G(i, j, o + a, o + b) / (F(i, i) + F(j, j) - F(o + a, o + a) - F(o + b, o + b));
        double ecc = Energy(t1, t2), last = double.NaN;
        int it = 0;
        for (; it < maxIterations; it++)
        {
            (t1, t2) = Update(t1, t2);
            last = ecc;
            ecc = Energy(t1, t2);
            if (Math.Abs(ecc - last) < tolerance) break;
        }
        if (it == maxIterations) throw new InvalidOperationException($"CCSD did not converge in {maxIterations} iterations (last energy change {ecc - last:E2}).");
        double et = Triples(t1, t2);
        return new CoupledClusterResult(eref, eref + ecc, et, it + 1);

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
            double t1v(int i, int a) => s1[i * v + a];
            double t2v(int i, int j, int a, int b) => s2[T2(i, j, a, b)];
            double tauT(int i, int j, int a, int b) => t2v(i, j, a, b) + 0.5 * (t1v(i, a) * t1v(j, b) - t1v(i, b) * t1v(j, a));
            double tau(int i, int j, int a, int b) => t2v(i, j, a, b) + t1v(i, a) * t1v(j, b) - t1v(i, b) * t1v(j, a);
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
                    for (int e = 0; e < v; e++)
                    {
                        val += t1v(j, e) * G(m, nn, i, o + e) - t1v(i, e) * G(m, nn, j, o + e);
                        for (int ff = 0; ff < v; ff++) val += 0.25 * tau(i, j, e, ff) * G(m, nn, o + e, o + ff);
                    }
                    wmnij[((m * o + nn) * o + i) * o + j] = val;
                }
            });
            var wabef = new double[v * v * v * v];
            Parallel.For(0, v, a =>
            {
                for (int b = 0; b < v; b++) for (int e = 0; e < v; e++) for (int ff = 0; ff < v; ff++)
                {
                    double val = G(o + a, o + b, o + e, o + ff);
                    for (int m = 0; m < o; m++)
                    {
                        val -= t1v(m, b) * G(o + a, m, o + e, o + ff) - t1v(m, a) * G(o + b, m, o + e, o + ff);
                        for (int nn = 0; nn < o; nn++) val += 0.25 * tau(m, nn, a, b) * G(m, nn, o + e, o + ff);
                    }
                    wabef[((a * v + b) * v + e) * v + ff] = val;
                }
            });
            var wmbej = new double[o * v * v * o];
            Parallel.For(0, o, m =>
            {
                for (int b = 0; b < v; b++) for (int e = 0; e < v; e++) for (int j = 0; j < o; j++)
                {
                    double val = G(m, o + b, o + e, j);
                    for (int ff = 0; ff < v; ff++) val += t1v(j, ff) * G(m, o + b, o + e, o + ff);
                    for (int nn = 0; nn < o; nn++)
                    {
                        val -= t1v(nn, b) * G(m, nn, o + e, j);
                        for (int ff = 0; ff < v; ff++) val -= (0.5 * t2v(j, nn, ff, b) + t1v(j, ff) * t1v(nn, b)) * G(m, nn, o + e, o + ff);
                    }
                    wmbej[((m * v + b) * v + e) * o + j] = val;
                }
            });
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
            var n2 = new double[o * o * v * v];
            Parallel.For(0, o, i =>
            {
                for (int j = 0; j < o; j++) for (int a = 0; a < v; a++) for (int b = 0; b < v; b++)
                {
                    double val = G(i, j, o + a, o + b);
                    for (int e = 0; e < v; e++)
                    {
                        double fbe = fae[b * v + e], fae2 = fae[a * v + e];
                        for (int m = 0; m < o; m++) { fbe -= 0.5 * t1v(m, b) * fme[m * v + e]; fae2 -= 0.5 * t1v(m, a) * fme[m * v + e]; }
                        val += t2v(i, j, a, e) * fbe - t2v(i, j, b, e) * fae2;
                    }
                    for (int m = 0; m < o; m++)
                    {
                        double fmj = fmi[m * o + j], fmi2 = fmi[m * o + i];
                        for (int e = 0; e < v; e++) { fmj += 0.5 * t1v(j, e) * fme[m * v + e]; fmi2 += 0.5 * t1v(i, e) * fme[m * v + e]; }
                        val -= t2v(i, m, a, b) * fmj - t2v(j, m, a, b) * fmi2;
                    }
                    for (int m = 0; m < o; m++) for (int nn = 0; nn < o; nn++) val += 0.5 * tau(m, nn, a, b) * wmnij[((m * o + nn) * o + i) * o + j];
                    for (int e = 0; e < v; e++) for (int ff = 0; ff < v; ff++) val += 0.5 * tau(i, j, e, ff) * wabef[((a * v + b) * v + e) * v + ff];
                    for (int m = 0; m < o; m++)
                        for (int e = 0; e < v; e++)
                        {
                            // P(ij) P(ab) [t_im^ae W_mbej - t_i^e t_m^a <mb||ej>]
                            val += t2v(i, m, a, e) * wmbej[((m * v + b) * v + e) * o + j] - t1v(i, e) * t1v(m, a) * G(m, o + b, o + e, j);
                            val -= t2v(j, m, a, e) * wmbej[((m * v + b) * v + e) * o + i] - t1v(j, e) * t1v(m, a) * G(m, o + b, o + e, i);
                            val -= t2v(i, m, b, e) * wmbej[((m * v + a) * v + e) * o + j] - t1v(i, e) * t1v(m, b) * G(m, o + a, o + e, j);
                            val += t2v(j, m, b, e) * wmbej[((m * v + a) * v + e) * o + i] - t1v(j, e) * t1v(m, b) * G(m, o + a, o + e, i);
                        }
                    for (int e = 0; e < v; e++) val += t1v(i, e) * G(o + a, o + b, o + e, j) - t1v(j, e) * G(o + a, o + b, o + e, i);
                    for (int m = 0; m < o; m++) val -= t1v(m, a) * G(m, o + b, i, j) - t1v(m, b) * G(m, o + a, i, j);
                    n2[T2(i, j, a, b)] = val / (F(i, i) + F(j, j) - F(o + a, o + a) - F(o + b, o + b));
                }
            });
            return (n1, n2);
        }

        double Triples(double[] s1, double[] s2)
        {
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

            double Connected(int i, int j, int k, int a, int b, int c)
            {
                double val = 0;
                for (int e = 0; e < v; e++) val += s2[T2(j, k, a, e)] * G(o + e, i, o + b, o + c);
                for (int m = 0; m < o; m++) val -= s2[T2(i, m, b, c)] * G(m, o + a, j, k);
                return val;
            }

            double Disconnected(int i, int j, int k, int a, int b, int c) => s1[i * v + a] * G(j, k, o + b, o + c);
        }
    }
}
