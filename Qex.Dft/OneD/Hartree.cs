using Qex.Autodiff;
using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>
/// The Hartree potential and energy on a grid: <c>v_H(x_i) = h sum_j n_j v(x_i - x_j)</c>,
/// <c>U[n] = 1/2 h^2 sum_ij n_i n_j v(x_i - x_j)</c>.
/// </summary>
public static class Hartree
{
    /// <summary>v_H[n] for the interaction matrix <paramref name="interaction"/> (v(x_i - x_j)).</summary>
    public static Var Potential(Var density, Tensor interaction, double h) =>
        Op.Reshape(Op.MatMul(Var.Constant(interaction), Op.Reshape(density, -1, 1)), -1) * h;

    /// <summary>U[n].</summary>
    public static Var Energy(Var density, Tensor interaction, double h) =>
        Op.Sum(density * Potential(density, interaction, h)) * (0.5 * h);
}
