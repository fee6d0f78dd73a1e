using Qex.Autodiff.Forward;
using Qex.Autodiff.Optimisers;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Xc;
using Qex.Quantum.Observables;
using Qex.Quantum.Simulation;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// A trained <see cref="QuantumEnhancementXcModel"/> as a component of the production functionals: per point the
/// circuit value z, its input gradient (adjoint method) and, for second-order numbers, its input Hessian (one
/// Hessian-vector product per input), composed with the features as a second-order expansion in forward-mode
/// arithmetic, exact to the order the number type carries. Closed-shell (total density and gradient).
/// </summary>
public sealed class QuantumLearnedXcComponent : IXcComponent
{
    private readonly StatevectorSimulator simulator;
    private readonly Tensor theta;
    private readonly double a, b, scale;
    private readonly int inputs, qubits;

    /// <summary>The component of <paramref name="model"/> with <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">Parameters that do not fit the model.</exception>
    public QuantumLearnedXcComponent(QuantumEnhancementXcModel model, ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        EnhancementFeatures.RequireLayout(model, parameters);
        Name = model.Name;
        Family = model.Features == MolecularXcFeatures.Lda ? XcFamily.Lda : XcFamily.Gga;
        simulator = new StatevectorSimulator(model.Circuit, Observable.TotalMagnetisation(model.Qubits));
        theta = parameters["theta"];
        (a, b, scale, inputs, qubits) = (parameters["a"].ToScalar(), parameters["b"].ToScalar(), model.InputScale, model.Features == MolecularXcFeatures.Lda ? 1 : 2, model.Qubits);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public XcFamily Family { get; }

    /// <inheritdoc />
    public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T>
    {
        if (!EnhancementFeatures.AtPoint(p, inputs == 1 ? MolecularXcFeatures.Lda : MolecularXcFeatures.Gga, out var rho, out var ex, out var features)) return ex;
        var x = features.Select(f => scale * f).ToArray();
        var input = Tensor.Create([1, inputs], r => { for (int i = 0; i < inputs; i++) r[i] = x[i].Value; });
        var args = new CircuitArguments(theta, input);
        var d = simulator.Gradient(args);
        // z(x) = z0 + g . dx + 1/2 dx^T H dx with dx = x - x0 (zero value, so the expansion is exact to second order)
        var z = 0 * rho + d.Values[0];
        var dx = new T[inputs];
        for (int i = 0; i < inputs; i++) { dx[i] = x[i] - x[i].Value; z += d.Inputs[0, i] * dx[i]; }
        if (rho.CarriesSecondDerivatives)
            for (int i = 0; i < inputs; i++)
            {
                var e = Tensor.Create([1, inputs], r => r[i] = 1);
                var h = simulator.HessianVectorProduct(args, new CircuitDirection(Tensor.Zeros(1, theta.Length), e));
                for (int j = 0; j < inputs; j++) z += 0.5 * h.Inputs[0, j] * (dx[i] * dx[j]);
            }
        return ex * (1 + b + a / qubits * z);
    }
}
