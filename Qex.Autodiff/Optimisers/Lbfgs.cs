namespace Qex.Autodiff.Optimisers;

/// <summary>
/// Settings of <see cref="Lbfgs"/>; the defaults and the stopping rules follow SciPy's L-BFGS-B
/// (maxcor 10, ftol = 1e7 * machine epsilon, gtol 1e-5 on the largest gradient component, maxfun and maxiter 15000,
/// line-search constants 1e-3 and 0.9).
/// </summary>
/// <param name="HistorySize">Number of correction pairs kept (m).</param>
/// <param name="MaxIterations">Largest number of iterations.</param>
/// <param name="MaxEvaluations">Largest number of function-and-gradient evaluations.</param>
/// <param name="FunctionTolerance">Stop when (f_k - f_k+1) / max(|f_k|, |f_k+1|, 1) &lt;= this.</param>
/// <param name="GradientTolerance">Stop when max_i |g_i| &lt;= this.</param>
/// <param name="MaxLineSearchSteps">Largest number of evaluations in one line search.</param>
/// <param name="SufficientDecrease">Armijo constant c1.</param>
/// <param name="Curvature">Strong-Wolfe curvature constant c2.</param>
public sealed record LbfgsOptions(
    int HistorySize = 10,
    int MaxIterations = 15000,
    int MaxEvaluations = 15000,
    double FunctionTolerance = 2.220446049250313e-09,
    double GradientTolerance = 1e-5,
    int MaxLineSearchSteps = 20,
    double SufficientDecrease = 1e-3,
    double Curvature = 0.9);

/// <summary>Why <see cref="Lbfgs"/> stopped.</summary>
public enum LbfgsStatus
{
    /// <summary>The largest gradient component fell below the tolerance.</summary>
    GradientTolerance,
    /// <summary>The relative reduction of f fell below the tolerance.</summary>
    FunctionTolerance,
    /// <summary>The iteration limit was reached.</summary>
    MaxIterations,
    /// <summary>The evaluation limit was reached.</summary>
    MaxEvaluations,
    /// <summary>No step satisfying the Wolfe conditions was found, even along the steepest descent.</summary>
    LineSearchFailed,
    /// <summary>The progress callback asked to stop.</summary>
    Stopped,
}

/// <summary>
/// The complete state of <see cref="Lbfgs"/> between two iterations: enough to continue a minimisation exactly where
/// it stopped (checkpoints), with the same arithmetic as an uninterrupted run.
/// </summary>
/// <param name="X">Current point.</param>
/// <param name="Value">f at X.</param>
/// <param name="Gradient">Gradient at X.</param>
/// <param name="S">Stored steps s_k = x_(k+1) - x_k, oldest first.</param>
/// <param name="Y">Stored gradient changes y_k = g_(k+1) - g_k, oldest first.</param>
/// <param name="Iterations">Iterations done.</param>
/// <param name="Evaluations">Function evaluations done (counting those of earlier runs when resumed).</param>
/// <param name="PreviousValue">f before the last iteration (NaN before the first), for the relative-reduction test.</param>
public sealed record LbfgsState(double[] X, double Value, double[] Gradient, double[][] S, double[][] Y, int Iterations, int Evaluations, double PreviousValue = double.NaN)
{
    /// <summary>Checks lengths and finiteness.</summary>
    /// <exception cref="ArgumentException">Names the inconsistency.</exception>
    public void Validate()
    {
        int n = X.Length;
        if (Gradient.Length != n) throw new ArgumentException($"L-BFGS state: the gradient has {Gradient.Length} components for {n} parameters.");
        if (S.Length != Y.Length) throw new ArgumentException($"L-BFGS state: {S.Length} steps but {Y.Length} gradient changes.");
        for (int i = 0; i < S.Length; i++)
            if (S[i].Length != n || Y[i].Length != n) throw new ArgumentException($"L-BFGS state: correction pair {i} does not have {n} components.");
        if (!double.IsFinite(Value) || X.Any(v => !double.IsFinite(v)) || Gradient.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("L-BFGS state: the point, value or gradient is not finite.");
        if (Iterations < 0 || Evaluations < 0) throw new ArgumentException("L-BFGS state: negative counters.");
    }
}

/// <summary>Progress after an iteration.</summary>
/// <param name="Iteration">Iterations done.</param>
/// <param name="Evaluations">Function evaluations done.</param>
/// <param name="Value">Current function value.</param>
/// <param name="GradientNorm">Largest absolute gradient component.</param>
/// <param name="X">Current point (a copy).</param>
/// <param name="State">The full state (a copy): continuing from it with <see cref="Lbfgs.Resume"/> repeats this run exactly.</param>
public sealed record LbfgsProgress(int Iteration, int Evaluations, double Value, double GradientNorm, double[] X, LbfgsState State);

/// <summary>The result of a minimisation.</summary>
/// <param name="X">Best point.</param>
/// <param name="Value">f at X.</param>
/// <param name="Gradient">Gradient at X.</param>
/// <param name="Iterations">Iterations done.</param>
/// <param name="Evaluations">Function evaluations done.</param>
/// <param name="Status">Why it stopped.</param>
public sealed record LbfgsResult(double[] X, double Value, double[] Gradient, int Iterations, int Evaluations, LbfgsStatus Status)
{
    /// <summary>True for the two convergence criteria.</summary>
    public bool Converged => Status is LbfgsStatus.GradientTolerance or LbfgsStatus.FunctionTolerance;
}

/// <summary>
/// Limited-memory BFGS (Nocedal 1980; Liu and Nocedal 1989): the two-loop recursion with the scaling
/// s^T y / y^T y, and a line search for the strong Wolfe conditions (Nocedal and Wright, Algorithms 3.5 and 3.6,
/// with safeguarded cubic interpolation). A step that gives a non-finite value is shortened, not taken.
/// </summary>
public static class Lbfgs
{
    /// <summary>Minimises f from <paramref name="x0"/>.</summary>
    /// <param name="f">Returns the value and the gradient at a point.</param>
    /// <param name="x0">Starting point (not modified).</param>
    /// <param name="options">Settings (SciPy L-BFGS-B defaults when null).</param>
    /// <param name="progress">Called after every iteration; return false to stop.</param>
    /// <exception cref="ArgumentException">f or its gradient is not finite at the starting point, or the gradient has the wrong length.</exception>
    public static LbfgsResult Minimize(Func<double[], (double Value, double[] Gradient)> f, double[] x0,
        LbfgsOptions? options = null, Func<LbfgsProgress, bool>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var x = (double[])x0.Clone();
        var (fx, gx) = f(x);
        if (gx.Length != x.Length) throw new ArgumentException($"L-BFGS: the gradient has {gx.Length} components for {x.Length} parameters.");
        if (!double.IsFinite(fx) || gx.Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"L-BFGS: the objective or its gradient is not finite at the starting point (f = {fx}).");
        return Resume(f, new LbfgsState(x, fx, (double[])gx.Clone(), [], [], 0, 1), options, progress);
    }

    /// <summary>
    /// Continues a minimisation from a saved state without evaluating its point again. Evaluation and iteration
    /// limits count the state's earlier evaluations and iterations; a run resumed from the state of an iteration
    /// takes the same steps as the uninterrupted run.
    /// </summary>
    /// <exception cref="ArgumentException">An inconsistent state, or a gradient of the wrong length.</exception>
    public static LbfgsResult Resume(Func<double[], (double Value, double[] Gradient)> f, LbfgsState state,
        LbfgsOptions? options = null, Func<LbfgsProgress, bool>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(state);
        state.Validate();
        var o = options ?? new LbfgsOptions();
        if (o.HistorySize < 1) throw new ArgumentException($"L-BFGS: the history size must be at least 1; got {o.HistorySize}.");
        int n = state.X.Length;
        var x = (double[])state.X.Clone();
        int evals = state.Evaluations;
        (double, double[]) Eval(double[] p)
        {
            evals++;
            var (v, g) = f(p);
            if (g.Length != n) throw new ArgumentException($"L-BFGS: the gradient has {g.Length} components for {n} parameters.");
            return (v, g);
        }
        double fx = state.Value;
        var gx = (double[])state.Gradient.Clone();
        var sList = state.S.Select(v => (double[])v.Clone()).ToList();
        var yList = state.Y.Select(v => (double[])v.Clone()).ToList();
        var rho = sList.Select((v, i) => 1 / Dot(v, yList[i])).ToList();
        while (sList.Count > o.HistorySize) { sList.RemoveAt(0); yList.RemoveAt(0); rho.RemoveAt(0); }
        int iter = state.Iterations;
        LbfgsStatus status;
        double fPrevious = state.PreviousValue;
        LbfgsState Snapshot() => new((double[])x.Clone(), fx, (double[])gx.Clone(), sList.Select(v => (double[])v.Clone()).ToArray(),
            yList.Select(v => (double[])v.Clone()).ToArray(), iter, evals, fPrevious);
        if (MaxAbs(gx) <= o.GradientTolerance) return new LbfgsResult(x, fx, gx, iter, evals, LbfgsStatus.GradientTolerance);
        if (double.IsFinite(fPrevious) && (fPrevious - fx) / Math.Max(Math.Max(Math.Abs(fPrevious), Math.Abs(fx)), 1) <= o.FunctionTolerance)
            return new LbfgsResult(x, fx, gx, iter, evals, LbfgsStatus.FunctionTolerance);
        if (evals >= o.MaxEvaluations) return new LbfgsResult(x, fx, gx, iter, evals, LbfgsStatus.MaxEvaluations);
        if (iter >= o.MaxIterations) return new LbfgsResult(x, fx, gx, iter, evals, LbfgsStatus.MaxIterations);
        while (true)
        {
            var d = Direction(gx, sList, yList, rho);
            double gd = Dot(gx, d);
            if (!(gd < 0))
            {
                sList.Clear(); yList.Clear(); rho.Clear();
                d = gx.Select(v => -v).ToArray();
                gd = Dot(gx, d);
            }
            double step0 = sList.Count == 0 ? Math.Min(1.0, 1.0 / Math.Sqrt(Dot(d, d))) : 1.0;
            var ls = LineSearch(Eval, x, fx, gx, d, gd, step0, o, () => evals);
            if (ls is null)
            {
                if (evals >= o.MaxEvaluations) { status = LbfgsStatus.MaxEvaluations; break; }
                if (sList.Count > 0) { sList.Clear(); yList.Clear(); rho.Clear(); continue; }
                status = LbfgsStatus.LineSearchFailed;
                break;
            }
            var (alpha, fNew, gNew) = ls.Value;
            var s = new double[n]; var y = new double[n];
            for (int i = 0; i < n; i++) { s[i] = alpha * d[i]; y[i] = gNew[i] - gx[i]; x[i] += s[i]; }
            double sy = Dot(s, y);
            if (sy > 2.220446049250313e-16 * Dot(y, y))
            {
                if (sList.Count == o.HistorySize) { sList.RemoveAt(0); yList.RemoveAt(0); rho.RemoveAt(0); }
                sList.Add(s); yList.Add(y); rho.Add(1 / sy);
            }
            double fOld = fx;
            fPrevious = fx;
            fx = fNew; gx = gNew;
            iter++;
            if (progress is not null && !progress(new LbfgsProgress(iter, evals, fx, MaxAbs(gx), (double[])x.Clone(), Snapshot())))
            { status = LbfgsStatus.Stopped; break; }
            if (MaxAbs(gx) <= o.GradientTolerance) { status = LbfgsStatus.GradientTolerance; break; }
            if ((fOld - fx) / Math.Max(Math.Max(Math.Abs(fOld), Math.Abs(fx)), 1) <= o.FunctionTolerance) { status = LbfgsStatus.FunctionTolerance; break; }
            if (evals >= o.MaxEvaluations) { status = LbfgsStatus.MaxEvaluations; break; }
            if (iter >= o.MaxIterations) { status = LbfgsStatus.MaxIterations; break; }
        }
        return new LbfgsResult(x, fx, gx, iter, evals, status);
    }

    private static double[] Direction(double[] g, List<double[]> s, List<double[]> y, List<double> rho)
    {
        int n = g.Length, m = s.Count;
        var q = (double[])g.Clone();
        var a = new double[m];
        for (int i = m - 1; i >= 0; i--)
        {
            a[i] = rho[i] * Dot(s[i], q);
            for (int j = 0; j < n; j++) q[j] -= a[i] * y[i][j];
        }
        double gamma = m > 0 ? Dot(s[m - 1], y[m - 1]) / Dot(y[m - 1], y[m - 1]) : 1.0;
        for (int j = 0; j < n; j++) q[j] *= gamma;
        for (int i = 0; i < m; i++)
        {
            double b = rho[i] * Dot(y[i], q);
            for (int j = 0; j < n; j++) q[j] += (a[i] - b) * s[i][j];
        }
        for (int j = 0; j < n; j++) q[j] = -q[j];
        return q;
    }

    private readonly record struct Trial(double Alpha, double Value, double Slope, double[] Gradient);

    private static (double Alpha, double Value, double[] Gradient)? LineSearch(
        Func<double[], (double, double[])> eval, double[] x, double f0, double[] g0, double[] d, double slope0,
        double alpha0, LbfgsOptions o, Func<int> evals)
    {
        int n = x.Length;
        double c1 = o.SufficientDecrease, c2 = o.Curvature;
        Trial? best = null;
        int steps = 0;
        Trial? Try(double alpha)
        {
            if (evals() >= o.MaxEvaluations || steps >= o.MaxLineSearchSteps) return null;
            steps++;
            var p = new double[n];
            for (int i = 0; i < n; i++) p[i] = x[i] + alpha * d[i];
            var (v, g) = eval(p);
            if (!double.IsFinite(v) || g.Any(t => !double.IsFinite(t))) return new Trial(alpha, double.PositiveInfinity, double.NaN, g);
            var t = new Trial(alpha, v, Dot(g, d), g);
            if (v <= f0 + c1 * alpha * slope0 && (best is null || v < best.Value.Value)) best = t;
            return t;
        }
        (double, double, double[])? Accept(Trial t) => (t.Alpha, t.Value, t.Gradient);
        (double, double, double[])? Fallback() => best is { } b ? Accept(b) : null;

        var prev = new Trial(0, f0, slope0, g0);
        double alpha = alpha0;
        for (int i = 0; ; i++)
        {
            var cur = Try(alpha);
            if (cur is null) return Fallback();
            var c = cur.Value;
            if (!double.IsFinite(c.Value)) { alpha = prev.Alpha + 0.1 * (alpha - prev.Alpha); continue; }
            if (c.Value > f0 + c1 * c.Alpha * slope0 || (i > 0 && c.Value >= prev.Value)) return Zoom(prev, c);
            if (Math.Abs(c.Slope) <= -c2 * slope0) return Accept(c);
            if (c.Slope >= 0) return Zoom(c, prev);
            double next = Math.Min(4 * c.Alpha, c.Alpha + 4 * (c.Alpha - prev.Alpha));
            prev = c;
            alpha = Math.Max(next, 2 * c.Alpha);
        }

        (double, double, double[])? Zoom(Trial lo, Trial hi)
        {
            while (true)
            {
                double a = Cubic(lo, hi);
                double lower = Math.Min(lo.Alpha, hi.Alpha), width = Math.Abs(hi.Alpha - lo.Alpha);
                if (width <= 1e-14 * Math.Max(1, Math.Abs(hi.Alpha))) return Fallback();
                if (!(a > lower + 0.1 * width && a < lower + 0.9 * width)) a = 0.5 * (lo.Alpha + hi.Alpha);
                var cur = Try(a);
                if (cur is null) return Fallback();
                var c = cur.Value;
                if (!double.IsFinite(c.Value) || c.Value > f0 + c1 * c.Alpha * slope0 || c.Value >= lo.Value) hi = c;
                else
                {
                    if (Math.Abs(c.Slope) <= -c2 * slope0) return Accept(c);
                    if (c.Slope * (hi.Alpha - lo.Alpha) >= 0) hi = lo;
                    lo = c;
                }
            }
        }
    }

    /// <summary>Minimiser of the cubic through two trials (values and slopes); NaN when it has none.</summary>
    private static double Cubic(Trial a, Trial b)
    {
        if (!double.IsFinite(b.Value) || !double.IsFinite(b.Slope)) return double.NaN;
        double d1 = a.Slope + b.Slope - 3 * (a.Value - b.Value) / (a.Alpha - b.Alpha);
        double disc = d1 * d1 - a.Slope * b.Slope;
        if (disc < 0) return double.NaN;
        double d2 = Math.Sign(b.Alpha - a.Alpha) * Math.Sqrt(disc);
        return b.Alpha - (b.Alpha - a.Alpha) * (b.Slope + d2 - d1) / (b.Slope - a.Slope + 2 * d2);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double MaxAbs(double[] a)
    {
        double m = 0;
        foreach (double v in a) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
