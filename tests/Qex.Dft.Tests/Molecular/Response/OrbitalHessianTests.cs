using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Response;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Response;

/// <summary>
/// Orbital gradients and orbital-Hessian-vector products (J, exact exchange and the XC kernel on the grid) against
/// finite differences of the energy along orbital rotations, away from and at convergence, restricted and unrestricted.
/// </summary>
public sealed class OrbitalHessianTests
{
    private const string Water = "O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692";
    private const string Hydroxyl = "O 0 0 0\nH 0 0 0.9697";
    // 75 x 302: on coarser Lebedev grids the split pi pair of OH makes the UKS aufbau occupation flip for tens of iterations
    private static readonly GridOptions Grid = GridOptions.Psi4(75, 302);

    private static (Molecule Mol, BasisSet Basis, XcFunctional F, OrbitalHessian AtScf, double Tolerance) Converged(string geometry, int multiplicity, string method,
        IntegralMode integrals = IntegralMode.Auto)
    {
        var mol = Molecule.ParseGeometry(geometry, 0, multiplicity);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var f = XcFunctional.Parse(method);
        const double tolerance = 1e-8;
        var r = KohnSham.Run(mol, basis, f, Grid, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: tolerance, Integrals: integrals), unrestricted: multiplicity != 1);
        return (mol, basis, f, new OrbitalHessian(mol, basis, f, [.. r.Coefficients.Select(c => c.ToArray())], Grid, integrals), tolerance);
    }

    private static double[][] Random(OrbitalHessian h, int seed, double scale)
    {
        var rng = new Random(seed);
        return [.. h.Occupied.Select(o => Enumerable.Range(0, (h.Orbitals - o) * o).Select(_ => scale * (2 * rng.NextDouble() - 1)).ToArray())];
    }

    private static double[][] Scaled(double[][] v, double t) => [.. v.Select(x => x.Select(y => t * y).ToArray())];

    public static TheoryData<string, int, string> Cases() => new()
    {
        { Water, 1, "svwn" }, { Water, 1, "pbe" }, { Water, 1, "b3lyp" },
        { Hydroxyl, 2, "svwn" }, { Hydroxyl, 2, "pbe" }, { Hydroxyl, 2, "b3lyp" },
        { Water, 1, "tpss_x + pbe_c" }, { Hydroxyl, 2, "tpss_x + pbe_c" },   // a meta-GGA: tau and its kernel on the grid
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientVanishesAtConvergence(string geometry, int multiplicity, string method)
    {
        var (_, _, _, h, tolerance) = Converged(geometry, multiplicity, method);
        double max = h.Gradient().SelectMany(g => g).Max(Math.Abs);
        // g = 2 C_vir^T (F D S - S D F) C_occ: the converged AO commutator (max element below the tolerance) times C twice
        Assert.True(max < 10 * tolerance, $"{method}: largest orbital gradient {max:E2} at an SCF converged to commutators below {tolerance:E0}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientAndHessianProductsEqualFiniteDifferences(string geometry, int multiplicity, string method) =>
        CheckAgainstFiniteDifferences(method, Converged(geometry, multiplicity, method));

    /// <summary>With density-fitted J and K (the exact exchange of the trial densities, which are indefinite, included).</summary>
    [Theory]
    [InlineData(Water, 1, "b3lyp")]
    [InlineData(Hydroxyl, 2, "b3lyp")]
    public void DensityFittedGradientAndHessianProductsEqualFiniteDifferences(string geometry, int multiplicity, string method)
    {
        var converged = Converged(geometry, multiplicity, method, IntegralMode.DensityFitting);
        double max = converged.AtScf.Gradient().SelectMany(g => g).Max(Math.Abs);
        Assert.True(max < 10 * converged.Tolerance, $"largest orbital gradient {max:E2} at the density-fitted SCF");
        CheckAgainstFiniteDifferences(method, converged);
    }

    private static void CheckAgainstFiniteDifferences(string method, (Molecule Mol, BasisSet Basis, XcFunctional F, OrbitalHessian AtScf, double Tolerance) converged)
    {
        var (mol, basis, _, scf, _) = converged;
        // a point away from convergence: the derivatives hold at any orbitals
        var p = scf.Rotated(mol, basis, Random(scf, 1, 0.05));
        var g = p.Gradient();
        var zero = Scaled(g, 0);
        const double h = 1e-4;
        var rng = new Random(2);
        for (int trial = 0; trial < 4; trial++)
        {
            int s = trial % g.Length, k = rng.Next(g[s].Length);
            var e = Scaled(g, 0);
            e[s][k] = h;
            double fd = (p.EnergyAt(e) - p.EnergyAt(Scaled(e, -1))) / (2 * h);
            Assert.True(Math.Abs(fd - g[s][k]) <= 1e-6 * Math.Abs(g[s][k]) + 1e-9, $"{method} gradient[{s}][{k}]: {g[s][k]:E10} vs finite difference {fd:E10}");
        }
        for (int trial = 0; trial < 2; trial++)
        {
            var v = Random(p, 10 + trial, 1);
            double norm = Math.Sqrt(v.SelectMany(x => x).Sum(x => x * x));
            v = Scaled(v, 1 / norm);
            var hv = p.Multiply(v);
            const double t = 1e-4;
            var gp = p.Rotated(mol, basis, Scaled(v, t)).Gradient();
            var gm = p.Rotated(mol, basis, Scaled(v, -t)).Gradient();
            double scale = hv.SelectMany(x => x).Max(Math.Abs);
            for (int s = 0; s < hv.Length; s++)
                for (int k = 0; k < hv[s].Length; k++)
                {
                    double fd = (gp[s][k] - gm[s][k]) / (2 * t);
                    Assert.True(Math.Abs(fd - hv[s][k]) <= 1e-6 * scale, $"{method} (Hv)[{s}][{k}]: {hv[s][k]:E10} vs finite difference {fd:E10}");
                }
            // and the curvature along v: v^T H v = d2E/dt2
            double vhv = v.Zip(hv, (a, b) => a.Zip(b, (x, y) => x * y).Sum()).Sum();
            const double u = 1e-3;
            double curvature = (p.EnergyAt(Scaled(v, u)) - 2 * p.EnergyAt(zero) + p.EnergyAt(Scaled(v, -u))) / (u * u);
            Assert.True(Math.Abs(curvature - vhv) <= 1e-5 * Math.Abs(vhv), $"{method}: v^T H v {vhv:E10} vs d2E/dt2 {curvature:E10}");
        }
    }

    [Fact]
    public void BadShapesAreRefused()
    {
        var (_, _, _, h, _) = Converged(Water, 1, "svwn");
        Assert.Contains("virtual x occupied", Assert.Throws<ArgumentException>(() => h.Multiply([new double[3]])).Message, StringComparison.Ordinal);
        Assert.Contains("channel", Assert.Throws<ArgumentException>(() => h.Multiply([new double[10], new double[10]])).Message, StringComparison.Ordinal);
    }
}
