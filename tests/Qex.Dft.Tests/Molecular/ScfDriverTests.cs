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
