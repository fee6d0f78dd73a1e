using System.Globalization;

namespace Qex.Dft.Molecular.Grids;

/// <summary>A quadrature on the unit sphere: directions and weights (summing to 4 pi).</summary>
/// <param name="X">x of each direction.</param>
/// <param name="Y">y of each direction.</param>
/// <param name="Z">z of each direction.</param>
/// <param name="W">Weights, summing to 4 pi.</param>
/// <param name="Degree">Spherical harmonics up to this degree are integrated exactly.</param>
public sealed record AngularGrid(double[] X, double[] Y, double[] Z, double[] W, int Degree)
{
    /// <summary>Number of directions.</summary>
    public int Count => W.Length;
}

/// <summary>
/// The Lebedev–Laikov angular grids, invariant under the octahedral group with inversion, of every published size
/// from 6 to 5810 points (algebraic degree 3 to 131); each grid is built from its orbits (a shipped table of orbit
/// types, parameters and weights).
/// </summary>
public static class LebedevGrid
{
    private readonly record struct OrbitSpec(int Type, double A, double B, double V);

    private sealed record Rule(int Points, int Degree, OrbitSpec[] Orbits);

    /// <summary>The rules in ascending point count (the table lists them so; checked on load).</summary>
    private static readonly Lazy<Rule[]> Table = new(Load);

    /// <summary>The point counts available, ascending.</summary>
    public static IReadOnlyList<int> PointCounts
    {
        get
        {
            var rules = Table.Value;
            var counts = new int[rules.Length];
            for (int i = 0; i < rules.Length; i++) counts[i] = rules[i].Points;
            return counts;
        }
    }

    private static Rule? Find(int points)
    {
        foreach (var r in Table.Value)
            if (r.Points == points) return r;
        return null;
    }

    /// <summary>The grid of <paramref name="points"/> directions.</summary>
    /// <exception cref="ArgumentException">No Lebedev grid has that many points (the message lists the sizes).</exception>
    public static AngularGrid Get(int points)
    {
        var g = Find(points) ?? throw new ArgumentException($"There is no Lebedev grid of {points} points; the sizes are {string.Join(", ", PointCounts)}.");
        var (x, y, z, w) = (new double[points], new double[points], new double[points], new double[points]);
        Span<double> ox = stackalloc double[48], oy = stackalloc double[48], oz = stackalloc double[48];
        int k = 0;
        foreach (var o in g.Orbits)
        {
            int count = Orbit(o.Type, o.A, o.B, ox, oy, oz);
            if (k + count > points) throw new InvalidDataException($"The Lebedev table for {points} points expands to more.");
            for (int i = 0; i < count; i++, k++) (x[k], y[k], z[k], w[k]) = (ox[i], oy[i], oz[i], 4 * Math.PI * o.V);
        }
        if (k != points) throw new InvalidDataException($"The Lebedev table for {points} points expands to {k}.");
        return new AngularGrid(x, y, z, w, g.Degree);
    }

    /// <summary>The smallest grid that integrates spherical harmonics up to <paramref name="degree"/> exactly.</summary>
    /// <exception cref="ArgumentException">A degree above 131.</exception>
    public static AngularGrid ForDegree(int degree)
    {
        foreach (var r in Table.Value)
            if (r.Degree >= degree) return Get(r.Points);
        throw new ArgumentException($"The largest Lebedev grid (5810 points) has degree 131; asked for {degree}.");
    }

    /// <summary>The points of one octahedral orbit (with all sign changes and permutations, each once).</summary>
    internal static IEnumerable<(double X, double Y, double Z)> Orbit(int type, double a, double b)
    {
        var (x, y, z) = (new double[48], new double[48], new double[48]);
        int count = Orbit(type, a, b, x, y, z);
        for (int i = 0; i < count; i++) yield return (x[i], y[i], z[i]);
    }

    /// <summary>The points of one octahedral orbit into x, y, z (48 long at least), each once; returns their number.</summary>
    private static int Orbit(int type, double a, double b, Span<double> x, Span<double> y, Span<double> z)
    {
        Span<double> c = stackalloc double[3];
        switch (type)
        {
            case 1: (c[0], c[1], c[2]) = (0, 0, 1); break;
            case 2: (c[0], c[1], c[2]) = (0, Math.Sqrt(0.5), Math.Sqrt(0.5)); break;
            case 3: (c[0], c[1], c[2]) = (Math.Sqrt(1.0 / 3), Math.Sqrt(1.0 / 3), Math.Sqrt(1.0 / 3)); break;
            case 4: (c[0], c[1], c[2]) = (a, a, Math.Sqrt(1 - 2 * a * a)); break;
            case 5: (c[0], c[1], c[2]) = (a, Math.Sqrt(1 - a * a), 0); break;
            case 6: (c[0], c[1], c[2]) = (a, b, Math.Sqrt(1 - a * a - b * b)); break;
            default: throw new InvalidDataException($"Unknown Lebedev orbit type {type}.");
        }
        ReadOnlySpan<int> perms = [0, 1, 2, 0, 2, 1, 1, 0, 2, 1, 2, 0, 2, 0, 1, 2, 1, 0];
        int count = 0;
        for (int p = 0; p < 6; p++)
            for (int s = 0; s < 8; s++)
            {
                // -0.0 and 0.0 are one point
                double px = c[perms[3 * p]] * ((s & 1) != 0 ? -1 : 1) + 0.0, py = c[perms[3 * p + 1]] * ((s & 2) != 0 ? -1 : 1) + 0.0,
                    pz = c[perms[3 * p + 2]] * ((s & 4) != 0 ? -1 : 1) + 0.0;
                bool seen = false;
                for (int q = 0; q < count && !seen; q++) seen = x[q] == px && y[q] == py && z[q] == pz;
                if (seen) continue;
                (x[count], y[count], z[count]) = (px, py, pz);
                count++;
            }
        return count;
    }

    private static Rule[] Load()
    {
        using var stream = typeof(LebedevGrid).Assembly.GetManifestResourceStream("Qex.Grids.lebedev.txt")
            ?? throw new InvalidOperationException("The shipped Lebedev table is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var result = new List<Rule>();
        string? line;
        int points = 0, degree = 0, filled = 0;
        OrbitSpec[] orbits = [];
        void Flush()
        {
            if (points == 0) return;
            if (filled != orbits.Length) throw new InvalidDataException($"The Lebedev table lists {filled} orbits for {points} points; its header says {orbits.Length}.");
            if (result.Count > 0 && result[^1].Points >= points) throw new InvalidDataException($"The Lebedev table lists {points} points after {result[^1].Points}.");
            result.Add(new Rule(points, degree, orbits));
        }
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f[0] == "grid")
            {
                Flush();
                points = int.Parse(f[1], CultureInfo.InvariantCulture);
                degree = int.Parse(f[2], CultureInfo.InvariantCulture);
                orbits = new OrbitSpec[int.Parse(f[3], CultureInfo.InvariantCulture)];
                filled = 0;
                continue;
            }
            if (filled == orbits.Length) throw new InvalidDataException($"The Lebedev table lists more orbits for {points} points than its header's {orbits.Length}.");
            orbits[filled++] = new OrbitSpec(int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
        }
        Flush();
        return [.. result];
    }
}
