using System.Text.Json;
using System.Text.Json.Serialization;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Training;

namespace Qex.Dft.Molecular.Learning;

/// <summary>The description of a learned molecular functional: enough to rebuild it (the model registry's key).</summary>
/// <param name="Name">enhancement-lda | enhancement-gga | moments-lda | moments-gga | qnn-enhancement-lda | qnn-enhancement-gga.</param>
/// <param name="Hidden1">First hidden width (MLP models).</param>
/// <param name="Hidden2">Second hidden width (MLP models).</param>
/// <param name="Qubits">Qubits per circuit (quantum models).</param>
/// <param name="Layers">Ansatz layers (quantum models).</param>
/// <param name="InputScale">Features are multiplied by this before encoding (quantum models).</param>
public sealed record MolecularModelSpec(string Name, int Hidden1 = 16, int Hidden2 = 16, int Qubits = 4, int Layers = 4, double InputScale = 1.0)
{
    /// <summary>The model names this Qex builds.</summary>
    public static IReadOnlyList<string> Names { get; } = ["enhancement-lda", "enhancement-gga", "moments-lda", "moments-gga", "qnn-enhancement-lda", "qnn-enhancement-gga"];

    /// <summary>Builds the model.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the known ones) or bad widths.</exception>
    public IMolecularXcModel Create() => Name switch
    {
        "enhancement-lda" => new EnhancementXcModel(MolecularXcFeatures.Lda, Hidden1, Hidden2),
        "enhancement-gga" => new EnhancementXcModel(MolecularXcFeatures.Gga, Hidden1, Hidden2),
        "moments-lda" => new MomentXcModel(MolecularXcFeatures.Lda, Hidden1, Hidden2),
        "moments-gga" => new MomentXcModel(MolecularXcFeatures.Gga, Hidden1, Hidden2),
        "qnn-enhancement-lda" => new QuantumEnhancementXcModel(MolecularXcFeatures.Lda, Qubits, Layers, InputScale),
        "qnn-enhancement-gga" => new QuantumEnhancementXcModel(MolecularXcFeatures.Gga, Qubits, Layers, InputScale),
        _ => throw new ArgumentException($"Unknown molecular model '{Name}'; known: {string.Join(", ", Names)}."),
    };

    /// <summary>The description of a model built here.</summary>
    /// <exception cref="ArgumentException">A model this registry does not describe.</exception>
    public static MolecularModelSpec Of(IMolecularXcModel model) => model switch
    {
        EnhancementXcModel e => new(e.Name, e.Hidden1, e.Hidden2),
        MomentXcModel m => new(m.Name, m.Hidden1, m.Hidden2),
        QuantumEnhancementXcModel q => new(q.Name, Qubits: q.Qubits, Layers: q.Layers, InputScale: q.InputScale),
        null => throw new ArgumentNullException(nameof(model)),
        _ => throw new ArgumentException($"The model '{model.Name}' has no registered description; checkpoints cannot rebuild it."),
    };
}

/// <summary>The SCF and grid a molecular model was trained with (used by evaluation and deployment by default).</summary>
/// <param name="Basis">Basis set name.</param>
/// <param name="Iterations">Cycles.</param>
/// <param name="Smearing">Fermi–Dirac temperature (Ha).</param>
/// <param name="Mixing">Linear mixing weight.</param>
/// <param name="MixingDecay">Its decay per cycle.</param>
/// <param name="RadialPoints">Radial grid points per atom.</param>
/// <param name="SphericalPoints">Angular grid points.</param>
public sealed record MolecularScfSpec(string Basis, int Iterations, double Smearing, double Mixing, double MixingDecay, int RadialPoints, int SphericalPoints)
{
    /// <summary>The spec of options.</summary>
    public static MolecularScfSpec Of(string basis, DifferentiableScfOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var g = o.Grid ?? DifferentiableScfOptions.DefaultGrid;
        return new(basis, o.Iterations, o.Smearing, o.MixingAlpha, o.MixingDecay, g.RadialPoints, g.SphericalPoints);
    }

    /// <summary>The options.</summary>
    public DifferentiableScfOptions ToOptions() => new(Iterations, Smearing, Mixing, MixingDecay, new GridOptions(RadialPoints, SphericalPoints));
}

/// <summary>
/// A checkpoint of a learned molecular functional (JSON, written atomically): format tag and version, the Qex version,
/// the model description, the SCF and basis of training, the parameters, and the training record for resume.
/// </summary>
/// <param name="Functional">The model name.</param>
/// <param name="Parameters">The kept parameters.</param>
/// <param name="Training">Training progress, if any.</param>
public sealed record MolecularXcCheckpoint(string Functional, ParameterSet Parameters, TrainingProgressRecord? Training = null) : ITrainingCheckpoint
{
    /// <summary>The format tag.</summary>
    public const string Format = "qex.molecular-xc-checkpoint";

    /// <summary>The format version written and read.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The model description.</summary>
    public MolecularModelSpec? Model { get; init; }

    /// <summary>The SCF settings of training.</summary>
    public MolecularScfSpec? Scf { get; init; }

    /// <summary>The training problem (data, loss, validation) a resume must pose again (null: not recorded).</summary>
    public TrainingProblemSpec? Problem { get; init; }

    private sealed record FileJson(string Format, int Version, string? QexVersion, string Functional, MolecularModelSpec? Model, MolecularScfSpec? Scf,
        int ParameterCount, CheckpointParameter[]? Parameters, TrainingProgressRecord? Training, TrainingProblemSpec? Problem = null);

    private static JsonSerializerOptions Options => CheckpointJson.Options;

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(string path)
    {
        var file = new FileJson(Format, CurrentVersion, OneD.Training.XcCheckpoint.ThisQexVersion, Functional, Model, Scf, Parameters.TotalLength,
            CheckpointJson.Parameters(Parameters), Training, Problem);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, Options));
    }

    /// <summary>Reads and checks a checkpoint: format, version, model, and every parameter's name, shape and values.</summary>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a molecular checkpoint, an unknown version or model, or parameters that do not fit the model.</exception>
    public static MolecularXcCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        if (new FileInfo(path).Length > 512L << 20) throw new InvalidDataException($"'{path}' is far larger than a Qex checkpoint.");
        FileJson? f;
        try { f = JsonSerializer.Deserialize<FileJson>(File.ReadAllText(path), Options); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a readable Qex checkpoint: {e.Message}", e); }
        if (f is null || f.Format != Format) throw new InvalidDataException($"'{path}' is not a Qex molecular XC checkpoint (format tag '{f?.Format}').");
        if (f.Version != CurrentVersion)
            throw new InvalidDataException($"'{path}' has molecular checkpoint format version {f.Version}; this Qex reads version {CurrentVersion}.");
        if (f.Model is null) throw new InvalidDataException($"'{path}' has no model description.");
        if (f.Parameters is null) throw new InvalidDataException($"'{path}' has no parameter list (\"parameters\" is missing or null).");
        IMolecularXcModel model;
        try { model = f.Model.Create(); }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
        var layout = model.InitialParameters(Core.Random.RngKey.FromSeed(0));
        if (f.Parameters.Length != layout.Items.Count)
            throw new InvalidDataException($"'{path}': {model.Name} has {layout.Items.Count} parameter tensors, the file has {f.Parameters.Length}.");
        var items = new List<NamedTensor>();
        for (int i = 0; i < f.Parameters.Length; i++)
        {
            var p = f.Parameters[i];
            var expected = layout.Items[i];
            if (p is null || p.Shape is null || p.Values is null) throw new InvalidDataException($"'{path}': parameter {i} lacks its name, shape or values.");
            if (p.Name != expected.Name || !p.Shape.AsSpan().SequenceEqual(expected.Value.Shape) || p.Values.Length != expected.Value.Length)
                throw new InvalidDataException($"'{path}': parameter {i} is {p.Name} {ShapeUtil.Format(p.Shape)}, {model.Name} expects {expected.Name} {ShapeUtil.Format(expected.Value.Shape)}.");
            if (!p.Values.All(double.IsFinite)) throw new InvalidDataException($"'{path}': parameter {p.Name} has non-finite values.");
            items.Add(new NamedTensor(p.Name, Tensor.Wrap(p.Values, p.Shape)));
        }
        return new MolecularXcCheckpoint(model.Name, new ParameterSet(items), f.Training) { Model = f.Model, Scf = f.Scf, Problem = f.Problem };
    }
}
