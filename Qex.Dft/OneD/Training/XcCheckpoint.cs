using System.Text.Json;
using System.Text.Json.Serialization;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.OneD.Training;

/// <summary>Training progress stored with a checkpoint (for reports and resuming).</summary>
/// <param name="Evaluations">Loss-and-gradient evaluations done.</param>
/// <param name="Loss">Loss of the stored parameters.</param>
/// <param name="Optimiser">Optimiser name.</param>
/// <param name="Seed">Initialisation seed.</param>
/// <param name="LossHistory">Loss after each evaluation.</param>
/// <param name="AdamM">Adam first moments (when training with Adam).</param>
/// <param name="AdamV">Adam second moments.</param>
/// <param name="AdamStep">Adam step count.</param>
/// <param name="BestValidation">Best validation score so far (the stored parameters are those), if validating.</param>
/// <param name="BestValidationEvaluation">Evaluation of the best validation score.</param>
/// <param name="ValidationHistory">Pairs [evaluation, score].</param>
public sealed record TrainingProgressRecord(int Evaluations, double Loss, string Optimiser, long Seed, double[] LossHistory,
    double[]? AdamM = null, double[]? AdamV = null, int AdamStep = 0,
    double? BestValidation = null, int BestValidationEvaluation = 0, double[][]? ValidationHistory = null);

/// <summary>
/// A self-describing XC checkpoint: the functional's name, every parameter's name, shape and values, and optional
/// training progress, as JSON. Written atomically (temporary file, then rename), so a crash never leaves a partial file.
/// </summary>
/// <param name="Functional">Registry name of the functional.</param>
/// <param name="Parameters">The parameters.</param>
/// <param name="Training">Training progress, if any.</param>
public sealed record XcCheckpoint(string Functional, ParameterSet Parameters, TrainingProgressRecord? Training = null)
{
    /// <summary>The format tag written into every file.</summary>
    public const string Format = "qex.xc-checkpoint";

    private sealed record ParameterJson(string Name, int[] Shape, double[] Values);

    private sealed record FileJson(string Format, int Version, string Functional, int ParameterCount, ParameterJson[] Parameters, TrainingProgressRecord? Training);

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path)
    {
        var file = new FileJson(Format, 1, Functional, Parameters.TotalLength,
            Parameters.Items.Select(p => new ParameterJson(p.Name, p.Value.ShapeArray(), p.Value.ToArray())).ToArray(), Training);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, Options));
    }

    /// <summary>Reads a checkpoint and checks it against the functional's parameter layout.</summary>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a Qex checkpoint, unknown functional, or parameters that do not fit.</exception>
    public static XcCheckpoint Load(string path) => Load(path, null);

    /// <summary>
    /// Reads a checkpoint and checks it against the layout of <paramref name="functional"/> (needed for functionals
    /// whose shape is configurable, like the qnn-* models; null: the named functional with its defaults).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a Qex checkpoint, another functional, or parameters that do not fit.</exception>
    public static XcCheckpoint Load(string path, IXcFunctional? functional)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        FileJson? f;
        try { f = JsonSerializer.Deserialize<FileJson>(File.ReadAllText(path), Options); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a readable Qex checkpoint: {e.Message}", e); }
        if (f is null || f.Format != Format) throw new InvalidDataException($"'{path}' is not a Qex XC checkpoint (format tag '{f?.Format}').");
        IXcFunctional xc;
        if (functional is not null)
        {
            if (functional.Name != f.Functional) throw new InvalidDataException($"'{path}' holds {f.Functional} parameters, not {functional.Name}.");
            xc = functional;
        }
        else
        {
            try { xc = XcFunctionals.Create(f.Functional); }
            catch (ArgumentException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
        }
        var layout = xc.InitialParameters(Core.Random.RngKey.FromSeed(0));
        if (f.Parameters.Length != layout.Items.Count)
            throw new InvalidDataException($"'{path}': {f.Functional} has {layout.Items.Count} parameter tensors, the file has {f.Parameters.Length}.");
        var items = new List<NamedTensor>();
        for (int i = 0; i < f.Parameters.Length; i++)
        {
            var p = f.Parameters[i];
            var expected = layout.Items[i];
            if (p.Name != expected.Name || !p.Shape.AsSpan().SequenceEqual(expected.Value.Shape))
                throw new InvalidDataException($"'{path}': parameter {i} is {p.Name} {ShapeUtil.Format(p.Shape)}, {f.Functional} expects {expected.Name} {ShapeUtil.Format(expected.Value.Shape)}.");
            items.Add(new NamedTensor(p.Name, Tensor.Wrap(p.Values, p.Shape)));
        }
        return new XcCheckpoint(f.Functional, new ParameterSet(items), f.Training);
    }

    /// <summary>
    /// Parameters from a checkpoint file, or from a folder of published KSR-global .npy files (eta, W1, W2, W3, w).
    /// </summary>
    public static XcCheckpoint LoadAny(string path, string functional) => LoadAny(path, functional, null);

    /// <summary>As <see cref="LoadAny(string, string)"/>, checked against the layout of a configured functional.</summary>
    public static XcCheckpoint LoadAny(string path, IXcFunctional functional) => LoadAny(path, functional.Name, functional);

    private static XcCheckpoint LoadAny(string path, string functional, IXcFunctional? layout)
    {
        if (Directory.Exists(path))
        {
            if (File.Exists(Path.Combine(path, "checkpoint.json"))) return Load(Path.Combine(path, "checkpoint.json"), layout);
            if (functional != "ksr-global")
                throw new ArgumentException($"A folder of .npy parameters is read for ksr-global only; '{functional}' needs a checkpoint file.");
            return new XcCheckpoint("ksr-global", KsrGlobal.LoadNpyDirectory(path));
        }
        return Load(path, layout);
    }
}
