namespace Qex.Dft.Training;

/// <summary>Weights of the trajectory loss (defaults: the KSR paper's).</summary>
/// <param name="EnergySteps">How many of the last iterations' energies enter.</param>
/// <param name="Discount">Weight 0.9^(K - k) of iteration k.</param>
/// <param name="EnergyWeight">Multiplier of the energy term.</param>
/// <param name="DensityWeight">Multiplier of the density term h sum (n_K - n_ref)^2.</param>
/// <param name="GradientWeight">Multiplier of the derivative-informed gradient term ||g_S(P*)||^2 (molecular, teacher references only; 0: off).</param>
/// <param name="HessianWeight">Multiplier of the derivative-informed Hessian term mean_v ||H_S v - H_T v||^2 (molecular, teacher references only; 0: off).</param>
/// <param name="HessianDirections">Random unit tangent directions v per molecule of the Hessian term (fixed per molecule and seed).</param>
public sealed record LossWeights(int EnergySteps = 5, double Discount = 0.9, double EnergyWeight = 1, double DensityWeight = 1, double GradientWeight = 0,
    double HessianWeight = 0, int HessianDirections = 4)
{
    /// <summary>The weights as config keys and values (culture-independent, round-trip numbers).</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"energy_steps {EnergySteps}, discount {Discount:R}, energy_weight {EnergyWeight:R}, density_weight {DensityWeight:R}, gradient_weight {GradientWeight:R}, hessian_weight {HessianWeight:R}, hessian_directions {HessianDirections}");
}
