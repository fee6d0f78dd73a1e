using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Kernels.Grid;

namespace Qex.Dft.Tests.Molecular.Grids;

/// <summary>
/// The CPU grid kernel against analytic integrals (the density integrates to Tr(D S), tau to the kinetic energy Tr(D T),
/// their matrices are S and T), finite differences of its energy by the density matrix (the XC matrices of GGA and
/// meta-GGA terms, restricted and per spin), and its basis gradients against finite differences of the values.
/// </summary>
public sealed class XcGridKernelTests
{
    private static readonly Molecule Water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);

    /// <summary>e = sum of coefficient x feature (linear) plus sigma- and tau-products (nonlinear), for both layouts.</summary>
    private sealed class Synthetic(XcInputs inputs, double cRho, double cSigma, double cTau, double cMixed) : IPointFunctional
    {
        public XcInputs Inputs => inputs;

        public void Evaluate(in XcBlock b)
        {
            for (int p = 0; p < b.Points; p++)
            {
                if (b.Spins == 1)
                {
                    double r = b.Rho[p], s = b.Sigma.IsEmpty ? 0 : b.Sigma[p], t = b.Tau.IsEmpty ? 0 : b.Tau[p];
                    // e = cR rho + cS sigma + cT tau + cM rho tau
                    b.E[p] = cRho * r + cSigma * s + cTau * t + cMixed * r * t;
                    b.VRho[p] = cRho + cMixed * t;
                    if (!b.VSigma.IsEmpty) b.VSigma[p] = cSigma;
                    if (!b.VTau.IsEmpty) b.VTau[p] = cTau + cMixed * r;
                }
                else
                {
                    double ra = b.Rho[2 * p], rb = b.Rho[2 * p + 1];
                    double saa = b.Sigma.IsEmpty ? 0 : b.Sigma[3 * p], sab = b.Sigma.IsEmpty ? 0 : b.Sigma[3 * p + 1], sbb = b.Sigma.IsEmpty ? 0 : b.Sigma[3 * p + 2];
                    double ta = b.Tau.IsEmpty ? 0 : b.Tau[2 * p], tb = b.Tau.IsEmpty ? 0 : b.Tau[2 * p + 1];
                    // e = cR (ra + 2 rb) + cS (saa + 3 sab + 0.5 sbb) + cT (ta + tb) + cM ra tb
                    b.E[p] = cRho * (ra + 2 * rb) + cSigma * (saa + 3 * sab + 0.5 * sbb) + cTau * (ta + tb) + cMixed * ra * tb;
                    b.VRho[2 * p] = cRho + cMixed * tb;
                    b.VRho[2 * p + 1] = 2 * cRho;
                    if (!b.VSigma.IsEmpty) { b.VSigma[3 * p] = cSigma; b.VSigma[3 * p + 1] = 3 * cSigma; b.VSigma[3 * p + 2] = 0.5 * cSigma; }
                    if (!b.VTau.IsEmpty) { b.VTau[2 * p] = cTau; b.VTau[2 * p + 1] = cTau + cMixed * ra; }
                }
            }
        }
    }

    private static double[] RandomSymmetric(int n, int seed, double scale)
    {
        var rng = new Random(seed);
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) d[i * n + j] = d[j * n + i] = scale * (rng.NextDouble() - 0.5) + (i == j ? scale : 0);
        return d;
    }

    private static (GridBasis Basis, GridPoints Points, BasisSet Set) Setup(int radial = 100, int spherical = 590)
    {
        var set = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var g = MolecularGrid.Create(Water, GridOptions.Psi4(radial, spherical));
        return (GridBasisFactory.Create(set), new GridPoints(g.X, g.Y, g.Z, g.W), set);
    }

    [Fact]
    public void DensityAndTauIntegrateToTheOverlapAndKineticMatrices()
    {
        var (basis, points, set) = Setup();
        int n = set.FunctionCount;
        var s = OneElectronIntegrals.Overlap(set).ToArray();
        var t = OneElectronIntegrals.Kinetic(set).ToArray();
        var d = RandomSymmetric(n, 1, 0.2);
        var kernel = new CpuXcGridKernel();
        var rho = kernel.Integrate(basis, points, [d], new Synthetic(XcInputs.Density, 1, 0, 0, 0));
        var tau = kernel.Integrate(basis, points, [d], new Synthetic(XcInputs.KineticEnergyDensity, 0, 0, 1, 0));
        double trS = 0, trT = 0;
        for (int i = 0; i < n * n; i++) { trS += d[i] * s[i]; trT += d[i] * t[i]; }
        Assert.Equal(trS, rho.Energy, 6);
        Assert.Equal(trS, rho.Electrons, 6);
        Assert.Equal(trT, tau.Energy, 5);
        for (int i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(rho.Matrices[0][i] - s[i]) < 1e-6, $"V_rho[{i}] {rho.Matrices[0][i]} vs S {s[i]}");
            Assert.True(Math.Abs(tau.Matrices[0][i] - t[i]) < 1e-5, $"V_tau[{i}] {tau.Matrices[0][i]} vs T {t[i]}");
        }
    }

    [Fact]
    public void AKernelReusedAcrossCallsShapesAndThreadsGivesWhatFreshKernelsGive()
    {
        // the kernel keeps its buffers and per-chunk sums between calls: nothing of one call may leak into the next,
        // whatever the order of shapes (spins, inputs, integration or response) and with calls from several threads at once
        // (a leak is a difference of the size of the numbers; equal to round-off, not to the bit: the test host's tiered
        // JIT may recompile the kernel between two calls, see KeptBasisValuesGiveWhatRecomputedOnesGive)
        static void Same(double[] expected, double[] actual)
        {
            double scale = expected.Max(Math.Abs);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-13 * scale, $"element {i}: {expected[i]:R} vs {actual[i]:R}");
        }
        var (basis, points, set) = Setup(30, 110);
        int n = set.FunctionCount;
        var d = new[] { RandomSymmetric(n, 31, 0.1), RandomSymmetric(n, 32, 0.1) };
        var trial = new[] { RandomSymmetric(n, 33, 0.05), RandomSymmetric(n, 34, 0.05) };
        var gga = new Synthetic(XcInputs.Gradient, 0.7, 0.3, 0, 0.5);
        var meta = new Synthetic(XcInputs.KineticEnergyDensity, 0.2, 0.1, 0.4, 0.3);
        var lda = new Synthetic(XcInputs.Density, 0.7, 0, 0, 0);
        var calls = new (IPointFunctional F, double[][] D)[] { (gga, d), (lda, d[..1]), (meta, d), (gga, d[..1]), (gga, d), (meta, d[..1]) };
        var reused = new CpuXcGridKernel(maxThreads: 2);
        for (int round = 0; round < 2; round++)
            foreach (var (f, dens) in calls)
            {
                var fresh = new CpuXcGridKernel(maxThreads: 2).Integrate(basis, points, dens, f);
                var again = reused.Integrate(basis, points, dens, f);
                Same([fresh.Energy, fresh.Electrons], [again.Energy, again.Electrons]);
                for (int s = 0; s < dens.Length; s++) Same(fresh.Matrices[s], again.Matrices[s]);
            }
        var kernel = new LinearKernel();
        var expected = new CpuXcGridKernel().Response(basis, points, d[..1], trial, kernel);
        var response = reused.Response(basis, points, d[..1], trial, kernel);
        for (int t = 0; t < expected.Length; t++) Same(expected[t], response[t]);
        var sequential = calls.Select(c => reused.Integrate(basis, points, c.D, c.F)).ToArray();
        var parallel = new XcGridResult[calls.Length * 3];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 3 }, i => parallel[i] = reused.Integrate(basis, points, calls[i % calls.Length].D, calls[i % calls.Length].F));
        for (int i = 0; i < parallel.Length; i++)
        {
            Same([sequential[i % calls.Length].Energy], [parallel[i].Energy]);
            for (int s = 0; s < sequential[i % calls.Length].Matrices.Length; s++) Same(sequential[i % calls.Length].Matrices[s], parallel[i].Matrices[s]);
        }
    }

    /// <summary>e = rho^2 / 2 (restricted): v = rho, its response v1 = rho1.</summary>
    private sealed class LinearKernel : IPointKernel
    {
        public XcInputs Inputs => XcInputs.Density;

        public void Evaluate(in XcBlock b)
        {
            for (int p = 0; p < b.Points; p++) { b.E[p] = 0.5 * b.Rho[p] * b.Rho[p]; b.VRho[p] = b.Rho[p]; }
        }

        public void EvaluateResponse(in XcResponseBlock b)
        {
            for (int p = 0; p < b.Points; p++) { b.VRho[p] = b.Rho[p]; b.VRho1[p] = b.Rho1[p]; }
        }
    }

    [Fact]
    public void KeptBasisValuesGiveWhatRecomputedOnesGive()
    {
        // the same kernel called again (values kept from the first call) and a kernel that keeps nothing agree, for
        // gradient and density-only functionals in either order, restricted and unrestricted: to round-off, not to
        // the bit, because a tiered JIT may compile the basis evaluation differently between the first call and later
        // ones (seen in the full suite: 4e-15 relative)
        var (basis, points, set) = Setup(40, 110);
        int n = set.FunctionCount;
        var d = new[] { RandomSymmetric(n, 21, 0.1), RandomSymmetric(n, 22, 0.1) };
        var gga = new Synthetic(XcInputs.Gradient, 0.7, 0.3, 0, 0.5);
        var lda = new Synthetic(XcInputs.Density, 0.7, 0, 0, 0);
        var plain = new CpuXcGridKernel(cacheBytes: 0);
        var keeping = new CpuXcGridKernel(cacheBytes: 256L << 20);
        Assert.Equal(0, keeping.CachedBytes);
        foreach (var (f, dens) in new (IPointFunctional, double[][])[] { (gga, d), (gga, d), (lda, d[..1]), (gga, d[..1]), (lda, d) })
        {
            var a = plain.Integrate(basis, points, dens, f);
            var b = keeping.Integrate(basis, points, dens, f);
            Assert.True(Math.Abs(a.Energy - b.Energy) <= 1e-13 * Math.Abs(a.Energy), $"energy {a.Energy:R} vs {b.Energy:R}");
            for (int s = 0; s < dens.Length; s++)
            {
                double scale = a.Matrices[s].Max(Math.Abs);
                Assert.True(a.Matrices[s].Zip(b.Matrices[s], (x, y) => Math.Abs(x - y)).Max() <= 1e-13 * scale, "XC matrices differ");
            }
        }
        Assert.True(keeping.CachedBytes > 0);
        Assert.Equal(0, plain.CachedBytes);
        // a budget below the grid's values keeps nothing
        var small = new CpuXcGridKernel(cacheBytes: 1000);
        small.Integrate(basis, points, d, gga);
        Assert.Equal(0, small.CachedBytes);
    }

    [Theory]
    [InlineData(1, XcInputs.Gradient)]
    [InlineData(1, XcInputs.KineticEnergyDensity)]
    [InlineData(2, XcInputs.Gradient)]
    [InlineData(2, XcInputs.KineticEnergyDensity)]
    public void MatricesAreTheDerivativesOfTheEnergyByTheDensity(int spins, XcInputs inputs)
    {
        var (basis, points, set) = Setup(40, 110);
        int n = set.FunctionCount;
        var f = new Synthetic(inputs, 0.7, 0.3, 0.2, 0.5);
        var kernel = new CpuXcGridKernel();
        var d = Enumerable.Range(0, spins).Select(s => RandomSymmetric(n, 10 + s, 0.1)).ToArray();
        var r = kernel.Integrate(basis, points, d, f);
        const double h = 1e-4;
        var rng = new Random(3);
        for (int trial = 0; trial < 6; trial++)
        {
            int s = trial % spins, u = rng.Next(n), v = rng.Next(n);
            double E(double step)
            {
                var dd = d.Select(x => (double[])x.Clone()).ToArray();
                dd[s][u * n + v] += step;
                if (u != v) dd[s][v * n + u] += step;
                return kernel.Integrate(basis, points, dd, f).Energy;
            }
            double fd = (E(h) - E(-h)) / (2 * h);
            double analytic = r.Matrices[s][u * n + v] * (u == v ? 1 : 2);
            Assert.True(Math.Abs(fd - analytic) <= 1e-7 * Math.Max(1, Math.Abs(fd)), $"spin {s} ({u},{v}): finite difference {fd} vs {analytic}");
        }
    }

    [Fact]
    public void BasisGradientsEqualFiniteDifferences()
    {
        var (basis, _, set) = Setup(10, 6);
        int n = set.FunctionCount;
        var all = Enumerable.Range(0, basis.Shells.Count).ToList();
        double[] x = [0.3, -0.8, 1.1], y = [0.2, 0.5, -0.4], z = [-0.1, 0.9, 0.35];
        var (v, gx, gy, gz) = (new double[3 * n], new double[3 * n], new double[3 * n], new double[3 * n]);
        BasisOnGrid.Evaluate(basis, all, x, y, z, v, gx, gy, gz, 3);
        const double h = 1e-5;
        double[] Values(double[] px, double[] py, double[] pz)
        {
            var o = new double[3 * n];
            BasisOnGrid.Evaluate(basis, all, px, py, pz, o, default, default, default, 3);
            return o;
        }
        double[] Shift(double[] a, double d) => [.. a.Select(q => q + d)];
        var (xp, xm) = (Values(Shift(x, h), y, z), Values(Shift(x, -h), y, z));
        var (yp, ym) = (Values(x, Shift(y, h), z), Values(x, Shift(y, -h), z));
        var (zp, zm) = (Values(x, y, Shift(z, h)), Values(x, y, Shift(z, -h)));
        for (int i = 0; i < 3 * n; i++)
        {
            Assert.Equal((xp[i] - xm[i]) / (2 * h), gx[i], 7);
            Assert.Equal((yp[i] - ym[i]) / (2 * h), gy[i], 7);
            Assert.Equal((zp[i] - zm[i]) / (2 * h), gz[i], 7);
        }
    }

    [Fact]
    public void BasisValuesOverwriteWhatTheBuffersHeld()
    {
        // the evaluation writes every row it owns (no clearing pass): buffers full of NaN give the same values as clean ones
        var (basis, _, set) = Setup(10, 6);
        int n = set.FunctionCount;
        var all = Enumerable.Range(0, basis.Shells.Count).ToList();
        double[] x = [0.3, -0.8, 1.1, 2.5], y = [0.2, 0.5, -0.4, 0.1], z = [-0.1, 0.9, 0.35, -1.7];
        double[][] Run(double fill)
        {
            var b = Enumerable.Range(0, 4).Select(_ => Enumerable.Repeat(fill, 4 * n).ToArray()).ToArray();
            BasisOnGrid.Evaluate(basis, all, x, y, z, b[0], b[1], b[2], b[3], 4);
            return b;
        }
        var clean = Run(0);
        var dirty = Run(double.NaN);
        for (int k = 0; k < 4; k++) Assert.Equal(clean[k], dirty[k]);
        Assert.Contains(set.Shells, s => s.Pure && s.AngularMomentum == 2);   // spherical d rows: sums of several components
    }

    [Fact]
    public void PrimitivesNegligibleOverABlockAreSkippedBelowTheirBound()
    {
        // a tight s primitive (alpha 60, d = 100): at r = 1 it is 100 e^-60 = 9e-25, its gradient 2 alpha r that times
        // more. A block of far points (r >= 1) skips it, a block reaching the nucleus evaluates it: at r = 1 the two
        // differ by that term alone, below 1e-18
        var shell = new GridShell(0, 0, 0, [60.0], [100.0], [0, 0, 0], [1.0], 0, 1, 20.0);
        var basis = new GridBasis([shell], 1);
        double[] Value(double[] x)
        {
            var (v, gx, gy, gz) = (new double[x.Length], new double[x.Length], new double[x.Length], new double[x.Length]);
            BasisOnGrid.Evaluate(basis, [0], x, new double[x.Length], new double[x.Length], v, gx, gy, gz, x.Length);
            return [v[0], gx[0]];
        }
        var near = Value([1.0, 0.01]);
        var far = Value([1.0, 1.2]);
        Assert.Equal(1.0, near[0] / (100 * Math.Exp(-60)), 12);
        Assert.Equal(1.0, near[1] / (-2 * 60 * 100 * Math.Exp(-60)), 12);
        Assert.Equal([0.0, 0.0], far);   // skipped: nothing left of the shell there
        Assert.True(Math.Abs(near[0] - far[0]) < 1e-18 && Math.Abs(near[1] - far[1]) < 1e-18);
    }

    [Fact]
    public void AShellFunctionWithoutComponentsIsZeroAndOversizedShellsAreRefused()
    {
        // a transform row of zeros (no component) gives a zero function, whatever the buffer held
        var shell = new GridShell(0, 0, 0, [1.0], [1.0], [0, 0, 0], [0.0, 0.0], 0, 2, 5.0);
        var basis = new GridBasis([shell], 2);
        double[] x = [0.1, 0.2], y = [0.0, 0.3], z = [0.4, -0.2];
        var v = Enumerable.Repeat(double.NaN, 4).ToArray();
        BasisOnGrid.Evaluate(basis, [0], x, y, z, v, default, default, default, 2);
        Assert.All(v, q => Assert.Equal(0.0, q));
        BasisOnGrid.Evaluate(basis, [0], [], [], [], [], default, default, default, 0);   // no points: nothing to do, no error
        var big = new GridShell(0, 0, 0, [1.0], [1.0], [0, 0, 0], new double[29], 0, 29, 5.0);
        var ex = Assert.Throws<ArgumentException>(() => BasisOnGrid.Evaluate(new GridBasis([big], 29), [0], x, y, z, new double[58], default, default, default, 2));
        Assert.Contains("29 functions", ex.Message);
    }

    [Fact]
    public void ScreeningBelowTheCutoffChangesNothingThatMatters()
    {
        var set = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var g = MolecularGrid.Create(Water, GridOptions.Psi4(75, 302));
        var points = new GridPoints(g.X, g.Y, g.Z, g.W);
        var d = RandomSymmetric(set.FunctionCount, 5, 0.2);
        var f = new Synthetic(XcInputs.KineticEnergyDensity, 0.7, 0.3, 0.2, 0.5);
        var kernel = new CpuXcGridKernel();
        var screened = kernel.Integrate(GridBasisFactory.Create(set), points, [d], f);
        var full = kernel.Integrate(GridBasisFactory.Create(set, 1e-300), points, [d], f);
        Assert.Equal(full.Energy, screened.Energy, 11);
        for (int i = 0; i < d.Length; i++) Assert.Equal(full.Matrices[0][i], screened.Matrices[0][i], 11);
    }

    [Fact]
    public void BadDensitiesAreRefused()
    {
        var (basis, points, _) = Setup(10, 6);
        var f = new Synthetic(XcInputs.Density, 1, 0, 0, 0);
        var e = Assert.Throws<ArgumentException>(() => new CpuXcGridKernel().Integrate(basis, points, [new double[4]], f));
        Assert.Contains("24 x 24", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GridBasisFactory.Create(BasisSet.For(Water, BasisSetLibrary.Load("sto-3g")), 0));
    }
}
