using Qex.Autodiff;
using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Grids;
using Qex.Kernels.Grid;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// Numerical integration as a pair of differentiable operations for the training of learned functionals: the basis
/// functions and their gradients are kept on every grid point, <see cref="Features"/> maps a density matrix P to
/// (rho, d rho/dx, d rho/dy, d rho/dz) on the grid, and <see cref="Matrix"/> is its adjoint, the XC-matrix build
/// V_uv = sum_g [f0_g phi_u phi_v + sum_c f_c,g d_c(phi_u phi_v)]. Both are linear, so each is the other's backward and
/// derivatives of every order are exact. Dense storage (4 x points x functions doubles) suits the small molecules of
/// training; larger ones are refused before allocating.
/// </summary>
public sealed class GridDensity
{
    private readonly double[] phi, dx, dy, dz;   // points x functions, row-major

    /// <summary>The most doubles of basis values kept (2 GiB).</summary>
    public const long MaxValues = 1L << 28;

    /// <summary>Evaluates the basis and its gradient on every point of <paramref name="grid"/>.</summary>
    /// <exception cref="InsufficientMemoryException">The values would not fit (refused before allocating).</exception>
    public GridDensity(BasisSet basis, MolecularGrid grid)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(grid);
        Functions = basis.FunctionCount;
        Points = grid.Count;
        Weights = grid.W;
        long values = 4L * Points * Functions;
        if (values > MaxValues)
            throw new InsufficientMemoryException($"Dense basis values on the grid need {values * 8 / (double)(1 << 30):F1} GiB ({Points:N0} points x {Functions} functions x 4); "
                + $"the differentiable SCF keeps at most {MaxValues * 8 >> 30} GiB: use a coarser grid or a smaller molecule.");
        MemoryEstimate.Require(values * 8, $"Basis values on {Points:N0} grid points x {Functions} functions");
        (phi, dx, dy, dz) = (new double[Points * Functions], new double[Points * Functions], new double[Points * Functions], new double[Points * Functions]);
        var gb = GridBasisFactory.Create(basis);
        const int block = 256;
        int blocks = (Points + block - 1) / block;
        int n = Functions;
        Parallel.For(0, blocks, b =>
        {
            int from = b * block, np = Math.Min(block, Points - from);
            var shells = new List<int>();
            var functions = new List<int>();
            BasisOnGrid.Select(gb, grid.X.AsSpan(from, np), grid.Y.AsSpan(from, np), grid.Z.AsSpan(from, np), shells, functions);
            int nf = functions.Count;
            var (v, gx, gy, gz) = (new double[nf * np], new double[nf * np], new double[nf * np], new double[nf * np]);
            BasisOnGrid.Evaluate(gb, shells, grid.X.AsSpan(from, np), grid.Y.AsSpan(from, np), grid.Z.AsSpan(from, np), v, gx, gy, gz, np);
            for (int k = 0; k < nf; k++)
            {
                int f = functions[k];
                for (int p = 0; p < np; p++)
                {
                    int o = (from + p) * n + f;
                    phi[o] = v[k * np + p]; dx[o] = gx[k * np + p]; dy[o] = gy[k * np + p]; dz[o] = gz[k * np + p];
                }
            }
        });
    }

    /// <summary>Basis functions.</summary>
    public int Functions { get; }

    /// <summary>Grid points.</summary>
    public int Points { get; }

    /// <summary>The quadrature weights of the points.</summary>
    public IReadOnlyList<double> Weights { get; }

    /// <summary>The weights as a constant (points).</summary>
    public Var WeightVector => Var.Constant(Tensor.Wrap([.. Weights], Points));

    /// <summary>
    /// (rho, d rho/dx, d rho/dy, d rho/dz) on the grid, shape (4, points), of the symmetric part of P (n x n):
    /// rho = sum_uv P_uv phi_u phi_v. Differentiable to any order (its backward is <see cref="Matrix"/>).
    /// </summary>
    public Var Features(Var density)
    {
        ArgumentNullException.ThrowIfNull(density);
        RequireMatrix(density.Value, "Features");
        return Op.Custom(FeaturesOf(density.Value), "grid_features", [density], (g, s) => [Matrix(g)]);
    }

    /// <summary>
    /// The adjoint of <see cref="Features"/>: for f (4, points), V = sum_g [f0 phi phi^T + sum_c f_c (d_c phi phi^T + phi
    /// d_c phi^T)] (symmetric, n x n): with f = w de/d(features) it is the XC matrix. Differentiable to any order.
    /// </summary>
    public Var Matrix(Var f)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (f.Rank != 2 || f.Dim(0) != 4 || f.Dim(1) != Points)
            throw new ArgumentException($"Grid features must have shape (4, {Points}); got {ShapeUtil.Format(f.Value.Shape)}.");
        return Op.Custom(MatrixOf(f.Value), "grid_matrix", [f], (g, s) => [Features(g)]);
    }

    /// <summary>Features of a constant density matrix (a reference density, say).</summary>
    public Tensor FeaturesOf(Tensor density)
    {
        int n = Functions, np = Points;
        var p = density.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) p[i * n + j] = p[j * n + i] = 0.5 * (p[i * n + j] + p[j * n + i]);
        var t = new double[np * n];
        Gemm.Multiply(false, false, np, n, n, 1, phi, n, p, n, 0, t, n);   // T = Phi P
        var r = new double[4 * np];
        Parallel.For(0, (np + 1023) / 1024, b =>
        {
            for (int g = b * 1024; g < Math.Min(np, (b + 1) * 1024); g++)
            {
                double rho = 0, gxs = 0, gys = 0, gzs = 0;
                int o = g * n;
                for (int u = 0; u < n; u++)
                {
                    double tv = t[o + u];
                    rho += tv * phi[o + u]; gxs += tv * dx[o + u]; gys += tv * dy[o + u]; gzs += tv * dz[o + u];
                }
                r[g] = rho; r[np + g] = 2 * gxs; r[2 * np + g] = 2 * gys; r[3 * np + g] = 2 * gzs;
            }
        });
        return Tensor.Wrap(r, 4, np);
    }

    private Tensor MatrixOf(Tensor features)
    {
        int n = Functions, np = Points;
        var f = features.Span;
        // V = Phi^T diag(f0) Phi + sum_c (dPhi_c^T diag(f_c) Phi + its transpose) = Phi^T A + A^T Phi with
        // A = diag(f0 / 2) Phi + sum_c diag(f_c) dPhi_c
        var a = new double[np * n];
        for (int g = 0; g < np; g++)
        {
            double f0 = 0.5 * f[g], f1 = f[np + g], f2 = f[2 * np + g], f3 = f[3 * np + g];
            int o = g * n;
            for (int u = 0; u < n; u++) a[o + u] = f0 * phi[o + u] + f1 * dx[o + u] + f2 * dy[o + u] + f3 * dz[o + u];
        }
        var v = new double[n * n];
        Gemm.Multiply(true, false, n, n, np, 1, phi, n, a, n, 0, v, n);
        var sym = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) sym[i * n + j] = v[i * n + j] + v[j * n + i];
        return Tensor.Wrap(sym, n, n);
    }

    private void RequireMatrix(Tensor t, string op)
    {
        if (t.Rank != 2 || t.Dim(0) != Functions || t.Dim(1) != Functions)
            throw new ArgumentException($"{op}: the density matrix must be {Functions} x {Functions}; got {ShapeUtil.Format(t.Shape)}.");
    }
}
