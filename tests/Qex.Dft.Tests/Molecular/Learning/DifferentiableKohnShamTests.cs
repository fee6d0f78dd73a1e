using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Learning;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.Molecular.Learning;

/// <summary>
/// The differentiable molecular SCF: its pieces against the production code (grid integration, J, the converged RKS
/// with smearing), and the full training-loss gradient against finite differences, including square H4 (degenerate
/// orbitals).
/// </summary>
public sealed class DifferentiableKohnShamTests
{
    private static readonly Molecule H2 = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74");
    private static readonly Molecule SquareH4 = Molecule.ParseGeometry("H 0 0 0\nH 1.2 0 0\nH 0 1.2 0\nH 1.2 1.2 0");
    private static readonly Molecule Water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692");
    private static readonly GridOptions Small = new(30, 110);

    private static BasisSet Basis(Molecule m) => BasisSet.For(m, BasisSetLibrary.Load("6-31g"));

    private static Tensor RandomSymmetric(int n, long seed, double scale = 0.1)
    {
        var rng = RngKey.FromSeed(seed).CreateGenerator();
        return Tensor.Create([n, n], r =>
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++) r[i * n + j] = r[j * n + i] = scale * rng.Normal();
        });
    }

    [Fact]
    public void FeaturesIntegrateToTheElectronCountAndTheMatrixIsTheirAdjoint()
    {
        var p = new MolecularProblem(Water, Basis(Water), new GridOptions(75, 302));
        var rho = p.Density.FeaturesOf(p.Guess).Span[..p.Density.Points];
        double n = 0;
        for (int g = 0; g < rho.Length; g++) n += p.Density.Weights[g] * rho[g];
        double trace = 0;
        int nf = p.Basis.FunctionCount;
        for (int i = 0; i < nf; i++)
            for (int j = 0; j < nf; j++) trace += p.Guess[i, j] * p.Overlap[i, j];
        Assert.True(Math.Abs(n - trace) < 1e-5, $"grid electrons {n:F8} vs Tr(PS) {trace:F8}");
        // <A(P), f> = <P, A^T f> for a non-symmetric P and arbitrary f
        var rng = RngKey.FromSeed(3).CreateGenerator();
        var pm = Tensor.Create([nf, nf], r => { for (int i = 0; i < r.Length; i++) r[i] = rng.Normal(); });
        var f = Tensor.Create([4, p.Density.Points], r => { for (int i = 0; i < r.Length; i++) r[i] = rng.Normal(); });
        double lhs = Dot(p.Density.Features(Var.Constant(pm)).Value, f), rhs = Dot(pm, p.Density.Matrix(Var.Constant(f)).Value);
        Assert.True(Math.Abs(lhs - rhs) < 1e-10 * Math.Abs(lhs), $"{lhs} vs {rhs}");
    }

    [Fact]
    public void GradientFeaturesEqualFiniteDifferencesOfTheDensityInSpace()
    {
        var mol = Water;
        var basis = Basis(mol);
        var p = new MolecularProblem(mol, basis, new GridOptions(20, 26));
        var d = p.Guess;
        // the density at a point and 1e-5 Bohr away along x, from one-point grids
        double x0 = 0.31, y0 = -0.22, z0 = 0.4, h = 1e-5;
        double Rho(double x) => new GridDensity(basis, new MolecularGrid([x], [y0], [z0], [1.0], [0])).FeaturesOf(d)[0, 0];
        var at = new GridDensity(basis, new MolecularGrid([x0], [y0], [z0], [1.0], [0])).FeaturesOf(d);
        double fd = (Rho(x0 + h) - Rho(x0 - h)) / (2 * h);
        Assert.True(Math.Abs(at[1, 0] - fd) < 1e-7 * Math.Max(1, Math.Abs(fd)), $"d rho/dx {at[1, 0]} vs finite difference {fd}");
    }

    [Fact]
    public void SlaterModelMatchesTheProductionIntegrator()
    {
        var mol = Water;
        var basis = Basis(mol);
        var p = new MolecularProblem(mol, basis, Small);
        var model = new EnhancementXcModel(MolecularXcFeatures.Lda);     // F = 1 at initialisation: Slater exchange
        var parameters = model.InitialParameters(RngKey.FromSeed(1)).ToVars();
        var pv = Var.Parameter(p.Guess);
        var exc = DifferentiableKohnSham.XcEnergy(p, model, parameters, pv);
        var v = Grad.Of(exc, pv);
        var reference = new XcIntegrator(p.Grid, basis, XcFunctional.Parse("slater")).Evaluate([p.Guess.ToArray()]);
        Assert.True(Math.Abs(exc.ToScalar() - reference.Energy) < 1e-10 * Math.Abs(reference.Energy), $"E_x {exc.ToScalar():F12} vs {reference.Energy:F12}");
        var vm = reference.Matrices[0];
        for (int i = 0; i < vm.Length; i++)
            Assert.True(Math.Abs(v.Value.Span[i] - vm[i]) < 1e-10, $"V_xc element {i}: {v.Value.Span[i]} vs {vm[i]}");
    }

    [Fact]
    public void CoulombOperatorIsTheDenseContractionAndItsOwnAdjoint()
    {
        var basis = Basis(Water);
        int n = basis.FunctionCount;
        var j = new CoulombOperator(basis);
        var d = RandomSymmetric(n, 5);
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        var built = j.Build(d);
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double s = 0;
                for (int c = 0; c < n; c++)
                    for (int e = 0; e < n; e++) s += eri[((a * n + b) * n + c) * n + e] * d[c, e];
                Assert.True(Math.Abs(s - built[a, b]) < 1e-11, $"J[{a},{b}] {built[a, b]} vs dense {s}");
            }
        // d/dP of 1/2 Tr(P J[P]) = J[P]
        var pv = Var.Parameter(d);
        var g = Grad.Of(Op.Sum(pv * j.Apply(pv)) * 0.5, pv);
        for (int i = 0; i < n * n; i++) Assert.True(Math.Abs(g.Value.Span[i] - built.Span[i]) < 1e-12);
    }

    [Theory]
    [InlineData("h2")]
    [InlineData("h4-square")]
    public void ConvergedScfEqualsProductionKohnShamWithTheSameSmearing(string name)
    {
        var mol = name == "h2" ? H2 : SquareH4;
        var basis = Basis(mol);
        var p = new MolecularProblem(mol, basis, Small);
        var model = new EnhancementXcModel(MolecularXcFeatures.Gga);
        var vars = model.InitialParameters(RngKey.FromSeed(2)).ToVars().Select(v => v.Detach()).ToArray();
        var t = DifferentiableKohnSham.Run(p, model, vars, new DifferentiableScfOptions(Iterations: 80, Grid: Small));
        var production = KohnSham.Run(mol, basis, XcFunctional.Parse("slater"), Small, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-9, Smearing: 0.04));
        Assert.True(t.Final.DensityChange < 1e-9, $"not converged: change {t.Final.DensityChange:E2}");
        Assert.True(Math.Abs(t.Final.Energy.ToScalar() - production.Energy) < 1e-8, $"{t.Final.Energy.ToScalar():F10} vs production {production.Energy:F10}");
    }

    [Fact]
    public void ChemicalPotentialHasTheImplicitDerivativeAtDegenerateLevels()
    {
        // levels -1, -0.5, -0.5, 0.3 (a degenerate pair at the Fermi level), rotated
        int n = 4;
        var q = SymmetricEigenBasis(n, 9);
        double[] e = [-1, -0.5, -0.5, 0.3];
        var a = Tensor.Create([n, n], r =>
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int k = 0; k < n; k++) s += q[i, k] * e[k] * q[j, k];
                    r[i * n + j] = s;
                }
        });
        var dir = RandomSymmetric(n, 11, 1);
        double Mu(double t) => DifferentiableKohnSham.ChemicalPotential(Var.Constant(Add(a, dir, t)), 3, 0.05).Mu.ToScalar();
        var av = Var.Parameter(a);
        var g = Grad.Of(DifferentiableKohnSham.ChemicalPotential(av, 3, 0.05).Mu, av);
        double analytic = Dot(g.Value, dir), h = 1e-5;
        double fd = (Mu(h) - Mu(-h)) / (2 * h);
        Assert.True(Math.Abs(analytic - fd) < 1e-7, $"d mu: {analytic} vs finite difference {fd}");
    }

    public static TheoryData<string, string> GradientCases => new()
    {
        { "h2", "enhancement-lda" },
        { "h2", "enhancement-gga" },
        { "h4-square", "enhancement-gga" },
        { "h2", "moments-gga" },
        { "h4-square", "moments-lda" },
        { "h2", "qnn-enhancement-gga" },
    };

    /// <summary>The whole training loss (trajectory energies and density against FCI) by the parameters, against central differences.</summary>
    [Theory]
    [MemberData(nameof(GradientCases))]
    public void TrainingLossGradientEqualsFiniteDifferences(string system, string modelName)
    {
        var mol = system == "h2" ? H2 : SquareH4;
        var basis = Basis(mol);
        var problem = new MolecularProblem(mol, basis, Small);
        var (energy, density) = MolecularReferences.Fci(mol, basis);
        var sample = new MolecularSample(system, problem, energy, density);
        var model = new MolecularModelSpec(modelName, 6, 5, Qubits: 2, Layers: 2).Create();
        // away from the initialisation (F = 1 there, where the last layer's zeros hide half of the chain rule)
        var init = model.InitialParameters(RngKey.FromSeed(4));
        var rng = RngKey.FromSeed(8).CreateGenerator();
        var x0 = init.Flatten().Select(v => v + 0.05 * rng.Normal()).ToArray();
        var objective = new MolecularObjective(model, [sample], new DifferentiableScfOptions(Iterations: 6, Grid: Small), new LossWeights(EnergySteps: 3));
        var (loss, grad, _) = objective.Evaluate(init, x0);
        Assert.Equal(loss, objective.Loss(init, x0), 14);
        var (analytic, fd) = Directional(objective, init, x0, grad, rng);
        Assert.True(Math.Abs(analytic - fd) <= 1e-6 * Math.Abs(fd), $"{system} {modelName}: directional derivative {analytic:E10} vs finite difference {fd:E10} (loss {loss:E4})");
    }

    /// <summary>The fixed-point loss differentiated implicitly (adjoint equation by GMRES), against central differences of converged SCFs.</summary>
    [Theory]
    [InlineData("h2", "enhancement-gga")]
    [InlineData("h4-square", "enhancement-gga")]
    [InlineData("h2", "moments-gga")]
    public void ImplicitGradientEqualsFiniteDifferencesOfTheConvergedLoss(string system, string modelName)
    {
        var mol = system == "h2" ? H2 : SquareH4;
        var basis = Basis(mol);
        var problem = new MolecularProblem(mol, basis, Small);
        var (energy, density) = MolecularReferences.Fci(mol, basis);
        var sample = new MolecularSample(system, problem, energy, density);
        var model = new MolecularModelSpec(modelName, 6, 5).Create();
        var init = model.InitialParameters(RngKey.FromSeed(4));
        var rng = RngKey.FromSeed(8).CreateGenerator();
        var x0 = init.Flatten().Select(v => v + 0.05 * rng.Normal()).ToArray();
        var scf = new DifferentiableScfOptions(Grid: Small, Differentiation: ScfDifferentiation.Implicit, FixedPointTolerance: 1e-12, MaxFixedPointCycles: 2000);
        var objective = new MolecularObjective(model, [sample], scf, new LossWeights(EnergySteps: 1));
        var (loss, grad, _) = objective.Evaluate(init, x0);
        var (analytic, fd) = Directional(objective, init, x0, grad, rng);
        Assert.True(Math.Abs(analytic - fd) <= 1e-6 * Math.Abs(fd), $"{system} {modelName}: implicit directional derivative {analytic:E10} vs finite difference {fd:E10} (loss {loss:E4})");
        // the fixed point is the converged unrolled SCF
        var vars = init.Unflatten(x0).ToVars().Select(v => v.Detach()).ToArray();
        var (star, _) = DifferentiableKohnSham.FixedPoint(problem, model, vars, scf);
        var unrolled = DifferentiableKohnSham.Run(problem, model, vars, new DifferentiableScfOptions(Iterations: 120, Grid: Small));
        double e1 = DifferentiableKohnSham.Energy(problem, model, vars, Var.Constant(star)).ToScalar();
        Assert.True(Math.Abs(e1 - unrolled.Final.Energy.ToScalar()) < 1e-9, $"fixed point {e1:F10} vs 120 unrolled cycles {unrolled.Final.Energy.ToScalar():F10}");
    }

    [Fact]
    public void SettingsThatCannotConvergeFailTheEvaluationWithAClearMessage()
    {
        var problem = new MolecularProblem(H2, Basis(H2), Small);
        var model = new EnhancementXcModel(MolecularXcFeatures.Lda, 3, 3);
        var vars = model.InitialParameters(RngKey.FromSeed(1)).ToVars();
        var e = Assert.Throws<ArithmeticException>(() => DifferentiableKohnSham.FixedPoint(problem, model, vars,
            new DifferentiableScfOptions(Grid: Small, Differentiation: ScfDifferentiation.Implicit, MaxFixedPointCycles: 3)));
        Assert.Contains("did not reach the fixed point in 3 cycles", e.Message);
    }

    /// <summary>
    /// A trained model deployed as a production functional: per-point forward-mode evaluation gives the same E_xc and
    /// V_xc as the differentiable graph, and the production RKS converges to the differentiable SCF's fixed point.
    /// </summary>
    [Theory]
    [InlineData("enhancement-lda")]
    [InlineData("enhancement-gga")]
    [InlineData("qnn-enhancement-gga")]
    public void TheDeployedComponentReproducesTheTrainingFunctional(string name)
    {
        var mol = SquareH4;
        var basis = Basis(mol);
        var p = new MolecularProblem(mol, basis, Small);
        var model = new MolecularModelSpec(name, 6, 5, Qubits: 2, Layers: 2).Create();
        var init = model.InitialParameters(RngKey.FromSeed(4));
        var rng = RngKey.FromSeed(8).CreateGenerator();
        var trained = init.Unflatten(init.Flatten().Select(v => v + 0.05 * rng.Normal()).ToArray());
        var vars = trained.ToVars().Select(v => v.Detach()).ToArray();
        var pv = Var.Parameter(p.Guess);
        var exc = DifferentiableKohnSham.XcEnergy(p, model, vars, pv);
        var v = Grad.Of(exc, pv);
        var functional = XcFunctional.FromComponent(model.Name, model.Component(trained));
        var production = new XcIntegrator(p.Grid, basis, functional).Evaluate([p.Guess.ToArray()]);
        Assert.True(Math.Abs(exc.ToScalar() - production.Energy) < 1e-10 * Math.Abs(production.Energy), $"E_xc {exc.ToScalar():F12} vs deployed {production.Energy:F12}");
        for (int i = 0; i < production.Matrices[0].Length; i++)
            Assert.True(Math.Abs(v.Value.Span[i] - production.Matrices[0][i]) < 1e-10, $"V_xc element {i}: {v.Value.Span[i]} vs deployed {production.Matrices[0][i]}");
        var scf = new DifferentiableScfOptions(Grid: Small, Differentiation: ScfDifferentiation.Implicit, FixedPointTolerance: 1e-11, MaxFixedPointCycles: 2000);
        var (star, _) = DifferentiableKohnSham.FixedPoint(p, model, vars, scf);
        double fixedPoint = DifferentiableKohnSham.Energy(p, model, vars, Var.Constant(star)).ToScalar();
        var ks = KohnSham.Run(mol, basis, functional, Small, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-9, Smearing: 0.04));
        Assert.True(Math.Abs(ks.Energy - fixedPoint) < 1e-8, $"production RKS {ks.Energy:F10} vs fixed point {fixedPoint:F10}");
    }

    /// <summary>
    /// The global model: its descriptors do not depend on the grid (beyond quadrature error), it has no per-point
    /// component of its own, and linearised in its descriptors at its fixed point it is a per-point functional with
    /// the same energy and potential there, to which the production RKS converges.
    /// </summary>
    [Fact]
    public void TheGlobalModelLinearisedAtItsFixedPointIsReproducedByTheProductionScf()
    {
        var mol = SquareH4;
        var basis = Basis(mol);
        var model = new MomentXcModel(MolecularXcFeatures.Gga, 6, 5);
        var init = model.InitialParameters(RngKey.FromSeed(4));
        var rng = RngKey.FromSeed(8).CreateGenerator();
        var trained = init.Unflatten(init.Flatten().Select(v => v + 0.05 * rng.Normal()).ToArray());
        var vars = trained.ToVars().Select(v => v.Detach()).ToArray();
        Tensor Descriptors(GridOptions grid)
        {
            var q = new MolecularProblem(mol, basis, grid);
            var f = q.Density.Features(Var.Constant(q.Guess));
            int np = q.Density.Points;
            return model.Descriptors(Op.Reshape(Op.Slice(f, 0, 0, 1), np), Op.Sum(Op.Square(Op.Slice(f, 0, 1, 3)), [0]), q.Density.WeightVector).Value;
        }
        var coarse = Descriptors(Small);
        var fine = Descriptors(new GridOptions(75, 302));
        for (int k = 0; k < model.DescriptorCount; k++)
            Assert.True(Math.Abs(coarse.Span[k] - fine.Span[k]) < 1e-3, $"descriptor {k}: {coarse.Span[k]} on 30x110, {fine.Span[k]} on 75x302");
        Assert.Contains("global functional", Assert.Throws<NotSupportedException>(() => model.Component(trained)).Message);

        var p = new MolecularProblem(mol, basis, Small);
        var scf = new DifferentiableScfOptions(Grid: Small, Differentiation: ScfDifferentiation.Implicit, FixedPointTolerance: 1e-11, MaxFixedPointCycles: 2000);
        var (star, _) = DifferentiableKohnSham.FixedPoint(p, model, vars, scf);
        var component = model.Linearised(p, trained, star);
        var pv = Var.Parameter(star);
        var exc = DifferentiableKohnSham.XcEnergy(p, model, vars, pv);
        var v = Grad.Of(exc, pv);
        var functional = XcFunctional.FromComponent(model.Name, component);
        var production = new XcIntegrator(p.Grid, basis, functional).Evaluate([star.ToArray()]);
        Assert.True(Math.Abs(exc.ToScalar() - production.Energy) < 1e-10 * Math.Abs(production.Energy), $"E_xc {exc.ToScalar():F12} vs linearised {production.Energy:F12}");
        for (int i = 0; i < production.Matrices[0].Length; i++)
            Assert.True(Math.Abs(v.Value.Span[i] - production.Matrices[0][i]) < 1e-10, $"V_xc element {i}: {v.Value.Span[i]} vs linearised {production.Matrices[0][i]}");
        // away from P* the linearisation is not the model: at the guess the potentials differ
        var away = new XcIntegrator(p.Grid, basis, functional).Evaluate([p.Guess.ToArray()]);
        var guessVar = Var.Parameter(p.Guess);
        double awayModel = DifferentiableKohnSham.XcEnergy(p, model, vars, guessVar).ToScalar();
        Assert.True(Math.Abs(awayModel - away.Energy) > 1e-8, "the linearised functional should differ from the global model away from its fixed point");
        double fixedPoint = DifferentiableKohnSham.Energy(p, model, vars, Var.Constant(star)).ToScalar();
        var ks = KohnSham.Run(mol, basis, functional, Small, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-9, Smearing: 0.04));
        Assert.True(Math.Abs(ks.Energy - fixedPoint) < 1e-8, $"production RKS {ks.Energy:F10} vs fixed point {fixedPoint:F10}");
    }

    [Fact]
    public void CheckpointsRoundTripAndRejectWhatDoesNotFit()
    {
        var model = new EnhancementXcModel(MolecularXcFeatures.Gga, 4, 3);
        var parameters = model.InitialParameters(RngKey.FromSeed(1));
        string dir = Path.Combine(Path.GetTempPath(), "qex-mol-ck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "ck.json");
            new MolecularXcCheckpoint(model.Name, parameters) { Model = MolecularModelSpec.Of(model), Scf = MolecularScfSpec.Of("6-31g", new DifferentiableScfOptions()) }.Save(path);
            var back = MolecularXcCheckpoint.Load(path);
            Assert.Equal(parameters.Flatten(), back.Parameters.Flatten());
            Assert.Equal(new MolecularModelSpec("enhancement-gga", 4, 3), back.Model);
            Assert.Equal(20, back.Scf!.ToOptions().Iterations);
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"enhancement-gga\"", "\"enhancement-xyz\""));
            Assert.Contains("Unknown molecular model 'enhancement-xyz'", Assert.Throws<InvalidDataException>(() => MolecularXcCheckpoint.Load(path)).Message);
            File.WriteAllText(path, "{\"format\": \"qex.xc-checkpoint\"}");
            Assert.Contains("not a Qex molecular XC checkpoint", Assert.Throws<InvalidDataException>(() => MolecularXcCheckpoint.Load(path)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadSettingsAndOpenShellsAreClearErrors()
    {
        Assert.Contains("scf.smearing", Assert.Throws<ArgumentException>(() => new DifferentiableScfOptions(Smearing: 0).Validate()).Message);
        Assert.Contains("scf.mixing", Assert.Throws<ArgumentException>(() => new DifferentiableScfOptions(MixingAlpha: double.NaN).Validate()).Message);
        var small = new EnhancementXcModel(MolecularXcFeatures.Gga, 4, 3);
        Assert.Contains("do not fit", Assert.Throws<ArgumentException>(() => new EnhancementXcModel(MolecularXcFeatures.Gga, 5, 3).Component(small.InitialParameters(RngKey.FromSeed(0)))).Message);
        Assert.Contains("do not fit", Assert.Throws<ArgumentException>(() => new QuantumEnhancementXcModel().Component(small.InitialParameters(RngKey.FromSeed(0)))).Message);
        var oh = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.97", multiplicity: 2);
        Assert.Contains("closed-shell", Assert.Throws<ArgumentException>(() => new MolecularProblem(oh, Basis(oh), Small)).Message);
    }

    /// <summary>The gradient along a random unit direction, and a fourth-order central difference of the loss along it (h = 1e-4).</summary>
    private static (double Analytic, double FiniteDifference) Directional(MolecularObjective objective, ParameterSet layout, double[] x0, double[] grad, Rng rng)
    {
        var dir = x0.Select(_ => rng.Normal()).ToArray();
        double norm = Math.Sqrt(dir.Sum(v => v * v));
        for (int i = 0; i < dir.Length; i++) dir[i] /= norm;
        double h = 1e-4;
        double Along(double t) => objective.Loss(layout, x0.Select((v, i) => v + t * dir[i]).ToArray());
        double fd = (8 * (Along(h) - Along(-h)) - (Along(2 * h) - Along(-2 * h))) / (12 * h);
        return (grad.Select((g, i) => g * dir[i]).Sum(), fd);
    }

    private static double[,] SymmetricEigenBasis(int n, long seed)
    {
        var e = Qex.Core.LinearAlgebra.SymmetricEigen.Decompose(RandomSymmetric(n, seed, 1));
        var q = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) q[i, j] = e.Vectors[i, j];
        return q;
    }

    private static Tensor Add(Tensor a, Tensor b, double t) => Tensor.Create(a.ShapeArray(), r => { for (int i = 0; i < r.Length; i++) r[i] = a.Span[i] + t * b.Span[i]; });

    private static double Dot(Tensor a, Tensor b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a.Span[i] * b.Span[i];
        return s;
    }
}
