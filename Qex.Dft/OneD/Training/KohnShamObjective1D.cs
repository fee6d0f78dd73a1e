using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Training;

namespace Qex.Dft.OneD.Training;

/// <summary>
/// The 1D training objective: the mean KSR trajectory loss over a batch of molecules (any mix of datasets), its
/// gradient flowing through every Kohn–Sham iteration (spin-polarised ones with <see cref="ScfOptions.SpinPolarised"/>). Molecules are evaluated in parallel (each with its own graph)
/// and reduced in a fixed order, so results are deterministic.
/// </summary>
public sealed class KohnShamObjective1D : ITrainingObjective
{
    private readonly KohnShamSolver _solver;
    private readonly SpinKohnShamSolver? _spin;
    private readonly IXcFunctional _functional;
    private readonly IReadOnlyList<Sample> _batch;
    private readonly ScfOptions _scf;
    private readonly LossWeights _weights;
    private readonly IGradientReducer _reducer;

    /// <summary>An objective for a batch of reference samples (all on the solver's grid).</summary>
    /// <exception cref="ArgumentException">Empty batch, or a sample on another grid.</exception>
    public KohnShamObjective1D(KohnShamSolver solver, IXcFunctional functional, IReadOnlyList<Sample> batch, ScfOptions? scf = null, LossWeights? weights = null,
        IGradientReducer? reducer = null)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(functional);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) throw new ArgumentException("The training batch is empty (data.train selects no molecules).");
        foreach (var s in batch)
            if (s.Density.Length != solver.Grid.Count)
                throw new ArgumentException($"Training sample '{s.Label}' has {s.Density.Length} density points; the grid has {solver.Grid.Count}.");
        _solver = solver;
        _functional = functional;
        _batch = batch;
        _scf = scf ?? new ScfOptions();
        _weights = weights ?? new LossWeights();
        _reducer = reducer ?? LocalGradientReducer.Instance;
        if (_scf.SpinPolarised)
        {
            if (functional is not ISpinXcFunctional) throw new ArgumentException($"scf.spin_polarised needs a functional of both spin densities; {functional.Name} has none (spin functionals: {string.Join(", ", XcFunctionals.SpinNames)}).");
            _spin = new SpinKohnShamSolver(solver.Grid, solver.Context.Interaction);
        }
        if (_scf.Iterations < _weights.EnergySteps)
            throw new ArgumentException($"loss.energy_steps ({_weights.EnergySteps}) exceeds scf.iterations ({_scf.Iterations}).");
    }

    /// <inheritdoc />
    public int Count => _batch.Count;

    /// <inheritdoc />
    public (double Loss, double[] Gradient, double[] EnergyErrors) Evaluate(ParameterSet layout, double[] flat)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(flat);
        var parameters = layout.Unflatten(flat);
        var losses = new double[_batch.Count];
        var errors = new double[_batch.Count];
        var grads = new double[_batch.Count][];
        Parallel.For(0, _batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(_batch.Count, Environment.ProcessorCount) }, i =>
        {
            var vars = parameters.ToVars();
            Var loss, final;
            if (_spin is not null)
            {
                var t = _spin.Run(_batch[i].Molecule, (ISpinXcFunctional)_functional, vars, _scf);
                (loss, final) = (TrajectoryLoss.Molecule(t, _batch[i], _solver.Grid.Spacing, _weights), t.Final.Energy);
            }
            else
            {
                var t = _solver.Run(_batch[i].Molecule, _functional, vars, _scf);
                (loss, final) = (TrajectoryLoss.Molecule(t, _batch[i], _solver.Grid.Spacing, _weights), t.Final.Energy);
            }
            losses[i] = loss.ToScalar();
            errors[i] = final.ToScalar() - _batch[i].TotalEnergy;
            grads[i] = parameters.FlattenGradients(Grad.Compute(loss, vars));
        });
        var (total, g) = _reducer.Mean(losses, grads, flat.Length);
        return (total, g, errors);
    }

    /// <inheritdoc />
    public ITrainingCheckpoint Checkpoint(ParameterSet parameters, TrainingProgressRecord record) => new XcCheckpoint(_functional.Name, parameters, record);
}
