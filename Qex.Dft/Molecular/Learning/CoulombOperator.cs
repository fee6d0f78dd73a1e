using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// The Coulomb matrix J[P]_uv = sum_ls (uv|ls) P_ls as a differentiable operation. J is linear and self-adjoint
/// ((uv|ls) = (ls|uv)), so its backward is the same build applied to the (symmetrised) incoming gradient, and
/// derivatives of every order are exact. The integrals come from <see cref="CoulombExchangeBuilder"/> (stored when they
/// fit, recomputed otherwise).
/// </summary>
public sealed class CoulombOperator
{
    private readonly CoulombExchangeBuilder builder;

    /// <summary>Prepares the integrals of <paramref name="basis"/>.</summary>
    public CoulombOperator(BasisSet basis)
    {
        ArgumentNullException.ThrowIfNull(basis);
        builder = new CoulombExchangeBuilder(basis);
        Functions = basis.FunctionCount;
    }

    /// <summary>Basis functions.</summary>
    public int Functions { get; }

    /// <summary>J of the symmetric part of <paramref name="density"/> (n x n).</summary>
    public Var Apply(Var density)
    {
        ArgumentNullException.ThrowIfNull(density);
        if (density.Rank != 2 || density.Dim(0) != Functions || density.Dim(1) != Functions)
            throw new ArgumentException($"The Coulomb operator takes {Functions} x {Functions} density matrices; got {ShapeUtil.Format(density.Value.Shape)}.");
        return Op.Custom(Build(density.Value), "coulomb", [density], (g, s) => [Apply(g)]);
    }

    /// <summary>J of a constant density matrix.</summary>
    public Tensor Build(Tensor density)
    {
        int n = Functions;
        var p = density.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) p[i * n + j] = p[j * n + i] = 0.5 * (p[i * n + j] + p[j * n + i]);
        var (j0, _) = builder.Build([p], exchange: false);
        return Tensor.Wrap(j0[0], n, n);
    }
}
