using Qex.Autodiff;
using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Molecular.Learning;

/// <summary>Settings of the differentiable molecular SCF (unrolled through a fixed number of cycles).</summary>
/// <param name="Iterations">Kohn–Sham cycles K (all recorded; no early stop).</param>
/// <param name="Smearing">Fermi–Dirac temperature theta (Ha; 0.04 as in QEX: without it the SCF of stretched bonds oscillates and training diverges).</param>
/// <param name="MixingAlpha">Linear density mixing P_in &lt;- P_in + alpha (P_out - P_in).</param>
/// <param name="MixingDecay">alpha_(k+1) = decay alpha_k (1: constant).</param>
/// <param name="Grid">The integration grid (default 50 radial x 194 angular points per atom).</param>
/// <param name="Differentiation">Unrolled through the cycles (trajectory loss), or implicit at the converged fixed point.</param>
/// <param name="FixedPointTolerance">Implicit mode: the SCF is converged when max |P_out - P_in| is below this.</param>
/// <param name="MaxFixedPointCycles">Implicit mode: cycles allowed to reach the fixed point (then the evaluation fails).</param>
public sealed record DifferentiableScfOptions(int Iterations = 20, double Smearing = 0.04, double MixingAlpha = 0.5, double MixingDecay = 1.0,
    GridOptions? Grid = null, ScfDifferentiation Differentiation = ScfDifferentiation.Unrolled, double FixedPointTolerance = 1e-9, int MaxFixedPointCycles = 400)
{
    /// <summary>The default training grid: 50 x 194 per atom (Treutler–Ahlrichs, Treutler-adjusted Becke partition).</summary>
    public static GridOptions DefaultGrid { get; } = new(50, 194);

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">Names the setting and its value.</exception>
    public void Validate()
    {
        if (Iterations < 1 || Iterations > 10_000) throw new ArgumentException($"scf.iterations must be between 1 and 10000; got {Iterations}.");
        if (!(Smearing > 0) || !double.IsFinite(Smearing)) throw new ArgumentException($"scf.smearing must be a positive temperature in Hartree (QEX uses 0.04); got {Smearing}.");
        if (!(MixingAlpha > 0 && MixingAlpha <= 1)) throw new ArgumentException($"scf.mixing must lie in (0, 1]; got {MixingAlpha}.");
        if (!(MixingDecay > 0 && MixingDecay <= 1)) throw new ArgumentException($"scf.mixing_decay must lie in (0, 1]; got {MixingDecay}.");
        if (!(FixedPointTolerance > 0 && FixedPointTolerance < 1)) throw new ArgumentException($"scf.fixed_point_tolerance must lie in (0, 1); got {FixedPointTolerance}.");
        if (MaxFixedPointCycles < 1 || MaxFixedPointCycles > 100_000) throw new ArgumentException($"scf.max_fixed_point_cycles must be between 1 and 100000; got {MaxFixedPointCycles}.");
    }
}

/// <summary>How the training loss is differentiated through the SCF.</summary>
public enum ScfDifferentiation
{
    /// <summary>Through every one of a fixed number of cycles (the trajectory loss of KSR and xc-diff).</summary>
    Unrolled,

    /// <summary>At the converged fixed point P* = Phi(P*): the adjoint equation (1 - dPhi/dP)^T lambda = dL/dP by GMRES.</summary>
    Implicit,
}

/// <summary>
/// The constant parts of one closed-shell molecule in one basis, prepared once and reused by every SCF of training:
/// overlap, core Hamiltonian, orthogonaliser, Coulomb operator, basis values on the grid, nuclear repulsion and the
/// starting density (superposition of atomic densities).
/// </summary>
public sealed class MolecularProblem
{
    /// <summary>Prepares a molecule.</summary>
    /// <exception cref="ArgumentException">An open-shell molecule (the learned functionals are closed-shell).</exception>
    public MolecularProblem(Molecule molecule, BasisSet basis, GridOptions? grid = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        if (molecule.Multiplicity != 1 || molecule.ElectronCount % 2 != 0)
            throw new ArgumentException($"The differentiable SCF is closed-shell (RKS): this molecule has {molecule.ElectronCount} electrons and multiplicity {molecule.Multiplicity}.");
        Molecule = molecule;
        Basis = basis;
        int n = basis.FunctionCount;
        Overlap = OneElectronIntegrals.Overlap(basis);
        CoreHamiltonian = CoulombIntegrals.CoreHamiltonian(basis, molecule);
        var x = Orthogonalisation.Canonical(Overlap.ToArray(), n, new HartreeFockOptions().LinearDependence, out int m);
        Orthogonaliser = Tensor.Wrap(x, n, m);
        Grid = MolecularGrid.Create(molecule, grid ?? DifferentiableScfOptions.DefaultGrid);
        Density = new GridDensity(basis, Grid);
        Coulomb = new CoulombOperator(basis);
        NuclearRepulsion = molecule.NuclearRepulsion();
        Guess = Tensor.Wrap(AtomicDensityGuess.SuperpositionOfAtomicDensities(molecule, basis), n, n);
    }

    /// <summary>The molecule.</summary>
    public Molecule Molecule { get; }

    /// <summary>The basis.</summary>
    public BasisSet Basis { get; }

    /// <summary>S.</summary>
    public Tensor Overlap { get; }

    /// <summary>H = T + V.</summary>
    public Tensor CoreHamiltonian { get; }

    /// <summary>X (n x m) with X^T S X = 1.</summary>
    public Tensor Orthogonaliser { get; }

    /// <summary>The integration grid.</summary>
    public MolecularGrid Grid { get; }

    /// <summary>Densities on the grid and the XC-matrix build.</summary>
    public GridDensity Density { get; }

    /// <summary>J[P].</summary>
    public CoulombOperator Coulomb { get; }

    /// <summary>E_nn.</summary>
    public double NuclearRepulsion { get; }

    /// <summary>The starting density matrix.</summary>
    public Tensor Guess { get; }

    /// <summary>Electrons.</summary>
    public int Electrons => Molecule.ElectronCount;
}

/// <summary>One cycle of the differentiable SCF.</summary>
/// <param name="Density">The mixed density matrix after the cycle (the next input).</param>
/// <param name="OutputDensity">The density matrix the cycle's Fock matrix gives.</param>
/// <param name="Energy">The total energy of the output density (E_nn included).</param>
/// <param name="OrbitalEnergies">Eigenvalues of the cycle's Fock matrix.</param>
/// <param name="ChemicalPotential">The Fermi level of the smeared occupations.</param>
/// <param name="DensityChange">max |P_out - P_in|.</param>
public sealed record MolecularKohnShamState(Var Density, Var OutputDensity, Var Energy, double[] OrbitalEnergies, double ChemicalPotential, double DensityChange);

/// <summary>Every cycle of one differentiable SCF.</summary>
/// <param name="Problem">The molecule.</param>
/// <param name="States">One per cycle.</param>
public sealed record MolecularKohnShamTrajectory(MolecularProblem Problem, IReadOnlyList<MolecularKohnShamState> States)
{
    /// <summary>The last cycle.</summary>
    public MolecularKohnShamState Final => States[^1];
}

/// <summary>
/// The molecular Kohn–Sham SCF as a differentiable program (closed shell), for training learned functionals: from the
/// atomic guess, each cycle builds F = H + J[P_in] + V_xc[P_in] with V_xc = dE_xc/dP (recorded, so that it can be
/// differentiated again), occupies the orbitals of F by Fermi–Dirac smearing through the density-matrix operation
/// P = X f(X^T F X - mu) X^T (exact derivatives at degenerate orbitals), mu fixed by the electron count with its implicit
/// derivative, takes E = Tr(P H) + 1/2 Tr(P J[P]) + E_xc[P] + E_nn of the output, and mixes linearly. Gradients of any
/// loss of the trajectory flow through every cycle.
/// </summary>
public static class DifferentiableKohnSham
{
    /// <summary>Runs <paramref name="options"/>.Iterations cycles.</summary>
    /// <exception cref="ArithmeticException">A non-finite Fock matrix or energy (names the cycle).</exception>
    public static MolecularKohnShamTrajectory Run(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, DifferentiableScfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        var o = options ?? new DifferentiableScfOptions();
        o.Validate();
        var p = Var.Constant(problem.Guess);
        var states = new List<MolecularKohnShamState>(o.Iterations);
        double alpha = o.MixingAlpha;
        for (int k = 0; k < o.Iterations; k++)
        {
            var (pOut, mu, levels) = Cycle(problem, model, parameters, p, o.Smearing, k + 1);
            var energy = Energy(problem, model, parameters, pOut);
            double e = energy.ToScalar();
            if (!double.IsFinite(e)) throw new ArithmeticException($"Differentiable SCF cycle {k + 1} gave a non-finite energy ({e}) with functional '{model.Name}'.");
            double change = 0;
            var a = pOut.Value.Span; var b = p.Value.Span;
            for (int i = 0; i < a.Length; i++) change = Math.Max(change, Math.Abs(a[i] - b[i]));
            p = p + (pOut - p) * alpha;
            alpha *= o.MixingDecay;
            states.Add(new MolecularKohnShamState(p, pOut, energy, levels, mu.ToScalar(), change));
        }
        return new MolecularKohnShamTrajectory(problem, states);
    }

    /// <summary>
    /// One cycle: the output density matrix of the Fock matrix of <paramref name="density"/>, P_out = X f(X^T F X - mu) X^T,
    /// with the Fermi level and the orbital energies.
    /// </summary>
    /// <exception cref="ArithmeticException">A non-finite Fock matrix.</exception>
    public static (Var Density, Var Mu, double[] Levels) Cycle(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, Var density, double smearing,
        int cycle = 0)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(model);
        var x = Var.Constant(problem.Orthogonaliser);
        int m = problem.Orthogonaliser.Dim(1);
        var fock = Var.Constant(problem.CoreHamiltonian) + problem.Coulomb.Apply(density) + XcPotential(problem, model, parameters, density);
        foreach (double v in fock.Value.Span)
            if (!double.IsFinite(v)) throw new ArithmeticException($"Differentiable SCF cycle {cycle}: the Fock matrix is not finite (functional '{model.Name}').");
        var orthogonal = Op.Symmetrize(Op.MatMul(Op.MatMul(x, fock, transposeA: true), x));
        var (mu, levels) = ChemicalPotential(orthogonal, problem.Electrons, smearing);
        var shifted = orthogonal - mu * Var.Constant(Identity(m));
        var pOut = Op.MatMul(Op.MatMul(x, Op.MatrixFunction(shifted, SpectralFunction.FermiDirac(0, smearing, 2))), x, transposeB: true);
        return (pOut, mu, levels);
    }

    /// <summary>
    /// The converged density matrix P* = Phi(P*) of the functional with constant parameters: cycles with linear mixing
    /// (the weight halved whenever the change grows) until max |P_out - P_in| is below the tolerance of
    /// <paramref name="options"/>. Returns P* and the cycles used.
    /// </summary>
    /// <exception cref="ArithmeticException">No convergence within the allowed cycles (the message says how far it got).</exception>
    public static (Tensor Density, int Cycles) FixedPoint(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, DifferentiableScfOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var constants = parameters.Select(v => v.Detach()).ToArray();
        var p = Var.Constant(problem.Guess);
        // the fixed point does not depend on the mixing, so the weight may adapt: it is halved (down to 1/64 of the
        // configured one) whenever the change grows, which damps the oscillations of stiff functionals
        double alpha = options.MixingAlpha, change = double.PositiveInfinity, previous = double.PositiveInfinity;
        for (int k = 0; k < options.MaxFixedPointCycles; k++)
        {
            var pOut = Cycle(problem, model, constants, p, options.Smearing, k + 1).Density;
            change = 0;
            var a = pOut.Value.Span; var b = p.Value.Span;
            for (int i = 0; i < a.Length; i++) change = Math.Max(change, Math.Abs(a[i] - b[i]));
            if (change < options.FixedPointTolerance) return (pOut.Value, k + 1);
            if (change > previous) alpha = Math.Max(alpha * 0.5, options.MixingAlpha / 64);
            previous = change;
            p = Var.Constant((p + (pOut - p) * alpha).Value);
            alpha = Math.Max(alpha * options.MixingDecay, options.MixingAlpha / 64);
        }
        throw new ArithmeticException(FormattableString.Invariant(
            $"The SCF of {problem.Molecule.Atoms.Count}-atom '{problem.Molecule.ToXyzBody().Split('\n')[0]}...' did not reach the fixed point in {options.MaxFixedPointCycles} cycles (last change {change:E2}, tolerance {options.FixedPointTolerance:E1}) with functional '{model.Name}'."));
    }

    /// <summary>
    /// A loss of the converged density, differentiated implicitly: with P* the fixed point and L(P*, theta) the loss,
    /// dL/dtheta = dL/dtheta|_P + lambda^T dPhi/dtheta where (1 - dPhi/dP)^T lambda = dL/dP (solved by GMRES with one
    /// backward pass of a single cycle per product). The result carries that gradient for the parameters (first
    /// derivatives only). Also returns the energy at P* and the fixed-point cycles.
    /// </summary>
    /// <exception cref="ArithmeticException">No fixed point, or the adjoint equation did not converge.</exception>
    public static (Var Loss, double Energy, int Cycles) ImplicitLoss(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters,
        Func<Var, Var, Var> loss, DifferentiableScfOptions options)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var (star, cycles) = FixedPoint(problem, model, parameters, options);
        var leaf = Var.Parameter(star);
        var output = Cycle(problem, model, parameters, leaf, options.Smearing).Density;
        var energy = Energy(problem, model, parameters, leaf);
        var l = loss(leaf, energy);
        var trainable = parameters.Where(v => v.RequiresGrad).ToList();
        if (trainable.Count == 0) return (Var.Constant(l.Value), energy.ToScalar(), cycles);
        var direct = Grad.Compute(l, [.. trainable, leaf]);
        int nn = star.Length;
        var gp = direct[^1].Value.ToArray();
        var shape = star.ShapeArray();
        double[] Transposed(double[] v) => Grad.Compute(output, [leaf], Var.Constant(Tensor.Wrap(v, shape)))[0].Value.ToArray();
        var solution = Gmres.Solve(v =>
        {
            var jt = Transposed(v);
            var r = new double[nn];
            for (int i = 0; i < nn; i++) r[i] = v[i] - jt[i];
            return r;
        }, gp, tolerance: 1e-12, restart: Math.Min(nn, 60), maxIterations: 20 * nn + 100);
        if (!solution.Converged)
            throw new ArithmeticException($"The adjoint equation of the implicit SCF gradient did not converge (residual {solution.ResidualNorm:E2} after {solution.Iterations} products).");
        var through = trainable.Count == 0 ? [] : Grad.Compute(output, trainable, Var.Constant(Tensor.Wrap(solution.Solution, shape)));
        var grads = new Tensor[trainable.Count];
        for (int i = 0; i < trainable.Count; i++)
        {
            var a = direct[i].Value.ToArray();
            var b = through[i].Value.Span;
            for (int j = 0; j < a.Length; j++) a[j] += b[j];
            grads[i] = Tensor.Wrap(a, trainable[i].Value.ShapeArray());
        }
        var value = Op.Custom(l.Value, "implicit_scf_loss", [.. trainable], (g, s) =>
        {
            if (s.CreateGraph) throw new NotSupportedException("Implicit SCF gradients are first derivatives; higher derivatives need the unrolled mode.");
            return [.. grads.Select(t => g * Var.Constant(t))];
        });
        return (value, energy.ToScalar(), cycles);
    }

    /// <summary>E[P] = Tr(P H) + 1/2 Tr(P J[P]) + E_xc[P] + E_nn.</summary>
    public static Var Energy(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, Var density)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var h = Var.Constant(problem.CoreHamiltonian);
        return Op.Sum(density * h) + Op.Sum(density * problem.Coulomb.Apply(density)) * 0.5 + XcEnergy(problem, model, parameters, density)
            + problem.NuclearRepulsion;
    }

    /// <summary>E_xc[P] = sum_g w_g e(rho_g, sigma_g).</summary>
    public static Var XcEnergy(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, Var density)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(model);
        var features = problem.Density.Features(density);
        int np = problem.Density.Points;
        var rho = Op.Reshape(Op.Slice(features, 0, 0, 1), np);
        var sigma = Op.Sum(Op.Square(Op.Slice(features, 0, 1, 3)), [0]);
        var weights = problem.Density.WeightVector;
        return Op.Sum(model.EnergyDensity(rho, sigma, weights, parameters) * weights);
    }

    /// <summary>V_xc = dE_xc/dP (symmetric n x n), recorded so that it can be differentiated again.</summary>
    public static Var XcPotential(MolecularProblem problem, IMolecularXcModel model, IReadOnlyList<Var> parameters, Var density)
    {
        ArgumentNullException.ThrowIfNull(density);
        // differentiate with respect to a fresh leaf when the density is a constant (the guess); the result still
        // depends on the parameters
        var leaf = density.RequiresGrad ? density : Var.Parameter(density.Value);
        var exc = XcEnergy(problem, model, parameters, leaf);
        if (!exc.RequiresGrad) return Var.Constant(Tensor.Zeros(density.Value.ShapeArray()));
        return Grad.Of(exc, leaf, createGraph: true);
    }

    /// <summary>
    /// The Fermi level of a symmetric Fock matrix (orthogonal basis) holding <paramref name="electrons"/> at
    /// <paramref name="theta"/>, as a differentiable scalar: d mu / dF = f'(F - mu) / Tr f'(F - mu) (implicit function
    /// theorem on Tr f(F - mu) = N), itself written with differentiable operations. Also returns the eigenvalues.
    /// </summary>
    public static (Var Mu, double[] Levels) ChemicalPotential(Var fock, int electrons, double theta)
    {
        ArgumentNullException.ThrowIfNull(fock);
        var levels = SymmetricEigen.Decompose(fock.Value).Values.ToArray();
        double mu = FermiDirac.ChemicalPotential(levels, electrons, 2, theta);
        int m = fock.Dim(0);
        var slope = SpectralFunction.Of("Fermi-Dirac slope", e => W(e / theta), e => W1(e / theta) / theta, e => W2(e / theta) / (theta * theta));
        var value = Op.Custom(Tensor.Scalar(mu), "fermi_level", [fock], (g, s) =>
        {
            var d = Op.MatrixFunction(s.Input(0) - s.Output * Var.Constant(Identity(m)), slope);
            return [g * d / Op.Sum(d * Var.Constant(Identity(m)))];
        });
        return (value, levels);
    }

    // w(x) = s(x) s(-x) (proportional to -df/de of the occupations) and its derivatives in x, s the logistic
    private static double W(double x) => TensorMath.Sigmoid(x) * TensorMath.Sigmoid(-x);

    private static double W1(double x)
    {
        double sp = TensorMath.Sigmoid(x), sm = TensorMath.Sigmoid(-x);
        return sp * sm * (sm - sp);
    }

    private static double W2(double x)
    {
        double sp = TensorMath.Sigmoid(x), sm = TensorMath.Sigmoid(-x);
        return sp * sm * ((sm - sp) * (sm - sp) - 2 * sp * sm);
    }

    private static Tensor Identity(int m) => Tensor.Create([m, m], r => { for (int i = 0; i < m; i++) r[i * m + i] = 1; });
}
