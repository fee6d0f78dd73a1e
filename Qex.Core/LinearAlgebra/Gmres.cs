namespace Qex.Core.LinearAlgebra;

/// <summary>The outcome of an iterative linear solve.</summary>
/// <param name="Solution">x.</param>
/// <param name="Iterations">Operator applications.</param>
/// <param name="ResidualNorm">||b - A x|| at the end.</param>
/// <param name="Converged">True when the relative residual reached the tolerance.</param>
public sealed record IterativeSolution(double[] Solution, int Iterations, double ResidualNorm, bool Converged);

/// <summary>
/// Restarted GMRES (Saad &amp; Schultz 1986) for A x = b with A given by its action: Arnoldi with modified Gram–Schmidt
/// and Givens rotations, restarted every <c>restart</c> steps. For the adjoint equations of implicit differentiation,
/// where A is applied by one backward pass.
/// </summary>
public static class Gmres
{
    /// <summary>Solves A x = b from x = 0 until ||b - A x|| &lt;= tolerance ||b||.</summary>
    /// <exception cref="ArgumentException">Bad sizes or settings.</exception>
    public static IterativeSolution Solve(Func<double[], double[]> apply, double[] b, double tolerance = 1e-10, int restart = 30, int maxIterations = 500)
    {
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(b);
        if (!(tolerance > 0)) throw new ArgumentException($"The GMRES tolerance must be positive; got {tolerance}.");
        if (restart < 1 || maxIterations < 1) throw new ArgumentException($"GMRES needs a positive restart length and iteration limit; got {restart} and {maxIterations}.");
        int n = b.Length;
        var x = new double[n];
        double bnorm = Norm(b);
        if (bnorm == 0) return new IterativeSolution(x, 0, 0, true);
        int iterations = 0;
        double residual = bnorm;
        var r = (double[])b.Clone();
        while (iterations < maxIterations)
        {
            int m = Math.Min(restart, maxIterations - iterations);
            var v = new double[m + 1][];
            var hess = new double[m + 1, m];
            var (cs, sn, g) = (new double[m], new double[m], new double[m + 1]);
            double beta = Norm(r);
            v[0] = Scale(r, 1 / beta);
            g[0] = beta;
            int k = 0;
            for (; k < m; k++)
            {
                var w = apply(v[k]);
                if (w.Length != n) throw new ArgumentException($"The operator returned {w.Length} values for a vector of {n}.");
                iterations++;
                for (int i = 0; i <= k; i++)
                {
                    hess[i, k] = Dot(w, v[i]);
                    for (int j = 0; j < n; j++) w[j] -= hess[i, k] * v[i][j];
                }
                hess[k + 1, k] = Norm(w);
                v[k + 1] = hess[k + 1, k] > 0 ? Scale(w, 1 / hess[k + 1, k]) : new double[n];
                for (int i = 0; i < k; i++)
                {
                    double t = cs[i] * hess[i, k] + sn[i] * hess[i + 1, k];
                    hess[i + 1, k] = -sn[i] * hess[i, k] + cs[i] * hess[i + 1, k];
                    hess[i, k] = t;
                }
                double d = Math.Sqrt(hess[k, k] * hess[k, k] + hess[k + 1, k] * hess[k + 1, k]);
                (cs[k], sn[k]) = d == 0 ? (1.0, 0.0) : (hess[k, k] / d, hess[k + 1, k] / d);
                hess[k, k] = d;
                hess[k + 1, k] = 0;
                g[k + 1] = -sn[k] * g[k];
                g[k] *= cs[k];
                if (Math.Abs(g[k + 1]) <= tolerance * bnorm || hess[k, k] == 0) { k++; break; }
            }
            // back substitution for the k steps taken
            var y = new double[k];
            for (int i = k - 1; i >= 0; i--)
            {
                double s = g[i];
                for (int j = i + 1; j < k; j++) s -= hess[i, j] * y[j];
                y[i] = hess[i, i] == 0 ? 0 : s / hess[i, i];
            }
            for (int i = 0; i < k; i++)
                for (int j = 0; j < n; j++) x[j] += y[i] * v[i][j];
            var ax = apply(x);
            iterations++;
            for (int j = 0; j < n; j++) r[j] = b[j] - ax[j];
            residual = Norm(r);
            if (residual <= tolerance * bnorm) return new IterativeSolution(x, iterations, residual, true);
        }
        return new IterativeSolution(x, iterations, residual, false);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static double[] Scale(double[] a, double c)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] * c;
        return r;
    }
}
