using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Autodiff;

/// <summary>
/// A function applied to the eigenvalues of a symmetric matrix, f(A) = V f(L) V^T (a density matrix: occupations of
/// the eigenvalues). Per eigenvalue (and its index, for occupations by order) it gives the value and the first two
/// derivatives in the eigenvalue.
/// </summary>
/// <param name="Name">A name for messages.</param>
/// <param name="Evaluate">(eigenvalue, index in ascending order) -> (f, f', f'').</param>
public sealed record SpectralFunction(string Name, Func<double, int, (double F, double D1, double D2)> Evaluate)
{
    /// <summary>
    /// The lowest <paramref name="count"/> eigenvalues occupied with <paramref name="weight"/> (aufbau; 2 for a closed
    /// shell): the projector onto them, times the weight. Differentiable where the highest occupied and the lowest
    /// empty eigenvalue differ.
    /// </summary>
    public static SpectralFunction Lowest(int count, double weight = 1) =>
        new($"lowest {count}", (_, i) => (i < count ? weight : 0, 0, 0));

    /// <summary>Fermi–Dirac occupations weight / (1 + exp((e - mu) / theta)) at a fixed chemical potential.</summary>
    public static SpectralFunction FermiDirac(double mu, double theta, double weight = 1)
    {
        if (!(theta > 0)) throw new ArgumentException($"The Fermi-Dirac temperature must be positive; got {theta}.", nameof(theta));
        return new($"Fermi-Dirac (mu {mu}, theta {theta})", (e, _) =>
        {
            double x = (e - mu) / theta;
            // f = w s(-x), f' = -w s(x) s(-x) / theta, f'' = w s(x) s(-x) (s(x) - s(-x)) / theta^2, s the logistic
            double sp = TensorMath.Sigmoid(x), sm = TensorMath.Sigmoid(-x);
            return (weight * sm, -weight * sp * sm / theta, weight * sp * sm * (sp - sm) / (theta * theta));
        });
    }

    /// <summary>A smooth function with its first two derivatives.</summary>
    public static SpectralFunction Of(string name, Func<double, double> f, Func<double, double> d1, Func<double, double> d2) =>
        new(name, (e, _) => (f(e), d1(e), d2(e)));
}

public static partial class Op
{
    /// <summary>
    /// f(A) = V f(L) V^T for a symmetric matrix A (its lower triangle read), differentiable twice and exact at
    /// degenerate eigenvalues: the derivatives are the Daleckii–Krein formulas with the divided differences
    /// f[l_i, l_j] = (f_i - f_j) / (l_i - l_j) and f[l_i, l_k, l_j], which tend to f' and f''/2 as eigenvalues meet
    /// (0 inside a degenerate occupied or empty block of <see cref="SpectralFunction.Lowest"/>), so no eigenvector
    /// derivative, and no 1/(l_i - l_j) of a degenerate pair, is ever formed. The gradient given for A is the symmetric
    /// one. Third derivatives are not available (they throw).
    /// </summary>
    /// <exception cref="ArgumentException">Occupations by order that split a degenerate level (no gap between the
    /// highest occupied and the lowest empty eigenvalue: the density is not differentiable there; smearing is).</exception>
    public static Var MatrixFunction(Var a, SpectralFunction f)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(f);
        int n = ShapeUtil.RequireSquare(a.Value, "MatrixFunction");
        var spectrum = Spectrum.Of(a.Value, n, f);
        var value = spectrum.Apply();
        return Var.Record(value, "matrix_function", [a], (g, s) => [Frechet(s.Input(0), spectrum, Symmetrize(g))]);
    }

    /// <summary>The first Frechet derivative L(A, E) = V (F1 o V^T E V) V^T, linear in E and self-adjoint.</summary>
    private static Var Frechet(Var a, Spectrum spectrum, Var e) =>
        Var.Record(spectrum.First(e.Value), "matrix_function_frechet", [a, e], (w, s) =>
        {
            var ws = Symmetrize(w);
            var second = Var.Record(spectrum.SecondGradient(s.Input(1).Value, ws.Value), "matrix_function_second", [s.Input(0), s.Input(1), ws],
                (_, _) => throw new NotSupportedException("MatrixFunction: third derivatives are not available."));
            return [second, Frechet(s.Input(0), spectrum, ws)];
        });

    /// <summary>The eigen-decomposition of A with f and the divided differences it needs.</summary>
    private sealed class Spectrum
    {
        private readonly int n;
        private readonly double[] v;       // eigenvectors as columns, n x n
        private readonly double[] lam, f0, f1, f2;
        private readonly double[] first;   // F1[i, j] = f[l_i, l_j]
        private readonly double tol;

        private Spectrum(int n, double[] v, double[] lam, double[] f0, double[] f1, double[] f2, double tol)
        {
            (this.n, this.v, this.lam, this.f0, this.f1, this.f2, this.tol) = (n, v, lam, f0, f1, f2, tol);
            first = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) first[i * n + j] = Divided(i, j);
        }

        public static Spectrum Of(Tensor a, int n, SpectralFunction f)
        {
            var eig = SymmetricEigen.Decompose(a);
            var lam = eig.Values.ToArray();
            double scale = Math.Max(1, lam.Max(Math.Abs));
            double tol = DegeneracyTolerance * scale;
            var (f0, f1, f2) = (new double[n], new double[n], new double[n]);
            for (int i = 0; i < n; i++) (f0[i], f1[i], f2[i]) = f.Evaluate(lam[i], i);
            // a degenerate pair whose values differ by more than the function's slope explains: occupations by order
            // that split the level (a jump, not a function of the eigenvalue)
            for (int i = 0; i + 1 < n; i++)
                if (Math.Abs(lam[i + 1] - lam[i]) <= tol
                    && Math.Abs(f0[i + 1] - f0[i]) > 1e-8 * Math.Max(1, Math.Max(Math.Abs(f0[i]), Math.Abs(f0[i + 1])))
                        + 10 * Math.Max(Math.Abs(f1[i]), Math.Abs(f1[i + 1])) * Math.Abs(lam[i + 1] - lam[i]))
                    throw new ArgumentException(FormattableString.Invariant(
                        $"MatrixFunction ({f.Name}): eigenvalues {i} and {i + 1} are degenerate ({lam[i]:G10}) but get different values; f(A) is not differentiable there (use smearing)."));
            return new Spectrum(n, eig.Vectors.ToArray(), lam, f0, f1, f2, tol);
        }

        private bool Same(int i, int j) => Math.Abs(lam[i] - lam[j]) <= tol;

        /// <summary>f[l_i, l_j]: (f_i - f_j) / (l_i - l_j), or the mean derivative when they meet.</summary>
        private double Divided(int i, int j) => Same(i, j) ? 0.5 * (f1[i] + f1[j]) : (f0[i] - f0[j]) / (lam[i] - lam[j]);

        /// <summary>f[l_i, l_k, l_j], symmetric in its arguments; f''/2 when all three meet.</summary>
        private double Divided(int i, int k, int j)
        {
            // order the three so that a differing pair is divided
            if (!Same(i, j)) return (first[i * n + k] - first[k * n + j]) / (lam[i] - lam[j]);
            if (!Same(i, k)) return (first[i * n + j] - first[j * n + k]) / (lam[i] - lam[k]);
            return (f2[i] + f2[j] + f2[k]) / 6;
        }

        /// <summary>V diag(f) V^T.</summary>
        public Tensor Apply()
        {
            var r = new double[n * n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b <= a; b++)
                {
                    double s = 0;
                    for (int i = 0; i < n; i++) s += v[a * n + i] * f0[i] * v[b * n + i];
                    r[a * n + b] = r[b * n + a] = s;
                }
            return Tensor.Wrap(r, n, n);
        }

        private double[] ToEigenbasis(Tensor m) => Mul(Mul(v, m.ToArray(), true, false), v, false, false);   // V^T M V

        private Tensor FromEigenbasis(double[] m) => Tensor.Wrap(Mul(Mul(v, m, false, false), v, false, true), n, n);   // V M V^T

        private double[] Mul(double[] x, double[] y, bool tx, bool ty)
        {
            var r = new double[n * n];
            Gemm.Multiply(tx, ty, n, n, n, 1, x, n, y, n, 0, r, n, 1);
            return r;
        }

        /// <summary>L(A, E) = V (F1 o V^T E V) V^T.</summary>
        public Tensor First(Tensor e)
        {
            var t = ToEigenbasis(e);
            for (int i = 0; i < n * n; i++) t[i] *= first[i];
            return FromEigenbasis(t);
        }

        /// <summary>
        /// The gradient by A of &lt;W, L(A, E)&gt; (both symmetric): V (T + T^T)/2 V^T with, in the eigenbasis,
        /// T_ab = sum_c (w_cb e_ca f[l_c, l_a, l_b] + w_ac e_bc f[l_a, l_b, l_c]) (the second Frechet derivative).
        /// </summary>
        public Tensor SecondGradient(Tensor eTensor, Tensor wTensor)
        {
            var e = ToEigenbasis(eTensor);
            var w = ToEigenbasis(wTensor);
            var t = new double[n * n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                {
                    double s = 0;
                    for (int c = 0; c < n; c++)
                        s += w[c * n + b] * e[c * n + a] * Divided(c, a, b) + w[a * n + c] * e[b * n + c] * Divided(a, b, c);
                    t[a * n + b] = s;
                }
            var sym = new double[n * n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) sym[a * n + b] = 0.5 * (t[a * n + b] + t[b * n + a]);
            return FromEigenbasis(sym);
        }
    }
}
