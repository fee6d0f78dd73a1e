using Qex.Autodiff;
using Qex.Core.Tensors;

namespace Qex.Quantum.Analog;

/// <summary>
/// The Rydberg Hamiltonian of a register with per-atom drives (zero phase), in rad/us:
/// <c>H = sum_i Omega_i / 2 X_i - sum_i delta_i n_i + sum_{i&lt;j} C6 / r_ij^6 n_i n_j</c>, n_i = |1&gt;&lt;1|_i.
/// It is real and symmetric, so <c>exp(-i t H) = cos(t H) - i sin(t H)</c> with real matrix functions.
/// </summary>
public static class RydbergHamiltonian
{
    /// <summary>The interaction energy of every basis state (the diagonal of sum V_ij n_i n_j).</summary>
    public static double[] InteractionDiagonal(RydbergRegister register)
    {
        ArgumentNullException.ThrowIfNull(register);
        int n = register.Count, d = register.Dimension;
        var v = new double[d];
        for (int s = 0; s < d; s++)
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                    if (register.Excited(s, i) && register.Excited(s, j)) v[s] += register.Interaction(i, j);
        return v;
    }

    /// <summary>The diagonal of n_i.</summary>
    public static double[] Occupation(RydbergRegister register, int atom)
    {
        ArgumentNullException.ThrowIfNull(register);
        if (atom < 0 || atom >= register.Count) throw new ArgumentOutOfRangeException(nameof(atom), atom, $"The register has {register.Count} atoms.");
        var o = new double[register.Dimension];
        for (int s = 0; s < o.Length; s++) o[s] = register.Excited(s, atom) ? 1 : 0;
        return o;
    }

    /// <summary>The dense matrix for drives <paramref name="omega"/> and detunings <paramref name="delta"/> (one per atom).</summary>
    public static Tensor Matrix(RydbergRegister register, IReadOnlyList<double> omega, IReadOnlyList<double> delta) =>
        Matrix(register, Var.Constant(Tensor.Wrap([.. omega], omega.Count)), Var.Constant(Tensor.Wrap([.. delta], delta.Count))).Value;

    /// <summary>
    /// The dense matrix (d x d) as a differentiable function of the per-atom drives and detunings (each shape (n)):
    /// two products with constant operator stacks, so its derivatives (of any order) are those of a linear map.
    /// </summary>
    public static Var Matrix(RydbergRegister register, Var omega, Var delta)
    {
        ArgumentNullException.ThrowIfNull(register);
        int n = register.Count, d = register.Dimension;
        if (omega.Value.Rank != 1 || omega.Length != n || delta.Value.Rank != 1 || delta.Length != n)
            throw new ArgumentException($"The register has {n} atoms: drives and detunings must have shape ({n}); got ({string.Join(", ", omega.Value.ShapeArray())}) and ({string.Join(", ", delta.Value.ShapeArray())}).");
        var (flips, occupations, interaction) = Operators(register);
        var h = Op.MatMul(Op.Reshape(omega * 0.5, 1, n), flips) - Op.MatMul(Op.Reshape(delta, 1, n), occupations) + interaction;
        return Op.Reshape(h, d, d);
    }

    /// <summary>
    /// A batch of dense matrices (B x d x d), one per row of <paramref name="omega"/> and <paramref name="delta"/>
    /// (each shape (B, n), or (n) for a value shared by the batch): the batched twin of
    /// <see cref="Matrix(RydbergRegister, Var, Var)"/>, as linear in its inputs.
    /// </summary>
    public static Var Matrices(RydbergRegister register, Var omega, Var delta)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(omega);
        ArgumentNullException.ThrowIfNull(delta);
        int n = register.Count, d = register.Dimension;
        var om = Rows(omega, n, "drives");
        var de = Rows(delta, n, "detunings");
        int batch = Math.Max(om.Dim(0), de.Dim(0));
        if (om.Dim(0) != de.Dim(0) && om.Dim(0) != 1 && de.Dim(0) != 1)
            throw new ArgumentException($"Drives and detunings have different batch sizes ({om.Dim(0)} and {de.Dim(0)}).");
        var (flips, occupations, interaction) = Operators(register);
        var h = Op.MatMul(om * 0.5, flips) - Op.MatMul(de, occupations) + interaction;
        return Op.Reshape(Op.BroadcastTo(h, [batch, d * d]), batch, d, d);
    }

    private static Var Rows(Var v, int n, string what)
    {
        if (v.Value.Rank == 1 && v.Length == n) return Op.Reshape(v, 1, n);
        if (v.Value.Rank == 2 && v.Dim(1) == n) return v;
        throw new ArgumentException($"The register has {n} atoms: {what} must have shape ({n}) or (B, {n}); got ({string.Join(", ", v.Value.ShapeArray())}).");
    }

    /// <summary>Stacks (n, d*d) of X_i and n_i, and the interaction matrix (1, d*d), as constants.</summary>
    internal static (Var Flips, Var Occupations, Var Interaction) Operators(RydbergRegister register)
    {
        int n = register.Count, d = register.Dimension;
        var x = new double[n * d * d];
        var o = new double[n * d * d];
        for (int i = 0; i < n; i++)
        {
            int bit = 1 << (n - 1 - i);
            for (int s = 0; s < d; s++)
            {
                x[i * d * d + s * d + (s ^ bit)] = 1;
                if (register.Excited(s, i)) o[i * d * d + s * d + s] = 1;
            }
        }
        var vd = InteractionDiagonal(register);
        var v = new double[d * d];
        for (int s = 0; s < d; s++) v[s * d + s] = vd[s];
        return (Var.Constant(Tensor.Wrap(x, n, d * d)), Var.Constant(Tensor.Wrap(o, n, d * d)), Var.Constant(Tensor.Wrap(v, 1, d * d)));
    }
}
