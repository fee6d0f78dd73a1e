using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>A 1D molecule or atom: nuclei on grid points and an electron count.</summary>
/// <param name="Locations">Nuclear positions (Bohr).</param>
/// <param name="Charges">Nuclear charges.</param>
/// <param name="Electrons">Number of electrons.</param>
/// <param name="UnpairedElectrons">Number of unpaired electrons (for spin-polarised treatments; 0 or 1 when restricted).</param>
public sealed record Molecule1D(double[] Locations, double[] Charges, int Electrons, int UnpairedElectrons = -1)
{
    /// <summary>The number of unpaired electrons (defaults to N mod 2).</summary>
    public int Unpaired => UnpairedElectrons >= 0 ? UnpairedElectrons : Electrons % 2;

    /// <summary>The geometric centre, the mean of the nuclear positions (the reflection centre of the SCF).</summary>
    public double Centre => Locations.Length == 0 ? 0 : Locations.Average();

    /// <summary>Checks the molecule against a grid: matching arrays, positive electron count, nuclei on grid points.</summary>
    /// <exception cref="ArgumentException">Names the problem.</exception>
    public void Validate(Grid1D grid)
    {
        if (Locations.Length != Charges.Length)
            throw new ArgumentException($"The molecule has {Locations.Length} locations but {Charges.Length} nuclear charges.");
        if (Electrons < 1) throw new ArgumentException($"The molecule needs at least one electron; got {Electrons}.");
        foreach (double x in Locations)
            if (grid.IndexOf(x) < 0)
                throw new ArgumentException($"Nucleus at x = {x} is not on a grid point (grid from {grid.Points[0]} with spacing {grid.Spacing}).");
    }

    /// <summary><c>v_ext(x) = -sum_j Z_j v(x - X_j)</c>.</summary>
    public Tensor ExternalPotential(Grid1D grid, Interaction interaction)
    {
        var x = grid.Points.Span;
        var v = new double[grid.Count];
        for (int i = 0; i < v.Length; i++)
            for (int j = 0; j < Locations.Length; j++) v[i] -= Charges[j] * interaction.Value(x[i] - Locations[j]);
        return Tensor.Wrap(v, grid.Count);
    }

    /// <summary><c>E_nn = sum_{i&lt;j} Z_i Z_j v(X_i - X_j)</c>.</summary>
    public double NuclearRepulsion(Interaction interaction)
    {
        double e = 0;
        for (int i = 0; i < Locations.Length; i++)
            for (int j = i + 1; j < Locations.Length; j++) e += Charges[i] * Charges[j] * interaction.Value(Locations[i] - Locations[j]);
        return e;
    }
}
