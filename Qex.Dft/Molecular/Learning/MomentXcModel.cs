using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// A global learned functional (QEX's grid-size-invariant descriptor model, in the enhancement form): the local
/// enhancement network of <see cref="EnhancementXcModel"/> also reads descriptors of the whole density, integrals
/// that do not depend on the grid (only on how well it integrates):
/// <c>D = (ln(I_4/3 / N), ln(I_5/3 / N), ln(I_2 / N)[, A / I_4/3])</c> with <c>I_p = int rho^p</c>, <c>N = int rho</c>
/// and (GGA) <c>A = int rho^(4/3) s^2/(1+s^2)</c>, the exchange-weighted mean of the bounded gradient feature.
/// e = e_x^LDA(rho) (1 + MLP(x_local, D)); the descriptors enter the first layer, so the potential dE/drho has a
/// non-local part (a multiple of rho^(p-1) per descriptor) that the autodiff gives with the rest. At initialisation
/// (last layer zero) it is Slater exchange. Parameters as <see cref="EnhancementXcModel"/>'s, W1 of shape
/// (local inputs + descriptors, h1): the local rows first.
/// </summary>
public sealed class MomentXcModel : IMolecularXcModel
{
    /// <summary>The powers p of the moments I_p.</summary>
    public static IReadOnlyList<double> Powers { get; } = [4.0 / 3.0, 5.0 / 3.0, 2.0];

    /// <summary>Creates the model.</summary>
    /// <exception cref="ArgumentException">Non-positive widths.</exception>
    public MomentXcModel(MolecularXcFeatures features = MolecularXcFeatures.Gga, int hidden1 = 16, int hidden2 = 16)
    {
        if (hidden1 < 1 || hidden2 < 1) throw new ArgumentException($"Hidden widths must be positive; got {hidden1} and {hidden2}.");
        (Features, Hidden1, Hidden2) = (features, hidden1, hidden2);
    }

    /// <inheritdoc />
    public string Name => Features == MolecularXcFeatures.Lda ? "moments-lda" : "moments-gga";

    /// <inheritdoc />
    public MolecularXcFeatures Features { get; }

    /// <inheritdoc />
    public bool IsLocal => false;

    /// <summary>Hidden widths.</summary>
    public int Hidden1 { get; }

    /// <summary>Hidden widths.</summary>
    public int Hidden2 { get; }

    /// <summary>Local inputs per point (1 for LDA features, 2 for GGA).</summary>
    public int LocalInputs => Features == MolecularXcFeatures.Lda ? 1 : 2;

    /// <summary>The number of global descriptors (3 moments, and the gradient descriptor for GGA).</summary>
    public int DescriptorCount => Powers.Count + (Features == MolecularXcFeatures.Gga ? 1 : 0);

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => (LocalInputs + DescriptorCount) * Hidden1 + Hidden1 + Hidden1 * Hidden2 + Hidden2 + Hidden2 + 1;

    /// <inheritdoc />
    public ParameterSet InitialParameters(RngKey key) => EnhancementFeatures.MlpParameters(key, LocalInputs + DescriptorCount, Hidden1, Hidden2);

    /// <summary>The descriptors D of a density on a grid (shape (descriptors)), differentiable in rho and sigma.</summary>
    public Var Descriptors(Var rho, Var sigma, Var weights)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(weights);
        var (mask, ex, x) = EnhancementFeatures.Of(rho, sigma, Features);
        return Descriptors(rho, weights, mask, ex, x);
    }

    private Var Descriptors(Var rho, Var weights, Tensor mask, Var slaterExchange, Var inputs)
    {
        var n = Op.Sum(rho * weights);
        var r = Op.Where(mask, rho, Var.Constant(1.0));
        var r43 = Op.Where(mask, slaterExchange * (-1.0 / EnhancementFeatures.Cx), Var.Constant(0.0));
        var parts = new List<Var>();
        Var? i43 = null;
        foreach (double p in Powers)
        {
            var rp = p == 4.0 / 3.0 ? r43 : Op.Where(mask, Op.Pow(r, p), Var.Constant(0.0));
            var ip = Op.Sum(rp * weights);
            i43 ??= ip;
            parts.Add(Op.Reshape(Op.Log(ip / n), 1));
        }
        if (Features == MolecularXcFeatures.Gga)
        {
            var t = Op.Reshape(Op.Slice(inputs, 1, 1, 1), rho.Length);
            parts.Add(Op.Reshape(Op.Sum(r43 * t * weights) / i43!, 1));
        }
        return Op.Concat(parts, 0);
    }

    /// <inheritdoc />
    public Var EnergyDensity(Var rho, Var sigma, Var weights, IReadOnlyList<Var> p)
    {
        ArgumentNullException.ThrowIfNull(rho);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(p);
        var (mask, ex, x) = EnhancementFeatures.Of(rho, sigma, Features);
        return EnergyDensityAt(mask, ex, x, Descriptors(rho, weights, mask, ex, x), p);
    }

    private Var EnergyDensityAt(Tensor mask, Var ex, Var x, Var descriptors, IReadOnlyList<Var> p)
    {
        if (p.Count != 6) throw new ArgumentException($"{Name} takes 6 parameter tensors (W1, b1, W2, b2, W3, b3); got {p.Count}.");
        if (descriptors.Length != DescriptorCount) throw new ArgumentException($"{Name} reads {DescriptorCount} descriptors; got {descriptors.Length}.");
        var local = Op.Slice(p[0], 0, 0, LocalInputs);
        var global = Op.Slice(p[0], 0, LocalInputs, DescriptorCount);
        var shift = Op.Reshape(Op.MatMul(Op.Reshape(descriptors, 1, DescriptorCount), global), Hidden1);
        var f = Op.SiluMlp(x, [local, shift + p[1], p[2], p[3], p[4]]) + p[5] + 1.0;
        return Op.Where(mask, ex * f, Var.Constant(0.0));
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: a global model's energy density depends on the whole density.</exception>
    public Xc.IXcComponent Component(ParameterSet parameters) =>
        throw new NotSupportedException($"{Name} is a global functional (it reads integrals of the whole density), not a per-point component; use MomentXcModel.Linearised at a converged density, as `qex energy --functional` does.");

    /// <summary>
    /// The model linearised in its descriptors about a density P*: a per-point component
    /// <c>e'(rho) = e(rho; D*) + sum_k c_k delta_k(rho)</c>, c_k = dE_xc/dD_k at P*, delta_k the first-order change of
    /// D_k per point. At P* it has the energy and the potential of the global model, so P* is a fixed point of the
    /// production SCF with it: converge the differentiable SCF first (<see cref="DifferentiableKohnSham.FixedPoint"/>),
    /// then run any production code (properties, kernels) with this component.
    /// </summary>
    public LearnedXcComponent Linearised(MolecularProblem problem, ParameterSet parameters, Tensor density)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(density);
        EnhancementFeatures.RequireLayout(this, parameters);
        var vars = parameters.ToVars().Select(v => v.Detach()).ToArray();
        var features = problem.Density.Features(Var.Constant(density));
        int np = problem.Density.Points;
        var rho = Op.Reshape(Op.Slice(features, 0, 0, 1), np);
        var sigma = Op.Sum(Op.Square(Op.Slice(features, 0, 1, 3)), [0]);
        var weights = problem.Density.WeightVector;
        var (mask, ex, x) = EnhancementFeatures.Of(rho, sigma, Features);
        var d = Descriptors(rho, weights, mask, ex, x);
        var leaf = Var.Parameter(d.Value);
        var exc = Op.Sum(EnergyDensityAt(mask, ex, x, leaf, vars) * weights);
        var c = Grad.Of(exc, leaf).Value.ToArray();
        var w = weights.Value.Span;
        var rv = rho.Value.Span;
        double n = 0;
        var moments = new double[Powers.Count];
        double a = 0;
        for (int g = 0; g < np; g++)
        {
            n += w[g] * rv[g];
            if (rv[g] <= EnhancementXcModel.DensityCutoff) continue;
            for (int k = 0; k < Powers.Count; k++) moments[k] += w[g] * Math.Pow(rv[g], Powers[k]);
            if (Features == MolecularXcFeatures.Gga) a += w[g] * Math.Pow(rv[g], 4.0 / 3.0) * x.Value[g, 1];
        }
        var linear = new MomentLinearisation(d.Value.ToArray(), c, n, moments, a);
        return new LearnedXcComponent(this, parameters, linear);
    }

    /// <inheritdoc />
    public string Describe() => $"{Name}: e_x^LDA (1 + MLP {LocalInputs}+{DescriptorCount}-{Hidden1}-{Hidden2}-1, SiLU; {DescriptorCount} global density descriptors), {ParameterCount} parameters";
}

/// <summary>
/// A <see cref="MomentXcModel"/> linearised in its descriptors about a density: the descriptors D*, the multipliers
/// c = dE_xc/dD, and the integrals N*, I_p* and (GGA) A* they were built from.
/// </summary>
/// <param name="Descriptors">D*.</param>
/// <param name="Multipliers">dE_xc/dD_k at D*.</param>
/// <param name="Electrons">N* = int rho*.</param>
/// <param name="Moments">I_p* for <see cref="MomentXcModel.Powers"/>.</param>
/// <param name="GradientMoment">A* = int rho*^(4/3) s^2/(1+s^2) (GGA; 0 otherwise).</param>
public sealed record MomentLinearisation(double[] Descriptors, double[] Multipliers, double Electrons, double[] Moments, double GradientMoment);
