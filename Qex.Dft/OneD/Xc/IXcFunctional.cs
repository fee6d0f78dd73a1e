using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;

namespace Qex.Dft.OneD.Xc;

/// <summary>
/// A 1D exchange-correlation functional: the energy per particle eps_xc on the grid as a function of the density
/// and the parameters (possibly non-local). <c>E_xc = h sum_i eps_xc[n]_i n_i</c>; the potential
/// <c>v_xc = (1/h) dE_xc/dn</c> is obtained by automatic differentiation.
/// </summary>
public interface IXcFunctional
{
    /// <summary>Registry name (lda, ksr-global, ksr-lda, ksr-gga, ...).</summary>
    string Name { get; }

    /// <summary>Fresh parameters (empty for parameter-free functionals), drawn from <paramref name="key"/>.</summary>
    ParameterSet InitialParameters(RngKey key);

    /// <summary>eps_xc on the grid, shape (n), for a density of shape (n).</summary>
    /// <param name="density">The density.</param>
    /// <param name="parameters">The parameters, in the order of <see cref="InitialParameters"/>.</param>
    /// <param name="context">Grid and interaction.</param>
    Var EnergyDensity(Var density, IReadOnlyList<Var> parameters, XcContext context);
}

/// <summary>Energy and potential of any <see cref="IXcFunctional"/>.</summary>
public static class XcEnergy
{
    /// <summary>E_xc = h sum eps_xc n.</summary>
    public static Var Energy(Func<Var, Var> energyDensity, Var density, double h) =>
        Op.Sum(energyDensity(density) * density) * h;

    /// <summary>
    /// v_xc = (1/h) dE_xc/dn, recorded so that it can be differentiated again (by the parameters in training, by
    /// the density in the Kohn–Sham chain).
    /// </summary>
    public static Var Potential(Func<Var, Var> energyDensity, Var density, double h)
    {
        // differentiate with respect to a fresh leaf that stands for the density, then re-attach to the graph
        var leaf = density.RequiresGrad ? density : Var.Parameter(density.Value);
        var e = Energy(energyDensity, leaf, h);
        if (!e.RequiresGrad) return Var.Constant(Core.Tensors.Tensor.Zeros(density.Value.ShapeArray()));
        return Grad.Of(e, leaf, createGraph: true) * (1.0 / h);
    }
}
