using Qex.Autodiff;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>Occupation of the Kohn–Sham orbitals.</summary>
/// <param name="Temperature">
/// Fermi–Dirac smearing width theta (Hartree); 0 means integer aufbau: each orbital holds two electrons, an odd
/// electron count leaves the top orbital singly occupied.
/// </param>
public sealed record Occupation(double Temperature = 0)
{
    /// <summary>Integer aufbau.</summary>
    public static Occupation Aufbau { get; } = new();
}

/// <summary>The result of a non-interacting solve.</summary>
/// <param name="Density">n = sum_i f_i phi_i^2 (orbitals normalised so that h sum phi^2 = 1).</param>
/// <param name="SumEigenvalues">sum_i f_i eps_i.</param>
/// <param name="Entropy">-theta S (zero for integer occupations); add it to the energy.</param>
/// <param name="Eigenvalues">The orbital energies computed (occupied ones and at least the lowest unoccupied).</param>
/// <param name="Occupations">f_i of the computed orbitals.</param>
/// <param name="Gap">LUMO - HOMO for integer occupations (0 when the top orbital is partly filled).</param>
public sealed record NonInteractingResult(Var Density, Var SumEigenvalues, Var Entropy, Tensor Eigenvalues, double[] Occupations, double Gap);

/// <summary>
/// Fills the lowest orbitals of <c>H = T + diag(v_s)</c> (5-point kinetic operator) with N electrons, spin-restricted.
/// The banded eigen op keeps the result differentiable in v_s.
/// </summary>
public sealed class NonInteractingSolver
{
    private readonly double[][] _offDiagonals;
    private readonly double _kineticDiagonal;

    /// <summary>A solver on a grid.</summary>
    public NonInteractingSolver(Grid1D grid)
    {
        Grid = grid;
        var (d0, d1, d2) = KineticOperator.Bands(grid.Spacing);
        _kineticDiagonal = d0;
        int n = grid.Count;
        _offDiagonals = [Enumerable.Repeat(d1, n - 1).ToArray(), Enumerable.Repeat(d2, n - 2).ToArray()];
    }

    /// <summary>The grid.</summary>
    public Grid1D Grid { get; }

    /// <summary>Solves for N electrons in the potential v_s.</summary>
    /// <exception cref="ArgumentException">N out of range or the potential has the wrong length.</exception>
    public NonInteractingResult Solve(Var potential, int electrons, Occupation? occupation = null)
    {
        occupation ??= Occupation.Aufbau;
        int n = Grid.Count;
        if (potential.Rank != 1 || potential.Length != n)
            throw new ArgumentException($"The potential has shape {ShapeUtil.Format(potential.Shape)}; the grid has {n} points.");
        if (electrons < 1 || electrons > 2 * n) throw new ArgumentException($"Cannot place {electrons} electrons on {n} grid points.");
        return occupation.Temperature > 0 ? SolveSmeared(potential, electrons, occupation.Temperature) : SolveAufbau(potential, electrons);
    }

    /// <summary>
    /// Fills the lowest orbitals of one spin channel with <paramref name="electrons"/> electrons, one per orbital (integer
    /// aufbau; zero electrons give a zero density): the spin-polarised Kohn–Sham solve of each channel.
    /// </summary>
    /// <exception cref="ArgumentException">N out of range or the potential has the wrong length.</exception>
    public NonInteractingResult SolveSpinChannel(Var potential, int electrons)
    {
        ArgumentNullException.ThrowIfNull(potential);
        int n = Grid.Count;
        if (potential.Rank != 1 || potential.Length != n)
            throw new ArgumentException($"The potential has shape {ShapeUtil.Format(potential.Shape)}; the grid has {n} points.");
        if (electrons < 0 || electrons > n) throw new ArgumentException($"Cannot place {electrons} electrons of one spin on {n} grid points.");
        if (electrons == 0)
        {
            var eig = Op.EighBandedLowest(Hamiltonian(potential), _offDiagonals, 1);
            return new NonInteractingResult(Var.Constant(Tensor.Zeros(n)), Var.Constant(0.0), Var.Constant(0.0), eig.Values.Value, [0], 0);
        }
        return SolveAufbau(potential, electrons, perOrbital: 1);
    }

    private Var Hamiltonian(Var potential) => potential + _kineticDiagonal;

    private NonInteractingResult SolveAufbau(Var potential, int electrons, int perOrbital = 2)
    {
        int occupied = (electrons + perOrbital - 1) / perOrbital;
        bool partial = electrons % perOrbital != 0;
        int k = Math.Min(Grid.Count, occupied + (partial ? 0 : 1)); // one more for the gap when the last orbital is full
        var eig = Op.EighBandedLowest(Hamiltonian(potential), _offDiagonals, k);
        var f = new double[k];
        for (int i = 0; i < occupied; i++) f[i] = i == occupied - 1 && partial ? electrons % perOrbital : perOrbital;
        var fv = Var.Constant(Tensor.Wrap((double[])f.Clone(), k));
        var density = Op.Sum(Op.Square(eig.Vectors) * Op.Reshape(fv, 1, k), [1]) * (1.0 / Grid.Spacing);
        var sumEps = Op.Sum(eig.Values * fv);
        var values = eig.Values.Value;
        double gap = partial || k == occupied ? 0 : values[occupied] - values[occupied - 1];
        return new NonInteractingResult(density, sumEps, Var.Constant(0.0), values, f, gap);
    }

    private NonInteractingResult SolveSmeared(Var potential, int electrons, double theta)
    {
        // enough orbitals that the first one left out has occupation below 1e-14
        int k = Math.Min(Grid.Count, (electrons + 1) / 2 + 4);
        while (true)
        {
            var eig = Op.EighBandedLowest(Hamiltonian(potential), _offDiagonals, k);
            var eps = eig.Values.Value.ToArray();
            double mu = FermiDirac.ChemicalPotential(eps, electrons, theta);
            if (k < Grid.Count && FermiDirac.Occupation(eps[k - 1], mu, theta) > 1e-14)
            {
                k = Math.Min(Grid.Count, 2 * k);
                continue;
            }
            var muVar = FermiDirac.ChemicalPotentialOp(eig.Values, electrons, theta);
            var x = (eig.Values - muVar) * (1.0 / theta);
            var f = Op.Sigmoid(-x) * 2.0;
            var density = Op.Sum(Op.Square(eig.Vectors) * Op.Reshape(f, 1, k), [1]) * (1.0 / Grid.Spacing);
            var sumEps = Op.Sum(eig.Values * f);
            var entropyTerm = FermiDirac.EntropyTerm(f, theta);
            var fv = f.Value.ToArray();
            return new NonInteractingResult(density, sumEps, entropyTerm, eig.Values.Value, fv, 0);
        }
    }
}
