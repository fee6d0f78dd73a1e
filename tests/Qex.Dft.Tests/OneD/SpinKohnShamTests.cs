using Qex.Autodiff;
using Qex.Core.IO;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.Training;
using Qex.Core.Random;
using Qex.Tests.Common;

namespace Qex.Dft.Tests.OneD;

/// <summary>
/// The spin-polarised 1D Kohn–Sham SCF: a closed shell equals the restricted SCF iteration by iteration, the spin
/// potentials are the derivatives of E_xc, one-electron systems are fully polarised, and the LSDA energies of the
/// shared ion set (H to Be, up to 4 electrons, open and closed shells) are reproduced.
/// </summary>
public sealed class SpinKohnShamTests
{
    private static readonly Grid1D Grid = Grid1D.Linspace(-12, 12, 301);

    [Fact]
    public void AClosedShellEqualsTheRestrictedScfAtEveryIteration()
    {
        var he = new Molecule1D([0.0], [2.0], 2, 0);
        var restricted = new KohnShamSolver(Grid, new ExponentialCoulomb()).Run(he, new ExponentialLda(), []);
        var polarised = new SpinKohnShamSolver(Grid, new ExponentialCoulomb()).Run(he, new ExponentialLda(), []);
        Assert.Equal(restricted.States.Count, polarised.States.Count);
        for (int k = 0; k < restricted.States.Count; k++)
        {
            double a = restricted.States[k].Energy.ToScalar(), b = polarised.States[k].Energy.ToScalar();
            Assert.True(Math.Abs(a - b) < 1e-12, $"iteration {k + 1}: restricted {a:R}, spin-polarised {b:R}");
            Assert.True(restricted.States[k].Density.Value.MaxAbsDiff(polarised.States[k].Density.Value) < 1e-12);
            Assert.True(polarised.States[k].Up.Value.MaxAbsDiff(polarised.States[k].Down.Value) < 1e-14);
        }
    }

    [Fact]
    public void SpinPotentialsAreTheDerivativesOfTheXcEnergy()
    {
        var lda = new ExponentialLda();
        var x = Grid.Points.ToArray();
        var up = Tensor.Wrap([.. Enumerable.Range(0, Grid.Count).Select(i => 0.6 * Math.Exp(-Math.Abs(x[i])))], Grid.Count);
        var down = Tensor.Wrap([.. Enumerable.Range(0, Grid.Count).Select(i => 0.2 * Math.Exp(-2 * Math.Abs(x[i] - 0.5)))], Grid.Count);
        double h = Grid.Spacing;
        Var Eps(Var u, Var d) => lda.SpinEnergyDensity(u, d, [], null!);
        var (vu, vd) = SpinXcEnergy.Potentials(Eps, Var.Constant(up), Var.Constant(down), h);
        foreach (int i in new[] { 0, 40, 150, 151, 220 })
        {
            double step = 1e-6 * Math.Max(up[i], 1e-3);
            double Fd(Tensor t, bool isUp)
            {
                var plus = t.ToArray(); plus[i] += step;
                var minus = t.ToArray(); minus[i] -= step;
                Tensor P(double[] a) => Tensor.Wrap(a, Grid.Count);
                double ep = SpinXcEnergy.Energy(Eps, Var.Constant(isUp ? P(plus) : up), Var.Constant(isUp ? down : P(plus)), h).ToScalar();
                double em = SpinXcEnergy.Energy(Eps, Var.Constant(isUp ? P(minus) : up), Var.Constant(isUp ? down : P(minus)), h).ToScalar();
                return (ep - em) / (2 * step * h);
            }
            Assert.Equal(Fd(up, true), vu.Value[i], 1e-6);
            Assert.Equal(Fd(down, false), vd.Value[i], 1e-6);
        }
    }

    [Fact]
    public void OneElectronIsFullyPolarisedAndBadSpinCountsAreRefused()
    {
        var solver = new SpinKohnShamSolver(Grid, new ExponentialCoulomb());
        var t = solver.Run(new Molecule1D([0.0], [1.0], 1, 1), new ExponentialLda(), []);
        Assert.Equal(0, t.Final.Down.Value.ToArray().Max(Math.Abs));
        Assert.Equal(1.0, t.Final.Up.Value.ToArray().Sum() * Grid.Spacing, 10);
        Assert.Contains("parity", Assert.Throws<ArgumentException>(() => solver.Run(new Molecule1D([0.0], [2.0], 2, 1), new ExponentialLda(), [])).Message);
        Assert.Contains("smearing", Assert.Throws<ArgumentException>(() => solver.Run(new Molecule1D([0.0], [2.0], 2, 0), new ExponentialLda(), [],
            new ScfOptions(Occupation: new Occupation(0.01)))).Message);
    }

    [SharedDataFact("ksr_dft", "ions", "lsda")]
    public void LsdaReproducesTheSharedIonSet()
    {
        // the shared LSDA set was computed in float32 (its v_ext is 1.071295 rounded to float32); converged here in
        // float64, all ten ions agree to 5.5e-5 Ha (measured): 1e-4 bounds the float32 reference, not our method. Three
        // of them here (one electron, an open-shell three, a closed-shell four), 5 s each
        var ds = DatasetReader.Load(Path.Combine(SharedData.Root!, "ksr_dft", "ions", "lsda"));
        var solver = new SpinKohnShamSolver(ds.Grid, new ExponentialCoulomb());
        foreach (var s in ds.Samples.Where(s => s.Label is "H" or "Li" or "Be"))
        {
            var t = solver.Run(s.Molecule, new ExponentialLda(), [], new ScfOptions(Iterations: 300, MixingDecay: 0.99, DensityTolerance: 1e-11));
            Assert.True(t.Converged, $"{s.Label} did not converge");
            double e = t.Final.Energy.ToScalar();
            Assert.True(Math.Abs(e - s.TotalEnergy) < 1e-4, $"{s.Label}: LSDA {e:F8}, shared {s.TotalEnergy:F8}");
        }
    }

    [Fact]
    public void KsrLsdaIsSpinSymmetricAndItsTrainingGradientMatchesFiniteDifferences()
    {
        var xc = new KsrLsda();
        var layout = xc.InitialParameters(RngKey.FromSeed(4));
        var ctx = new XcContext(Grid, new ExponentialCoulomb());
        var vars = layout.Items.Select(i => Var.Constant(i.Value)).ToArray();
        var x = Grid.Points.ToArray();
        var a = Var.Constant(Tensor.Wrap([.. x.Select(v => 0.5 * Math.Exp(-Math.Abs(v)))], Grid.Count));
        var b = Var.Constant(Tensor.Wrap([.. x.Select(v => 0.2 * Math.Exp(-Math.Abs(v - 0.3)))], Grid.Count));
        // exchanging the spins changes nothing; equal spins are the unpolarised form
        Assert.True(xc.SpinEnergyDensity(a, b, vars, ctx).Value.MaxAbsDiff(xc.SpinEnergyDensity(b, a, vars, ctx).Value) < 1e-15);
        Assert.True(xc.SpinEnergyDensity(a, a, vars, ctx).Value.MaxAbsDiff(xc.EnergyDensity(a * 2.0, vars, ctx).Value) < 1e-15);

        // the spin-polarised training objective (Li: 3 electrons, one unpaired) against central differences
        var li = new Molecule1D([0.0], [3.0], 3, 1);
        var target = new SpinKohnShamSolver(Grid, new ExponentialCoulomb()).Run(li, new ExponentialLda(), [], new ScfOptions(Iterations: 6));
        var sample = new Sample(0, "Li", -1, li, target.Final.Energy.ToScalar() - 0.03, target.Final.Density.Value, li.ExternalPotential(Grid, new ExponentialCoulomb()));
        var scf = new ScfOptions(Iterations: 4, SpinPolarised: true);
        var objective = new KohnShamObjective1D(new KohnShamSolver(Grid, new ExponentialCoulomb()), xc, [sample], scf, new LossWeights(EnergySteps: 2));
        var flat = layout.Flatten();
        var (loss, grad, _) = objective.Evaluate(layout, flat);
        Assert.True(loss > 0 && double.IsFinite(loss));
        foreach (int i in new[] { 0, 17, 40, 300, flat.Length - 2, flat.Length - 1 })
        {
            double step = 1e-5;
            var plus = (double[])flat.Clone(); plus[i] += step;
            var minus = (double[])flat.Clone(); minus[i] -= step;
            double fd = (objective.Evaluate(layout, plus).Loss - objective.Evaluate(layout, minus).Loss) / (2 * step);
            Assert.True(Math.Abs(fd - grad[i]) <= 1e-6 + 1e-4 * Math.Abs(fd), $"d loss / d p[{i}]: analytic {grad[i]:E6}, finite differences {fd:E6}");
        }
        // a functional without a spin form is refused
        Assert.Contains("spin functionals", Assert.Throws<ArgumentException>(() =>
            new KohnShamObjective1D(new KohnShamSolver(Grid, new ExponentialCoulomb()), new KsrLocal(1), [sample], scf, new LossWeights(EnergySteps: 2))).Message);
    }
}
