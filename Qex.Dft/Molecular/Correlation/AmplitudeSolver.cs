using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>
/// The coupled-cluster amplitude iteration shared by the spin-orbital and spin-adapted codes: Jacobi updates
/// extrapolated by DIIS over the last eight (Scuseria, Lee and Schaefer 1986), converged when the energy changes by
/// less than the tolerance and no amplitude moves by more than its square root.
/// </summary>
internal static class AmplitudeSolver
{
    /// <summary>Iterates to convergence; returns the amplitudes, the correlation energy and the iteration count.</summary>
    /// <exception cref="InvalidOperationException">No convergence within <paramref name="maxIterations"/>.</exception>
    public static (double[] T1, double[] T2, double Energy, int Iterations) Solve(double[] t1, double[] t2,
        Func<double[], double[], (double[], double[])> update, Func<double[], double[], double> energy, double tolerance, int maxIterations,
        Action<string>? progress = null)
    {
        double ecc = energy(t1, t2), last = double.NaN;
        var history = new List<(double[] T, double[] Step)>();
        for (int it = 0; it < maxIterations; it++)
        {
            var (u1, u2) = update(t1, t2);
            var now = new double[u1.Length + u2.Length];
            u1.CopyTo(now, 0);
            u2.CopyTo(now, u1.Length);
            var step = new double[now.Length];
            for (int k = 0; k < t1.Length; k++) step[k] = u1[k] - t1[k];
            for (int k = 0; k < t2.Length; k++) step[t1.Length + k] = u2[k] - t2[k];
            history.Add((now, step));
            if (history.Count > 8) history.RemoveAt(0);
            var next = history.Count >= 3 ? Extrapolate(history) : now;
            t1 = next[..t1.Length];
            t2 = next[t1.Length..];
            last = ecc;
            ecc = energy(t1, t2);
            progress?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"CCSD iteration {it + 1}: E_corr = {ecc:F12}, dE = {ecc - last:E2}"));
            if (Math.Abs(ecc - last) < tolerance && step.Max(Math.Abs) < Math.Sqrt(tolerance)) return (t1, t2, ecc, it + 1);
        }
        throw new InvalidOperationException($"CCSD did not converge in {maxIterations} iterations (last energy change {ecc - last:E2}).");
    }

    /// <summary>The DIIS combination sum_k c_k T_k with sum_k c_k = 1 minimising |sum_k c_k step_k|.</summary>
    private static double[] Extrapolate(List<(double[] T, double[] Step)> history)
    {
        int k = history.Count;
        var b = new double[(k + 1) * (k + 1)];
        for (int x = 0; x < k; x++)
            for (int y = 0; y <= x; y++)
                b[x * (k + 1) + y] = b[y * (k + 1) + x] = System.Numerics.Tensors.TensorPrimitives.Dot(history[x].Step, history[y].Step);
        for (int x = 0; x < k; x++) { b[x * (k + 1) + k] = -1; b[k * (k + 1) + x] = -1; }
        var rhs = new double[k + 1];
        rhs[k] = -1;
        double[] c;
        try { c = LinearSolve.Solve(Tensor.Wrap(b, k + 1, k + 1), Tensor.Wrap(rhs, k + 1)).ToArray(); }
        catch (Exception e) when (e is ArithmeticException or ArgumentException) { return history[^1].T; }
        var t = new double[history[0].T.Length];
        for (int x = 0; x < k; x++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(history[x].T, c[x], t, t);
        return t;
    }
}
