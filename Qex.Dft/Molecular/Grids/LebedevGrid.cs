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
    private static readonly Lazy<IReadOnlyDictionary<int, (int Degree, (int Type, double A, double B, double V)[] Orbits)>> Table = new(Load);

    /// <summary>The point counts available, ascending.</summary>
    public static IReadOnlyList<int> PointCounts => [.. Table.Value.Keys.Order()];

    /// <summary>The grid of <paramref name="points"/> directions.</summary>
    /// <exception cref="ArgumentException">No Lebedev grid has that many points (the message lists the sizes).</exception>
    public static AngularGrid Get(int points)
    {
        if (!Table.Value.TryGetValue(points, out var g))
            throw new ArgumentException($"There is no Lebedev grid of {points} points; the sizes are {string.Join(", ", PointCounts)}.");
        var x = new List<double>(points);
        var y = new List<double>(points);
        var z = new List<double>(points);
        var w = new List<double>(points);
        foreach (var (type, a, b, v) in g.Orbits)
            foreach (var (px, py, pz) in Orbit(type, a, b))
            {
                x.Add(px); y.Add(py); z.Add(pz); w.Add(4 * Math.PI * v);
            }
        if (w.Count != points) throw new InvalidDataException($"The Lebedev table for {points} points expands to {w.Count}.");
        return new AngularGrid([.. x], [.. y], [.. z], [.. w], g.Degree);
    }

    /// <summary>The smallest grid that integrates spherical harmonics up to <paramref name="degree"/> exactly.</summary>
    /// <exception cref="ArgumentException">A degree above 131.</exception>
    public static AngularGrid ForDegree(int degree)
    {
        foreach (int n in PointCounts)
            if (Table.Value[n].Degree >= degree) return Get(n);
        throw new ArgumentException($"The largest Lebedev grid (5810 points) has degree 131; asked for {degree}.");
    }

    /// <summary>The points of one octahedral orbit (with all sign changes and permutations, each once).</summary>
    internal static IEnumerable<(double X, double Y, double Z)> Orbit(int type, double a, double b)
    {
        var seen = new HashSet<(double, double, double)>();
        (double, double, double) generator = type switch
        {
            1 => (0, 0, 1),
            2 => (0, Math.Sqrt(0.5), Math.Sqrt(0.5)),
            3 => (Math.Sqrt(1.0 / 3), Math.Sqrt(1.0 / 3), Math.Sqrt(1.0 / 3)),
            4 => (a, a, Math.Sqrt(1 - 2 * a * a)),
            5 => (a, Math.Sqrt(1 - a * a), 0),
            6 => (a, b, Math.Sqrt(1 - a * a - b * b)),
            _ => throw new InvalidDataException($"Unknown Lebedev orbit type {type}."),
        };
        var (g0, g1, g2) = generator;
        double[] c = [g0, g1, g2];
        int[][] perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        foreach (var p in perms)
            for (int s = 0; s < 8; s++)
            {
                double px = c[p[0]] * ((s & 1) != 0 ? -1 : 1), py = c[p[1]] * ((s & 2) != 0 ? -1 : 1), pz = c[p[2]] * ((s & 4) != 0 ? -1 : 1);
                // -0.0 and 0.0 are one point
                var key = (px + 0.0, py + 0.0, pz + 0.0);
                if (seen.Add(key)) yield return key;
            }
    }

    private static IReadOnlyDictionary<int, (int, (int, double, double, double)[])> Load()
    {
        using var stream = typeof(LebedevGrid).Assembly.GetManifestResourceStream("Qex.Grids.lebedev.txt")
            ?? throw new InvalidOperationException("The shipped Lebedev table is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var result = new Dictionary<int, (int, (int, double, double, double)[])>();
        string? line;
        int points = 0, degree = 0;
        var orbits = new List<(int, double, double, double)>();
        void Flush()
        {
            if (points > 0) result[points] = (degree, [.. orbits]);
            orbits.Clear();
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
                continue;
            }
            orbits.Add((int.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        Flush();
        return result;
    }
}
