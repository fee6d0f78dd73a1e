using Qex.Core.LinearAlgebra;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Molecular.Response;

/// <summary>
/// Real stability of a converged SCF whose frontier orbitals are (nearly) degenerate, and following of an instability:
/// when the orbital Hessian has a negative eigenvalue the solution is a saddle (the symmetric state of square H4, which
/// occupies one of two degenerate orbitals); the orbitals are rotated along that mode to the lowest energy of a short
/// line search and the SCF is run again from there. Only solutions that occupied part of a degenerate set on the way, or
/// end with (nearly) degenerate frontier levels, are checked (no Hessian is built for ordinary molecules).
/// </summary>
internal static class StabilityFollowing
{
    /// <summary>Frontier gaps below this (Hartree, or negative ones: a held occupation) trigger the check.</summary>
    public const double GapTrigger = 1e-3;

    /// <summary>Hessian eigenvalues below this are instabilities (flat rotations, such as OH's pi pair on a grid, are not).</summary>
    public const double Instability = -1e-4;

    /// <summary>At most this many instabilities are followed.</summary>
    public const int MaxFollows = 3;

    /// <summary>
    /// Checks <paramref name="solution"/> and follows instabilities: <paramref name="hessian"/> builds the orbital Hessian at
    /// given coefficients (occupied orbitals first), <paramref name="rerun"/> runs the SCF from given densities.
    /// </summary>
    public static ScfSolution Follow(ScfSolution solution, IReadOnlyList<int> occupied, double smearing,
        Func<double[][], OrbitalHessian> hessian, Func<double[][], ScfSolution> rerun, Action<string>? progress)
    {
        var r = solution;
        // once a state is suspect, every state reached from it is checked as well
        if (smearing != 0 || !(r.SplitDegenerateLevels || NearlyDegenerate(r, occupied))) return r;
        for (int follow = 0; follow < MaxFollows; follow++)
        {
            var h = hessian(r.Coefficients);
            var (lowest, mode) = LowestMode(h, r.OrbitalEnergies);
            if (!(lowest < Instability)) break;
            double best = h.Energy, bestStep = 0;
            foreach (double step in (ReadOnlySpan<double>)[0.05, 0.1, 0.2, 0.4, 0.8, 1.2])
            {
                double e = h.EnergyAt([.. mode.Select(v => v.Select(x => step * x).ToArray())]);
                if (e < best) (best, bestStep) = (e, step);
            }
            if (bestStep == 0 || h.Energy - best < 1e-10) break;
            progress?.Invoke(FormattableString.Invariant(
                $"SCF stability: orbital Hessian eigenvalue {lowest:E2} (a saddle); rotating along it lowers E by {h.Energy - best:E2} Ha; SCF again from there"));
            var rotated = h.RotatedOrbitals([.. mode.Select(v => v.Select(x => bestStep * x).ToArray())]);
            int n = rotated[0].Length / h.Orbitals;
            double weight = rotated.Length == 1 ? 2 : 1;
            var densities = new double[rotated.Length][];
            for (int s = 0; s < rotated.Length; s++)
            {
                int m = h.Orbitals, o = occupied[s];
                var d = new double[n * n];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double v = 0;
                        for (int k = 0; k < o; k++) v += rotated[s][i * m + k] * rotated[s][j * m + k];
                        d[i * n + j] = weight * v;
                    }
                densities[s] = d;
            }
            r = rerun(densities);
        }
        return r;
    }

    /// <summary>Whether any channel's highest occupied and lowest virtual levels are within <see cref="GapTrigger"/> (or inverted).</summary>
    private static bool NearlyDegenerate(ScfSolution r, IReadOnlyList<int> occupied)
    {
        for (int s = 0; s < r.OrbitalEnergies.Length; s++)
        {
            var e = r.OrbitalEnergies[s];
            int o = occupied[s];
            if (o == 0 || o >= e.Length) continue;
            double homo = e.Take(o).Max(), lumo = e.Skip(o).Min();
            if (lumo - homo < GapTrigger) return true;
        }
        return false;
    }

    /// <summary>The lowest eigenvalue of the orbital Hessian and its mode (per channel, virtual x occupied), by Davidson.</summary>
    internal static (double Lowest, double[][] Mode) LowestMode(OrbitalHessian h, IReadOnlyList<double[]> orbitalEnergies)
    {
        int spins = h.Occupied.Count, m = h.Orbitals;
        var sizes = h.Occupied.Select(o => (m - o) * o).ToArray();
        int dim = sizes.Sum();
        double f = spins == 1 ? 4 : 2;
        var diagonal = new double[dim];
        for (int s = 0, k = 0; s < spins; s++)
        {
            int o = h.Occupied[s];
            for (int a = 0; a < m - o; a++)
                for (int i = 0; i < o; i++) diagonal[k++] = f * (orbitalEnergies[s][o + a] - orbitalEnergies[s][i]);
        }
        double[][] Split(double[] x)
        {
            var parts = new double[spins][];
            for (int s = 0, k = 0; s < spins; k += sizes[s], s++) parts[s] = x.AsSpan(k, sizes[s]).ToArray();
            return parts;
        }
        void Apply(double[] x, double[] y)
        {
            var hx = h.Multiply(Split(x));
            for (int s = 0, k = 0; s < spins; k += sizes[s], s++) hx[s].CopyTo(y, k);
        }
        // guesses: the unit rotations of the smallest diagonal entries
        var order = Enumerable.Range(0, dim).OrderBy(k => diagonal[k]).ThenBy(k => k).Take(Math.Min(4, dim)).ToArray();
        var guesses = order.Select(k => { var g = new double[dim]; g[k] = 1; return g; }).ToArray();
        var result = Davidson.Lowest(dim, 1, Apply, diagonal, guesses, new DavidsonOptions(ResidualTolerance: 1e-5));
        return (result.Values[0], Split(result.Vectors[0]));
    }
}
