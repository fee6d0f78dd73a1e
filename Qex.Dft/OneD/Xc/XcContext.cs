using Qex.Core.Tensors;

namespace Qex.Dft.OneD.Xc;

/// <summary>What a 1D XC functional may use besides the density: the grid and the interaction.</summary>
public sealed class XcContext
{
    /// <summary>Creates a context; the interaction matrix is computed once.</summary>
    public XcContext(Grid1D grid, Interaction interaction)
    {
        Grid = grid;
        Interaction = interaction;
        InteractionMatrix = interaction.Matrix(grid);
    }

    /// <summary>The grid.</summary>
    public Grid1D Grid { get; }

    /// <summary>The electron–electron interaction.</summary>
    public Interaction Interaction { get; }

    /// <summary>v(x_i - x_j) on the grid.</summary>
    public Tensor InteractionMatrix { get; }

    /// <summary>The grid spacing.</summary>
    public double H => Grid.Spacing;
}
