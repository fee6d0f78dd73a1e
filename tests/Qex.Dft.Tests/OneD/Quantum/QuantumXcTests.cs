using Qex.Tests.Common;
using Qex.Autodiff;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Dft.OneD;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Training;
using Qex.Dft.OneD.Xc;
using Qex.Dft.OneD.Xc.Quantum;
using Qex.Quantum.Noise;
using Qex.Dft.Training;
using Qex.Dft.Models;

namespace Qex.Dft.Tests.OneD.Quantum;

public sealed class QuantumXcTests
{
    [Fact]
    public void ThePapersGlobalModelHasExactly316ParametersAndItsControlAsMany()
    {
        var q = XcFunctionals.Create("qnn-global");
        var p = q.InitialParameters(RngKey.FromSeed(0));
        Assert.Equal(316, p.TotalLength);
        Assert.Equal(144, p.Items[0].Value.Length);
        Assert.Equal(171, p.Items[1].Value.Length);
        var c = XcFunctionals.Create("mlp-global");
        Assert.Equal(316, c.InitialParameters(RngKey.FromSeed(0)).TotalLength);
        Assert.All(p.Items[0].Value.ToArray(), a => Assert.InRange(a, -0.1, 0.1));
    }

    private static (Grid1D Grid, XcContext Context, Tensor Density) H2Density(int points = 513)
    {
        var grid = Grid1D.Linspace(-256 * 0.08, 256 * 0.08, points);
        var ctx = new XcContext(grid, new ExponentialCoulomb());
        var d = Tensor.Create([points], s =>
        {
            for (int i = 0; i < points; i++)
            {
                double x = grid.Points[i];
                s[i] = 0.6 * (Math.Exp(-Math.Abs(x - 0.7)) + Math.Exp(-Math.Abs(x + 0.7))) * 0.5;
            }
        });
        return (grid, ctx, d);
    }

    [Theory]
    [InlineData("qnn-local")]
    [InlineData("qnn-window")]
    [InlineData("rydberg-local")]
    [InlineData("rydberg-window")]
    public void SlidingModelsGiveOneEnergyDensityPerPointOnAnyGrid(string name)
    {
        var f = XcFunctionals.Create(name);
        var p = f.InitialParameters(RngKey.FromSeed(1)).Items.Select(i => Var.Constant(i.Value)).ToList();
        foreach (int n in new[] { 101, 257 })
        {
            var (_, ctx, d) = H2Density(n);
            var eps = f.EnergyDensity(Var.Constant(d), p, ctx);
            Assert.Equal(n, eps.Length);
            Assert.All(eps.Value.ToArray(), e => Assert.True(double.IsFinite(e) && e < 0.28));
        }
    }

    [Fact]
    public void AnalogModelsNameTheEncodingsTheyAccept()
    {
        var e = Assert.Throws<ArgumentException>(() => XcFunctionals.Create("rydberg-local", new QuantumCircuitOptions(Qubits: 2, Layers: 1, FeatureMap: Qex.Quantum.Circuits.FeatureMapKind.Chebyshev)));
        Assert.Contains("feature_map: direct", e.Message);
        Assert.Contains("amplitude", e.Message);
        Assert.Contains("chebyshev", e.Message);
        var amplitude = XcFunctionals.Create("rydberg-window", new QuantumCircuitOptions(Qubits: 3, Layers: 1, FeatureMap: Qex.Quantum.Circuits.FeatureMapKind.Amplitude));
        Assert.Contains("drive amplitudes", Assert.IsType<SlidingWindowXc>(amplitude).Model.Describe());
    }

    [Theory]
    [InlineData("qnn-global", 3)]
    [InlineData("qnn-window", 3)]
    [InlineData("qnn-local", 4)]
    [InlineData("mlp-global", 5)]
    [InlineData("qnn-window:chebyshev", 6)]
    [InlineData("qnn-window:amplitude", 7)]
    [InlineData("rydberg-local", 8)]
    [InlineData("rydberg-window", 9)]
    [InlineData("rydberg-local:amplitude", 10)]
    public void PotentialAndItsParameterDerivativesMatchFiniteDifferences(string spec, long seed)
    {
        // v_xc = (1/h) dE_xc/dn by autodiff through the circuits; then a loss of v_xc differentiated by the parameters
        string name = spec.Split(':')[0];
        int points = name.EndsWith("global", StringComparison.Ordinal) ? 513 : 63;
        var (grid, ctx, d) = H2Density(points);
        var options = spec.Contains(':', StringComparison.Ordinal)
            ? new QuantumCircuitOptions(Qubits: spec.EndsWith("amplitude", StringComparison.Ordinal) ? 2 : 6, Layers: 3,
                FeatureMap: Qex.Quantum.Circuits.FeatureMaps.Parse(spec.Split(':')[1]), InputScale: 2.0)
            : null;
        var f = XcFunctionals.Create(name, options, gridPoints: points);
        var init = f.InitialParameters(RngKey.FromSeed(seed));
        var r = new Rng(seed).NormalTensor([points]);
        Var Loss(Var[] p)
        {
            var n = Var.Parameter(d);
            var v = XcEnergy.Potential(x => f.EnergyDensity(x, p, ctx), n, grid.Spacing);
            return Op.Sum(v * Var.Constant(r)) * grid.Spacing + XcEnergy.Energy(x => f.EnergyDensity(x, p, ctx), n, grid.Spacing);
        }
        var result = GradCheck.Gradient(Loss, init.Items.Select(i => i.Value).ToArray(), new GradCheckOptions(Step: 1e-4, MaxPerInput: 4, Floor: 1e-4));
        GradCheck.AssertWithin(result, 1e-6, $"{spec}: parameter gradient of a loss of v_xc");
        // the potential itself against differences of the energy
        var p0 = init.Items.Select(i => Var.Constant(i.Value)).ToList();
        var vx = XcEnergy.Potential(x => f.EnergyDensity(x, p0, ctx), Var.Parameter(d), grid.Spacing).Value;
        double E(Tensor dd) => XcEnergy.Energy(x => f.EnergyDensity(x, p0, ctx), Var.Constant(dd), grid.Spacing).ToScalar();
        foreach (int i in new[] { points / 2, points / 3, 5 })
        {
            const double h = 1e-4;
            Tensor Bump(double s) { var a = d.ToArray(); a[i] += s; return Tensor.Wrap(a, points); }
            double fd = (8 * (E(Bump(h)) - E(Bump(-h))) - (E(Bump(2 * h)) - E(Bump(-2 * h)))) / (12 * h) / grid.Spacing;
            Assert.True(Math.Abs(fd - vx[i]) < 1e-6 * Math.Max(1, Math.Abs(fd)), $"{name} v_xc[{i}] = {vx[i]} vs {fd}");
        }
    }

    [SharedDataTheory("jaxdft", "h2")]
    [InlineData("qnn-global")]
    [InlineData("qnn-window")]
    public void TrajectoryLossGradientOfTheQuantumModelMatchesFiniteDifferences(string name)
    {
        // one H2 molecule, 6 KS iterations, the 316-parameter model: the full chain (circuits inside v_xc inside KS)
        var ds = DatasetReader.Load("h2");
        var sample = ds.Split("train")[0];
        var solver = new KohnShamSolver(ds.Grid, new ExponentialCoulomb());
        var q = XcFunctionals.Create(name);
        var init = q.InitialParameters(RngKey.FromSeed(7));
        Var Loss(Var[] p) => TrajectoryLoss.Molecule(solver.Run(sample.Molecule, q, p, new ScfOptions(Iterations: 6)), sample, ds.Grid.Spacing, new LossWeights(EnergySteps: 3));
        var result = GradCheck.Gradient(Loss, init.Items.Select(i => i.Value).ToArray(), new GradCheckOptions(Step: 1e-4, MaxPerInput: 3, Floor: 1e-3));
        GradCheck.AssertWithin(result, 1e-5, $"{name} training-loss gradient");
    }

    [Fact]
    public void NoisyBackendEvaluatesAndItsPotentialIsDifferentiableByTheParameters()
    {
        var opts = new QuantumCircuitOptions(Qubits: 2, Layers: 1, Backend: new QuantumBackendOptions(NoiseModel.FromDevice(DevicePreset.Worst, 1)));
        var f = XcFunctionals.Create("qnn-local", opts);
        var (grid, ctx, d) = H2Density(31);
        var p = f.InitialParameters(RngKey.FromSeed(2)).Items.Select(i => Var.Parameter(i.Value)).ToList();
        var exact = XcFunctionals.Create("qnn-local", opts with { Backend = null });
        double en = XcEnergy.Energy(x => f.EnergyDensity(x, p, ctx), Var.Constant(d), grid.Spacing).ToScalar();
        double ee = XcEnergy.Energy(x => exact.EnergyDensity(x, p, ctx), Var.Constant(d), grid.Spacing).ToScalar();
        Assert.NotEqual(ee, en);
        var v = XcEnergy.Potential(x => f.EnergyDensity(x, p, ctx), Var.Parameter(d), grid.Spacing); // parameter shift
        Assert.All(v.Value.ToArray(), x => Assert.True(double.IsFinite(x)));
        // training under noise: a loss of the noisy v_xc (and of E_xc) differentiated by the parameters (the density
        // matrix's analytic derivatives: the potential's response to the parameters) against finite differences
        var r = new Rng(3).NormalTensor([d.Length]);
        Var Loss(Var[] q)
        {
            var n = Var.Parameter(d);
            var vq = XcEnergy.Potential(x => f.EnergyDensity(x, q, ctx), n, grid.Spacing);
            return Op.Sum(vq * Var.Constant(r)) * grid.Spacing + XcEnergy.Energy(x => f.EnergyDensity(x, q, ctx), n, grid.Spacing);
        }
        var check = GradCheck.Gradient(Loss, p.Select(x => x.Value).ToArray(), new GradCheckOptions(Step: 1e-4, MaxPerInput: 6, Floor: 1e-4));
        GradCheck.AssertWithin(check, 1e-6, "noisy qnn-local: parameter gradient of a loss of v_xc");
        // at noise scale 0 the density-matrix backend (parameter-shift potential) reproduces the exact one
        var zero = XcFunctionals.Create("qnn-local", opts with { Backend = new QuantumBackendOptions(NoiseModel.FromDevice(DevicePreset.Worst, 0)) });
        var pc = p.Select(x => Var.Constant(x.Value)).ToList();
        var v0 = XcEnergy.Potential(x => zero.EnergyDensity(x, pc, ctx), Var.Parameter(d), grid.Spacing).Value;
        var ve = XcEnergy.Potential(x => exact.EnergyDensity(x, pc, ctx), Var.Parameter(d), grid.Spacing).Value;
        for (int i = 0; i < d.Length; i++) Assert.True(Math.Abs(v0[i] - ve[i]) < 1e-10, $"v_xc[{i}]: {v0[i]} vs exact {ve[i]}");
        // quantum trajectories estimate the density-matrix energy (many points average the jump noise); same seed, same result
        var traj = opts with { Backend = new QuantumBackendOptions(NoiseModel.FromDevice(DevicePreset.Worst, 1), Trajectories: 200, Seed: 4) };
        double Et() => XcEnergy.Energy(x => XcFunctionals.Create("qnn-local", traj).EnergyDensity(x, pc, ctx), Var.Constant(d), grid.Spacing).ToScalar();
        double et = Et();
        Assert.Equal(et, Et());
        Assert.True(Math.Abs(et - en) < 0.01 * Math.Abs(en), $"trajectories {et} vs density matrix {en}");
    }

    [Fact]
    public void AModelOnADeviceGivesTheCpuEnergyPotentialAndParameterGradient()
    {
        // the exact statevector on ILGPU's CPU accelerator (the test double of CUDA): energy, potential (adjoint gradient
        // of the circuits) and the potential's parameter derivative (second derivatives on the CPU) as on the CPU
        using var device = Qex.Kernels.Devices.DeviceCatalog.Open(Qex.Kernels.Devices.DeviceKind.IlgpuCpu);
        var opts = new QuantumCircuitOptions(Qubits: 3, Layers: 2);
        var onDevice = opts with { Backend = QuantumBackendOptions.Exact with { Device = device } };
        Assert.EndsWith("on ilgpu-cpu", onDevice.Backend!.ToString(), StringComparison.Ordinal);
        var cpu = XcFunctionals.Create("qnn-window", opts);
        var gpu = XcFunctionals.Create("qnn-window", onDevice);
        var (grid, ctx, d) = H2Density(31);
        var p = cpu.InitialParameters(RngKey.FromSeed(3)).Items.Select(i => Var.Parameter(i.Value)).ToList();
        double ea = XcEnergy.Energy(x => cpu.EnergyDensity(x, p, ctx), Var.Constant(d), grid.Spacing).ToScalar();
        double eb = XcEnergy.Energy(x => gpu.EnergyDensity(x, p, ctx), Var.Constant(d), grid.Spacing).ToScalar();
        Assert.Equal(ea, eb, 1e-12 * Math.Abs(ea));
        var va = XcEnergy.Potential(x => cpu.EnergyDensity(x, p, ctx), Var.Parameter(d), grid.Spacing);
        var vb = XcEnergy.Potential(x => gpu.EnergyDensity(x, p, ctx), Var.Parameter(d), grid.Spacing);
        for (int i = 0; i < d.Length; i++) Assert.Equal(va.Value[i], vb.Value[i], 1e-11);
        var ga = Grad.Of(Op.Sum(va), p[0]).Value.ToArray();
        var gb = Grad.Of(Op.Sum(vb), p[0]).Value.ToArray();
        Assert.Equal(ga.Length, gb.Length);
        for (int i = 0; i < ga.Length; i++) Assert.Equal(ga[i], gb[i], 1e-10 * Math.Max(1, Math.Abs(ga[i])));
    }
}
