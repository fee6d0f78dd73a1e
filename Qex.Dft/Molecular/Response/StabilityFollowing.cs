using Qex.Core.LinearAlgebra;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

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
    /// Checks <paramref name="solution"/> of the SCF of <paramref name="functional"/> (hf_x for Hartree–Fock) and follows
    /// instabilities; <paramref name="rerun"/> runs the SCF from given densities. The Fock builder of the Hessian (its grid
    /// and integrals) is made once, and only when the solution is checked. Off with smearing (fractional occupations).
    /// </summary>
    public static ScfSolution Follow(ScfSolution solution, Molecule molecule, BasisSet basis, XcFunctional functional, GridOptions? grid,
        HartreeFockOptions o, IReadOnlyList<int> occupied, Func<double[][], ScfSolution> rerun)
    {
        var r = solution;
        // once a state is suspect, every state reached from it is checked as well
        if (o.Smearing != 0 || !(r.SplitDegenerateLevels || NearlyDegenerate(r, occupied))) return r;
        var fock = new KohnShamFock(molecule, basis, functional, grid, o.Integrals);
        for (int follow = 0; follow < MaxFollows; follow++)
        {
            var h = new OrbitalHessian(molecule, basis, r.Coefficients, fock);
            var (lowest, mode) = LowestMode(h, r.OrbitalEnergies);
            if (!(lowest < Instability)) break;
            double[][] Step(double t) => [.. mode.Select(v => v.Select(x => t * x).ToArray())];
            double best = h.Energy, bestStep = 0;
            foreach (double step in (ReadOnlySpan<double>)[0.05, 0.1, 0.2, 0.4, 0.8, 1.2])
            {
                double e = h.EnergyAt(Step(step));
                if (e < best) (best, bestStep) = (e, step);
            }
            if (bestStep == 0 || h.Energy - best < 1e-10) break;
            o.Progress?.Invoke(FormattableString.Invariant(
                $"SCF stability: orbital Hessian eigenvalue {lowest:E2} (a saddle); rotating along it lowers E by {h.Energy - best:E2} Ha; SCF again from there"));
            var rotated = h.RotatedOrbitals(Step(bestStep));
            int n = basis.FunctionCount, m = h.Orbitals;
            double weight = rotated.Length == 1 ? 2 : 1;
            r = rerun([.. rotated.Select((c, s) => FermiDirac.Density(c, [.. Enumerable.Range(0, m).Select(k => k < occupied[s] ? weight : 0)], n, m))]);
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
