namespace Qex.Dft.Training;

/// <summary>Weights of the trajectory loss (defaults: the KSR paper's).</summary>
/// <param name="EnergySteps">How many of the last iterations' energies enter.</param>
/// <param name="Discount">Weight 0.9^(K - k) of iteration k.</param>
/// <param name="EnergyWeight">Multiplier of the energy term.</param>
/// <param name="DensityWeight">Multiplier of the density term h sum (n_K - n_ref)^2.</param>
public sealed record LossWeights(int EnergySteps = 5, double Discount = 0.9, double EnergyWeight = 1, double DensityWeight = 1);
