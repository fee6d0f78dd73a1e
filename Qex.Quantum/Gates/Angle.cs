namespace Qex.Quantum.Gates;

/// <summary>Where a gate angle comes from.</summary>
public enum AngleSource
{
    /// <summary>A fixed number.</summary>
    Constant,

    /// <summary>A trainable parameter, shared by every circuit of a batch.</summary>
    Parameter,

    /// <summary>An encoded input value, one per circuit of a batch (a density value, a feature).</summary>
    Input,
}

/// <summary>
/// A gate angle: <c>Offset + Scale * value</c>, where value is a parameter or an input (by index), or
/// <c>Offset</c> alone for a constant. Derivatives with respect to parameters and inputs follow by the chain rule.
/// </summary>
/// <param name="Source">Constant, parameter or input.</param>
/// <param name="Index">Parameter or input index (ignored for constants).</param>
/// <param name="Scale">Multiplies the value.</param>
/// <param name="Offset">Added to the scaled value.</param>
public readonly record struct Angle(AngleSource Source, int Index, double Scale, double Offset)
{
    /// <summary>A constant angle.</summary>
    public static Angle Constant(double value) => new(AngleSource.Constant, -1, 0, value);

    /// <summary>Parameter <paramref name="index"/> times <paramref name="scale"/>.</summary>
    public static Angle Parameter(int index, double scale = 1.0) => new(AngleSource.Parameter, index, scale, 0);

    /// <summary>Input <paramref name="index"/> times <paramref name="scale"/>.</summary>
    public static Angle Input(int index, double scale = 1.0) => new(AngleSource.Input, index, scale, 0);

    /// <summary>The angle's value for the given parameters and the inputs of one circuit.</summary>
    public double Evaluate(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs) => Source switch
    {
        AngleSource.Parameter => Offset + Scale * parameters[Index],
        AngleSource.Input => Offset + Scale * inputs[Index],
        _ => Offset,
    };
}
