using Qex.Core.Tensors;
using Qex.Quantum.Gates;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Differentiation;

/// <summary>
/// Parameter-shift gradients: exact derivatives from shifted evaluations of any estimator (so also with finite
/// shots, where they are unbiased, and under noise). Pauli rotations, PHASE and controlled PHASE (generator
/// eigenvalue gap 1) use <c>f' = [f(t + pi/2) - f(t - pi/2)] / 2</c>; controlled Pauli rotations (eigenvalues 0, +-1/2)
/// use the four-term rule <c>f' = c+ [f(t + pi/2) - f(t - pi/2)] - c- [f(t + 3pi/2) - f(t - 3pi/2)]</c>,
/// <c>c+- = (sqrt 2 +- 1) / (4 sqrt 2)</c>.
/// </summary>
public static class ParameterShift
{
    /// <summary>Per-circuit derivatives with respect to the parameters (B, P) and inputs (B, nIn); values from an unshifted evaluation.</summary>
    /// <exception cref="NotSupportedException">The circuits are amplitude-encoded (no shift rule for amplitudes).</exception>
    public static CircuitDerivatives Gradient(IExpectationEstimator estimator, CircuitArguments args) => Gradient(estimator, args, true, true);

    /// <summary>
    /// As <see cref="Gradient(IExpectationEstimator, CircuitArguments)"/>, shifting only the gates whose derivatives are
    /// wanted (the others are left zero): a potential v_xc needs the input derivatives only.
    /// </summary>
    public static CircuitDerivatives Gradient(IExpectationEstimator estimator, CircuitArguments args, bool parameters, bool inputs)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(args);
        if (args.InitialAmplitudes is not null) throw new NotSupportedException("Parameter shift has no rule for amplitude-encoded inputs; use the adjoint method.");
        var c = estimator.Circuit;
        args.Validate(c);
        int batch = args.Batch, np = c.ParameterCount, ni = c.InputCount;
        var dp = new double[batch * np];
        var dx = new double[batch * ni];
        var values = estimator.Estimate(args);
        for (int k = 0; k < c.Gates.Length; k++)
        {
            var g = c.Gates[k];
            if (!g.IsDifferentiable) continue;
            if (g.Angle!.Value.Source == AngleSource.Parameter ? !parameters : !inputs) continue;
            var d = GateDerivative(estimator, args, k, g.Kind);
            var a = g.Angle!.Value;
            for (int b = 0; b < batch; b++)
            {
                if (a.Source == AngleSource.Parameter) dp[b * np + a.Index] += a.Scale * d[b];
                else dx[b * ni + a.Index] += a.Scale * d[b];
            }
        }
        return new CircuitDerivatives(values, Tensor.Wrap(dp, batch, np), Tensor.Wrap(dx, batch, ni), null);
    }

    /// <summary>d f_b / d(angle of gate k) for every circuit.</summary>
    public static double[] GateDerivative(IExpectationEstimator estimator, CircuitArguments args, int k, GateKind kind)
    {
        var plus = estimator.Estimate(args, new GateShift(k, Math.PI / 2)).Span;
        var minus = estimator.Estimate(args, new GateShift(k, -Math.PI / 2)).Span;
        var d = new double[args.Batch];
        if (kind is GateKind.CRX or GateKind.CRY or GateKind.CRZ)
        {
            double cp = (Math.Sqrt(2) + 1) / (4 * Math.Sqrt(2)), cm = (Math.Sqrt(2) - 1) / (4 * Math.Sqrt(2));
            var plus3 = estimator.Estimate(args, new GateShift(k, 1.5 * Math.PI)).Span;
            var minus3 = estimator.Estimate(args, new GateShift(k, -1.5 * Math.PI)).Span;
            for (int b = 0; b < d.Length; b++) d[b] = cp * (plus[b] - minus[b]) - cm * (plus3[b] - minus3[b]);
        }
        else for (int b = 0; b < d.Length; b++) d[b] = 0.5 * (plus[b] - minus[b]);
        return d;
    }
}
