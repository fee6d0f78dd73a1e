using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Quantum.Simulation;

namespace Qex.Quantum.Autodiff;

/// <summary>
/// Circuit expectation values as operations of the Qex autodiff tape, differentiable to second order: the
/// gradient of <see cref="Expectation"/> is built from a recorded Jacobian operation, whose own gradient is built
/// from per-circuit Hessian-vector products. So the XC potential can differentiate a circuit by its inputs and
/// training can then differentiate that potential by the circuit parameters (and by the density, through the
/// Kohn–Sham iterations).
/// </summary>
public static class CircuitOps
{
    /// <summary>
    /// f_b = &lt;psi_b| O |psi_b&gt; for a batch of circuits: inputs (B, nIn), shared parameters (P), optional real
    /// initial amplitudes (B, 2^n) for amplitude encoding. Returns shape (B).
    /// </summary>
    public static Var Expectation(IDifferentiableCircuit circuit, Var inputs, Var parameters, Var? amplitudes = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var args = Arguments(inputs, parameters, amplitudes);
        if (!AllFinite(inputs.Value) || !AllFinite(parameters.Value) || (amplitudes is not null && !AllFinite(amplitudes.Value)))
        {
            // a non-finite input (a diverging SCF step, say) propagates as NaN, so the caller's NaN handling sees it
            var nan = Tensor.Create([inputs.Dim(0)], r => r.Fill(double.NaN));
            return Op.Custom(nan, "circuit", amplitudes is null ? [inputs, parameters] : [inputs, parameters, amplitudes], (g, s) =>
                amplitudes is null
                    ? [Var.Constant(Tensor.Create(inputs.Value.ShapeArray(), r => r.Fill(double.NaN))), Var.Constant(Tensor.Create(parameters.Value.ShapeArray(), r => r.Fill(double.NaN)))]
                    : [Var.Constant(Tensor.Create(inputs.Value.ShapeArray(), r => r.Fill(double.NaN))), Var.Constant(Tensor.Create(parameters.Value.ShapeArray(), r => r.Fill(double.NaN))),
                        Var.Constant(Tensor.Create(amplitudes.Value.ShapeArray(), r => r.Fill(double.NaN)))]);
        }
        args.Validate(circuit.Circuit);
        var value = circuit.Values(args);
        Var[] ins = amplitudes is null ? [inputs, parameters] : [inputs, parameters, amplitudes];
        return Op.Custom(value, "circuit", ins, (g, s) =>
        {
            var jac = Jacobian(circuit, s.Input(0), s.Input(1), amplitudes is null ? null : s.Input(2), parameters.RequiresGrad, inputs.RequiresGrad);
            return Split(circuit, jac, g, amplitudes is not null);
        });
    }

    /// <summary>
    /// The per-circuit Jacobian as one tensor (B, nIn + P [+ 2^n]): columns are the inputs, then the parameters, then
    /// the initial amplitudes.
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <param name="inputs">Inputs (B, nIn).</param>
    /// <param name="parameters">Parameters (P).</param>
    /// <param name="amplitudes">Initial amplitudes (B, 2^n) or null.</param>
    /// <param name="wantParameters">Whether the parameter columns are needed (default: whether the parameters require gradients).</param>
    /// <param name="wantInputs">Whether the input columns are needed (default: whether the inputs require gradients).</param>
    public static Var Jacobian(IDifferentiableCircuit circuit, Var inputs, Var parameters, Var? amplitudes = null, bool? wantParameters = null, bool? wantInputs = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        var args = Arguments(inputs, parameters, amplitudes);
        var d = circuit.Jacobian(args, wantParameters ?? parameters.RequiresGrad, wantInputs ?? inputs.RequiresGrad);
        var value = Pack(d);
        Var[] ins = amplitudes is null ? [inputs, parameters] : [inputs, parameters, amplitudes];
        return Op.Custom(value, "circuit-jacobian", ins, (u, s) =>
        {
            var hv = HessianVector(circuit, s.Input(0), s.Input(1), amplitudes is null ? null : s.Input(2), u);
            int ni = circuit.Circuit.InputCount, np = circuit.Circuit.ParameterCount;
            var gx = Op.Slice(hv, 1, 0, ni);
            var gp = Op.Sum(Op.Slice(hv, 1, ni, np), [0]);
            return amplitudes is null ? [gx, gp] : [gx, gp, Op.Slice(hv, 1, ni + np, hv.Dim(1) - ni - np)];
        });
    }

    /// <summary>Per-circuit Hessian-vector products, packed like <see cref="Jacobian"/>; directions (B, nIn + P [+ 2^n]).</summary>
    public static Var HessianVector(IDifferentiableCircuit circuit, Var inputs, Var parameters, Var? amplitudes, Var directions)
    {
        var args = Arguments(inputs, parameters, amplitudes);
        int ni = circuit.Circuit.InputCount, np = circuit.Circuit.ParameterCount, batch = args.Batch;
        var dir = directions.Value;
        var cd = new CircuitDirection(
            Slice(dir, ni, np, batch), Slice(dir, 0, ni, batch),
            amplitudes is null ? null : Slice(dir, ni + np, dir.Dim(1) - ni - np, batch));
        var value = Pack(circuit.HessianVectorProduct(args, cd));
        Var[] ins = amplitudes is null ? [inputs, parameters, directions] : [inputs, parameters, directions, amplitudes];
        return Op.Custom(value, "circuit-hvp", ins, (w, s) =>
        {
            for (int i = 0; i < ins.Length; i++)
                if (i != 2 && ins[i].RequiresGrad)
                    throw new NotSupportedException("Third derivatives of circuit expectations (derivatives of a Hessian-vector product with respect to the circuit's inputs or parameters) are not implemented.");
            // the Hessian is symmetric: d/dU <W, H U> = H W
            return amplitudes is null
                ? [null, null, HessianVector(circuit, s.Input(0), s.Input(1), null, w)]
                : [null, null, HessianVector(circuit, s.Input(0), s.Input(1), s.Input(3), w), null];
        });
    }

    private static bool AllFinite(Tensor t)
    {
        foreach (double v in t.Span) if (!double.IsFinite(v)) return false;
        return true;
    }

    private static Var?[] Split(IDifferentiableCircuit circuit, Var jac, Var g, bool amplitudes)
    {
        int ni = circuit.Circuit.InputCount, np = circuit.Circuit.ParameterCount;
        int batch = g.Dim(0);
        var gcol = Op.Reshape(g, batch, 1);
        var gx = Op.Slice(jac, 1, 0, ni) * gcol;
        var gp = Op.Reshape(Op.MatMul(Op.Reshape(g, 1, batch), Op.Slice(jac, 1, ni, np)), np);
        if (!amplitudes) return [gx, gp];
        return [gx, gp, Op.Slice(jac, 1, ni + np, jac.Dim(1) - ni - np) * gcol];
    }

    private static CircuitArguments Arguments(Var inputs, Var parameters, Var? amplitudes) =>
        new(parameters.Value, inputs.Value, amplitudes?.Value);

    private static Tensor Pack(CircuitDerivatives d)
    {
        int batch = d.Values.Length, ni = d.Inputs.Dim(1), np = d.Parameters.Dim(1), na = d.InitialAmplitudes?.Dim(1) ?? 0;
        int w = ni + np + na;
        return Tensor.Create([batch, w], r =>
        {
            for (int b = 0; b < batch; b++)
            {
                d.Inputs.Span.Slice(b * ni, ni).CopyTo(r.Slice(b * w, ni));
                d.Parameters.Span.Slice(b * np, np).CopyTo(r.Slice(b * w + ni, np));
                if (na > 0) d.InitialAmplitudes!.Span.Slice(b * na, na).CopyTo(r.Slice(b * w + ni + np, na));
            }
        });
    }

    private static Tensor Slice(Tensor t, int from, int count, int batch)
    {
        int w = t.Dim(1);
        return Tensor.Create([batch, count], r =>
        {
            for (int b = 0; b < batch; b++) t.Span.Slice(b * w + from, count).CopyTo(r.Slice(b * count, count));
        });
    }
}
