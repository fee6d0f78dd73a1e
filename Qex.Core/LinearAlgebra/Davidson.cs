using Qex.Core.Tensors;

namespace Qex.Core.LinearAlgebra;

/// <summary>Settings of the Davidson eigensolver.</summary>
/// <param name="ResidualTolerance">A root is converged when its residual norm |A x - theta x| is below this (the eigenvalue error is of order its square).</param>
/// <param name="MaxIterations">Subspace expansions before giving up.</param>
/// <param name="MaxSubspace">Subspace size at which the space is collapsed onto the current Ritz vectors (0: 8 per root, at least 16).</param>
/// <param name="Progress">Called after every iteration with its number, the current eigenvalue estimates and residual norms.</param>
public sealed record DavidsonOptions(double ResidualTolerance = 1e-6, int MaxIterations = 200, int MaxSubspace = 0,
    Action<int, double[], double[]>? Progress = null);

/// <summary>The lowest eigenpairs found by <see cref="Davidson"/>.</summary>
/// <param name="Values">Ascending eigenvalues.</param>
/// <param name="Vectors">The matching normalised eigenvectors.</param>
/// <param name="ResidualNorms">Final residual norm of each root.</param>
/// <param name="Iterations">Subspace expansions used.</param>
/// <param name="Converged">True when every residual is below the tolerance.</param>
public sealed record DavidsonResult(double[] Values, double[][] Vectors, double[] ResidualNorms, int Iterations, bool Converged);

/// <summary>
/// Davidson's method for the lowest eigenpairs of a large symmetric matrix known only through its products with
/// vectors and its diagonal (Davidson 1975): Rayleigh–Ritz in a growing subspace, corrections preconditioned by
/// (theta - diag)^-1, collapse to the Ritz vectors when the subspace is full. An optional projector keeps every new
/// vector inside a symmetry subspace (for example the spin-flip parity of a CI vector).
/// </summary>
public static class Davidson
{
    /// <summary>The <paramref name="roots"/> lowest eigenpairs.</summary>
    /// <param name="dimension">Order of the matrix.</param>
    /// <param name="roots">How many eigenpairs.</param>
    /// <param name="apply">Writes A x into its second argument.</param>
    /// <param name="diagonal">The diagonal of A (preconditioner).</param>
    /// <param name="guesses">Start vectors (at least <paramref name="roots"/> linearly independent ones after projection).</param>
    /// <param name="options">Tolerances and sizes.</param>
    /// <param name="project">Projects a vector in place onto the wanted symmetry subspace; null for none.</param>
    /// <exception cref="ArgumentException">Sizes do not match, or the guesses span fewer than <paramref name="roots"/> directions.</exception>
    public static DavidsonResult Lowest(int dimension, int roots, Action<double[], double[]> apply, double[] diagonal,
        IReadOnlyList<double[]> guesses, DavidsonOptions? options = null, Action<double[]>? project = null)
    {
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(diagonal);
        ArgumentNullException.ThrowIfNull(guesses);
        options ??= new DavidsonOptions();
        if (diagonal.Length != dimension) throw new ArgumentException($"Davidson: diagonal has {diagonal.Length} entries for dimension {dimension}.");
        if (roots < 1 || roots > dimension) throw new ArgumentOutOfRangeException(nameof(roots), $"Asked for {roots} roots of a dimension-{dimension} problem.");
        int maxSub = options.MaxSubspace > 0 ? Math.Max(options.MaxSubspace, 2 * roots) : Math.Max(16, 8 * roots);
        var v = new List<double[]>();
        var av = new List<double[]>();
        foreach (var g in guesses)
        {
            if (g.Length != dimension) throw new ArgumentException($"Davidson: a guess has {g.Length} entries for dimension {dimension}.");
            var x = (double[])g.Clone();
            project?.Invoke(x);
            if (AddOrthonormal(v, x)) av.Add(Apply(apply, x));
        }
        if (v.Count < roots) throw new ArgumentException($"Davidson: the guesses span only {v.Count} directions (after projection) for {roots} roots.");
        var theta = new double[roots];
        var resid = new double[roots];
        double[][] ritz = [];
        for (int iter = 1; iter <= options.MaxIterations; iter++)
        {
            int m = v.Count;
            var g = new double[m * m];
            Parallel.For(0, m, i =>
            {
                for (int j = 0; j <= i; j++) g[i * m + j] = g[j * m + i] = Dot(v[i], av[j]);
            });
            var eig = SymmetricEigen.Lowest(Tensor.Wrap(g, m, m), roots);
            ritz = new double[roots][];
            var corrections = new List<double[]>();
            for (int r = 0; r < roots; r++)
            {
                theta[r] = eig.Values[r];
                var x = new double[dimension];
                var ax = new double[dimension];
                for (int k = 0; k < m; k++)
                {
                    double y = eig.Vectors[k, r];
                    Axpy(y, v[k], x);
                    Axpy(y, av[k], ax);
                }
                ritz[r] = x;
                // residual r = A x - theta x, preconditioned in place
                double t = theta[r], norm = 0;
                for (int i = 0; i < dimension; i++)
                {
                    double ri = ax[i] - t * x[i];
                    norm += ri * ri;
                    double den = t - diagonal[i];
                    ax[i] = Math.Abs(den) > 1e-8 ? ri / den : ri / 1e-8;
                }
                resid[r] = Math.Sqrt(norm);
                if (resid[r] > options.ResidualTolerance) corrections.Add(ax);
            }
            options.Progress?.Invoke(iter, (double[])theta.Clone(), (double[])resid.Clone());
            if (corrections.Count == 0) return new DavidsonResult((double[])theta.Clone(), ritz, (double[])resid.Clone(), iter, true);
            if (m + corrections.Count > maxSub)
            {
                // collapse onto the Ritz vectors (their A-images are recomputed exactly)
                v.Clear();
                av.Clear();
                foreach (var x in ritz)
                    if (AddOrthonormal(v, (double[])x.Clone())) av.Add(Apply(apply, v[^1]));
            }
            int added = 0;
            foreach (var c in corrections)
            {
                project?.Invoke(c);
                if (AddOrthonormal(v, c))
                {
                    av.Add(Apply(apply, c));
                    added++;
                }
            }
            if (added == 0) return new DavidsonResult((double[])theta.Clone(), ritz, (double[])resid.Clone(), iter, false);
        }
        return new DavidsonResult((double[])theta.Clone(), ritz, (double[])resid.Clone(), options.MaxIterations, false);
    }

    internal static double[] Apply(Action<double[], double[]> apply, double[] x)
    {
        var y = new double[x.Length];
        apply(x, y);
        return y;
    }

    /// <summary>Orthogonalises x against the basis (twice, classical Gram–Schmidt) and appends it when it is not negligible.</summary>
    internal static bool AddOrthonormal(List<double[]> basis, double[] x)
    {
        double before = Math.Sqrt(Dot(x, x));
        if (before == 0 || !double.IsFinite(before)) return false;
        for (int pass = 0; pass < 2; pass++)
        {
            var coef = new double[basis.Count];
            Parallel.For(0, basis.Count, k => coef[k] = Dot(basis[k], x));
            for (int k = 0; k < basis.Count; k++) Axpy(-coef[k], basis[k], x);
        }
        double after = Math.Sqrt(Dot(x, x));
        if (after < 1e-6 * before) return false;
        double inv = 1 / after;
        for (int i = 0; i < x.Length; i++) x[i] *= inv;
        basis.Add(x);
        return true;
    }

    internal static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    internal static void Axpy(double alpha, double[] x, double[] y) =>
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, alpha, y, y);
}
