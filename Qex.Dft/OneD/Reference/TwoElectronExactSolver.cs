using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Reference;

/// <summary>The exact two-electron singlet ground state on a grid.</summary>
/// <param name="Energy">Electronic energy (E_nn excluded).</param>
/// <param name="Density">Electron density (h sum n = 2).</param>
/// <param name="Iterations">Davidson iterations used.</param>
/// <param name="Residual">Final residual norm |H psi - E psi| (psi normalised).</param>
public sealed record ExactGroundState(double Energy, Tensor Density, int Iterations, double Residual);

/// <summary>
/// Exact diagonalisation of the two-electron Hamiltonian
/// <c>H = h1(x1) + h1(x2) + v(x1 - x2)</c>, <c>h1 = T + v_ext</c> (same 5-point stencil and grid as the Kohn–Sham
/// code), for the spatially symmetric (singlet) ground state. Davidson iteration on the n x n wavefunction, with a
/// preconditioner that inverts the separable part <c>h1 x 1 + 1 x h1 - theta</c> exactly in the eigenbasis of h1
/// (four matrix products), so that only the bounded electron–electron interaction is left to iterate on.
/// </summary>
public sealed class TwoElectronExactSolver
{
    private readonly Grid1D _grid;
    private readonly Interaction _interaction;

    /// <summary>A solver on a grid with an interaction.</summary>
    public TwoElectronExactSolver(Grid1D grid, Interaction interaction)
    {
        _grid = grid;
        _interaction = interaction;
    }

    /// <summary>Ground state of a two-electron molecule.</summary>
    /// <exception cref="ArgumentException">The molecule does not have two electrons or does not fit the grid.</exception>
    /// <exception cref="InvalidOperationException">Davidson did not converge (names the residual).</exception>
    public ExactGroundState Solve(Molecule1D molecule, double tolerance = 1e-9, int maxIterations = 200)
    {
        if (molecule.Electrons != 2)
            throw new ArgumentException($"Exact diagonalisation here is for two electrons; the molecule has {molecule.Electrons}.");
        molecule.Validate(_grid);
        int n = _grid.Count;
        var vext = molecule.ExternalPotential(_grid, _interaction).ToArray();
        var (t0, t1, t2) = KineticOperator.Bands(_grid.Spacing);
        var h1 = new SymmetricBandMatrix([vext.Select(v => v + t0).ToArray(), Enumerable.Repeat(t1, n - 1).ToArray(), Enumerable.Repeat(t2, n - 2).ToArray()]);
        var eig = SymmetricEigen.Decompose(h1.ToDense());
        var q = eig.Vectors.ToArray();
        var lam = eig.Values.ToArray();
        var w = new double[n * n];
        var x = _grid.Points.Span;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) w[i * n + j] = _interaction.Value(x[i] - x[j]);

        void ApplyH(double[] psi, double[] result)
        {
            // (h1 psi + psi h1) + w o psi; psi symmetric, so psi h1 = (h1 psi)^T
            var hp = new double[n * n];
            MultiplyRows(h1, psi, hp, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    result[i * n + j] = hp[i * n + j] + hp[j * n + i] + w[i * n + j] * psi[i * n + j];
        }

        void Precondition(double[] r, double theta, double[] result)
        {
            // Q [ (Q^T r Q) / (l_i + l_j - theta) ] Q^T
            var tmp = new double[n * n];
            var mid = new double[n * n];
            Gemm.Multiply(true, false, n, n, n, 1, q, n, r, n, 0, tmp, n);
            Gemm.Multiply(false, false, n, n, n, 1, tmp, n, q, n, 0, mid, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double d = lam[i] + lam[j] - theta;
                    mid[i * n + j] /= Math.Abs(d) < 1e-8 ? Math.CopySign(1e-8, d) : d;
                }
            Gemm.Multiply(false, false, n, n, n, 1, q, n, mid, n, 0, tmp, n);
            Gemm.Multiply(false, true, n, n, n, 1, tmp, n, q, n, 0, result, n);
        }

        // start: both electrons in the lowest orbital of h1
        var start = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) start[i * n + j] = q[i * n] * q[j * n];
        var basis = new List<double[]>();
        var images = new List<double[]>();
        AddOrthonormal(basis, start);
        double energy = 0, residual = double.PositiveInfinity;
        var psi = new double[n * n];
        var r = new double[n * n];
        for (int iter = 1; iter <= maxIterations; iter++)
        {
            while (images.Count < basis.Count)
            {
                var img = new double[n * n];
                ApplyH(basis[images.Count], img);
                images.Add(img);
            }
            int m = basis.Count;
            var small = new double[m * m];
            for (int a = 0; a < m; a++)
                for (int b = 0; b <= a; b++)
                {
                    double s = Dot(basis[a], images[b]);
                    small[a * m + b] = s; small[b * m + a] = s;
                }
            var ritz = SymmetricEigen.Lowest(Tensor.Wrap(small, m, m), 1);
            energy = ritz.Values[0];
            Array.Clear(psi); Array.Clear(r);
            for (int a = 0; a < m; a++)
            {
                double c = ritz.Vectors[a, 0];
                Axpy(c, basis[a], psi);
                Axpy(c, images[a], r);
            }
            Axpy(-energy, psi, r);
            residual = Math.Sqrt(Dot(r, r));
            if (residual < tolerance)
            {
                return new ExactGroundState(energy, Density(psi, n), iter, residual);
            }
            var t = new double[n * n];
            Precondition(r, energy, t);
            Symmetrize(t, n);
            if (basis.Count >= 24)
            {
                basis.Clear(); images.Clear();
                AddOrthonormal(basis, (double[])psi.Clone());
            }
            if (!AddOrthonormal(basis, t)) AddOrthonormal(basis, (double[])r.Clone());
        }
        throw new InvalidOperationException($"Exact diagonalisation did not converge in {maxIterations} Davidson iterations (residual {residual:E2}, energy {energy:F10}).");
    }

    private Tensor Density(double[] psi, int n)
    {
        double norm = Dot(psi, psi);
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += psi[i * n + j] * psi[i * n + j];
            d[i] = 2 * s / (norm * _grid.Spacing);
        }
        return Tensor.Wrap(d, n);
    }

    /// <summary>result = A psi for a band matrix A acting on the row index of psi (n x n), row by row.</summary>
    private static void MultiplyRows(SymmetricBandMatrix a, double[] psi, double[] result, int n)
    {
        for (int i = 0; i < n; i++)
        {
            var dst = result.AsSpan(i * n, n);
            double d = a.Bands[0][i];
            var src = psi.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) dst[j] = d * src[j];
            for (int qq = 1; qq <= a.Bandwidth; qq++)
            {
                if (i + qq < n)
                {
                    double c = a.Bands[qq][i];
                    var s2 = psi.AsSpan((i + qq) * n, n);
                    for (int j = 0; j < n; j++) dst[j] += c * s2[j];
                }
                if (i - qq >= 0)
                {
                    double c = a.Bands[qq][i - qq];
                    var s2 = psi.AsSpan((i - qq) * n, n);
                    for (int j = 0; j < n; j++) dst[j] += c * s2[j];
                }
            }
        }
    }

    private static void Symmetrize(double[] t, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = 0.5 * (t[i * n + j] + t[j * n + i]);
                t[i * n + j] = s; t[j * n + i] = s;
            }
    }

    private static bool AddOrthonormal(List<double[]> basis, double[] v)
    {
        for (int pass = 0; pass < 2; pass++)
            foreach (var b in basis) Axpy(-Dot(b, v), b, v);
        double norm = Math.Sqrt(Dot(v, v));
        if (!(norm > 1e-12)) return false;
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
        basis.Add(v);
        return true;
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static void Axpy(double alpha, double[] x, double[] y)
    {
        for (int i = 0; i < y.Length; i++) y[i] += alpha * x[i];
    }
}
