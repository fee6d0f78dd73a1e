using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Correlation;
using Qex.Dft.Molecular.Scf;
using Qex.Kernels.Fock;

namespace Qex.Dft.Tests.Molecular;

/// <summary>The one SCF driver, its DIIS and its J/K seam, and the convergence error shared by SCF, CC and FCI.</summary>
public sealed class ScfDriverTests
{
    private static readonly Molecule Water = Molecule.ParseXyz("3\n\nO 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692\n");

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.1)]
    [InlineData(-2.4)]
    public void DegenerateOrbitalsComeOutInOneBasisWhateverTheEigensolverGave(double angle)
    {
        // a pi_x / pi_y-like pair (functions 1 and 2, energy 0.5) between two single orbitals, handed over at any angle
        // within the pair: the canonical basis is the same (function 1, then function 2, each with a positive largest
        // coefficient), and so are the energies
        int n = 4, m = 4;
        double cs = Math.Cos(angle), sn = Math.Sin(angle);
        double[] eps = [-1.0, 0.5, 0.5 + 1e-13, 2.0];
        var c = new double[n * m];
        c[0 * m + 0] = 1;
        (c[1 * m + 1], c[2 * m + 1]) = (cs, sn);
        (c[1 * m + 2], c[2 * m + 2]) = (-sn, cs);
        c[3 * m + 3] = -1;
        ScfMath.CanonicaliseDegenerate(eps, c, n, m);
        Assert.Equal(1.0, c[1 * m + 1], 14);
        Assert.Equal(0.0, c[2 * m + 1], 14);
        Assert.Equal(0.0, c[1 * m + 2], 14);
        Assert.Equal(1.0, c[2 * m + 2], 14);
        // orbitals outside degenerate sets are left as they are (sign included)
        Assert.Equal(1.0, c[0]);
        Assert.Equal(-1.0, c[3 * m + 3]);
        Assert.Equal([-1.0, 2.0], [eps[0], eps[3]]);
        Assert.Equal(0.5, eps[1], 12);
        Assert.Equal(0.5, eps[2], 12);
    }

    [Fact]
    public void OpenShellWithAHalfFilledDegeneratePairConvergesPromptlyToAnAxisAlignedOrbital()
    {
        // OH (2Pi): the beta electrons fill one of two degenerate pi orbitals. Occupied at whatever angle the
        // eigensolver returned, the SCF wandered along the nearly flat rotation between them (on a grid the energy changes
        // by 1e-8 over a turn) and, depending on the last bits of the potential, converged after 47 iterations or not in
        // 200; with the pair in one fixed basis it converges at once, with the occupied pi along x or y
        var oh = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.9697", 0, 2);
        var basis = BasisSet.For(oh, BasisSetLibrary.Load("def2-svp"));
        var o = new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9);
        var r = Qex.Dft.Molecular.Dft.KohnSham.Run(oh, basis, Qex.Dft.Molecular.Xc.XcFunctional.Parse("b3lyp"), Qex.Dft.Molecular.Grids.GridOptions.Psi4(50, 194), o, unrestricted: true);
        Assert.True(r.Iterations <= 20, $"{r.Iterations} iterations");
        // the occupied beta orbitals have no component that mixes x and y p functions of the same shell
        int nb = basis.FunctionCount, mo = r.OrbitalEnergies[1].Length;
        var cb = r.Coefficients[1].ToArray();
        foreach (var sh in basis.Shells.Where(s => s.AngularMomentum == 1))
            for (int k = 0; k < oh.BetaCount; k++)
            {
                double x = cb[sh.Offset * mo + k], y = cb[(sh.Offset + 1) * mo + k];
                Assert.True(Math.Abs(x * y) < 1e-10, $"beta orbital {k} mixes p_x ({x}) and p_y ({y}) of shell at {sh.Offset}");
            }
    }

    private static readonly Molecule SquareH4 = Molecule.ParseGeometry("H 0 0 0\nH 1.0 0 0\nH 1.0 1.0 0\nH 0 1.0 0");

    [Fact]
    public void SquareH4RhfLeavesTheSymmetricSaddleForPsi4sSolution()
    {
        // RHF of square H4 occupies one of the two degenerate e_u orbitals. In the fixed basis of degenerate orbitals
        // the SCF converges to the symmetric state, a saddle; the stability check follows the negative Hessian mode
        // to the solution Psi4 1.3.2 finds (shared fci_ccsdt.jsonl, h4_square side=1.0, 6-31G: scf_energy)
        var basis = BasisSet.For(SquareH4, BasisSetLibrary.Load("6-31g"));
        var lines = new List<string>();
        var r = RestrictedHartreeFock.Run(SquareH4, basis, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10, Progress: lines.Add));
        Assert.Equal(-1.914431591934088, r.Energy, 8);
        Assert.Contains(lines, l => l.Contains("SCF stability", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLowestHessianModeIsTheEnergysCurvatureAlongIt()
    {
        // at the symmetric saddle (reached with the aufbau occupation chosen, which turns the check off), the lowest
        // eigenvalue of the orbital Hessian equals the second finite difference of the energy along its mode
        var basis = BasisSet.For(SquareH4, BasisSetLibrary.Load("6-31g"));
        var o = new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10, Occupation: [0, 1]);
        var saddle = RestrictedHartreeFock.Run(SquareH4, basis, o);
        Assert.True(saddle.Energy > -1.914431591934088 + 1e-3, $"the symmetric state {saddle.Energy} lies above Psi4's solution");
        var h = new Qex.Dft.Molecular.Response.OrbitalHessian(SquareH4, basis, Qex.Dft.Molecular.Xc.XcFunctional.Parse("hf_x"), [saddle.Coefficients.ToArray()]);
        var (lowest, mode) = Qex.Dft.Molecular.Response.StabilityFollowing.LowestMode(h, [saddle.OrbitalEnergies.ToArray()]);
        Assert.True(lowest < -0.1, $"lowest eigenvalue {lowest}");
        double norm = Math.Sqrt(mode[0].Sum(x => x * x));
        const double step = 1e-3;
        double E(double t) => h.EnergyAt([.. mode.Select(v => v.Select(x => t / norm * x).ToArray())]);
        double curvature = (E(step) - 2 * h.Energy + E(-step)) / (step * step);
        Assert.Equal(lowest, curvature, 4);
    }

    [Fact]
    public void DiisSolvesAnAffineProblemExactlyFromDimensionPlusOneVectors()
    {
        // errors e(v) = M v - b are affine in v: four affinely independent 3-vectors combine to M v = b exactly (up to
        // rounding amplified by the conditioning of the DIIS matrix)
        double[,] m = { { 4, 1, 0.5 }, { 1, 3, 0.2 }, { 0.5, 0.2, 2 } };
        double[] b = [1, -2, 0.5];
        double[] Err(double[] v) => [.. Enumerable.Range(0, 3).Select(i => m[i, 0] * v[0] + m[i, 1] * v[1] + m[i, 2] * v[2] - b[i])];
        var diis = new Diis(4);
        var v = new double[3];
        for (int k = 0; k < 4; k++)
        {
            var e = Err(v);
            diis.Add(v, e);
            v = [.. v.Select((x, i) => x - 0.3 * e[i])];   // a Richardson step: far from converged after four
        }
        var solution = diis.Extrapolate();
        Assert.All(Err(solution), r => Assert.True(Math.Abs(r) < 1e-10, $"residual {r}"));
        Assert.True(Err(v).Max(Math.Abs) > 1e-2);
    }

    [Fact]
    public void DiisKeepsItsSizeAndFallsBackToTheLastVector()
    {
        var diis = new Diis(2, minimumVectors: 3);
        diis.Add([1.0], [0.5]);
        diis.Add([2.0], [0.25]);
        Assert.Equal([2.0], diis.Extrapolate());   // fewer than the minimum: the last vector as it is
        diis.Add([3.0], [0.125]);
        Assert.Equal(2, diis.Count);
        var same = new Diis(3);
        same.Add([1.0, 2.0], [0.0, 0.0]);
        same.Add([1.0, 2.0], [0.0, 0.0]);
        Assert.Equal([1.0, 2.0], same.Extrapolate());   // a singular DIIS matrix: the last vector
        Assert.Throws<ArgumentException>(() => same.Add([1.0], [0.0, 0.0]));
        Assert.Throws<InvalidOperationException>(() => new Diis(2).Extrapolate());
    }

    /// <summary>A J/K builder that forwards to the CPU one and counts its builds (an accelerator would replace it).</summary>
    private sealed class Counting(ICoulombExchangeBuilder inner) : ICoulombExchangeBuilder
    {
        public int Builds { get; private set; }

        public int FunctionCount => inner.FunctionCount;

        public bool LastWasFull => inner.LastWasFull;

        public (double[][] Coulomb, double[][] Exchange) Build(IReadOnlyList<double[]> densities, bool full = false, bool exchange = true)
        {
            Builds++;
            return inner.Build(densities, full, exchange);
        }
    }

    [Fact]
    public void TheJkBuilderOfTheOptionsIsTheOneUsed()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("sto-3g"));
        var reference = RestrictedHartreeFock.Run(Water, basis);
        var counting = new Counting(new IncrementalCoulombExchange(new CoulombExchangeBuilder(basis), 0));
        var r = RestrictedHartreeFock.Run(Water, basis, new HartreeFockOptions(CoulombExchange: counting));
        Assert.Equal(reference.Energy, r.Energy, 12);
        Assert.Equal(r.Iterations + 1, counting.Builds);   // one build per iteration plus the guess's Fock matrix
        var radical = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.97", multiplicity: 2);
        var other = BasisSet.For(radical, BasisSetLibrary.Load("6-31g"));
        Assert.Contains("basis functions", Assert.Throws<ArgumentException>(() =>
            UnrestrictedHartreeFock.Run(radical, other, new HartreeFockOptions(CoulombExchange: counting))).Message);
    }

    [Fact]
    public void UhfRefusesAChosenOccupation()
    {
        var radical = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.97", multiplicity: 2);
        var basis = BasisSet.For(radical, BasisSetLibrary.Load("sto-3g"));
        var e = Assert.Throws<ArgumentException>(() => UnrestrictedHartreeFock.Run(radical, basis, new HartreeFockOptions(Occupation: [0, 1, 2, 3, 4])));
        Assert.Contains("restricted", e.Message);
    }

    [Fact]
    public void ScfCoupledClusterAndFciShareOneConvergenceError()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("sto-3g"));
        var scf = Assert.Throws<ConvergenceException>(() => RestrictedHartreeFock.Run(Water, basis, new HartreeFockOptions(MaxIterations: 2, DiisSize: 0)));
        Assert.Equal("RHF", scf.Method);
        var rhf = RestrictedHartreeFock.Run(Water, basis);
        var mo = MolecularOrbitalIntegrals.For(Water, basis, rhf.Coefficients);
        var cc = Assert.Throws<ConvergenceException>(() => RestrictedCoupledCluster.Run(mo, 5, maxIterations: 2));
        Assert.Equal("CCSD", cc.Method);
        var fci = Assert.Throws<ConvergenceException>(() => FullConfigurationInteraction.Run(mo, 5, 5, 1, new FullConfigurationInteractionOptions(ResidualTolerance: 1e-14, MaxIterations: 2)));
        Assert.Equal("FCI", fci.Method);
    }
}
