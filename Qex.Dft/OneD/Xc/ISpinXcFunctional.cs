using Qex.Autodiff;

namespace Qex.Dft.OneD.Xc;

/// <summary>
/// A 1D functional of the two spin densities: the energy per particle of the total density,
/// <c>E_xc = h sum_i eps_xc[n_up, n_down]_i (n_up + n_down)_i</c>, with <c>v_xc,s = (1/h) dE_xc/dn_s</c> by automatic
/// differentiation. For equal spin densities it must reduce to the functional's unpolarised form.
/// </summary>
public interface ISpinXcFunctional : IXcFunctional
{
    /// <summary>eps_xc on the grid, shape (n), for spin densities of shape (n) each.</summary>
    Var SpinEnergyDensity(Var up, Var down, IReadOnlyList<Var> parameters, XcContext context);
}

/// <summary>Energy and spin potentials of an <see cref="ISpinXcFunctional"/>.</summary>
public static class SpinXcEnergy
{
    /// <summary>E_xc = h sum eps_xc (n_up + n_down).</summary>
    public static Var Energy(Func<Var, Var, Var> energyDensity, Var up, Var down, double h)
    {
        ArgumentNullException.ThrowIfNull(energyDensity);
        return Op.Sum(energyDensity(up, down) * (up + down)) * h;
    }

    /// <summary>
    /// v_xc,up and v_xc,down = (1/h) dE_xc/dn_s, recorded so that they can be differentiated again (by the parameters in
    /// training, by the densities in the Kohn–Sham chain).
    /// </summary>
    public static (Var Up, Var Down) Potentials(Func<Var, Var, Var> energyDensity, Var up, Var down, double h)
    {
        ArgumentNullException.ThrowIfNull(up);
        ArgumentNullException.ThrowIfNull(down);
        var u = up.RequiresGrad ? up : Var.Parameter(up.Value);
        var d = down.RequiresGrad ? down : Var.Parameter(down.Value);
        var e = Energy(energyDensity, u, d, h);
        if (!e.RequiresGrad)
        {
            var zero = Var.Constant(Core.Tensors.Tensor.Zeros(up.Value.ShapeArray()));
            return (zero, zero);
        }
        return (Grad.Of(e, u, createGraph: true) * (1.0 / h), Grad.Of(e, d, createGraph: true) * (1.0 / h));
    }
}
