using Qex.Autodiff.Forward;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Xc;

/// <summary>
/// The closed-shell fast paths (hand-derived derivatives over blocks of points) against the generic formulas with
/// forward-mode derivatives, against libxc's unpolarised values and potentials, and against finite differences of
/// their own energy density; and an SCF integration through them against the point-by-point path.
/// </summary>
public sealed class ClosedShellTests
{
    /// <summary>(rho, sigma): valence, tail, core-like, large gradients, tiny densities, and sigma = 0.</summary>
    private static readonly (double Rho, double Sigma)[] Points =
    [
        (1.0, 0.5), (1e-3, 1e-5), (25.0, 300.0), (0.05, 0.02), (0.3, 4.0), (2e-6, 3e-11), (1e-10, 1e-19), (120.0, 9e4), (0.7, 0),
    ];

    public static TheoryData<string, int> Components => new()
    {
        { "slater", 1 }, { "vwn5", 7 }, { "vwn_rpa", 8 }, { "b88", 106 }, { "lyp", 131 },
    };

    private static IClosedShellXc Create(string name) => (IClosedShellXc)XcFunctional.Parse(name).Terms.Single().Component;

    private static (double[] E, double[] VRho, double[] VSigma) Bulk(IClosedShellXc xc, double weight, (double Rho, double Sigma)[] points)
    {
        int n = points.Length;
        double[] rho = [.. points.Select(p => p.Rho)], sigma = [.. points.Select(p => p.Sigma)], c = [.. rho.Select(Math.Cbrt)];
        double[] e = new double[n], vRho = new double[n], vSigma = new double[n];
        xc.AddClosedShell(weight, new ClosedShellPoints(rho, sigma, c), e, vRho, vSigma);
        return (e, vRho, vSigma);
    }

    private static void Close(double expected, double actual, double tolerance, string what, double scale = 0)
    {
        scale = Math.Max(Math.Max(Math.Abs(expected), scale), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale,
            $"{what}: expected {expected:R}, fast path {actual:R} (relative {Math.Abs(expected - actual) / scale:E2})");
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void FastPathEqualsTheGenericFormula(string name, int libxcId)
    {
        _ = libxcId;
        var xc = Create(name);
        bool gga = xc.Family == XcFamily.Gga;
        // sigma = 0 is a limit the generic B88 cannot take (d sqrt(x^2) at 0); its fast path is checked by finite differences below
        var points = Points.Where(p => p.Sigma > 0).ToArray();
        var (e, vRho, vSigma) = Bulk(xc, 1, points);
        for (int i = 0; i < points.Length; i++)
        {
            var (rho, sigma) = points[i];
            var g = xc.EnergyDensity(XcPoint.ClosedShell(rho, sigma));
            string at = FormattableString.Invariant($"{name} at rho = {rho}, sigma = {sigma}");
            double v = Math.Max(Math.Abs(g.Gradient(0)), gga ? Math.Abs(g.Gradient(1)) : 0);
            Close(g.Value, e[i], 1e-12, $"{at} energy density");
            Close(g.Gradient(0), vRho[i], 1e-12, $"{at} vrho", v);
            if (gga) Close(g.Gradient(1), vSigma[i], 1e-12, $"{at} vsigma", v);
            else Assert.Equal(0, vSigma[i]);
        }
    }

    [LibxcTheory]
    [MemberData(nameof(Components))]
    public void FastPathMatchesLibxcUnpolarised(string name, int libxcId)
    {
        var xc = Create(name);
        bool gga = xc.Family == XcFamily.Gga;
        var (e, vRho, vSigma) = Bulk(xc, 1, Points);
        for (int i = 0; i < Points.Length; i++)
        {
            var (rho, sigma) = Points[i];
            var lx = gga ? Libxc.Gga(libxcId, [rho], [sigma]) : Libxc.Lda(libxcId, [rho]);
            string at = FormattableString.Invariant($"{name} at rho = {rho}, sigma = {sigma}");
            double v = Math.Max(Math.Abs(lx.Vrho[0]), gga ? Math.Abs(lx.Vsigma[0]) : 0);
            Libxc.AssertClose(lx.Zk * rho, e[i], $"{at} energy density");
            Libxc.AssertClose(lx.Vrho[0], vRho[i], $"{at} vrho", v);
            if (gga) Libxc.AssertClose(lx.Vsigma[0], vSigma[i], $"{at} vsigma", v);
        }
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void FastPathPotentialsEqualFiniteDifferences(string name, int libxcId)
    {
        _ = libxcId;
        var xc = Create(name);
        bool gga = xc.Family == XcFamily.Gga;
        foreach (var (rho, sigma) in new[] { (0.37, 0.2), (2.5, 11.0), (0.01, 3e-4), (0.8, 0.0) })
        {
            var (_, vRho, vSigma) = Bulk(xc, 1, [(rho, sigma)]);
            double E(double r, double s) => Bulk(xc, 1, [(r, s)]).E[0];
            double hr = 1e-5 * rho, hs = 1e-5 * Math.Max(sigma, 1e-3);
            // fourth-order central differences
            double dr = (-E(rho + 2 * hr, sigma) + 8 * E(rho + hr, sigma) - 8 * E(rho - hr, sigma) + E(rho - 2 * hr, sigma)) / (12 * hr);
            string at = FormattableString.Invariant($"{name} at rho = {rho}, sigma = {sigma}");
            Close(dr, vRho[0], 1e-8, $"{at} vrho against finite differences", Math.Abs(vSigma[0]));
            if (!gga) continue;
            // at sigma = 0 a one-sided difference (sigma cannot be negative)
            double ds = sigma > 0
                ? (-E(rho, sigma + 2 * hs) + 8 * E(rho, sigma + hs) - 8 * E(rho, sigma - hs) + E(rho, sigma - 2 * hs)) / (12 * hs)
                : (-3 * E(rho, 0) + 4 * E(rho, hs) - E(rho, 2 * hs)) / (2 * hs);
            Close(ds, vSigma[0], sigma > 0 ? 1e-8 : 1e-5, $"{at} vsigma against finite differences", Math.Abs(vRho[0]));
        }
    }

    [Fact]
    public void OutputsAccumulateWithTheirWeight()
    {
        var xc = new LypCorrelation();
        var (e1, v1, s1) = Bulk(xc, 1, Points);
        double[] rho = [.. Points.Select(p => p.Rho)], sigma = [.. Points.Select(p => p.Sigma)], c = [.. rho.Select(Math.Cbrt)];
        double[] e = [.. Points.Select(_ => 1.0)], v = [.. Points.Select(_ => 2.0)], s = [.. Points.Select(_ => 3.0)];
        xc.AddClosedShell(0.81, new ClosedShellPoints(rho, sigma, c), e, v, s);
        for (int i = 0; i < Points.Length; i++)
        {
            Assert.Equal(1 + 0.81 * e1[i], e[i], 14);
            Assert.Equal(2 + 0.81 * v1[i], v[i], 14);
            Assert.Equal(3 + 0.81 * s1[i], s[i], 14);
        }
    }

    [Theory]
    [InlineData("b3lyp", true)]
    [InlineData("b3lyp5", true)]
    [InlineData("svwn", true)]
    [InlineData("blyp", true)]
    [InlineData("0.5*b88 + 0.5*slater + lyp + 0.3*hf_x", true)]
    [InlineData("tpss", false)]
    [InlineData("lda", false)]
    public void NamedFunctionalsSayWhetherTheyHaveTheFastPath(string spec, bool expected) =>
        Assert.Equal(expected, XcFunctional.Parse(spec).HasClosedShellPath);

    [Fact]
    public void AFunctionalWithoutTheFastPathRefusesIt()
    {
        var f = XcFunctional.Parse("tpss");
        var ex = Assert.Throws<InvalidOperationException>(() =>
            f.EvaluateClosedShell(new ClosedShellPoints([1.0], [1.0], [1.0]), new double[1], new double[1], new double[1]));
        Assert.Contains("tpss", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The generic formula of a functional as a component without a fast path (the point-by-point path).</summary>
    private sealed class Generic(XcFunctional functional) : IXcComponent
    {
        public string Name => "generic " + functional.Name;

        public XcFamily Family => functional.Family;

        public T EnergyDensity<T>(in XcPoint<T> p) where T : struct, IForwardNumber<T> => functional.EnergyDensity(p);
    }

    [Fact]
    public void ANaNDensityGivesANaNEnergyOnBothPaths()
    {
        // the fast path skips only densities below the cutoff, as the point-by-point path does: NaN is passed on, never dropped
        var h2 = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74", 0, 1);
        var basis = BasisSet.For(h2, BasisSetLibrary.Load("sto-3g"));
        var grid = MolecularGrid.Create(h2, GridOptions.Psi4(20, 50));
        double[] d = [0.6, 0.6, 0.6, double.NaN];
        var f = XcFunctional.Parse("b3lyp");
        Assert.True(double.IsNaN(new XcIntegrator(grid, basis, f).Evaluate([d]).Energy));
        Assert.True(double.IsNaN(new XcIntegrator(grid, basis, XcFunctional.FromComponent("generic", new Generic(f))).Evaluate([d]).Energy));
    }

    [Theory]
    [InlineData("b3lyp")]
    [InlineData("svwn")]
    public void ScfIntegrationEqualsThePointByPointPath(string name)
    {
        var water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);
        var basis = BasisSet.For(water, BasisSetLibrary.Load("def2-svp"));
        var grid = MolecularGrid.Create(water, GridOptions.Psi4(40, 110));
        var d = AtomicDensityGuess.SuperpositionOfAtomicDensities(water, basis, new HartreeFockOptions());
        var f = XcFunctional.Parse(name);
        Assert.True(f.HasClosedShellPath);
        var fast = new XcIntegrator(grid, basis, f).Evaluate([d]);
        var slow = new XcIntegrator(grid, basis, XcFunctional.FromComponent("generic", new Generic(f))).Evaluate([d]);
        Assert.Equal(slow.Energy, fast.Energy, 11);
        Assert.Equal(slow.Electrons, fast.Electrons, 12);
        double largest = slow.Matrices[0].Max(Math.Abs);
        for (int i = 0; i < slow.Matrices[0].Length; i++)
            Assert.True(Math.Abs(slow.Matrices[0][i] - fast.Matrices[0][i]) <= 1e-11 * largest, $"V_xc[{i}]: {slow.Matrices[0][i]:R} vs {fast.Matrices[0][i]:R}");
    }
}
