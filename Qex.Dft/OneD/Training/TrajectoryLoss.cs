using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Dft.OneD.Data;
using Qex.Dft.Training;

namespace Qex.Dft.OneD.Training;

/// <summary>
/// The KSR trajectory loss of one molecule:
/// <c>(1/N_e) [ sum_{k=K-s+1..K} d^(K-k) (E_k - E_ref)^2 + h sum (n_K - n_ref)^2 ]</c>,
/// averaged over a batch by <see cref="Batch"/>.
/// </summary>
public static class TrajectoryLoss
{
    /// <summary>The loss of one trajectory against its reference sample.</summary>
    /// <exception cref="ArgumentException">The trajectory is shorter than the energy steps.</exception>
    public static Var Molecule(KohnShamTrajectory trajectory, Sample reference, double h, LossWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        return Molecule([.. trajectory.States.Select(s => s.Energy)], trajectory.Final.Density, reference, h, weights);
    }

    /// <summary>The loss of a spin-polarised trajectory (its total densities) against its reference sample.</summary>
    /// <exception cref="ArgumentException">The trajectory is shorter than the energy steps.</exception>
    public static Var Molecule(SpinKohnShamTrajectory trajectory, Sample reference, double h, LossWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        return Molecule([.. trajectory.States.Select(s => s.Energy)], trajectory.Final.Density, reference, h, weights);
    }

    /// <summary>The loss from the energies of every iteration and the final density.</summary>
    private static Var Molecule(IReadOnlyList<Var> energies, Var finalDensity, Sample reference, double h, LossWeights? weights)
    {
        weights ??= new LossWeights();
        int k = energies.Count;
        if (k < weights.EnergySteps)
            throw new ArgumentException($"The loss uses the last {weights.EnergySteps} energies but the SCF ran {k} iterations.");
        Var? energy = null;
        for (int i = k - weights.EnergySteps; i < k; i++)
        {
            var term = Op.Square(energies[i] - reference.TotalEnergy) * Math.Pow(weights.Discount, k - 1 - i);
            energy = energy is null ? term : energy + term;
        }
        var densityError = Op.Sum(Op.Square(finalDensity - Var.Constant(reference.Density))) * h;
        var total = energy! * weights.EnergyWeight + densityError * weights.DensityWeight;
        return total * (1.0 / reference.Molecule.Electrons);
    }

    /// <summary>The mean of per-molecule losses.</summary>
    public static Var Batch(IReadOnlyList<Var> molecules)
    {
        if (molecules.Count == 0) throw new ArgumentException("The training batch is empty.");
        Var sum = molecules[0];
        for (int i = 1; i < molecules.Count; i++) sum = sum + molecules[i];
        return sum * (1.0 / molecules.Count);
    }
}
