using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Training;

namespace Qex.Dft.Tests.OneD;

public sealed class SolverDetailTests
{
    private static readonly Grid1D Grid = Grid1D.Linspace(-10, 10, 401);

    private static Var Harmonic() => Var.Constant(TensorMath.Map(Grid.Points, x => 0.5 * x * x));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void FermiDiracReducesToAufbauAsTheTemperatureVanishes(int electrons)
    {
        var solver = new NonInteractingSolver(Grid);
        var aufbau = solver.Solve(Harmonic(), electrons);
        const double theta = 1e-3;
        var smeared = solver.Solve(Harmonic(), electrons, new Occupation(Temperature: theta));
        Assert.Equal(aufbau.SumEigenvalues.ToScalar(), smeared.SumEigenvalues.ToScalar(), 9);
        // a closed shell has no entropy; a half-filled level (p = 1/2) keeps -theta S = -2 theta ln 2, which vanishes with theta
        Assert.Equal(electrons % 2 == 1 ? -2 * theta * Math.Log(2) : 0, smeared.Entropy.ToScalar(), 9);
        Assert.True(aufbau.Density.Value.MaxAbsDiff(smeared.Density.Value) < 1e-9);
        Assert.Equal(electrons, Grid.Integrate(smeared.Density.Value.Span), 10);
    }

    [Fact]
    public void FermiDiracOccupationsAndEntropyMatchTheirFormulas()
    {
        // at theta = 0.5 two levels 1 apart share two electrons: f_i = 2 sigmoid(-(e_i - mu)/theta) with sum 2
        var smeared = new NonInteractingSolver(Grid).Solve(Harmonic(), 2, new Occupation(Temperature: 0.5));
        var f = smeared.Occupations;
        Assert.Equal(2.0, f.Sum(), 12);
        var eps = smeared.Eigenvalues.ToArray();
        double mu = FermiDirac.ChemicalPotential(eps, 2, 0.5);
        for (int i = 0; i < f.Length; i++) Assert.Equal(2 / (1 + Math.Exp((eps[i] - mu) / 0.5)), f[i], 12);
        double entropy = -2 * f.Select(x => x / 2).Where(p => p > 0 && p < 1).Sum(p => p * Math.Log(p) + (1 - p) * Math.Log(1 - p));
        Assert.Equal(-0.5 * entropy, smeared.Entropy.ToScalar(), 12);
    }

    [Fact]
    public void SmearedDensityAndFreeEnergyAreDifferentiableInThePotential()
    {
        var grid = Grid1D.Linspace(-4, 4, 41);
        var solver = new NonInteractingSolver(grid);
        var v0 = TensorMath.Map(grid.Points, x => 0.3 * x * x + 0.1 * Math.Sin(3 * x));
        Var F(Var[] p)
        {
            var r = solver.Solve(p[0], 3, new Occupation(Temperature: 0.2));
            return Op.Concat([r.Density, Op.Reshape(r.SumEigenvalues + r.Entropy, 1)], 0);
        }
        GradCheck.AssertWithin(GradCheck.Gradient(F, [v0], new GradCheckOptions(Step: 1e-4)), 1e-6);
        // the free energy's derivative in v is the density (Hellmann-Feynman with the entropy term)
        var v = Var.Parameter(v0);
        var r = solver.Solve(v, 3, new Occupation(Temperature: 0.2));
        var dv = Grad.Of(r.SumEigenvalues + r.Entropy, v).Value;
        var n = r.Density.Value;
        for (int i = 0; i < grid.Count; i++) Assert.Equal(n[i] * grid.Spacing, dv[i], 9);
    }

    [Fact]
    public void ReflectionSymmetryAboutAPointAndAboutAMidpoint()
    {
        var grid = Grid1D.Linspace(-1.0, 1.0, 11); // h = 0.2, points at -1.0, -0.8, ..., 1.0
        var f = Var.Constant(Tensor.Vector(Enumerable.Range(0, 11).Select(i => (double)i * i).ToArray()));
        var onPoint = new ReflectionSymmetry(grid, 0.2).Apply(f).Value;     // centre index 6: window 1..11 -> 1..10
        Assert.Equal(0, onPoint[0]);                                          // index 0 has no mirror (12 - 0 = 12 out of range)
        Assert.Equal((5 * 5 + 7 * 7) / 2.0, onPoint[5]);
        Assert.Equal(onPoint[5], onPoint[7]);
        var midpoint = new ReflectionSymmetry(grid, 0.1).Apply(f).Value;    // between indices 5 and 6: mirror j -> 11 - j
        Assert.Equal((5 * 5 + 6 * 6) / 2.0, midpoint[5]);
        Assert.Equal(midpoint[1], midpoint[10]);
        Assert.Equal(0, midpoint[0]);
        var twice = new ReflectionSymmetry(grid, 0.1).Apply(Var.Constant(midpoint)).Value;
        Assert.True(twice.MaxAbsDiff(midpoint) < 1e-15);
        Assert.Throws<ArgumentException>(() => new ReflectionSymmetry(grid, 0.05));
    }

    [Fact]
    public void DensityToleranceStopsTheScfEarly()
    {
        var grid = Grid1D.Linspace(-8, 8, 201);
        var solver = new KohnShamSolver(grid, new ExponentialCoulomb());
        var mol = new Molecule1D([-0.8, 0.8], [1, 1], 2);
        var t = solver.Run(mol, new ExponentialLda(), [], new ScfOptions(Iterations: 60, MixingDecay: 1.0, DensityTolerance: 1e-6));
        Assert.True(t.Converged);
        Assert.True(t.States.Count < 60);
        Assert.True(t.Final.DensityChange < 1e-6);
        // at self-consistency the energy no longer changes
        Assert.Equal(t.States[^2].Energy.ToScalar(), t.Final.Energy.ToScalar(), 6);
    }

    [Theory]
    [InlineData("ksr-lda")]
    [InlineData("ksr-gga")]
    [InlineData("ksr-global")]
    public void NeuralFunctionalsAreDifferentiableInDensityAndParametersToSecondOrder(string name)
    {
        var grid = Grid1D.Linspace(-3.2, 3.2, 41);
        var context = new XcContext(grid, new ExponentialCoulomb());
        var xc = XcFunctionals.Create(name);
        var p = xc.InitialParameters(RngKey.FromSeed(4));
        var n0 = TensorMath.Map(grid.Points, x => 0.6 * Math.Exp(-x * x));
        Var Energy(Var[] v) => XcEnergy.Energy(d => xc.EnergyDensity(d, v[1..], context), v[0], grid.Spacing);
        var inputs = new[] { n0 }.Concat(p.Items.Select(i => i.Value)).ToArray();
        GradCheck.AssertWithin(GradCheck.Gradient(Energy, inputs, new GradCheckOptions(Step: 1e-5, MaxPerInput: 8)), 1e-6);
        // the potential (a gradient) is differentiable in the parameters: what training needs
        Var Potential(Var[] v)
        {
            var n = Var.Parameter(n0);
            return XcEnergy.Potential(d => xc.EnergyDensity(d, v, context), n, grid.Spacing);
        }
        GradCheck.AssertWithin(GradCheck.Gradient(Potential, p.Items.Select(i => i.Value).ToArray(), new GradCheckOptions(Step: 1e-5, MaxPerInput: 8)), 1e-6);
    }

    [Fact]
    public void ParameterCountsMatchTheArchitectures()
    {
        Assert.Equal(1568, new KsrGlobal().InitialParameters(RngKey.FromSeed(0)).TotalLength);
        Assert.Equal(16 + 16 + 256 + 16 + 16 + 1 + 1, new KsrLocal(1).InitialParameters(RngKey.FromSeed(0)).TotalLength);
        Assert.Equal(48 + 16 + 256 + 16 + 16 + 1 + 1, new KsrLocal(3).InitialParameters(RngKey.FromSeed(0)).TotalLength);
    }
}
