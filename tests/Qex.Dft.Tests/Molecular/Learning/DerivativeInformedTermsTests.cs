using Qex.Autodiff;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Learning;
using Qex.Dft.Molecular.Response;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.Molecular.Learning;

/// <summary>
/// The gradient and Hessian terms of the DI-loss: the student's orbital gradient and Hessian products (autodiff, at the
/// teacher's orbitals) against the production orbital Hessian of the same model as an XC component (another code path),
/// and the terms' parameter gradients (third-order mixed derivatives for the Hessian term) against finite differences.
/// </summary>
public sealed class DerivativeInformedTermsTests
{
    private const string Water = "O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692";

    private static (Molecule Mol, BasisSet Basis, MolecularProblem Problem, EnhancementXcModel Model, ParameterSetHolder P, TeacherDerivatives Teacher) Setup(int directions)
    {
        var mol = Molecule.ParseGeometry(Water, 0, 1);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var problem = new MolecularProblem(mol, basis, new Qex.Dft.Molecular.Grids.GridOptions(30, 110));
        // the teacher: B3LYP on the same grid, its orbitals and Hessian products
        var b3lyp = XcFunctional.Parse("b3lyp");
        var scf = KohnSham.Run(mol, basis, b3lyp, new Qex.Dft.Molecular.Grids.GridOptions(30, 110), new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-9));
        var c = scf.Coefficients[0];
        int o = mol.ElectronCount / 2, v = c.Dim(1) - o;
        var dirs = TeacherDerivatives.RandomDirections(v, o, directions, 11);
        var hessian = new OrbitalHessian(mol, basis, b3lyp, [c.ToArray()], new Qex.Dft.Molecular.Grids.GridOptions(30, 110));
        var teacher = new TeacherDerivatives(c, o, dirs, [.. dirs.Select(d => hessian.Multiply([d])[0])]);
        // a student away from its initial (Slater) point: every layer carries weight
        var model = new EnhancementXcModel(MolecularXcFeatures.Gga, 6, 5);
        var p = model.InitialParameters(RngKey.FromSeed(3));
        var flat = p.Flatten();
        var rng = new Rng(9);
        for (int i = 0; i < flat.Length; i++) flat[i] += 0.3 * rng.Normal();
        return (mol, basis, problem, model, new ParameterSetHolder(p.Unflatten(flat)), teacher);
    }

    /// <summary>Keeps a parameter set (records cannot hold the ParameterSet in a tuple pattern on older compilers).</summary>
    private sealed record ParameterSetHolder(Qex.Autodiff.Optimisers.ParameterSet Set);

    [Fact]
    public void StudentGradientAndHessianProductsEqualTheProductionOrbitalHessian()
    {
        var (mol, basis, problem, model, p, teacher) = Setup(2);
        var vars = p.Set.ToVars();
        var g = DerivativeInformedTerms.OrbitalGradient(problem, model, vars, teacher).Value.ToArray();
        var hs = DerivativeInformedTerms.HessianProducts(problem, model, vars, teacher);
        var functional = XcFunctional.FromComponent(model.Name, model.Component(p.Set));
        var production = new OrbitalHessian(mol, basis, functional, [teacher.Coefficients.ToArray()], new Qex.Dft.Molecular.Grids.GridOptions(30, 110));
        var g0 = production.Gradient()[0];
        double gs = g0.Max(Math.Abs);
        for (int k = 0; k < g.Length; k++) Assert.True(Math.Abs(g[k] - g0[k]) < 1e-8 * Math.Max(1, gs), $"gradient {k}: {g[k]} against {g0[k]}");
        for (int d = 0; d < hs.Count; d++)
        {
            var h0 = production.Multiply([teacher.Directions[d]])[0];
            var h = hs[d].Value.ToArray();
            double hsMax = h0.Max(Math.Abs);
            for (int k = 0; k < h.Length; k++) Assert.True(Math.Abs(h[k] - h0[k]) < 1e-8 * Math.Max(1, hsMax), $"direction {d}, element {k}: {h[k]} against {h0[k]}");
        }
    }

    [Theory]
    [InlineData(false, "enhancement-gga")]
    [InlineData(true, "enhancement-gga")]
    [InlineData(true, "moments-gga")]
    [InlineData(false, "qnn-enhancement-gga")]
    public void ParameterGradientsEqualFiniteDifferences(bool hessianTerm, string architecture)
    {
        var (_, _, problem, _, _, teacher) = Setup(2);
        IMolecularXcModel model = architecture switch
        {
            "moments-gga" => new MomentXcModel(MolecularXcFeatures.Gga, 5, 4),
            "qnn-enhancement-gga" => new QuantumEnhancementXcModel(MolecularXcFeatures.Gga, 2, 2),
            _ => new EnhancementXcModel(MolecularXcFeatures.Gga, 6, 5),
        };
        var p0 = model.InitialParameters(RngKey.FromSeed(3));
        var shifted = p0.Flatten();
        var r0 = new Rng(9);
        for (int i = 0; i < shifted.Length; i++) shifted[i] += 0.3 * r0.Normal();
        var p = new ParameterSetHolder(p0.Unflatten(shifted));
        double Loss(Qex.Autodiff.Optimisers.ParameterSet set, out Var[] vars)
        {
            vars = set.ToVars();
            var l = hessianTerm ? DerivativeInformedTerms.HessianLoss(problem, model, vars, teacher) : DerivativeInformedTerms.GradientLoss(problem, model, vars, teacher);
            return l.ToScalar();
        }
        var vs = p.Set.ToVars();
        var loss = hessianTerm ? DerivativeInformedTerms.HessianLoss(problem, model, vs, teacher) : DerivativeInformedTerms.GradientLoss(problem, model, vs, teacher);
        var grad = p.Set.FlattenGradients(Grad.Compute(loss, vs));
        var flat = p.Set.Flatten();
        var rng = new Rng(21);
        var u = Enumerable.Range(0, flat.Length).Select(_ => rng.Normal()).ToArray();
        double analytic = grad.Zip(u, (a, b) => a * b).Sum();
        const double h = 1e-4;
        double At(double t) => Loss(p.Set.Unflatten(flat.Zip(u, (a, b) => a + t * b).ToArray()), out _);
        // fourth-order central difference
        double fd = (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
        Assert.True(Math.Abs(analytic - fd) <= 1e-6 * Math.Abs(fd), $"{(hessianTerm ? "Hessian" : "gradient")} term: analytic {analytic:R} against finite differences {fd:R}");
        Assert.True(loss.ToScalar() > 0);
    }

    [Fact]
    public void TheQuantumModelsHessianTermNeedsThirdCircuitDerivativesAndSaysSo()
    {
        // the per-point circuit has exact first and second derivatives; the Hessian term's parameter gradient is a third
        var (_, _, problem, _, _, teacher) = Setup(1);
        var model = new QuantumEnhancementXcModel(MolecularXcFeatures.Gga, 2, 2);
        var vars = model.InitialParameters(RngKey.FromSeed(3)).ToVars();
        var loss = DerivativeInformedTerms.HessianLoss(problem, model, vars, teacher);
        Assert.Contains("Third derivatives of circuit expectations", Assert.Throws<NotSupportedException>(() => Grad.Compute(loss, vars)).Message);
    }

    [Fact]
    public void BadTeacherDataIsNamed()
    {
        var (_, _, problem, model, p, teacher) = Setup(1);
        var vars = p.Set.ToVars();
        var wrong = teacher with { Occupied = 4 };
        Assert.Contains("occupied orbitals", Assert.Throws<ArgumentException>(() => DerivativeInformedTerms.GradientLoss(problem, model, vars, wrong)).Message);
        var noProducts = teacher with { HessianProducts = [] };
        Assert.Contains("Hessian products", Assert.Throws<ArgumentException>(() => DerivativeInformedTerms.HessianLoss(problem, model, vars, noProducts)).Message);
        var badDirection = teacher with { Directions = [new double[3]], HessianProducts = [new double[3]] };
        Assert.Contains("tangent direction", Assert.Throws<ArgumentException>(() => DerivativeInformedTerms.HessianLoss(problem, model, vars, badDirection)).Message);
    }

    [Fact]
    public void TheTrainingObjectiveWithTheDerivativeTermsHasTheFiniteDifferenceGradient()
    {
        // H2/6-31G with a B3LYP teacher: SCF trajectory energy and density terms plus the gradient and Hessian terms
        var mol = MolecularSystems.Create("h2", 0.9);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("6-31g"));
        var reference = MolecularReferences.Compute(mol, basis, "b3lyp");
        Assert.NotNull(reference.Coefficients);
        var grid = new Qex.Dft.Molecular.Grids.GridOptions(30, 110);
        var sample = new MolecularSample("h2 0.9", new MolecularProblem(mol, basis, grid), reference.Energy, reference.Density)
        {
            Teacher = TeacherDerivatives.Of(mol, basis, reference, 2, 7),
        };
        var model = new EnhancementXcModel(MolecularXcFeatures.Gga, 5, 4);
        var layout = model.InitialParameters(RngKey.FromSeed(1));
        var flat = layout.Flatten();
        var rng = new Rng(4);
        for (int i = 0; i < flat.Length; i++) flat[i] += 0.2 * rng.Normal();
        var scf = new DifferentiableScfOptions(Iterations: 6, Grid: grid);
        var plain = new MolecularObjective(model, [sample], scf, new LossWeights(EnergySteps: 3));
        var full = new MolecularObjective(model, [sample], scf, new LossWeights(EnergySteps: 3, GradientWeight: 2, HessianWeight: 0.5, HessianDirections: 2));
        var (loss, gradient, _) = full.Evaluate(layout, flat);
        Assert.True(loss > plain.Loss(layout, flat), "the derivative terms add to the loss");
        var u = Enumerable.Range(0, flat.Length).Select(_ => rng.Normal()).ToArray();
        double analytic = gradient.Zip(u, (a, b) => a * b).Sum();
        const double h = 1e-4;
        double At(double t) => full.Loss(layout, flat.Zip(u, (a, b) => a + t * b).ToArray());
        double fd = (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
        Assert.True(Math.Abs(analytic - fd) <= 1e-6 * Math.Abs(fd), $"analytic {analytic:R} against finite differences {fd:R}");
    }
}
