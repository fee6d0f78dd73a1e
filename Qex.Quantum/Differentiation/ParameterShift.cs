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

    /// <summary>
    /// Per-circuit Hessian-vector products <c>(H_b u_b)</c> by the second-order shift rules: with D_k the shift
    /// operator of gate k (exact for the angle dependence of any estimator whose first-order rule is exact, so for
    /// noisy density matrices; unbiased with finite shots, where each shifted estimate draws fresh shots),
    /// <c>d2 f / d(angle k) d(angle j) = D_k D_j f</c>, two simultaneous shifts (the same gate twice: one shift by the
    /// sum). The direction weights gate j by <c>scale_j u_b[index_j]</c>; gates whose weight is zero for every circuit
    /// are skipped, so a direction along the inputs only (the XC potential's response) costs
    /// 4 x (input gates) x (differentiable gates) evaluations for two-term gates, a parameter direction as many per
    /// parameter gate. Values come from an unshifted evaluation.
    /// </summary>
    /// <exception cref="NotSupportedException">The circuits are amplitude-encoded (no shift rule for amplitudes).</exception>
    public static CircuitDerivatives HessianVector(IExpectationEstimator estimator, CircuitArguments args, CircuitDirection direction)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(direction);
        if (args.InitialAmplitudes is not null || direction.InitialAmplitudes is not null)
            throw new NotSupportedException("Parameter shift has no rule for amplitude-encoded inputs; use the adjoint method.");
        var c = estimator.Circuit;
        args.Validate(c);
        int batch = args.Batch, np = c.ParameterCount, ni = c.InputCount;
        if (direction.Parameters.Rank != 2 || direction.Parameters.Dim(0) != batch || direction.Parameters.Dim(1) != np
            || direction.Inputs.Rank != 2 || direction.Inputs.Dim(0) != batch || direction.Inputs.Dim(1) != ni)
            throw new ArgumentException($"The direction must have shapes ({batch}, {np}) for the parameters and ({batch}, {ni}) for the inputs.");
        var dp = direction.Parameters.Span;
        var dx = direction.Inputs.Span;
        // the direction's weight on every differentiable gate, per circuit (null: zero for every circuit)
        var gates = c.Gates;
        var weight = new double[gates.Length][];
        for (int j = 0; j < gates.Length; j++)
        {
            if (!gates[j].IsDifferentiable) continue;
            var a = gates[j].Angle!.Value;
            var w = new double[batch];
            bool any = false;
            for (int b = 0; b < batch; b++)
            {
                w[b] = a.Scale * (a.Source == AngleSource.Parameter ? dp[b * np + a.Index] : dx[b * ni + a.Index]);
                any |= w[b] != 0;
            }
            if (any) weight[j] = w;
        }
        var values = estimator.Estimate(args);
        var hp = new double[batch * np];
        var hx = new double[batch * ni];
        var acc = new double[batch];
        for (int k = 0; k < gates.Length; k++)
        {
            if (!gates[k].IsDifferentiable) continue;
            Array.Clear(acc);
            var rk = Rule(gates[k].Kind);
            for (int j = 0; j < gates.Length; j++)
            {
                if (weight[j] is not { } w) continue;
                var rj = Rule(gates[j].Kind);
                foreach (var (sk, ck) in rk)
                    foreach (var (sj, cj) in rj)
                    {
                        var f = estimator.Estimate(args, GateShift.Pair(k, sk, j, sj)).Span;
                        double cc = ck * cj;
                        for (int b = 0; b < batch; b++) acc[b] += cc * w[b] * f[b];
                    }
            }
            var ak = gates[k].Angle!.Value;
            for (int b = 0; b < batch; b++)
            {
                if (ak.Source == AngleSource.Parameter) hp[b * np + ak.Index] += ak.Scale * acc[b];
                else hx[b * ni + ak.Index] += ak.Scale * acc[b];
            }
        }
        return new CircuitDerivatives(values, Tensor.Wrap(hp, batch, np), Tensor.Wrap(hx, batch, ni), null);
    }

    /// <summary>The first-order shift rule of a gate kind: (shift, coefficient) pairs with f' = sum c f(t + s).</summary>
    internal static (double Shift, double Coefficient)[] Rule(GateKind kind)
    {
        if (kind is GateKind.CRX or GateKind.CRY or GateKind.CRZ)
        {
            double cp = (Math.Sqrt(2) + 1) / (4 * Math.Sqrt(2)), cm = (Math.Sqrt(2) - 1) / (4 * Math.Sqrt(2));
            return [(Math.PI / 2, cp), (-Math.PI / 2, -cp), (1.5 * Math.PI, -cm), (-1.5 * Math.PI, cm)];
        }
        return [(Math.PI / 2, 0.5), (-Math.PI / 2, -0.5)];
    }

    /// <summary>d f_b / d(angle of gate k) for every circuit.</summary>
    public static double[] GateDerivative(IExpectationEstimator estimator, CircuitArguments args, int k, GateKind kind)
    {
        var d = new double[args.Batch];
        foreach (var (shift, coefficient) in Rule(kind))
        {
            var f = estimator.Estimate(args, new GateShift(k, shift)).Span;
            for (int b = 0; b < d.Length; b++) d[b] += coefficient * f[b];
        }
        return d;
    }
}
