namespace Qex.Dft.Molecular.Grids;

/// <summary>How atom-centred grids are weighted into one molecular grid.</summary>
public enum PartitionScheme
{
    /// <summary>Becke's fuzzy cells (JCP 88, 2547, 1988): s(mu) from three iterations of p(x) = 3x/2 - x^3/2.</summary>
    Becke,

    /// <summary>Stratmann, Scuseria and Frisch (CPL 257, 213, 1996): a piecewise polynomial step of half-width a = 0.64.</summary>
    Stratmann,
}

/// <summary>The atomic-size adjustment of the cell boundaries.</summary>
public enum SizeAdjustment
{
    /// <summary>Boundaries halfway between atoms.</summary>
    None,

    /// <summary>Becke's: chi = R_A / R_B from Bragg–Slater radii.</summary>
    Becke,

    /// <summary>Treutler–Ahlrichs': chi = sqrt(R_A / R_B) (Psi4's treutler partitioning).</summary>
    Treutler,
}

/// <summary>The weight of each atom's cell at a point: w_A = P_A / sum_B P_B, P_A = prod_(B != A) s(nu_AB).</summary>
public sealed class BeckePartition
{
    private readonly double[] _x, _y, _z;
    private readonly double[,] _inverseDistance, _adjust;
    private readonly PartitionScheme _scheme;

    /// <summary>The partition of a molecule's atoms.</summary>
    public BeckePartition(Molecule molecule, PartitionScheme scheme = PartitionScheme.Becke, SizeAdjustment adjustment = SizeAdjustment.Becke)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        int n = molecule.Atoms.Count;
        _x = [.. molecule.Atoms.Select(a => a.X)];
        _y = [.. molecule.Atoms.Select(a => a.Y)];
        _z = [.. molecule.Atoms.Select(a => a.Z)];
        _scheme = scheme;
        _inverseDistance = new double[n, n];
        _adjust = new double[n, n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                if (a == b) continue;
                double dx = _x[a] - _x[b], dy = _y[a] - _y[b], dz = _z[a] - _z[b];
                _inverseDistance[a, b] = 1 / Math.Sqrt(dx * dx + dy * dy + dz * dz);
                if (adjustment == SizeAdjustment.None) continue;
                double chi = RadialGrid.BraggSlaterRadius(molecule.Atoms[a].AtomicNumber) / RadialGrid.BraggSlaterRadius(molecule.Atoms[b].AtomicNumber);
                if (adjustment == SizeAdjustment.Treutler) chi = Math.Sqrt(chi);
                double u = (chi - 1) / (chi + 1);
                double aij = u / (u * u - 1);
                _adjust[a, b] = Math.Clamp(aij, -0.5, 0.5);
            }
    }

    /// <summary>Number of atoms.</summary>
    public int Atoms => _x.Length;

    /// <summary>The weight of atom <paramref name="atom"/>'s cell at (x, y, z); <paramref name="scratch"/> holds one value per atom.</summary>
    public double Weight(int atom, double x, double y, double z, Span<double> scratch)
    {
        int n = _x.Length;
        if (n == 1) return 1;
        Span<double> dist = scratch[..n];
        for (int a = 0; a < n; a++)
        {
            double dx = x - _x[a], dy = y - _y[a], dz = z - _z[a];
            dist[a] = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        }
        double total = 0, mine = 0;
        for (int a = 0; a < n; a++)
        {
            double p = 1;
            for (int b = 0; b < n && p > 0; b++)
            {
                if (a == b) continue;
                double mu = (dist[a] - dist[b]) * _inverseDistance[a, b];
                double nu = mu + _adjust[a, b] * (1 - mu * mu);
                p *= Step(nu);
            }
            total += p;
            if (a == atom) mine = p;
        }
        return total > 0 ? mine / total : 0;
    }

    private double Step(double nu)
    {
        if (_scheme == PartitionScheme.Becke)
        {
            double f = nu;
            for (int k = 0; k < 3; k++) f = 1.5 * f - 0.5 * f * f * f;
            return 0.5 * (1 - f);
        }
        const double a = 0.64;
        if (nu <= -a) return 1;
        if (nu >= a) return 0;
        double m = nu / a, m2 = m * m;
        double g = m * (35 + m2 * (-35 + m2 * (21 - 5 * m2))) / 16;
        return 0.5 * (1 - g);
    }
}
