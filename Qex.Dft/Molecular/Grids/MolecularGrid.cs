namespace Qex.Dft.Molecular.Grids;

/// <summary>How a molecular integration grid is built.</summary>
/// <param name="RadialPoints">Radial points per atom.</param>
/// <param name="SphericalPoints">Lebedev points per radial shell (one of <see cref="LebedevGrid.PointCounts"/>).</param>
/// <param name="Radial">The radial quadrature.</param>
/// <param name="Partition">The atomic partition.</param>
/// <param name="Adjustment">The atomic-size adjustment of the partition.</param>
/// <param name="WeightThreshold">Points whose weight is below this are dropped (0: keep all).</param>
/// <param name="Pruning">Fewer angular points near the nucleus and far out (<see cref="GridPruning.NWChem"/>), or none.</param>
public sealed record GridOptions(int RadialPoints = 75, int SphericalPoints = 302, RadialScheme Radial = RadialScheme.TreutlerAhlrichs,
    PartitionScheme Partition = PartitionScheme.Becke, SizeAdjustment Adjustment = SizeAdjustment.Treutler, double WeightThreshold = 0,
    GridPruning Pruning = GridPruning.None)
{
    /// <summary>Psi4's grid of the shared reference energies: Treutler radial, Treutler partitioning, no pruning (150 x 590 there).</summary>
    public static GridOptions Psi4(int radial = 75, int spherical = 302) =>
        new(radial, spherical, RadialScheme.TreutlerAhlrichs, PartitionScheme.Becke, SizeAdjustment.Treutler);

    /// <summary>
    /// The named grid levels (radial x Lebedev points per atom, unpruned): coarse 50 x 194, default 75 x 302 (Psi4 1.3's
    /// default, DFT_RADIAL_POINTS 75 / DFT_SPHERICAL_POINTS 302, Treutler radial and partitioning, no pruning), fine
    /// 99 x 590, ultrafine 150 x 590 (the grid of the shared Psi4 references). PySCF's default (level 3) differs per
    /// period (radial 50 for H, 75 for Li–Ne, 80 for Na–Ar; Lebedev 302), Becke partitioning with Becke's size
    /// adjustment and NWChem pruning.
    /// </summary>
    public static IReadOnlyDictionary<string, (int Radial, int Spherical)> Levels { get; } = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["coarse"] = (50, 194),
        ["default"] = (75, 302),
        ["fine"] = (99, 590),
        ["ultrafine"] = (150, 590),
    };

    /// <summary>The partition names <see cref="Build"/> accepts: scheme and size adjustment.</summary>
    public static IReadOnlyDictionary<string, (PartitionScheme Scheme, SizeAdjustment Adjustment)> Partitions { get; } =
        new Dictionary<string, (PartitionScheme, SizeAdjustment)>(StringComparer.Ordinal)
        {
            ["treutler"] = (PartitionScheme.Becke, SizeAdjustment.Treutler),
            ["becke"] = (PartitionScheme.Becke, SizeAdjustment.Becke),
            ["becke-plain"] = (PartitionScheme.Becke, SizeAdjustment.None),
            ["stratmann"] = (PartitionScheme.Stratmann, SizeAdjustment.None),
        };

    /// <summary>The radial scheme names <see cref="Build"/> accepts.</summary>
    public static IReadOnlyDictionary<string, RadialScheme> RadialSchemes { get; } = new Dictionary<string, RadialScheme>(StringComparer.Ordinal)
    {
        ["treutler"] = RadialScheme.TreutlerAhlrichs,
        ["mura-knowles"] = RadialScheme.MuraKnowles,
        ["gauss-chebyshev"] = RadialScheme.GaussChebyshev,
    };

    /// <summary>The pruning names <see cref="Build"/> accepts.</summary>
    public static IReadOnlyDictionary<string, GridPruning> Prunings { get; } = new Dictionary<string, GridPruning>(StringComparer.Ordinal)
    {
        ["none"] = GridPruning.None,
        ["nwchem"] = GridPruning.NWChem,
    };

    /// <summary>
    /// Options from user choices: a named level (null: default), explicit radial and Lebedev counts overriding it, a
    /// radial scheme, a partition and a pruning by name.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name or a size that does not exist; the message lists the choices.</exception>
    public static GridOptions Build(string? level, int? radial, int? spherical, string radialScheme = "treutler", string partition = "treutler", string pruning = "none")
    {
        string name = (level ?? "default").Trim().ToLowerInvariant();
        if (!Levels.TryGetValue(name, out var size))
            throw new ArgumentException($"Unknown grid level '{level}'; choose {string.Join(", ", Levels.Select(l => $"{l.Key} ({l.Value.Radial} x {l.Value.Spherical})"))}, or give --radial and --spherical.");
        int r = radial ?? size.Radial, a = spherical ?? size.Spherical;
        if (r < 1 || r > 10000) throw new ArgumentException($"The number of radial points must be between 1 and 10000; got {r}.");
        if (!LebedevGrid.PointCounts.Contains(a))
            throw new ArgumentException($"There is no Lebedev grid of {a} points; the sizes are {string.Join(", ", LebedevGrid.PointCounts)}.");
        if (!RadialSchemes.TryGetValue(radialScheme.Trim().ToLowerInvariant(), out var scheme))
            throw new ArgumentException($"Unknown radial scheme '{radialScheme}'; choose {string.Join(", ", RadialSchemes.Keys)}.");
        if (!Partitions.TryGetValue(partition.Trim().ToLowerInvariant(), out var part))
            throw new ArgumentException($"Unknown grid partition '{partition}'; choose {string.Join(", ", Partitions.Keys)}.");
        if (!Prunings.TryGetValue(pruning.Trim().ToLowerInvariant(), out var prune))
            throw new ArgumentException($"Unknown grid pruning '{pruning}'; choose {string.Join(", ", Prunings.Keys)}.");
        return new GridOptions(r, a, scheme, part.Scheme, part.Adjustment, Pruning: prune);
    }

    /// <summary>The schemes in words, e.g. "Treutler-Ahlrichs radial, Becke partition with Treutler adjustment".</summary>
    public string Describe()
    {
        string radial = Radial switch { RadialScheme.TreutlerAhlrichs => "Treutler-Ahlrichs", RadialScheme.MuraKnowles => "Mura-Knowles", _ => "Gauss-Chebyshev" };
        string adjust = Adjustment switch { SizeAdjustment.None => "no size adjustment", SizeAdjustment.Becke => "Becke size adjustment", _ => "Treutler size adjustment" };
        return $"{radial} radial, {Partition} partition with {adjust}, {(Pruning == GridPruning.NWChem ? "NWChem pruning" : "no pruning")}";
    }
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
        var atoms = molecule.Atoms;
        var parts = new (double[] X, double[] Y, double[] Z, double[] W)[atoms.Count];
        Parallel.For(0, atoms.Count, a =>
        {
            var radial = RadialGrid.Create(o.Radial, o.RadialPoints, atoms[a].AtomicNumber);
            var shells = new AngularGrid[radial.Count];
            for (int i = 0; i < radial.Count; i++)
                shells[i] = o.Pruning == GridPruning.NWChem ? LebedevGrid.Get(PrunedSphericalPoints(atoms[a].AtomicNumber, radial.R[i], o.SphericalPoints)) : angular;
            int perAtom = shells.Sum(s => s.Count);
            var (x, y, z, w) = (new double[perAtom], new double[perAtom], new double[perAtom], new double[perAtom]);
            var scratch = new double[atoms.Count];
            int k = 0;
            for (int i = 0; i < radial.Count; i++)
            {
                var shell = shells[i];
                for (int j = 0; j < shell.Count; j++, k++)
                {
                    x[k] = atoms[a].X + radial.R[i] * shell.X[j];
                    y[k] = atoms[a].Y + radial.R[i] * shell.Y[j];
                    z[k] = atoms[a].Z + radial.R[i] * shell.Z[j];
                    w[k] = radial.W[i] * shell.W[j] * partition.Weight(a, x[k], y[k], z[k], scratch);
                }
            }
            parts[a] = (x, y, z, w);
        });
        // the kept points (every point without a threshold), atom by atom in build order
        bool screen = o.WeightThreshold > 0;
        int count = 0;
        foreach (var part in parts)
            foreach (double weight in part.W)
                if (!screen || Math.Abs(weight) > o.WeightThreshold) count++;
        var (gx, gy, gz, gw, ga) = (new double[count], new double[count], new double[count], new double[count], new int[count]);
        for (int a = 0, k = 0; a < atoms.Count; a++)
            for (int i = 0; i < parts[a].W.Length; i++)
            {
                if (screen && Math.Abs(parts[a].W[i]) <= o.WeightThreshold) continue;
                (gx[k], gy[k], gz[k], gw[k], ga[k]) = (parts[a].X[i], parts[a].Y[i], parts[a].Z[i], parts[a].W[i], a);
                k++;
            }
        // points in Morton (Z-curve) order: consecutive points are close in space, so the blocks of the grid kernels are
        // compact and their basis screening drops the functions that do not reach them (ties keep the build order)
        var order = SpatialOrder(gx, gy, gz);
        return new MolecularGrid(Permute(gx, order), Permute(gy, order), Permute(gz, order), Permute(gw, order), Permute(ga, order));
    }

    private static T[] Permute<T>(T[] values, int[] order)
    {
        var result = new T[order.Length];
        for (int i = 0; i < order.Length; i++) result[i] = values[order[i]];
        return result;
    }

    /// <summary>
    /// NWChem's pruning (as PySCF's nwchem_prune has it): with R the Bragg–Slater radius and the region bounds
    /// alpha R (H, He: alpha = 0.25, 0.5, 1, 4.5; Li–Ne: 0.1667, 0.5, 0.9, 3.5; heavier: 0.1, 0.4, 0.8, 2.5), the five
    /// regions from the nucleus out get the Lebedev sizes L[1], L[3], L[i - 1], L[i], L[i - 1] of the list L = 38, 50,
    /// 74, 86, ... in which the full size is L[i] (50 points: 50, 74, 74, 74, 50); grids below 50 points stay unpruned.
    /// </summary>
    public static int PrunedSphericalPoints(int atomicNumber, double radius, int spherical)
    {
        var sizes = LebedevGrid.PointCounts.Where(c => c >= 38).ToArray();
        if (spherical < 50) return spherical;
        int top = Array.IndexOf(sizes, spherical);
        if (top < 0) throw new ArgumentException($"There is no Lebedev grid of {spherical} points; the sizes are {string.Join(", ", LebedevGrid.PointCounts)}.");
        int[] region = spherical == 50 ? [1, 2, 2, 2, 1] : [1, 3, top - 1, top, top - 1];
        double[] alpha = atomicNumber <= 2 ? [0.25, 0.5, 1.0, 4.5] : atomicNumber <= 10 ? [0.1667, 0.5, 0.9, 3.5] : [0.1, 0.4, 0.8, 2.5];
        double x = radius / RadialGrid.BraggSlaterRadius(atomicNumber);
        int place = alpha.Count(b => x > b);
        return sizes[region[place]];
    }

    /// <summary>The permutation that sorts points by their Morton key on a 2^21 lattice over the bounding box (stable).</summary>
    private static int[] SpatialOrder(double[] x, double[] y, double[] z)
    {
        int count = x.Length;
        var index = new int[count];
        for (int i = 0; i < count; i++) index[i] = i;
        if (count == 0) return index;
        double x0 = x.Min(), y0 = y.Min(), z0 = z.Min();
        double span = Math.Max(x.Max() - x0, Math.Max(y.Max() - y0, z.Max() - z0));
        double scale = span > 0 ? ((1 << 21) - 1) / span : 0;
        var keys = new ulong[count];
        for (int i = 0; i < count; i++)
            keys[i] = Spread((uint)((x[i] - x0) * scale)) | (Spread((uint)((y[i] - y0) * scale)) << 1) | (Spread((uint)((z[i] - z0) * scale)) << 2);
        // sort by key, then restore build order inside each run of equal keys: the same permutation as a stable sort
        Array.Sort(keys, index);
        for (int start = 0; start < count;)
        {
            int end = start + 1;
            while (end < count && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(index, start, end - start);
            start = end;
        }
        return index;
    }

    /// <summary>The low 21 bits of v spread to every third bit.</summary>
    private static ulong Spread(uint v)
    {
        ulong x = v & 0x1fffff;
        x = (x | (x << 32)) & 0x1f00000000ffffUL;
        x = (x | (x << 16)) & 0x1f0000ff0000ffUL;
        x = (x | (x << 8)) & 0x100f00f00f00f00fUL;
        x = (x | (x << 4)) & 0x10c30c30c30c30c3UL;
        x = (x | (x << 2)) & 0x1249249249249249UL;
        return x;
    }
}

/// <summary>Angular pruning of atomic grids.</summary>
public enum GridPruning
{
    /// <summary>Every radial shell gets the full Lebedev grid.</summary>
    None,

    /// <summary>NWChem's five regions by distance in Bragg–Slater radii (PySCF's default pruning): <see cref="MolecularGrid.PrunedSphericalPoints"/>.</summary>
    NWChem,
}
