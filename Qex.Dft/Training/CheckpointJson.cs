using System.Text.Json;
using System.Text.Json.Serialization;
using Qex.Autodiff.Optimisers;

namespace Qex.Dft.Training;

/// <summary>The JSON conventions of checkpoints (1D and molecular): snake_case keys, named non-finite numbers, bounded depth.</summary>
public static class CheckpointJson
{
    /// <summary>The serializer options of every checkpoint file.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        MaxDepth = 16,
    };

    /// <summary>The parameter tensors of a set as written into a checkpoint.</summary>
    public static CheckpointParameter[] Parameters(ParameterSet parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [.. parameters.Items.Select(p => new CheckpointParameter(p.Name, p.Value.ShapeArray(), p.Value.ToArray()))];
    }
}

/// <summary>One parameter tensor in a checkpoint.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Values">Its values, row-major.</param>
public sealed record CheckpointParameter(string Name, int[] Shape, double[] Values);
