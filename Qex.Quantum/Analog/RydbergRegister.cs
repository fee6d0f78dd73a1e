namespace Qex.Quantum.Analog;

/// <summary>
/// Neutral atoms in a plane (positions in micrometres) and their van der Waals coefficient C6 (rad/us um^6): the
/// register of an analog Rydberg device. Atom i is qubit i (the most significant bit of a basis index is atom 0);
/// |1&gt; is the Rydberg state.
/// </summary>
public sealed record RydbergRegister
{
    /// <summary>C6 of 87Rb |70S_1/2&gt;: 2 pi x 862690 MHz um^6 (the default of PennyLane's and Pulser's Rydberg interaction), in rad/us um^6.</summary>
    public const double DefaultC6 = 2 * Math.PI * 862690;

    /// <summary>At most this many atoms (a dense 2^n x 2^n Hamiltonian).</summary>
    public const int MaxAtoms = 12;

    /// <summary>A register.</summary>
    /// <exception cref="ArgumentException">No atoms, too many, a non-finite coordinate, two atoms closer than 1e-3 um, or a bad C6.</exception>
    public RydbergRegister(IReadOnlyList<(double X, double Y)> positions, double c6 = DefaultC6)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count is < 1 or > MaxAtoms) throw new ArgumentException($"A Rydberg register holds 1 to {MaxAtoms} atoms; got {positions.Count}.");
        if (!double.IsFinite(c6) || c6 < 0) throw new ArgumentException($"C6 must be a non-negative number (rad/us um^6); got {c6}.");
        for (int i = 0; i < positions.Count; i++)
        {
            if (!double.IsFinite(positions[i].X) || !double.IsFinite(positions[i].Y)) throw new ArgumentException($"Atom {i} has a non-finite position.");
            for (int j = 0; j < i; j++)
                if (Distance(positions[i], positions[j]) < 1e-3) throw new ArgumentException($"Atoms {j} and {i} are closer than 1e-3 um.");
        }
        Positions = [.. positions];
        C6 = c6;
    }

    /// <summary>Atoms on a line, <paramref name="spacing"/> um apart.</summary>
    public static RydbergRegister Line(int atoms, double spacing, double c6 = DefaultC6)
    {
        if (!double.IsFinite(spacing) || spacing <= 0) throw new ArgumentException($"The atom spacing must be a positive number of micrometres; got {spacing}.");
        return new RydbergRegister([.. Enumerable.Range(0, Math.Max(atoms, 0)).Select(i => (i * spacing, 0.0))], c6);
    }

    /// <summary>Atom positions (um).</summary>
    public IReadOnlyList<(double X, double Y)> Positions { get; }

    /// <summary>The van der Waals coefficient (rad/us um^6).</summary>
    public double C6 { get; }

    /// <summary>Number of atoms.</summary>
    public int Count => Positions.Count;

    /// <summary>Hilbert-space dimension 2^n.</summary>
    public int Dimension => 1 << Count;

    /// <summary>V_ij = C6 / r_ij^6 (rad/us).</summary>
    public double Interaction(int i, int j) => C6 / Math.Pow(Distance(Positions[i], Positions[j]), 6);

    private static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>Whether atom i is in the Rydberg state in basis state s.</summary>
    public bool Excited(int s, int i) => ((s >> (Count - 1 - i)) & 1) == 1;
}
