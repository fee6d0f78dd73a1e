using Qex.Core.Tensors;

namespace Qex.Autodiff;

/// <summary>Reverse-mode differentiation over the recorded graph, nestable to any order.</summary>
public static class Grad
{
    /// <summary>
    /// Gradients of <paramref name="output"/> with respect to <paramref name="inputs"/>: for a non-scalar output the
    /// vector-Jacobian product with <paramref name="seed"/> (default: ones).
    /// </summary>
    /// <param name="output">The value to differentiate.</param>
    /// <param name="inputs">The variables to differentiate with respect to.</param>
    /// <param name="seed">The cotangent of the output (default: ones of its shape).</param>
    /// <param name="createGraph">
    /// Record the backward pass, so that the returned gradients can be differentiated again (gradients of
    /// gradients, Hessian-vector products). Without it the gradients are constants and the pass is cheaper.
    /// </param>
    /// <returns>One gradient per input, of the input's shape (zeros where the output does not depend on it).</returns>
    /// <exception cref="InvalidOperationException">
    /// The output was computed from constants only (no parameter reaches it; a gradient taken without
    /// <paramref name="createGraph"/> is such a constant, so differentiating it again lands here).
    /// </exception>
    public static Var[] Compute(Var output, IReadOnlyList<Var> inputs, Var? seed = null, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        if (seed is not null && !seed.Value.SameShape(output.Value))
            throw new ArgumentException($"Grad: seed shape {ShapeUtil.Format(seed.Shape)} differs from output shape {ShapeUtil.Format(output.Shape)}.");
        var result = new Var[inputs.Count];
        if (!output.RequiresGrad && output.ConstantDerivative)
        {
            // a derivative (taken with createGraph) that does not depend on the inputs: its derivatives are zero
            for (int i = 0; i < inputs.Count; i++) result[i] = Zero(inputs[i], createGraph);
            return result;
        }
        if (!output.RequiresGrad)
            throw new InvalidOperationException(
                $"Grad: the output ({output.OpName ?? "a constant"}) was computed from constants only, so it has no gradient; if it is itself a gradient, compute that gradient with createGraph: true.");
        int minGeneration = int.MaxValue;
        foreach (var v in inputs) minGeneration = Math.Min(minGeneration, v.Generation);
        var order = TopologicalOrder(output, minGeneration);
        var index = new Dictionary<Var, int>(order.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < order.Count; i++) index[order[i]] = i;
        var grads = new Var?[order.Count];
        grads[index[output]] = seed is null
            ? Var.Constant(Tensor.Ones(output.Value.ShapeArray()))
            : (createGraph ? seed : seed.Detach());
        var wanted = new HashSet<Var>(inputs, ReferenceEqualityComparer.Instance);
        var scope = new BackwardScope(createGraph);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            var g = grads[i];
            if (g is null || node.Rule is null) continue;
            if (!wanted.Contains(node)) grads[i] = null; // free intermediate gradients early
            scope.Enter(node);
            var parts = node.Rule(g, scope);
            for (int p = 0; p < node.Inputs.Length; p++)
            {
                var input = node.Inputs[p];
                var gp = parts[p];
                if (gp is null || !input.RequiresGrad || !index.TryGetValue(input, out int j)) continue;
                if (!gp.Value.SameShape(input.Value))
                    throw new InvalidOperationException($"Backward of '{node.OpName}' gave a gradient of shape {ShapeUtil.Format(gp.Shape)} for an input of shape {ShapeUtil.Format(input.Shape)}.");
                grads[j] = grads[j] is null ? gp : Op.Add(grads[j]!, gp);
            }
        }
        for (int i = 0; i < inputs.Count; i++)
        {
            var g = index.TryGetValue(inputs[i], out int j) ? grads[j] : null;
            result[i] = g is null ? Zero(inputs[i], createGraph)
                : createGraph && !g.RequiresGrad ? Var.ConstantDerivativeOf(g.Value, g.OpName) : g;
        }
        return result;
    }

    /// <summary>The zero gradient of an input the output does not reach (a constant derivative under createGraph).</summary>
    private static Var Zero(Var input, bool createGraph) =>
        createGraph ? Var.ConstantDerivativeOf(Tensor.Zeros(input.Value.ShapeArray()), null) : Var.Constant(Tensor.Zeros(input.Value.ShapeArray()));

    /// <summary>Gradient of a scalar output with respect to one input.</summary>
    /// <exception cref="ArgumentException">The output is not a scalar (use <see cref="Compute"/> with a seed for a vector-Jacobian product).</exception>
    public static Var Of(Var output, Var input, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Length != 1)
            throw new ArgumentException($"Grad.Of needs a scalar output; this one has shape {ShapeUtil.Format(output.Shape)} (Grad.Compute with a seed gives vector-Jacobian products).");
        return Compute(output, [input], null, createGraph)[0];
    }

    /// <summary>
    /// Hessian-vector products of a scalar function at <paramref name="inputs"/> in the direction
    /// <paramref name="directions"/> (reverse over reverse): d/dx (grad f(x) . v).
    /// </summary>
    /// <exception cref="ArgumentException">A non-scalar output, or a direction whose shape differs from its input's.</exception>
    public static Var[] HessianVectorProduct(Var output, IReadOnlyList<Var> inputs, IReadOnlyList<Var> directions, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(directions);
        if (directions.Count != inputs.Count) throw new ArgumentException("HessianVectorProduct: one direction per input is needed.");
        if (output.Length != 1) throw new ArgumentException($"HessianVectorProduct needs a scalar output; this one has shape {ShapeUtil.Format(output.Shape)}.");
        for (int i = 0; i < inputs.Count; i++)
            if (!directions[i].Value.SameShape(inputs[i].Value))
                throw new ArgumentException($"HessianVectorProduct: direction {i} has shape {ShapeUtil.Format(directions[i].Shape)}, its input {ShapeUtil.Format(inputs[i].Shape)} (directions are not broadcast).");
        var g = Compute(output, inputs, null, createGraph: true);
        Var? dot = null;
        for (int i = 0; i < g.Length; i++)
        {
            var term = Op.Sum(g[i] * directions[i]);
            dot = dot is null ? term : dot + term;
        }
        if (dot is null) return [];
        return Compute(dot, inputs, null, createGraph);
    }

    /// <summary>
    /// The nodes that lead to <paramref name="output"/>, need gradients and may reach a requested input
    /// (generation at least <paramref name="minGeneration"/>), inputs before outputs.
    /// </summary>
    private static List<Var> TopologicalOrder(Var output, int minGeneration)
    {
        var order = new List<Var>();
        var visited = new HashSet<Var>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Var Node, int Next)>();
        stack.Push((output, 0));
        visited.Add(output);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = node.Inputs[next];
                if (child.RequiresGrad && child.Generation >= minGeneration && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(node);
        }
        return order;
    }
}
