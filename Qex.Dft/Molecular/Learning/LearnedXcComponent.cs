using Qex.Autodiff.Forward;
using Qex.Autodiff.Optimisers;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// A trained <see cref="EnhancementXcModel"/> as a component of the production functionals: the same formula written
/// per point over forward-mode numbers, so the production SCF (DIIS, any grid), its XC kernel (Hessian products,
/// TDDFT) and every other user of <see cref="XcFunctional"/> run with it; also a <see cref="MomentXcModel"/>
/// linearised in its descriptors about a density (<see cref="MomentXcModel.Linearised"/>). Closed-shell: it reads the total density
/// and gradient (rho = rho_a + rho_b, sigma = sigma_aa + 2 sigma_ab + sigma_bb); open shells are refused by its users.
/// </summary>
public sealed class LearnedXcComponent : IXcComponent
{
    private readonly double[] w1, b1, w2, b2, w3;
    private readonly double b3;
    private readonly int inputs, h1, h2;
    private readonly MomentLinearisation? linear;

    /// <summary>The component of <paramref name="model"/> with <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">Parameters that do not fit the model.</exception>
    public LearnedXcComponent(EnhancementXcModel model, ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        EnhancementFeatures.RequireLayout(model, parameters);
        Name = model.Name;
        Family = model.Features == MolecularXcFeatures.Lda ? XcFamily.Lda : XcFamily.Gga;
        (inputs, h1, h2) = (model.Features == MolecularXcFeatures.Lda ? 1 : 2, model.Hidden1, model.Hidden2);
        (w1, b1, w2, b2, w3) = (parameters["W1"].ToArray(), parameters["b1"].ToArray(), parameters["W2"].ToArray(), parameters["b2"].ToArray(), parameters["W3"].ToArray());
        b3 = parameters["b3"].ToScalar();
    }

    /// <summary>A <see cref="MomentXcModel"/> linearised in its descriptors (built by <see cref="MomentXcModel.Linearised"/>).</summary>
    internal LearnedXcComponent(MomentXcModel model, ParameterSet parameters, MomentLinearisation linearisation)
    {
        EnhancementFeatures.RequireLayout(model, parameters);
        Name = model.Name;
        Family = model.Features == MolecularXcFeatures.Lda ? XcFamily.Lda : XcFamily.Gga;
        (inputs, h1, h2) = (model.LocalInputs, model.Hidden1, model.Hidden2);
        var w = parameters["W1"].ToArray();
        w1 = w[..(inputs * h1)];
        b1 = parameters["b1"].ToArray();
        // the descriptors' share of the first layer is a fixed shift of its bias
        for (int k = 0; k < model.DescriptorCount; k++)
            for (int j = 0; j < h1; j++) b1[j] += linearisation.Descriptors[k] * w[(inputs + k) * h1 + j];
        (w2, b2, w3) = (parameters["W2"].ToArray(), parameters["b2"].ToArray(), parameters["W3"].ToArray());
        b3 = parameters["b3"].ToScalar();
        linear = linearisation;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public XcFamily Family { get; }

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        if (!EnhancementFeatures.AtPoint(p, inputs == 1 ? MolecularXcFeatures.Lda : MolecularXcFeatures.Gga, out var rho, out var ex, out var x)) return ex;
        var a = new T[h1];
        for (int j = 0; j < h1; j++)
        {
            var z = 0 * rho + b1[j];
            for (int i = 0; i < inputs; i++) z += w1[i * h1 + j] * x[i];
            a[j] = Silu(z);
        }
        var f = 0 * rho + (1 + b3);
        for (int k = 0; k < h2; k++)
        {
            var z = 0 * rho + b2[k];
            for (int j = 0; j < h1; j++) z += w2[j * h2 + k] * a[j];
            f += w3[k] * Silu(z);
        }
        return linear is null ? ex * f : ex * f + Linear(rho, ex, x);
    }

    // sum_k c_k delta_k: ln(I_p / N) -> rho^p / I_p* - rho / N*; A / I_4/3 -> rho^(4/3) t / I_4/3* - A* rho^(4/3) / I_4/3*^2
    private T Linear<T>(in T rho, in T ex, T[] x) where T : struct, IForwardNumber<T>
    {
        var l = linear!;
        var r43 = ex * (-1.0 / EnhancementFeatures.Cx);
        var sum = 0 * rho;
        for (int k = 0; k < MomentXcModel.Powers.Count; k++)
        {
            double p = MomentXcModel.Powers[k];
            var rp = k == 0 ? r43 : ForwardMath.Pow(rho, p);
            sum += l.Multipliers[k] * (rp * (1.0 / l.Moments[k]) - rho * (1.0 / l.Electrons));
        }
        if (inputs == 2)
            sum += l.Multipliers[^1] * (r43 * x[1] * (1.0 / l.Moments[0]) - r43 * (l.GradientMoment / (l.Moments[0] * l.Moments[0])));
        return sum;
    }

    private static T Silu<T>(in T z) where T : struct, IForwardNumber<T>
    {
        double v = z.Value, s = TensorMath.Sigmoid(v), sm = TensorMath.Sigmoid(-v);
        // silu = v s; silu' = s (1 + v sm); silu'' = s sm (2 + v (sm - s))
        return T.Chain(z, v * s, s * (1 + v * sm), s * sm * (2 + v * (sm - s)));
    }
}
