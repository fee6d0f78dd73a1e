using Qex.Core.Tensors;

namespace Qex.Dft.OneD;

/// <summary>A 1D pair interaction v(x) (electron–electron and, with a nuclear charge, electron–nucleus).</summary>
public abstract record Interaction
{
    /// <summary>v(dx).</summary>
    public abstract double Value(double dx);

    /// <summary>Short name used in configs and reports.</summary>
    public abstract string Name { get; }

    /// <summary>The matrix v(x_i - x_j) on a grid.</summary>
    public Tensor Matrix(Grid1D grid)
    {
        int n = grid.Count;
        var x = grid.Points.Span;
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i * n + j] = Value(x[i] - x[j]);
        return Tensor.Wrap(m, n, n);
    }

    /// <summary>The interaction by name: "exponential" (the default of the reference data) or "soft-coulomb".</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Interaction FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "exponential" or "exp" => new ExponentialCoulomb(),
        "soft-coulomb" or "soft_coulomb" or "soft" => new SoftCoulomb(),
        _ => throw new ArgumentException($"Unknown interaction '{name}'; use exponential or soft-coulomb."),
    };
}

/// <summary>The exponential Coulomb interaction <c>A exp(-kappa |x|)</c> (Baker et al., PRB 91, 235141, 2015).</summary>
/// <param name="Amplitude">A (1.071295 by default).</param>
/// <param name="Kappa">kappa (1/2.385345 by default).</param>
public sealed record ExponentialCoulomb(double Amplitude = ExponentialCoulomb.DefaultAmplitude, double Kappa = ExponentialCoulomb.DefaultKappa) : Interaction
{
    /// <summary>A of the reference data.</summary>
    public const double DefaultAmplitude = 1.071295;

    /// <summary>kappa of the reference data.</summary>
    public const double DefaultKappa = 1 / 2.385345;

    /// <inheritdoc />
    public override double Value(double dx) => Amplitude * Math.Exp(-Kappa * Math.Abs(dx));

    /// <inheritdoc />
    public override string Name => "exponential";
}

/// <summary>The soft Coulomb interaction <c>1 / sqrt(x^2 + a^2)</c>.</summary>
/// <param name="Softening">a (1 by default).</param>
public sealed record SoftCoulomb(double Softening = 1.0) : Interaction
{
    /// <inheritdoc />
    public override double Value(double dx) => 1 / Math.Sqrt(dx * dx + Softening * Softening);

    /// <inheritdoc />
    public override string Name => "soft-coulomb";
}
