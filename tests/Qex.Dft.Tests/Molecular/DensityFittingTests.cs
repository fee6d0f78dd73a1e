using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular;

public sealed class DensityFittingTests
{
    private static readonly Molecule Water = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692");
    private static readonly Molecule Hydroxyl = Molecule.ParseGeometry("O 0 0 0\nH 0 0 0.9697", 0, 2);

    /// <summary>bench/psi4/benzene.xyz.</summary>
    private const string Benzene = "12\nbenzene\nC        0.00000000     1.39250000     0.00000000\nC        1.20594000     0.69625000     0.00000000\nC        1.20594000    -0.69625000     0.00000000\nC        0.00000000    -1.39250000     0.00000000\nC       -1.20594000    -0.69625000     0.00000000\nC       -1.20594000     0.69625000     0.00000000\nH        0.00000000     2.47450000     0.00000000\nH        2.14297000     1.23725000     0.00000000\nH        2.14297000    -1.23725000     0.00000000\nH        0.00000000    -2.47450000     0.00000000\nH       -2.14297000    -1.23725000     0.00000000\nH       -2.14297000     1.23725000     0.00000000\n";

    private static readonly HartreeFockOptions Tight = new(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-9, Integrals: IntegralMode.DensityFitting);

    private static double[] RandomSymmetric(int n, int seed) => Qex.Tests.Common.RandomMatrices.Symmetric(n, seed);

    private static double[] RandomDensity(int n, int rank, int seed)
    {
        // D = C C^T with random C: positive semidefinite, as a density is
        var rng = new Random(seed);
        var c = new double[n * rank];
        for (int i = 0; i < c.Length; i++) c[i] = rng.NextDouble() - 0.5;
        var d = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                for (int i = 0; i < rank; i++) d[a * n + b] += c[a * rank + i] * c[b * rank + i];
        return d;
    }

    private static double Trace(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    /// <summary>
    /// On one atom the product of two cartesian Gaussians is one cartesian Gaussian (exponents add, degrees add), so a
    /// cartesian fitting basis with one shell per orbital shell pair spans every orbital product exactly and the fitted
    /// J and K equal the exact ones: a check of the metric and the three-center integrals from s up to i fitting shells
    /// against the four-center engine.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AFittingBasisThatSpansEveryProductReproducesExactJAndK(bool sphericalOrbitals)
    {
        var atom = Molecule.ParseGeometry("Ne 0.1 -0.2 0.3");
        (char L, double Exponent)[] shells = [('S', 1.3), ('P', 0.9), ('D', 0.7), ('F', 0.5)];
        string orbital = (sphericalOrbitals ? "spherical\n" : "cartesian\n") + "****\nNe 0\n"
            + string.Concat(shells.Select(s => FormattableString.Invariant($"{s.L} 1 1.00\n {s.Exponent} 1.0\n"))) + "****\n";
        var fittingShells = new SortedSet<(int, double)>();
        for (int a = 0; a < shells.Length; a++)
            for (int b = a; b < shells.Length; b++) fittingShells.Add((a + b, Math.Round(shells[a].Exponent + shells[b].Exponent, 10)));
        string fitting = "cartesian\n****\nNe 0\n" + string.Concat(fittingShells.Select(s => FormattableString.Invariant($"{"SPDFGHI"[s.Item1]} 1 1.00\n {s.Item2} 1.0\n"))) + "****\n";
        var basis = BasisSet.For(atom, GaussianBasisParser.Parse(orbital, "orbital"));
        var aux = BasisSet.For(atom, GaussianBasisParser.Parse(fitting, "products"));
        Assert.Contains(aux.Shells, s => s.AngularMomentum == 6);
        int n = basis.FunctionCount;
        var df = new DensityFittedCoulombExchange(basis, aux, metricCutoff: 1e-14);
        Assert.Equal(aux.FunctionCount, df.FittingRank);
        var exact = new CoulombExchangeBuilder(basis, IntegralMode.Stored);
        var d = RandomSymmetric(n, 7);
        var (jf, kf) = df.Build([d]);
        var (je, ke) = exact.Build([d]);
        double scale = je[0].Max(Math.Abs);
        Assert.True(jf[0].Zip(je[0], (x, y) => Math.Abs(x - y)).Max() < 1e-9 * scale, "fitted J differs from the exact one");
        Assert.True(kf[0].Zip(ke![0], (x, y) => Math.Abs(x - y)).Max() < 1e-9 * scale, "fitted K differs from the exact one");
    }

    [Fact]
    public void MetricAndThreeCenterIntegralsOfSFunctionsMatchTheClosedForm()
    {
        // (P|mn) of normalised s primitives: N_a N_b N_c 2 pi^(5/2) / (a p sqrt(a + p)) exp(-b c / p |BC|^2) F0(a p / (a + p) |A - P|^2)
        var mol = Molecule.ParseGeometry("H 0 0 0\nHe 0.3 0.4 0.9", 0, 2);
        var orbital = BasisSet.For(mol, GaussianBasisParser.Parse("****\nH 0\nS 1 1.00\n 0.8 1.0\n****\nHe 0\nS 1 1.00\n 1.7 1.0\n****\n", "s"));
        var aux = BasisSet.For(mol, GaussianBasisParser.Parse("****\nH 0\nS 1 1.00\n 2.1 1.0\n****\nHe 0\nS 1 1.00\n 0.6 1.0\n****\n", "s-fit"));
        static double N(double a) => Math.Pow(2 * a / Math.PI, 0.75);
        static double F0(double t)
        {
            // the series of F0 (positive terms): exp(-t) sum_k (2t)^k / (2k + 1)!!
            double term = 1, sum = 1;
            for (int k = 1; k < 200; k++) { term *= 2 * t / (2 * k + 1); sum += term; }
            return Math.Exp(-t) * sum;
        }
        double Integral(Shell p, Shell m, Shell q)
        {
            double a = p.Exponents[0], b = m.Exponents[0], c = q.Exponents[0], pe = b + c, bc = 0, ap = 0;
            for (int x = 0; x < 3; x++)
            {
                bc += Math.Pow(m.Center[x] - q.Center[x], 2);
                ap += Math.Pow(p.Center[x] - (b * m.Center[x] + c * q.Center[x]) / pe, 2);
            }
            return N(a) * N(b) * N(c) * 2 * Math.Pow(Math.PI, 2.5) / (a * pe * Math.Sqrt(a + pe)) * Math.Exp(-b * c / pe * bc) * F0(a * pe / (a + pe) * ap);
        }
        var metric = ElectronRepulsionEngine.Metric(aux);
        var three = new double[2 * 2 * 2];
        new ElectronRepulsionEngine(orbital).ThreeCenter(aux, three);
        for (int p = 0; p < 2; p++)
            for (int m = 0; m < 2; m++)
            {
                for (int q = 0; q < 2; q++)
                    Assert.Equal(Integral(aux.Shells[p], orbital.Shells[m], orbital.Shells[q]), three[p * 4 + m * 2 + q], 13);
                // (P|Q) of two normalised s primitives: N_a N_b 2 pi^(5/2) / (a b sqrt(a + b)) F0(a b / (a + b) |AB|^2)
                double a = aux.Shells[p].Exponents[0], b = aux.Shells[m].Exponents[0], r2 = 0;
                for (int x = 0; x < 3; x++) r2 += Math.Pow(aux.Shells[p].Center[x] - aux.Shells[m].Center[x], 2);
                Assert.Equal(N(a) * N(b) * 2 * Math.Pow(Math.PI, 2.5) / (a * b * Math.Sqrt(a + b)) * F0(a * b / (a + b) * r2), metric[p * 2 + m], 13);
            }
    }

    [Fact]
    public void FittedCoulombAndExchangeEnergiesAreBoundedByTheExactOnes()
    {
        // the Coulomb-metric fit minimises (rho - rho~ | rho - rho~) >= 0, so for a density D (positive semidefinite)
        // Tr D J~[D] <= Tr D J[D] and Tr D K~[D] <= Tr D K[D] (each orbital-pair density is fitted the same way);
        // for the SCF density of water the fitting error is 1e-5 of each
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var df = new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(Water, basis));
        var exact = new CoulombExchangeBuilder(basis, IntegralMode.Stored);
        var d = RestrictedHartreeFock.Run(Water, basis).Density.ToArray();
        var (jf, kf) = df.Build([d]);
        var (je, ke) = exact.Build([d]);
        double ejf = Trace(d, jf[0]), eje = Trace(d, je[0]), ekf = Trace(d, kf[0]), eke = Trace(d, ke![0]);
        Assert.True(ejf <= eje && eje - ejf < 1e-5 * eje, $"Coulomb: fitted {ejf}, exact {eje}");
        Assert.True(ekf <= eke && eke - ekf < 1e-5 * eke, $"exchange: fitted {ekf}, exact {eke}");
    }

    [Fact]
    public void ExchangeOfAnIndefiniteDensityIsLinear()
    {
        // K[D1 - D2] = K[D1] - K[D2]: the signed factorisation of an indefinite density (response densities are such)
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        int n = basis.FunctionCount;
        var df = new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(Water, basis));
        var d1 = RandomDensity(n, 4, 1);
        var d2 = RandomDensity(n, 6, 2);
        var diff = d1.Zip(d2, (a, b) => a - b).ToArray();
        var (j, k) = df.Build([d1, d2, diff]);
        double scale = k[0].Max(Math.Abs);
        for (int i = 0; i < n * n; i++)
        {
            Assert.True(Math.Abs(k[2][i] - (k[0][i] - k[1][i])) < 1e-11 * scale, $"K at {i}");
            Assert.True(Math.Abs(j[2][i] - (j[0][i] - j[1][i])) < 1e-11 * scale, $"J at {i}");
        }
    }

    /// <summary>Psi4 1.3.2 (scf_type df, its default fitting basis, e/d convergence 1e-11/1e-9, symmetry c1), run here.</summary>
    [Theory]
    [InlineData("def2-svp", -75.9609281096132349)]   // def2-universal-jkfit (spherical, up to g on O)
    [InlineData("cc-pvdz", -76.0267511405221512)]    // cc-pvdz-jkfit
    [InlineData("sto-3g", -74.9631099110680452)]     // def2-universal-jkfit
    [InlineData("6-31g*", -76.0104786589306229)]     // cc-pvdz-jkfit made cartesian, as the orbital basis is
    public void DensityFittedHartreeFockMatchesPsi4(string basisName, double psi4)
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load(basisName));
        Assert.Equal(psi4, RestrictedHartreeFock.Run(Water, basis, Tight).Energy, 8);
    }

    [Fact]
    public void DensityFittedUnrestrictedHartreeFockMatchesPsi4()
    {
        // Psi4 1.3.2, UHF, scf_type df, def2-svp (def2-universal-jkfit)
        var basis = BasisSet.For(Hydroxyl, BasisSetLibrary.Load("def2-svp"));
        Assert.Equal(-75.3250601558041524, UnrestrictedHartreeFock.Run(Hydroxyl, basis, Tight).Energy, 8);
    }

    [Theory]
    [InlineData(false, -76.3581520765166175)]   // Psi4 1.3.2 RKS B3LYP, scf_type df, Treutler 75 x 302
    [InlineData(true, -75.6673274122839814)]    // Psi4 1.3.2 UKS B3LYP (OH), the same settings (d_convergence 1e-8)
    public void DensityFittedB3lypMatchesPsi4AndStaysWithin5e5OfExactIntegrals(bool open, double psi4)
    {
        var mol = open ? Hydroxyl : Water;
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("def2-svp"));
        var grid = GridOptions.Psi4(75, 302);
        var fitted = KohnSham.Run(mol, basis, XcFunctional.Parse("b3lyp"), grid, Tight, unrestricted: open);
        var exact = KohnSham.Run(mol, basis, XcFunctional.Parse("b3lyp"), grid, Tight with { Integrals = IntegralMode.Auto }, unrestricted: open);
        // the grid of both codes agrees to about 1e-7 at this size (the exact-integral energies differ by as much)
        Assert.True(Math.Abs(fitted.Energy - psi4) < 1e-6, $"Qex DF {fitted.Energy:F10}, Psi4 DF {psi4:F10}");
        Assert.True(Math.Abs(fitted.Energy - exact.Energy) < 5e-5, $"DF {fitted.Energy:F10}, exact {exact.Energy:F10}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void BenzeneB3lypWithDensityFittingMatchesPsi4AndExactIntegrals()
    {
        var mol = Molecule.ParseXyz(Benzene);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("def2-svp"));
        var grid = GridOptions.Psi4(75, 302);
        var fitted = KohnSham.Run(mol, basis, XcFunctional.Parse("b3lyp"), grid, Tight);
        var exact = KohnSham.Run(mol, basis, XcFunctional.Parse("b3lyp"), grid, Tight with { Integrals = IntegralMode.Auto });
        // Psi4 1.3.2 scf_type df, Treutler 75 x 302 (bench/psi4/compare.py --method b3lyp --integrals df): -232.0840538318;
        // the exact-integral energies of the two codes differ by 4.6e-6 on this grid
        Assert.True(Math.Abs(fitted.Energy - -232.0840538318) < 1e-5, $"Qex DF {fitted.Energy:F10}");
        Assert.True(Math.Abs(fitted.Energy - exact.Energy) < 5e-5, $"DF {fitted.Energy:F10}, exact {exact.Energy:F10}");
    }

    [Fact]
    public void ABasisWithoutAFittingSetIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => BasisSetLibrary.FittingSetFor("/tmp/my-basis.gbs"));
        Assert.Contains("def2-universal-jkfit", e.Message);
        Assert.Contains("cc-pvdz-jkfit", e.Message);
        var onlyHydrogen = GaussianBasisParser.Parse("spherical\n****\nH 0\nS 1 1.00\n 1.0 1.0\n****\n", "h-only-fit");
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var missing = Assert.Throws<ArgumentException>(() => RestrictedHartreeFock.FittingBasis(Water, basis, onlyHydrogen));
        Assert.Contains("no functions for O", missing.Message);
    }

    [Fact]
    public void FittedIntegralsBeyondTheBudgetAreRefusedBeforeAllocation()
    {
        var basis = BasisSet.For(Water, BasisSetLibrary.Load("def2-svp"));
        var e = Assert.Throws<InsufficientMemoryException>(() => new DensityFittedCoulombExchange(basis, RestrictedHartreeFock.FittingBasis(Water, basis), memoryBudgetBytes: 1000));
        Assert.Contains("113 fitting", e.Message);
        Assert.Contains("GiB", e.Message);
    }

    [Fact]
    public void AFittingBasisWithoutDensityFittingIsRejected()
    {
        var o = new HartreeFockOptions(FittingBasis: BasisSetLibrary.Load("def2-universal-jkfit"));
        Assert.Contains("only with density fitting", Assert.Throws<ArgumentException>(o.Validate).Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void OnePrimitiveSphericalShellsAreOrthonormal(int l)
    {
        // the general solid harmonics (d to i): the overlap of a one-primitive spherical shell is the unit matrix
        var text = $"spherical\n****\nNe 0\n{"SPDFGHI"[l]} 1 1.00\n 0.9 1.0\n****\n";
        var basis = BasisSet.For(Molecule.ParseGeometry("Ne 0 0 0"), GaussianBasisParser.Parse(text, "one-shell"));
        Assert.Equal(2 * l + 1, basis.FunctionCount);
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        for (int a = 0; a < 2 * l + 1; a++)
            for (int b = 0; b < 2 * l + 1; b++) Assert.Equal(a == b ? 1 : 0, s[a * (2 * l + 1) + b], 12);
    }
}
