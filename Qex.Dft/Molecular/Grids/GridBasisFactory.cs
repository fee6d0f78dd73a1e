using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Kernels.Grid;

namespace Qex.Dft.Molecular.Grids;

/// <summary>A basis set as the grid kernels' plain data: centres, primitives, cartesian components, transforms and extents.</summary>
public static class GridBasisFactory
{
    /// <summary>Functions below this magnitude are treated as zero on a grid (Psi4's basis tolerance is 1e-12).</summary>
    public const double DefaultCutoff = 1e-14;

    /// <summary>The grid form of <paramref name="basis"/>, each shell's extent taken at <paramref name="cutoff"/>.</summary>
    public static GridBasis Create(BasisSet basis, double cutoff = DefaultCutoff)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if (!(cutoff > 0 && cutoff < 1)) throw new ArgumentException($"The basis cutoff on grids must lie in (0, 1); got {cutoff}.");
        var shells = new List<GridShell>(basis.Shells.Count);
        foreach (var sh in basis.Shells)
        {
            var comps = OneElectronIntegrals.Components(sh.AngularMomentum);
            var m = SphericalTransform.ShellMatrix(sh);
            int nc = comps.Length;
            double bound = 0;
            for (int f = 0; f < sh.FunctionCount; f++)
            {
                double row = 0;
                for (int c = 0; c < nc; c++) row += Math.Abs(m[f * nc + c]);
                bound = Math.Max(bound, row);
            }
            double extent = GridBasis.ExtentOf(sh.Exponents, sh.Coefficients, sh.AngularMomentum, bound, cutoff);
            shells.Add(new GridShell(sh.Center[0], sh.Center[1], sh.Center[2], sh.Exponents, sh.Coefficients,
                [.. comps.SelectMany(c => new[] { c.L, c.M, c.N })], m, sh.Offset, sh.FunctionCount, extent));
        }
        return new GridBasis(shells, basis.FunctionCount);
    }
}
