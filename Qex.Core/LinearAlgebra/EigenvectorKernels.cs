namespace Qex.Core.LinearAlgebra;

/// <summary>Small kernels shared by the eigensolvers: re-orthogonalisation, normalisation and the sign convention.</summary>
internal static class EigenvectorKernels
{
    /// <summary>Removes from x its components along cols[from..to) (modified Gram-Schmidt).</summary>
    public static void Orthogonalize(double[] x, double[][] cols, int from, int to)
    {
        for (int q = from; q < to; q++)
        {
            var v = cols[q];
            double s = 0;
            for (int i = 0; i < x.Length; i++) s += v[i] * x[i];
            for (int i = 0; i < x.Length; i++) x[i] -= s * v[i];
        }
    }

    /// <summary>Scales x to unit length and returns its former norm (a zero or non-finite vector becomes e_0).</summary>
    public static double Normalize(double[] x)
    {
        double s = 0;
        foreach (double v in x) s += v * v;
        s = Math.Sqrt(s);
        if (s == 0 || !double.IsFinite(s)) { Array.Clear(x); x[0] = 1; return 0; }
        for (int i = 0; i < x.Length; i++) x[i] /= s;
        return s;
    }

    /// <summary>Flips each column of z (n x k, row-major) so that its component of largest magnitude is positive.</summary>
    public static void FixSigns(double[] z, int n, int k)
    {
        for (int j = 0; j < k; j++)
        {
            double best = 0; int arg = 0;
            for (int i = 0; i < n; i++)
            {
                double v = Math.Abs(z[i * k + j]);
                if (v > best * (1 + 1e-12)) { best = v; arg = i; }
            }
            if (z[arg * k + j] < 0)
                for (int i = 0; i < n; i++) z[i * k + j] = -z[i * k + j];
        }
    }
}
