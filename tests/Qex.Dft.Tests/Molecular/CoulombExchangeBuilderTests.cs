using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Kernels.Fock;

namespace Qex.Dft.Tests.Molecular;

public sealed class CoulombExchangeBuilderTests
{
    private static readonly Molecule Water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692");

    private static double[] RandomSymmetric(int n, int seed) => Qex.Tests.Common.RandomMatrices.Symmetric(n, seed);

    [Theory]
    [InlineData("def2-svp", IntegralMode.Stored)]   // pure d shells
    [InlineData("def2-svp", IntegralMode.Direct)]
    [InlineData("6-31g*", IntegralMode.Stored)]     // cartesian d shells
    [InlineData("6-31g*", IntegralMode.Direct)]
    public void CoulombAndExchangeEqualTheContractionOfTheDenseTensor(string basisName, IntegralMode mode)
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load(basisName));
        int n = basis.FunctionCount;
        var eri = CoulombIntegrals.ElectronRepulsion(basis);
        var builder = new CoulombExchangeBuilder(basis, mode);
        Assert.Equal(mode, builder.Mode);
        var da = RandomSymmetric(n, 1);
        var db = RandomSymmetric(n, 2);
        var (j, k) = builder.Build([da, db]);
        double worst = 0;
        foreach (var (dm, s) in new[] { (da, 0), (db, 1) })
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++)
                {
                    double jr = 0, kr = 0;
                    for (int c = 0; c < n; c++)
                        for (int d = 0; d < n; d++)
                        {
                            jr += eri[((a * n + b) * n + c) * n + d] * dm[c * n + d];
                            kr += eri[((a * n + c) * n + b) * n + d] * dm[c * n + d];
                        }
                    worst = Math.Max(worst, Math.Max(Math.Abs(jr - j[s][a * n + b]), Math.Abs(kr - k![s][a * n + b])));
                }
        Assert.True(worst < 1e-11, $"largest J/K difference {worst:E2}");
    }

    [Fact]
    public void StoredModeRefusesAStoreBeyondTheBudget()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var e = Assert.Throws<InsufficientMemoryException>(() => new CoulombExchangeBuilder(basis, IntegralMode.Stored, memoryBudgetBytes: 1000));
        Assert.Contains("direct mode", e.Message);
        Assert.Equal(IntegralMode.Direct, new CoulombExchangeBuilder(basis, IntegralMode.Auto, memoryBudgetBytes: 1000).Mode);
    }

    [Fact]
    public void DirectStoredLevelShiftedAndDampedScfAgree()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var tight = new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9);
        double stored = RestrictedHartreeFock.Run(Water, basis, tight with { Integrals = IntegralMode.Stored }).Energy;
        double direct = RestrictedHartreeFock.Run(Water, basis, tight with { Integrals = IntegralMode.Direct }).Energy;
        double shifted = RestrictedHartreeFock.Run(Water, basis, tight with { LevelShift = 0.5, Damping = 0.3, Guess = ScfGuess.Core }).Energy;
        double incremental = RestrictedHartreeFock.Run(Water, basis, tight with { Integrals = IntegralMode.Direct, IncrementalThreshold = 1e-12 }).Energy;
        Assert.Equal(stored, direct, 10);
        Assert.Equal(stored, shifted, 10);
        Assert.Equal(stored, incremental, 10);
        var radical = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.97", 0, 2);
        var b2 = BasisSet.For(radical, BasisSetLibrary.Load("6-31g"));
        double u1 = UnrestrictedHartreeFock.Run(radical, b2, tight).Energy;
        double u2 = UnrestrictedHartreeFock.Run(radical, b2, tight with { LevelShift = 0.3, Damping = 0.5, Integrals = IntegralMode.Direct, IncrementalThreshold = 1e-12 }).Energy;
        Assert.Equal(u1, u2, 9);
        Assert.Throws<ArgumentException>(() => RestrictedHartreeFock.Run(Water, basis, tight with { Damping = 1.2 }));
    }

    [Fact]
    public void KernelRejectsMismatchedShapes()
    {
        var blocks = new EriBlocks(3);
        blocks.Add(0, 1, 0, 1, 0, 1, 0, 1, 0.125, [1.0]);
        var kernel = new CpuCoulombExchangeKernel();
        Assert.Throws<ArgumentException>(() => kernel.Accumulate([blocks], [new double[9]], [new double[4]], null));
        Assert.Throws<ArgumentException>(() => blocks.Add(2, 2, 0, 1, 0, 1, 0, 1, 1, [1.0, 2.0]));
        // (00|00) = 1 with D_00 = 1: J_00 = 1, K_00 = 1
        var j = new double[9];
        var k = new double[9];
        var d = new double[9];
        d[0] = 1;
        kernel.Accumulate([blocks], [d], [j], [k]);
        Assert.Equal(1.0, j[0], 15);
        Assert.Equal(1.0, k[0], 15);
    }

    [Fact]
    public void IncrementalBuildsMatchFullBuildsAndRebuildOnSchedule()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        int n = basis.FunctionCount;
        var builder = new CoulombExchangeBuilder(basis, IntegralMode.Stored);
        var incremental = new IncrementalCoulombExchange(builder, threshold: 1e-14, rebuildEvery: 3);
        var d = RandomSymmetric(n, 7);
        var rng = new Random(8);
        var kinds = new List<bool>();
        for (int step = 0; step < 6; step++)
        {
            // a shrinking change, as in an SCF
            for (int i = 0; i < n; i++)
                for (int j = 0; j <= i; j++) d[i * n + j] = d[j * n + i] += Math.Pow(10, -step - 1) * (rng.NextDouble() - 0.5);
            var (ji, ki) = incremental.Build([d]);
            kinds.Add(incremental.LastWasFull);
            var (jf, kf) = builder.Build([d]);
            for (int i = 0; i < n * n; i++)
            {
                Assert.Equal(jf[0][i], ji[0][i], 1e-11);
                Assert.Equal(kf![0][i], ki[0][i], 1e-11);
            }
        }
        Assert.Equal([true, false, false, false, true, false], kinds);
        incremental.Build([d], full: true);
        Assert.True(incremental.LastWasFull);
    }

    [Fact]
    public void ScfIsBitwiseReproducible()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var a = RestrictedHartreeFock.Run(Water, basis);
        var b = RestrictedHartreeFock.Run(Water, basis);
        Assert.Equal(a.Energy, b.Energy);
        Assert.Equal(a.Density.ToArray(), b.Density.ToArray());
    }
}
