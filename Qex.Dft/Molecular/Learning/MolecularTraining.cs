using Qex.Dft.ScaleOut;
using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Training;

namespace Qex.Dft.Molecular.Learning;

/// <summary>A reference molecule of molecular training: its prepared problem, reference energy and density.</summary>
/// <param name="Label">A name for reports (e.g. "h2 0.74").</param>
/// <param name="Problem">The prepared molecule (basis, grid, integrals).</param>
/// <param name="Energy">The reference total energy (Hartree, E_nn included).</param>
/// <param name="DensityMatrix">The reference one-particle density matrix in the AO basis (n x n).</param>
public sealed record MolecularSample(string Label, MolecularProblem Problem, double Energy, Tensor DensityMatrix)
{
    /// <summary>The reference density on the problem's grid.</summary>
    public Tensor GridDensity { get; } = RhoOf(Problem, DensityMatrix);

    /// <summary>A teacher's orbitals and Hessian products for the derivative-informed terms (null without them).</summary>
    public TeacherDerivatives? Teacher { get; init; }

    private static Tensor RhoOf(MolecularProblem problem, Tensor p)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(p);
        var f = problem.Density.FeaturesOf(p);
        return Tensor.Wrap(f.Span[..problem.Density.Points].ToArray(), problem.Density.Points);
    }
}

/// <summary>
/// The trajectory loss of one molecule, as in 1D:
/// <c>(1/N_e) [ sum_{k=K-s+1..K} d^(K-k) (E_k - E_ref)^2 + w_rho sum_g w_g (rho_K - rho_ref)^2 ]</c>, with rho_K the
/// density of the final mixed density matrix.
/// </summary>
public static class MolecularTrajectoryLoss
{
    /// <summary>The loss of a trajectory against its reference.</summary>
    /// <exception cref="ArgumentException">The trajectory is shorter than the energy steps.</exception>
    public static Var Molecule(MolecularKohnShamTrajectory trajectory, MolecularSample reference, LossWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(reference);
        weights ??= new LossWeights();
        int k = trajectory.States.Count;
        if (k < weights.EnergySteps)
            throw new ArgumentException($"The loss uses the last {weights.EnergySteps} energies but the SCF ran {k} cycles.");
        Var? energy = null;
        for (int i = k - weights.EnergySteps; i < k; i++)
        {
            var term = Op.Square(trajectory.States[i].Energy - reference.Energy) * Math.Pow(weights.Discount, k - 1 - i);
            energy = energy is null ? term : energy + term;
        }
        var densityError = DensityError(trajectory.Problem, trajectory.Final.Density, reference);
        Var total = energy is null ? densityError * weights.DensityWeight : energy * weights.EnergyWeight + densityError * weights.DensityWeight;
        return total * (1.0 / trajectory.Problem.Electrons);
    }

    /// <summary>
    /// The loss at a converged density (implicit differentiation):
    /// <c>(1/N_e) [ w_E (E - E_ref)^2 + w_rho sum_g w_g (rho - rho_ref)^2 ]</c>.
    /// </summary>
    public static Var FixedPoint(MolecularProblem problem, Var density, Var energy, MolecularSample reference, LossWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(energy);
        weights ??= new LossWeights();
        var total = Op.Square(energy - reference.Energy) * weights.EnergyWeight + DensityError(problem, density, reference) * weights.DensityWeight;
        return total * (1.0 / problem.Electrons);
    }

    /// <summary>sum_g w_g (rho[P] - rho_ref)^2.</summary>
    public static Var DensityError(MolecularProblem problem, Var density, MolecularSample reference)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(reference);
        var grid = problem.Density;
        var rho = Op.Reshape(Op.Slice(grid.Features(density), 0, 0, 1), grid.Points);
        return Op.Sum(Op.Square(rho - Var.Constant(reference.GridDensity)) * grid.WeightVector);
    }
}

/// <summary>
/// The molecular training objective: the mean trajectory loss of a batch of molecules through the differentiable
/// SCF (<see cref="DifferentiableKohnSham"/>), molecules in parallel, reduced in a fixed order.
/// </summary>
public sealed class MolecularObjective : ITrainingObjective
{
    private readonly IMolecularXcModel _model;
    private readonly IReadOnlyList<MolecularSample> _batch;
    private readonly DifferentiableScfOptions _scf;
    private readonly LossWeights _weights;
    private readonly BatchScheduler _scheduler;
    private readonly string _basisName;

    /// <summary>An objective for a batch of reference molecules, evaluated by <paramref name="scheduler"/> (this process alone by default).</summary>
    /// <exception cref="ArgumentException">An empty batch, or more energy steps than cycles.</exception>
    public MolecularObjective(IMolecularXcModel model, IReadOnlyList<MolecularSample> batch, DifferentiableScfOptions? scf = null, LossWeights? weights = null,
        BatchScheduler? scheduler = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _batch = batch ?? throw new ArgumentNullException(nameof(batch));
        if (batch.Count == 0) throw new ArgumentException("The training batch is empty (data.train selects no molecules).");
        _scf = scf ?? new DifferentiableScfOptions();
        _scf.Validate();
        _weights = weights ?? new LossWeights();
        _scheduler = scheduler ?? BatchScheduler.Local;
        if (_scf.Iterations < _weights.EnergySteps)
            throw new ArgumentException($"loss.energy_steps ({_weights.EnergySteps}) exceeds scf.iterations ({_scf.Iterations}).");
        _basisName = batch[0].Problem.Basis.Name;
        foreach (var s in batch)
            if (s.Problem.Basis.Name != _basisName)
                throw new ArgumentException($"Training molecules must share one basis: '{s.Label}' is in {s.Problem.Basis.Name}, '{batch[0].Label}' in {_basisName}.");
    }

    /// <inheritdoc />
    public int Count => _batch.Count;

    /// <summary>The loss of one molecule and its gradient by the parameters (flat), with the final energy error.</summary>
    public (double Loss, double[] Gradient, double EnergyError) EvaluateMolecule(ParameterSet layout, double[] flat, int index)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var parameters = layout.Unflatten(flat);
        var vars = parameters.ToVars();
        var (loss, energy) = MoleculeLoss(vars, index);
        return (loss.ToScalar(), parameters.FlattenGradients(Grad.Compute(loss, vars)), energy - _batch[index].Energy);
    }

    private (Var Loss, double Energy) MoleculeLoss(IReadOnlyList<Var> vars, int index)
    {
        var sample = _batch[index];
        if (_scf.Differentiation == ScfDifferentiation.Implicit)
        {
            var (l, e, _) = DifferentiableKohnSham.ImplicitLoss(sample.Problem, _model, vars,
                (p, energy) => MolecularTrajectoryLoss.FixedPoint(sample.Problem, p, energy, sample, _weights), _scf);
            return (WithDerivativeTerms(l, vars, sample), e);
        }
        var trajectory = DifferentiableKohnSham.Run(sample.Problem, _model, vars, _scf);
        return (WithDerivativeTerms(MolecularTrajectoryLoss.Molecule(trajectory, sample, _weights), vars, sample), trajectory.Final.Energy.ToScalar());
    }

    /// <summary>+ w_grad ||g_S(P*)||^2 + w_hess mean_v ||H_S v - H_T v||^2 at the teacher's density (no SCF), when on.</summary>
    private Var WithDerivativeTerms(Var loss, IReadOnlyList<Var> vars, MolecularSample sample)
    {
        if (_weights.GradientWeight == 0 && _weights.HessianWeight == 0) return loss;
        var teacher = sample.Teacher ?? throw new InvalidOperationException($"'{sample.Label}' has no teacher derivatives for the gradient and Hessian terms.");
        return loss + DerivativeInformedTerms.Weighted(sample.Problem, _model, vars, teacher, _weights.GradientWeight, _weights.HessianWeight);
    }

    /// <summary>The loss alone (no gradient): for finite-difference checks and line searches.</summary>
    public double Loss(ParameterSet layout, double[] flat)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var vars = layout.Unflatten(flat).ToVars().Select(v => v.Detach()).ToArray();
        double total = 0;
        for (int i = 0; i < _batch.Count; i++) total += MoleculeLoss(vars, i).Loss.ToScalar() / _batch.Count;
        return total;
    }

    /// <inheritdoc />
    public (double Loss, double[] Gradient, double[] EnergyErrors) Evaluate(ParameterSet layout, double[] flat)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(flat);
        var packed = _scheduler.Map([.. _batch.Select(s => Cost(s.Problem))], i =>
        {
            var (loss, gradient, error) = EvaluateMolecule(layout, flat, i);
            return BatchMean.Pack(loss, error, gradient);
        }, i => $"molecule '{_batch[i].Label}'");
        return BatchMean.Unpack(packed, flat.Length);
    }

    /// <summary>
    /// The expected cost of one molecule's evaluation, for sharding (any scale): grid points G plus n^3 / 7 for n basis
    /// functions. Fitted to single-thread loss-and-gradient evaluations of the B3LYP distillation (def2-SVP, 50 x 194,
    /// implicit, all DI terms): water (n = 24, G = 29 100) 5.8 s, ethane (58, 77 600) 21.2 s, acetone (86, 97 000)
    /// 37.1 s (least squares: 2.0e-4 s per point, 2.8e-5 s per n^3; bench/scaling/mpi_projection.py); the grid work is
    /// local (screened basis functions), so it grows with G, not G n^2.
    /// </summary>
    public static double Cost(MolecularProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        double n = problem.Basis.FunctionCount;
        return problem.Grid.Count + n * n * n / 7;
    }

    /// <inheritdoc />
    public ITrainingCheckpoint Checkpoint(ParameterSet parameters, TrainingProgressRecord record) =>
        new MolecularXcCheckpoint(_model.Name, parameters, record) { Model = MolecularModelSpec.Of(_model), Scf = MolecularScfSpec.Of(_basisName, _scf) };
}
