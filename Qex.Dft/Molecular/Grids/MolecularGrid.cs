namespace Qex.Dft.Molecular.Grids;

/// <summary>How a molecular integration grid is built.</summary>
/// <param name="RadialPoints">Radial points per atom.</param>
/// <param name="SphericalPoints">Lebedev points per radial shell (one of <see cref="LebedevGrid.PointCounts"/>).</param>
/// <param name="Radial">The radial quadrature.</param>
/// <param name="Partition">The atomic partition.</param>
/// <param name="Adjustment">The atomic-size adjustment of the partition.</param>
/// <param name="WeightThreshold">Points whose weight is below this are dropped (0: keep all).</param>
public sealed record GridOptions(int RadialPoints = 75, int SphericalPoints = 302, RadialScheme Radial = RadialScheme.TreutlerAhlrichs,
    PartitionScheme Partition = PartitionScheme.Becke, SizeAdjustment Adjustment = SizeAdjustment.Treutler, double WeightThreshold = 0)
{
    /// <summary>Psi4's grid of the shared reference energies: Treutler radial, Treutler partitioning, no pruning (150 x 590 there).</summary>
    public static GridOptions Psi4(int radial = 75, int spherical = 302) =>
        new(radial, spherical, RadialScheme.TreutlerAhlrichs, PartitionScheme.Becke, SizeAdjustment.Treutler);
}

/// <summary>An integration grid over all space: points (Bohr) and weights, with the atom each point belongs to.</summary>
/// <param name="X">x of each point.</param>
/// <param name="Y">y of each point.</param>
/// <param name="Z">z of each point.</param>
/// <param name="W">Weights (radial x angular x partition).</param>
/// <param name="Atom">The atom whose grid the point came from.</param>
public sealed record MolecularGrid(double[] X, double[] Y, double[] Z, double[] W, int[] Atom)
{
    /// <summary>Number of points.</summary>
    public int Count => W.Length;

    /// <summary>Builds the grid of a molecule: per atom a radial grid times a Lebedev grid, weighted by the partition.</summary>
    /// <exception cref="ArgumentException">Bad sizes (the message lists the Lebedev sizes).</exception>
    /// <exception cref="InsufficientMemoryException">The grid would not fit in memory (refused before allocating).</exception>
    public static MolecularGrid Create(Molecule molecule, GridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        var o = options ?? new GridOptions();
        var angular = LebedevGrid.Get(o.SphericalPoints);
        long total = (long)molecule.Atoms.Count * o.RadialPoints * angular.Count;
        // per point: x, y, z, w (twice while assembling) and the atom index
        Qex.Dft.Molecular.Correlation.MemoryEstimate.Require(total * (8 * 4 * 2 + 4),
            $"A grid of {molecule.Atoms.Count} atoms x {o.RadialPoints} radial x {angular.Count} angular points ({total:N0} points)");
        if (!(o.WeightThreshold >= 0)) throw new ArgumentException($"The grid weight threshold must be a non-negative number; got {o.WeightThreshold}.");
        var partition = new BeckePartition(molecule, o.Partition, o.Adjustment);
        int perAtom = o.RadialPoints * angular.Count;
        var atoms = molecule.Atoms;
        var parts = new (double[] X, double[] Y, double[] Z, double[] W)[atoms.Count];
        Parallel.For(0, atoms.Count, a =>
        {
            var radial = RadialGrid.Create(o.Radial, o.RadialPoints, atoms[a].AtomicNumber);
            var (x, y, z, w) = (new double[perAtom], new double[perAtom], new double[perAtom], new double[perAtom]);
            var scratch = new double[atoms.Count];
            int k = 0;
            for (int i = 0; i < radial.Count; i++)
                for (int j = 0; j < angular.Count; j++, k++)
                {
                    x[k] = atoms[a].X + radial.R[i] * angular.X[j];
                    y[k] = atoms[a].Y + radial.R[i] * angular.Y[j];
                    z[k] = atoms[a].Z + radial.R[i] * angular.Z[j];
                    w[k] = radial.W[i] * angular.W[j] * partition.Weight(a, x[k], y[k], z[k], scratch);
                }
            parts[a] = (x, y, z, w);
        });
        var (gx, gy, gz, gw, ga) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<int>());
        for (int a = 0; a < atoms.Count; a++)
            for (int k = 0; k < perAtom; k++)
            {
                if (Math.Abs(parts[a].W[k]) <= o.WeightThreshold && o.WeightThreshold > 0) continue;
                gx.Add(parts[a].X[k]); gy.Add(parts[a].Y[k]); gz.Add(parts[a].Z[k]); gw.Add(parts[a].W[k]); ga.Add(a);
            }
        return new MolecularGrid([.. gx], [.. gy], [.. gz], [.. gw], [.. ga]);
    }
}
