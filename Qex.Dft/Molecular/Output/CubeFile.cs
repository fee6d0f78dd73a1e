using System.Globalization;
using System.Text;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Kernels.Grid;

namespace Qex.Dft.Molecular.Output;

/// <summary>A regular grid for a cube file: origin (Bohr), points per axis and one spacing.</summary>
/// <param name="X0">Origin x.</param>
/// <param name="Y0">Origin y.</param>
/// <param name="Z0">Origin z.</param>
/// <param name="Nx">Points along x.</param>
/// <param name="Ny">Points along y.</param>
/// <param name="Nz">Points along z.</param>
/// <param name="Spacing">Distance between neighbouring points (Bohr).</param>
public sealed record CubeGrid(double X0, double Y0, double Z0, int Nx, int Ny, int Nz, double Spacing)
{
    /// <summary>Most points a cube may have (8 bytes each while evaluating, about 13 characters each in the file).</summary>
    public const long MaxPoints = 20_000_000;

    /// <summary>Number of points.</summary>
    public long Count => (long)Nx * Ny * Nz;

    /// <summary>The box around the atoms with <paramref name="margin"/> Bohr on every side, at <paramref name="spacing"/> Bohr.</summary>
    /// <exception cref="ArgumentException">A non-positive spacing or negative margin, or more than <see cref="MaxPoints"/> points (refused before allocating).</exception>
    public static CubeGrid Around(Molecule molecule, double spacing = 0.2, double margin = 4.0)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        if (!(spacing > 0) || !double.IsFinite(spacing)) throw new ArgumentException($"The cube spacing must be a positive number of Bohr; got {spacing}.");
        if (!(margin >= 0) || !double.IsFinite(margin)) throw new ArgumentException($"The cube margin must be a non-negative number of Bohr; got {margin}.");
        var a = molecule.Atoms;
        double x0 = a.Min(t => t.X) - margin, y0 = a.Min(t => t.Y) - margin, z0 = a.Min(t => t.Z) - margin;
        int N(double lo, double hi) => (int)Math.Min(int.MaxValue, Math.Ceiling((hi - lo) / spacing) + 1);
        var g = new CubeGrid(x0, y0, z0, N(x0, a.Max(t => t.X) + margin), N(y0, a.Max(t => t.Y) + margin), N(z0, a.Max(t => t.Z) + margin), spacing);
        // in floating point: three counts near int.MaxValue would overflow a long product
        double count = (double)g.Nx * g.Ny * g.Nz;
        if (count > MaxPoints)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A cube of {g.Nx} x {g.Ny} x {g.Nz} points ({count:G4}) at spacing {spacing} Bohr exceeds {MaxPoints:N0}; use a larger spacing."));
        return g;
    }
}

/// <summary>
/// Gaussian cube files (read by VMD, Avogadro, Jmol, VESTA): the electron density sum_uv D_uv phi_u phi_v or
/// molecular orbitals sum_u C_ui phi_u on a regular grid, in Bohr, x slowest and z fastest, six values per line.
/// </summary>
public static class CubeFile
{
    /// <summary>The density of <paramref name="density"/> (n x n, row-major, the total density) on <paramref name="grid"/>.</summary>
    public static string Density(Molecule molecule, BasisSet basis, double[] density, CubeGrid grid, string title = "electron density")
    {
        ArgumentNullException.ThrowIfNull(density);
        int n = basis?.FunctionCount ?? throw new ArgumentNullException(nameof(basis));
        if (density.Length != n * n) throw new ArgumentException($"The density must be {n} x {n}.");
        return Write(molecule, basis, grid, title, "density (electrons / Bohr^3)", (phi, np, values) =>
        {
            // rho_p = sum_u phi_up (D phi)_up, function-major
            var t = new double[n * np];
            Qex.Core.LinearAlgebra.Gemm.Multiply(false, false, n, np, n, 1, density, n, phi, np, 0, t, np, 1);
            for (int u = 0; u < n; u++)
                for (int p = 0; p < np; p++) values[p] += phi[u * np + p] * t[u * np + p];
        });
    }

    /// <summary>Orbital <paramref name="orbital"/> (0-based) of <paramref name="coefficients"/> (n x m, row-major) on <paramref name="grid"/>.</summary>
    public static string Orbital(Molecule molecule, BasisSet basis, double[] coefficients, int orbital, CubeGrid grid, string title = "molecular orbital")
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        int n = basis?.FunctionCount ?? throw new ArgumentNullException(nameof(basis));
        if (coefficients.Length % n != 0) throw new ArgumentException($"The coefficients must have {n} rows.");
        int m = coefficients.Length / n;
        if (orbital < 0 || orbital >= m) throw new ArgumentException($"Orbital {orbital} does not exist; there are {m} (0 .. {m - 1}).");
        return Write(molecule, basis, grid, title, $"orbital {orbital + 1} (1-based)", (phi, np, values) =>
        {
            for (int u = 0; u < n; u++)
            {
                double c = coefficients[u * m + orbital];
                if (c == 0) continue;
                for (int p = 0; p < np; p++) values[p] += c * phi[u * np + p];
            }
        });
    }

    private static string Write(Molecule molecule, BasisSet basis, CubeGrid grid, string title, string what, Action<double[], int, double[]> fill)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(grid);
        if ((double)grid.Nx * grid.Ny * grid.Nz > CubeGrid.MaxPoints || grid.Nx < 1 || grid.Ny < 1 || grid.Nz < 1) throw new ArgumentException($"A cube needs 1 to {CubeGrid.MaxPoints:N0} points; got {grid.Nx} x {grid.Ny} x {grid.Nz}.");
        var gb = GridBasisFactory.Create(basis);
        int n = basis.FunctionCount;
        var all = Enumerable.Range(0, gb.Shells.Count).ToList();
        var sb = new StringBuilder();
        var ic = CultureInfo.InvariantCulture;
        sb.Append(title.Replace('\n', ' ')).Append('\n');
        sb.Append(what).Append(", written by qex\n");
        sb.Append(string.Create(ic, $"{molecule.Atoms.Count,5}{grid.X0,12:F6}{grid.Y0,12:F6}{grid.Z0,12:F6}\n"));
        sb.Append(string.Create(ic, $"{grid.Nx,5}{grid.Spacing,12:F6}{0.0,12:F6}{0.0,12:F6}\n"));
        sb.Append(string.Create(ic, $"{grid.Ny,5}{0.0,12:F6}{grid.Spacing,12:F6}{0.0,12:F6}\n"));
        sb.Append(string.Create(ic, $"{grid.Nz,5}{0.0,12:F6}{0.0,12:F6}{grid.Spacing,12:F6}\n"));
        foreach (var a in molecule.Atoms) sb.Append(string.Create(ic, $"{a.AtomicNumber,5}{(double)a.AtomicNumber,12:F6}{a.X,12:F6}{a.Y,12:F6}{a.Z,12:F6}\n"));
        // one z-row at a time (the file's innermost index), rows evaluated in parallel chunks, written in order
        var rows = new double[grid.Nx * grid.Ny][];
        Parallel.For(0, grid.Nx * grid.Ny, r =>
        {
            int ix = r / grid.Ny, iy = r % grid.Ny, np = grid.Nz;
            var x = new double[np];
            var y = new double[np];
            var z = new double[np];
            for (int k = 0; k < np; k++) (x[k], y[k], z[k]) = (grid.X0 + ix * grid.Spacing, grid.Y0 + iy * grid.Spacing, grid.Z0 + k * grid.Spacing);
            var phi = new double[n * np];
            BasisOnGrid.Evaluate(gb, all, x, y, z, phi, default, default, default, np);
            var values = new double[np];
            fill(phi, np, values);
            rows[r] = values;
        });
        foreach (var row in rows)
        {
            for (int k = 0; k < row.Length; k++)
            {
                sb.Append(string.Create(ic, $" {row[k]:E5}"));
                if (k % 6 == 5 || k == row.Length - 1) sb.Append('\n');
            }
        }
        return sb.ToString();
    }
}
