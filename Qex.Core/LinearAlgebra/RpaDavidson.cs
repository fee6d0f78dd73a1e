using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>The lowest roots of a linear-response (RPA) eigenproblem found by <see cref="RpaDavidson"/>.</summary>
/// <param name="Values">Ascending excitation energies omega.</param>
/// <param name="Plus">X + Y of each root, normalised so that (X + Y) . (X - Y) = 1.</param>
/// <param name="Minus">X - Y of each root.</param>
/// <param name="ResidualNorms">Final residual norm of each root: |(A+B)(X+Y) - omega (X-Y)| and |(A-B)(X-Y) - omega (X+Y)| together.</param>
/// <param name="Iterations">Subspace expansions used.</param>
/// <param name="Converged">True when every residual is below the tolerance.</param>
public sealed record RpaResult(double[] Values, double[][] Plus, double[][] Minus, double[] ResidualNorms, int Iterations, bool Converged);

/// <summary>
/// The lowest positive roots of the linear-response problem [[A, B], [B, A]] (X, Y) = omega [[1, 0], [0, -1]] (X, Y) of
/// real symmetric A and B with A + B and A - B positive definite (a stable ground state), known only through products
/// with A + B and A - B: the Davidson scheme of Stratmann, Scuseria and Frisch (J. Chem. Phys. 109, 8218 (1998)). In
/// one orthonormal subspace b, the projected problem (A-B)_b^(1/2) (A+B)_b (A-B)_b^(1/2) z = omega^2 z is symmetric;
/// both residuals are preconditioned with the diagonal d of A (the 2 x 2 system [[d, -omega], [-omega, d]] per element)
/// and added to the subspace.
/// </summary>
public static class RpaDavidson
{
    /// <summary>The <paramref name="roots"/> lowest roots.</summary>
    /// <param name="dimension">Order of A and B.</param>
    /// <param name="roots">How many roots.</param>
    /// <param name="applyPlus">Writes (A + B) x into its second argument.</param>
    /// <param name="applyMinus">Writes (A - B) x into its second argument.</param>
    /// <param name="diagonal">An approximate diagonal of A (the orbital-energy differences).</param>
    /// <param name="guesses">Start vectors (at least <paramref name="roots"/> independent ones).</param>
    /// <param name="options">Tolerances and sizes (as <see cref="Davidson"/>'s).</param>
    /// <exception cref="ArgumentException">Sizes do not match, or the guesses span fewer than <paramref name="roots"/> directions.</exception>
    /// <exception cref="ArithmeticException">A - B or the projected omega^2 is not positive: the reference is unstable.</exception>
    public static RpaResult Lowest(int dimension, int roots, Action<double[], double[]> applyPlus, Action<double[], double[]> applyMinus, double[] diagonal,
        IReadOnlyList<double[]> guesses, DavidsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(applyPlus);
        ArgumentNullException.ThrowIfNull(applyMinus);
        ArgumentNullException.ThrowIfNull(diagonal);
        ArgumentNullException.ThrowIfNull(guesses);
        options ??= new DavidsonOptions();
        if (diagonal.Length != dimension) throw new ArgumentException($"RPA Davidson: diagonal has {diagonal.Length} entries for dimension {dimension}.");
        if (roots < 1 || roots > dimension) throw new ArgumentOutOfRangeException(nameof(roots), $"Asked for {roots} roots of a dimension-{dimension} problem.");
        int maxSub = options.MaxSubspace > 0 ? Math.Max(options.MaxSubspace, 4 * roots) : Math.Max(24, 12 * roots);
        var b = new List<double[]>();
        var pb = new List<double[]>();
        var mb = new List<double[]>();
        void Add(double[] x)
        {
            if (!Davidson.AddOrthonormal(b, x)) return;
            pb.Add(Davidson.Apply(applyPlus, b[^1]));
            mb.Add(Davidson.Apply(applyMinus, b[^1]));
        }
        foreach (var g in guesses)
        {
            if (g.Length != dimension) throw new ArgumentException($"RPA Davidson: a guess has {g.Length} entries for dimension {dimension}.");
            Add((double[])g.Clone());
        }
        if (b.Count < roots) throw new ArgumentException($"RPA Davidson: the guesses span only {b.Count} directions for {roots} roots.");
        var omega = new double[roots];
        var resid = new double[roots];
        var plus = new double[roots][];
        var minus = new double[roots][];
        for (int iter = 1; iter <= options.MaxIterations; iter++)
        {
            int m = b.Count;
            var p = new double[m * m];
            var q = new double[m * m];
            Parallel.For(0, m, i =>
            {
                for (int j = 0; j <= i; j++)
                {
                    p[i * m + j] = p[j * m + i] = 0.5 * (Davidson.Dot(b[i], pb[j]) + Davidson.Dot(b[j], pb[i]));
                    q[i * m + j] = q[j * m + i] = 0.5 * (Davidson.Dot(b[i], mb[j]) + Davidson.Dot(b[j], mb[i]));
                }
            });
            var (root, inverseRoot) = SquareRoots(q, m);
            var h = Multiply(Multiply(root, p, m), root, m);
            // symmetric up to rounding: Q^(1/2) P Q^(1/2)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < i; j++) h[i * m + j] = h[j * m + i] = 0.5 * (h[i * m + j] + h[j * m + i]);
            var eig = SymmetricEigen.Lowest(Tensor.Wrap(h, m, m), roots);
            var corrections = new List<double[]>();
            for (int r = 0; r < roots; r++)
            {
                double w2 = eig.Values[r];
                if (!(w2 > 0)) throw new ArithmeticException($"RPA Davidson: the projected omega^2 of root {r + 1} is {w2:E3} (not positive): the reference state is unstable.");
                double w = Math.Sqrt(w2);
                var z = new double[m];
                for (int k = 0; k < m; k++) z[k] = eig.Vectors[k, r];
                // X - Y = b q^(-1/2) z sqrt(w), X + Y = b q^(1/2) z / sqrt(w): (X+Y).(X-Y) = 1
                var cm = MultiplyVector(inverseRoot, z, m, Math.Sqrt(w));
                var cp = MultiplyVector(root, z, m, 1 / Math.Sqrt(w));
                var xp = new double[dimension];
                var xm = new double[dimension];
                var rp = new double[dimension];
                var rm = new double[dimension];
                for (int k = 0; k < m; k++)
                {
                    Davidson.Axpy(cp[k], b[k], xp);
                    Davidson.Axpy(cm[k], b[k], xm);
                    Davidson.Axpy(cp[k], pb[k], rp);
                    Davidson.Axpy(cm[k], mb[k], rm);
                }
                double norm = 0;
                for (int i = 0; i < dimension; i++)
                {
                    rp[i] -= w * xm[i];   // (A+B)(X+Y) - w (X-Y)
                    rm[i] -= w * xp[i];   // (A-B)(X-Y) - w (X+Y)
                    norm += rp[i] * rp[i] + rm[i] * rm[i];
                }
                (omega[r], plus[r], minus[r], resid[r]) = (w, xp, xm, Math.Sqrt(norm));
                if (resid[r] <= options.ResidualTolerance) continue;
                // [[d, -w], [-w, d]] (dp, dm) = -(rp, rm)
                var dp = new double[dimension];
                var dm = new double[dimension];
                for (int i = 0; i < dimension; i++)
                {
                    double d = diagonal[i], det = d * d - w * w;
                    if (Math.Abs(det) < 1e-8) det = det < 0 ? -1e-8 : 1e-8;
                    dp[i] = -(d * rp[i] + w * rm[i]) / det;
                    dm[i] = -(w * rp[i] + d * rm[i]) / det;
                }
                corrections.Add(dp);
                corrections.Add(dm);
            }
            options.Progress?.Invoke(iter, (double[])omega.Clone(), (double[])resid.Clone());
            if (corrections.Count == 0) return new RpaResult((double[])omega.Clone(), plus, minus, (double[])resid.Clone(), iter, true);
            if (m + corrections.Count > maxSub)
            {
                // collapse onto the current X + Y and X - Y (their products are recomputed exactly)
                b.Clear();
                pb.Clear();
                mb.Clear();
                for (int r = 0; r < roots; r++)
                {
                    Add((double[])plus[r].Clone());
                    Add((double[])minus[r].Clone());
                }
            }
            int before = b.Count;
            foreach (var c in corrections) Add(c);
            if (b.Count == before)
                return new RpaResult((double[])omega.Clone(), plus, minus, (double[])resid.Clone(), iter, b.Count == dimension);
        }
        return new RpaResult((double[])omega.Clone(), plus, minus, (double[])resid.Clone(), options.MaxIterations, false);
    }

    /// <summary>Q^(1/2) and Q^(-1/2) of a symmetric positive-definite m x m matrix.</summary>
    private static (double[] Root, double[] InverseRoot) SquareRoots(double[] q, int m)
    {
        var e = SymmetricEigen.Decompose(Tensor.Wrap(q, m, m));
        var root = new double[m * m];
        var inverse = new double[m * m];
        for (int k = 0; k < m; k++)
        {
            double v = e.Values[k];
            if (!(v > 0)) throw new ArithmeticException($"RPA Davidson: A - B is not positive definite in the subspace (eigenvalue {v:E3}): the reference state is unstable.");
            double s = Math.Sqrt(v), si = 1 / s;
            for (int i = 0; i < m; i++)
            {
                double ui = e.Vectors[i, k];
                for (int j = 0; j < m; j++)
                {
                    double uu = ui * e.Vectors[j, k];
                    root[i * m + j] += s * uu;
                    inverse[i * m + j] += si * uu;
                }
            }
        }
        return (root, inverse);
    }

    private static double[] Multiply(double[] a, double[] b, int m)
    {
        var c = new double[m * m];
        for (int i = 0; i < m; i++)
            for (int k = 0; k < m; k++)
            {
                double x = a[i * m + k];
                for (int j = 0; j < m; j++) c[i * m + j] += x * b[k * m + j];
            }
        return c;
    }

    private static double[] MultiplyVector(double[] a, double[] z, int m, double scale)
    {
        var r = new double[m];
        for (int i = 0; i < m; i++)
        {
            double s = 0;
            for (int k = 0; k < m; k++) s += a[i * m + k] * z[k];
            r[i] = scale * s;
        }
        return r;
    }
}
