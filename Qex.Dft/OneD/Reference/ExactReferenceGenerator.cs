using Qex.Core.Tensors;
using Qex.Dft.OneD.Data;

namespace Qex.Dft.OneD.Reference;

/// <summary>
/// Builds reference datasets of two-electron systems by exact diagonalisation: H2 (two protons at distance R),
/// HeH+ (He at the left, H at the right), and the atoms He and H-. Nuclei sit on grid points as in the reference
/// data: the left one at -floor(R / 2h) h, the right one R further (off-centre by h/2 when R/2 is not on the grid).
/// </summary>
public sealed class ExactReferenceGenerator
{
    private readonly Grid1D _grid;
    private readonly Interaction _interaction;
    private readonly TwoElectronExactSolver _solver;

    /// <summary>A generator on a grid with an interaction.</summary>
    public ExactReferenceGenerator(Grid1D grid, Interaction interaction)
    {
        _grid = grid;
        _interaction = interaction;
        _solver = new TwoElectronExactSolver(grid, interaction);
    }

    /// <summary>The reference method these sets record (metadata.json).</summary>
    public const string Method = "exact diagonalisation";

    /// <summary>The system names accepted.</summary>
    public static IReadOnlyList<string> Systems { get; } = ["h2", "heh+", "he", "h-"];

    /// <summary>The molecule of a system at a distance (distance ignored for atoms).</summary>
    /// <exception cref="ArgumentException">Unknown system, or a distance that is not a multiple of the spacing.</exception>
    public Molecule1D Molecule(string system, int distanceX100)
    {
        double h = _grid.Spacing;
        double r = distanceX100 / 100.0;
        string s = system.Trim().ToLowerInvariant();
        if (s is "he" or "h-")
            return new Molecule1D([0.0], [s == "he" ? 2 : 1], 2);
        if (s is not ("h2" or "heh+"))
            throw new ArgumentException($"Unknown system '{system}'; known: {string.Join(", ", Systems)}.");
        double steps = r / h;
        if (Math.Abs(steps - Math.Round(steps)) > 1e-6)
            throw new ArgumentException($"Distance {r} is not a multiple of the grid spacing {h}.");
        double left = -Math.Floor(Math.Round(steps) / 2) * h;
        // rounded to 1e-10 so that positions print as the decimal distances (as in the reference files)
        return new Molecule1D([Math.Round(left, 10), Math.Round(left + r, 10)], s == "h2" ? [1, 1] : [2, 1], 2);
    }

    /// <summary>Solves every geometry and returns the dataset (progress reported per geometry).</summary>
    public Dataset Generate(string system, IReadOnlyList<int> distancesX100, IProgress<(int Done, int Total)>? progress = null)
    {
        bool atom = system.Trim().ToLowerInvariant() is "he" or "h-";
        var keys = atom ? [0] : distancesX100;
        var samples = new List<Sample>();
        for (int i = 0; i < keys.Count; i++)
        {
            var (energy, density) = Solve(system, keys[i]);
            samples.Add(Sample(system, keys[i], energy, density, i));
            progress?.Report((i + 1, keys.Count));
        }
        return new Dataset(system, _grid, samples, Method);
    }

    /// <summary>The exact ground-state energy and density of one geometry (the expensive part; distance ignored for atoms).</summary>
    public (double Energy, Tensor Density) Solve(string system, int distanceX100)
    {
        var gs = _solver.Solve(Molecule(system, distanceX100));
        return (gs.Energy, gs.Density);
    }

    /// <summary>The sample of a solved geometry (label, molecule and external potential as <see cref="Generate"/> gives them).</summary>
    public Sample Sample(string system, int distanceX100, double energy, Tensor density, int index = 0)
    {
        bool atom = system.Trim().ToLowerInvariant() is "he" or "h-";
        var mol = Molecule(system, distanceX100);
        return new Sample(index, atom ? system : distanceX100.ToString(System.Globalization.CultureInfo.InvariantCulture), atom ? -1 : distanceX100,
            mol, energy, density, mol.ExternalPotential(_grid, _interaction));
    }
}
