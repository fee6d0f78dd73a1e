using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;
using Qex.Dft.ScaleOut;
using Qex.Dft.Training;

namespace Qex.Dft.OneD.Training;

/// <summary>
/// The 1D training objective: the mean KSR trajectory loss over a batch of molecules (any mix of datasets), its
/// gradient flowing through every Kohn–Sham iteration (spin-polarised ones with <see cref="ScfOptions.SpinPolarised"/>). Molecules are evaluated in parallel (each with its own graph),
/// over the processes of an MPI job when the scheduler has several, and reduced in molecule order, so results are
/// deterministic and the same for any number of threads or processes.
/// </summary>
public sealed class KohnShamObjective1D : ITrainingObjective
{
    private readonly KohnShamSolver _solver;
    private readonly SpinKohnShamSolver? _spin;
    private readonly IXcFunctional _functional;
    private readonly IReadOnlyList<Sample> _batch;
    private readonly ScfOptions _scf;
    private readonly BatchScheduler _scheduler;
    private readonly LossWeights[] _sampleWeights;

    /// <summary>An objective for a batch of reference samples (all on the solver's grid), evaluated by <paramref name="scheduler"/> (this process alone by default).</summary>
    /// <param name="solver">The Kohn–Sham solver.</param>
    /// <param name="functional">The functional being trained.</param>
    /// <param name="batch">The training samples.</param>
    /// <param name="scf">SCF settings.</param>
    /// <param name="weights">Loss weights.</param>
    /// <param name="scheduler">Where the molecules are evaluated.</param>
    /// <param name="densityScales">Per-sample multipliers of the density weight (null: all 1).</param>
    /// <exception cref="ArgumentException">Empty batch, a sample on another grid, or density scales that do not match the batch.</exception>
    public KohnShamObjective1D(KohnShamSolver solver, IXcFunctional functional, IReadOnlyList<Sample> batch, ScfOptions? scf = null, LossWeights? weights = null,
        BatchScheduler? scheduler = null, IReadOnlyList<double>? densityScales = null)
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
        var w = weights ?? new LossWeights();
        _scheduler = scheduler ?? BatchScheduler.Local;
        if (densityScales is not null && densityScales.Count != batch.Count)
            throw new ArgumentException($"{densityScales.Count} density scales for {batch.Count} training samples.");
        if (densityScales is not null && densityScales.Any(s => !(s >= 0 && double.IsFinite(s))))
            throw new ArgumentException("Density scales must be finite numbers >= 0.");
        _sampleWeights = [.. Enumerable.Range(0, batch.Count).Select(i => densityScales is null ? w : w with { DensityWeight = w.DensityWeight * densityScales[i] })];
        if (_scf.SpinPolarised)
        {
            if (functional is not ISpinXcFunctional) throw new ArgumentException($"scf.spin_polarised needs a functional of both spin densities; {functional.Name} has none (spin functionals: {string.Join(", ", XcFunctionals.SpinNames)}).");
            _spin = new SpinKohnShamSolver(solver.Grid, solver.Context.Interaction);
        }
        if (_scf.Iterations < w.EnergySteps)
            throw new ArgumentException($"loss.energy_steps ({w.EnergySteps}) exceeds scf.iterations ({_scf.Iterations}).");
    }

    /// <inheritdoc />
    public int Count => _batch.Count;

    /// <inheritdoc />
    public (double Loss, double[] Gradient, double[] EnergyErrors) Evaluate(ParameterSet layout, double[] flat)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(flat);
        var parameters = layout.Unflatten(flat);
        var packed = _scheduler.Map(Costs(_batch, _scf), i =>
        {
            var vars = parameters.ToVars();
            Var loss, final;
            if (_spin is not null)
            {
                var t = _spin.Run(_batch[i].Molecule, (ISpinXcFunctional)_functional, vars, _scf);
                (loss, final) = (TrajectoryLoss.Molecule(t, _batch[i], _solver.Grid.Spacing, _sampleWeights[i]), t.Final.Energy);
            }
            else
            {
                var t = _solver.Run(_batch[i].Molecule, _functional, vars, _scf);
                (loss, final) = (TrajectoryLoss.Molecule(t, _batch[i], _solver.Grid.Spacing, _sampleWeights[i]), t.Final.Energy);
            }
            return BatchMean.Pack(loss.ToScalar(), final.ToScalar() - _batch[i].TotalEnergy, parameters.FlattenGradients(Grad.Compute(loss, vars)));
        }, i => Describe(_batch[i]));
        return BatchMean.Unpack(packed, flat.Length);
    }

    /// <summary>
    /// The expected cost of each sample's Kohn–Sham run, for sharding: on one grid every 1D SCF costs about the same
    /// (the eigensolver of the grid Hamiltonian dominates), a spin-polarised one twice.
    /// </summary>
    public static double[] Costs(IReadOnlyList<Sample> samples, ScfOptions scf)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(scf);
        return [.. samples.Select(s => (double)scf.Iterations * s.Density.Length * (scf.SpinPolarised ? 2 : 1))];
    }

    /// <summary>A sample's name in messages: its label, nuclear charges and positions.</summary>
    public static string Describe(Sample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var ic = System.Globalization.CultureInfo.InvariantCulture;
        return $"sample '{sample.Label}' (Z = {string.Join(",", sample.Molecule.Charges.Select(z => z.ToString(ic)))} at x = {string.Join(",", sample.Molecule.Locations.Select(x => x.ToString("0.###", ic)))} Bohr, {sample.Molecule.Electrons} electrons)";
    }

    /// <inheritdoc />
    public ITrainingCheckpoint Checkpoint(ParameterSet parameters, TrainingProgressRecord record) => new XcCheckpoint(_functional.Name, parameters, record);
}
