using Qex.Autodiff.Optimisers;

namespace Qex.Dft.Training;

/// <summary>
/// What a <see cref="Trainer"/> minimises: the mean loss over a batch of molecules (1D or molecular Kohn–Sham) and its
/// gradient by the parameters, with the energy error of each molecule for progress reports.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>Molecules in the batch.</summary>
    int Count { get; }

    /// <summary>Loss, gradient (flat, in the layout of <paramref name="layout"/>) and per-molecule energy errors (Hartree).</summary>
    (double Loss, double[] Gradient, double[] EnergyErrors) Evaluate(ParameterSet layout, double[] flat);

    /// <summary>The checkpoint of kept parameters and a training record (the default of <see cref="Trainer.Train"/>).</summary>
    ITrainingCheckpoint Checkpoint(ParameterSet parameters, TrainingProgressRecord record);
}

/// <summary>A checkpoint that can be written atomically.</summary>
public interface ITrainingCheckpoint
{
    /// <summary>Writes the checkpoint to <paramref name="path"/> (write, then rename).</summary>
    void Save(string path);
}
