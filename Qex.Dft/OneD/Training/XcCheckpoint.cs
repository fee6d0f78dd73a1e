using System.Text.Json;
using System.Text.Json.Serialization;
using Qex.Autodiff.Optimisers;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft.OneD.Xc;

using Qex.Dft.Training;

namespace Qex.Dft.OneD.Training;

/// <summary>The SCF settings a model was trained with (stored in checkpoints, used by evaluation by default).</summary>
/// <param name="Iterations">Kohn–Sham iterations.</param>
/// <param name="Mixing">Initial linear-mixing weight.</param>
/// <param name="MixingDecay">Decay of the mixing weight per iteration.</param>
/// <param name="Symmetry">Reflection symmetry about the molecule centre.</param>
/// <param name="Temperature">Fermi–Dirac smearing (Hartree).</param>
/// <param name="Interaction">exponential | soft-coulomb.</param>
/// <param name="DensityTolerance">Early-stop tolerance (0: run all iterations).</param>
/// <param name="SpinPolarised">Spin-polarised Kohn–Sham (checkpoints without the field: restricted).</param>
public sealed record ScfSpec(int Iterations, double Mixing, double MixingDecay, bool Symmetry, double Temperature, string Interaction, double DensityTolerance = 0,
    bool SpinPolarised = false)
{
    /// <summary>The SCF options.</summary>
    public ScfOptions ToOptions() => new(Iterations, Mixing, MixingDecay, DensityTolerance, Symmetry, new Occupation(Temperature), SpinPolarised);

    /// <summary>The description of SCF options with an interaction.</summary>
    public static ScfSpec Of(ScfOptions o, OneD.Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(interaction);
        return new(o.Iterations, o.MixingAlpha, o.MixingDecay, o.Symmetry, o.Occupation?.Temperature ?? 0, interaction.Name, o.DensityTolerance, o.SpinPolarised);
    }

    /// <summary>Checks the values (the same rules as the config's scf section).</summary>
    /// <exception cref="ArgumentException">Names the setting and the allowed range.</exception>
    public void Validate(string where = "scf")
    {
        if (Iterations < 1 || Iterations > 10_000) throw new ArgumentException($"{where}.iterations must be between 1 and 10000; got {Iterations}.");
        if (!double.IsFinite(Mixing) || Mixing <= 0 || Mixing > 1) throw new ArgumentException($"{where}.mixing must be in (0, 1]; got {Mixing}.");
        if (!double.IsFinite(MixingDecay) || MixingDecay <= 0 || MixingDecay > 1) throw new ArgumentException($"{where}.mixing_decay must be in (0, 1]; got {MixingDecay}.");
        if (!double.IsFinite(Temperature) || Temperature < 0) throw new ArgumentException($"{where}.temperature must be a non-negative number (Hartree); got {Temperature}.");
        if (!double.IsFinite(DensityTolerance) || DensityTolerance < 0) throw new ArgumentException($"{where}.density_tolerance must be non-negative; got {DensityTolerance}.");
        _ = OneD.Interaction.FromName(Interaction);
        if (SpinPolarised && Temperature > 0) throw new ArgumentException($"{where}.spin_polarised uses integer occupations; set {where}.temperature to 0.");
    }
}

/// <summary>
/// A self-describing XC checkpoint (JSON, format version 2): the full model description (functional, grid size,
/// circuit and encoding), the SCF settings it was trained with, every parameter's name, shape and values, the
/// training progress with the complete optimiser state, the format version and the Qex version that wrote it.
/// Written atomically (temporary file, then rename), so a crash never leaves a partial file. Version-1 files (no
/// model or SCF description) are still read.
/// </summary>
/// <param name="Functional">Registry name of the functional.</param>
/// <param name="Parameters">The parameters (the kept ones: best-validated, or lowest-loss).</param>
/// <param name="Training">Training progress, if any.</param>
public sealed record XcCheckpoint(string Functional, ParameterSet Parameters, TrainingProgressRecord? Training = null) : ITrainingCheckpoint
{
    /// <summary>The format tag written into every file.</summary>
    public const string Format = "qex.xc-checkpoint";

    /// <summary>The format version this code writes (it reads 1 and 2).</summary>
    public const int CurrentVersion = 2;

    /// <summary>The model description (null only in version-1 files).</summary>
    public XcModelSpec? Model { get; init; }

    /// <summary>The SCF settings of training (null only in version-1 files).</summary>
    public ScfSpec? Scf { get; init; }

    /// <summary>The test selections of the training run (what <c>qex eval --params</c> evaluates by default).</summary>
    public IReadOnlyList<Data.DataEntry>? Test { get; init; }

    /// <summary>
    /// The noise section the circuits were trained under (null: exact statevector); <c>qex eval --params</c>
    /// evaluates under it unless a config says otherwise.
    /// </summary>
    public NoiseConfig? Noise { get; init; }

    /// <summary>The training problem (data, loss, validation) a resume must pose again (null: not a training run's, or an older Qex).</summary>
    public TrainingProblemSpec? Problem { get; init; }

    /// <summary>The format version of the file this was read from (or <see cref="CurrentVersion"/>; 0 for a folder of published .npy parameters).</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The Qex version that wrote the file (null for version 1).</summary>
    public string? QexVersion { get; init; }

    /// <summary>The version of this Qex build.</summary>
    public static string ThisQexVersion =>
        typeof(XcCheckpoint).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0]
        ?? typeof(XcCheckpoint).Assembly.GetName().Version?.ToString() ?? "unknown";

    private sealed record FileJson(string Format, int Version, string? QexVersion, string Functional, XcModelSpec? Model, ScfSpec? Scf,
        Data.DataEntry[]? Test, int ParameterCount, CheckpointParameter[]? Parameters, TrainingProgressRecord? Training, NoiseConfig? Noise = null, TrainingProblemSpec? Problem = null);

    private static JsonSerializerOptions Options => CheckpointJson.Options;

    /// <summary>Writes the checkpoint atomically.</summary>
    /// <exception cref="IOException">The file cannot be written (the message names it).</exception>
    public void Save(string path)
    {
        var file = new FileJson(Format, CurrentVersion, ThisQexVersion, Functional, Model, Scf, Test?.ToArray(), Parameters.TotalLength,
            CheckpointJson.Parameters(Parameters), Training, Noise, Problem);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(file, Options));
    }

    /// <summary>Reads a checkpoint and checks it against the functional its model description (or name) builds.</summary>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a Qex checkpoint, an unknown version or functional, or parameters that do not fit.</exception>
    public static XcCheckpoint Load(string path) => Load(path, null);

    /// <summary>
    /// Reads a checkpoint and checks it against the layout of <paramref name="functional"/> (null: the model the
    /// file describes, or for version-1 files the named functional with its defaults).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file.</exception>
    /// <exception cref="InvalidDataException">Not a Qex checkpoint, another functional, or parameters that do not fit.</exception>
    public static XcCheckpoint Load(string path, IXcFunctional? functional)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        var info = new FileInfo(path);
        if (info.Length > 512L << 20) throw new InvalidDataException($"'{path}' is {info.Length >> 20} MiB; a Qex checkpoint is far smaller (not a checkpoint?).");
        FileJson? f;
        try { f = JsonSerializer.Deserialize<FileJson>(File.ReadAllText(path), Options); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a readable Qex checkpoint: {e.Message}", e); }
        if (f is null || f.Format != Format) throw new InvalidDataException($"'{path}' is not a Qex XC checkpoint (format tag '{f?.Format}').");
        if (f.Version is < 1 or > CurrentVersion)
            throw new InvalidDataException($"'{path}' has checkpoint format version {f.Version}; this Qex ({ThisQexVersion}) reads versions 1 to {CurrentVersion}.");
        if (string.IsNullOrWhiteSpace(f.Functional)) throw new InvalidDataException($"'{path}' names no functional.");
        if (f.Parameters is null) throw new InvalidDataException($"'{path}' has no parameter list (\"parameters\" is missing or null).");
        IXcFunctional xc;
        try
        {
            if (functional is not null)
            {
                if (functional.Name != XcFunctionals.Canonical(f.Functional)) throw new InvalidDataException($"'{path}' holds {f.Functional} parameters, not {functional.Name}.");
                xc = functional;
            }
            else if (f.Model is { } model)
            {
                if (XcFunctionals.Canonical(model.Functional) != XcFunctionals.Canonical(f.Functional))
                    throw new InvalidDataException($"'{path}': the model description is for {model.Functional}, the file for {f.Functional}.");
                xc = model.Create();
            }
            else xc = XcFunctionals.Create(f.Functional);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
        var layout = xc.InitialParameters(Core.Random.RngKey.FromSeed(0));
        if (f.Parameters.Length != layout.Items.Count)
            throw new InvalidDataException($"'{path}': {f.Functional} has {layout.Items.Count} parameter tensors, the file has {f.Parameters.Length}.");
        var items = new List<NamedTensor>();
        for (int i = 0; i < f.Parameters.Length; i++)
        {
            var p = f.Parameters[i];
            var expected = layout.Items[i];
            if (p is null || p.Shape is null || p.Values is null)
                throw new InvalidDataException($"'{path}': parameter {i} lacks its name, shape or values.");
            if (p.Name != expected.Name || !p.Shape.AsSpan().SequenceEqual(expected.Value.Shape))
                throw new InvalidDataException($"'{path}': parameter {i} is {p.Name} {ShapeUtil.Format(p.Shape)}, {f.Functional} expects {expected.Name} {ShapeUtil.Format(expected.Value.Shape)}.");
            if (p.Values.Length != expected.Value.Length)
                throw new InvalidDataException($"'{path}': parameter {p.Name} has {p.Values.Length} values for shape {ShapeUtil.Format(p.Shape)}.");
            for (int j = 0; j < p.Values.Length; j++)
                if (!double.IsFinite(p.Values[j])) throw new InvalidDataException($"'{path}': parameter {p.Name} value {j} is {p.Values[j]}.");
            items.Add(new NamedTensor(p.Name, Tensor.Wrap(p.Values, p.Shape)));
        }
        if (f.Training is { } t)
        {
            int n = layout.TotalLength;
            foreach (var (name, vec) in new[] { ("current", t.Current), ("best", t.Best), ("selected", t.Selected), ("current_gradient", t.CurrentGradient), ("adam_m", t.AdamM), ("adam_v", t.AdamV) })
                if (vec is not null && vec.Length != n)
                    throw new InvalidDataException($"'{path}': training.{name} has {vec.Length} values for {n} parameters.");
            if (t.LossHistory is null) throw new InvalidDataException($"'{path}': training.loss_history is missing.");
            if (t.SelectedGradient is not null && t.SelectedGradient.Length != n)
                throw new InvalidDataException($"'{path}': training.selected_gradient has {t.SelectedGradient.Length} values for {n} parameters.");
            foreach (var sp in t.TopValidated ?? [])
                if (sp?.Parameters is null || sp.Parameters.Length != n)
                    throw new InvalidDataException($"'{path}': an entry of training.top_validated does not have {n} parameters.");
        }
        try
        {
            f.Scf?.Validate("the checkpoint's scf");
            if (f.Noise is { } noise)
            {
                if (f.Model?.Quantum is not { } circuit) throw new ArgumentException("it records training noise but no circuit to apply it to.");
                _ = noise.Backend(circuit.Qubits);
            }
        }
        catch (ArgumentException e) { throw new InvalidDataException($"'{path}': {e.Message}", e); }
        return new XcCheckpoint(xc.Name, new ParameterSet(items), f.Training) { Model = f.Model, Scf = f.Scf, Version = f.Version, QexVersion = f.QexVersion, Test = f.Test, Noise = f.Noise, Problem = f.Problem };
    }

    /// <summary>
    /// Parameters from a checkpoint file, a training output folder (its checkpoint.json), or a folder of published
    /// KSR-global .npy files (eta, W1, W2, W3, w).
    /// </summary>
    public static XcCheckpoint LoadAny(string path, string functional) => LoadAny(path, functional, null);

    /// <summary>As <see cref="LoadAny(string, string)"/>, checked against the layout of a configured functional.</summary>
    public static XcCheckpoint LoadAny(string path, IXcFunctional functional)
    {
        ArgumentNullException.ThrowIfNull(functional);
        return LoadAny(path, functional.Name, functional);
    }

    /// <summary>A checkpoint file or training folder, checked against the model it describes.</summary>
    public static XcCheckpoint LoadDescribed(string path) => LoadAny(path, null, null);

    private static XcCheckpoint LoadAny(string path, string? functional, IXcFunctional? layout)
    {
        if (Directory.Exists(path))
        {
            if (File.Exists(Path.Combine(path, "checkpoint.json"))) return Load(Path.Combine(path, "checkpoint.json"), layout);
            if (functional is not null && XcFunctionals.Canonical(functional) != "ksr-global")
                throw new ArgumentException($"A folder of .npy parameters is read for ksr-global only; '{functional}' needs a checkpoint file.");
            if (!File.Exists(Path.Combine(path, "eta.npy")))
                throw new FileNotFoundException($"'{path}' holds neither a checkpoint.json nor published KSR-global parameters (eta.npy, W1.npy, ...).", path);
            return new XcCheckpoint("ksr-global", KsrGlobal.LoadNpyDirectory(path)) { Model = new XcModelSpec("ksr-global", 513), Version = 0 };
        }
        return Load(path, layout);
    }
}
