using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Dft;
using Qex.Dft.Molecular.Grids;
using Qex.Dft.Molecular.Scf;
using Qex.Dft.Molecular.Xc;

namespace Qex.Dft.Tests.Molecular.Dft;

/// <summary>Fermi–Dirac smearing: analytic occupations, the integer limit, electron counts, and stationarity of the smeared energy under orbital rotations.</summary>
public sealed class SmearingTests
{
    private static readonly GridOptions Grid = GridOptions.Psi4(50, 194);

    [Fact]
    public void OccupationsAndEntropyOfAnalyticCases()
    {
        // one electron in two degenerate spin orbitals: half each, S = 2 ln 2
        var n = FermiDirac.Occupations([0.3, 0.3], 1, 1, 0.01);
        Assert.Equal(0.5, n[0], 12);
        Assert.Equal(0.5, n[1], 12);
        Assert.Equal(2 * Math.Log(2), FermiDirac.Entropy(n, 1), 12);
        // two levels split by d, two electrons in capacity-2 orbitals: mu midway, n0 = 2 / (1 + exp(-d / (2 theta)))
        double d = 0.1, theta = 0.04;
        var m = FermiDirac.Occupations([0.0, d], 2, 2, theta);
        Assert.Equal(2 / (1 + Math.Exp(-d / (2 * theta))), m[0], 12);
        Assert.Equal(2, m[0] + m[1], 12);
        // a vanishing temperature gives aufbau
        var a = FermiDirac.Occupations([-1.0, -0.5, 0.2, 0.9], 4, 2, 1e-4);
        Assert.Equal([2.0, 2.0, 0.0, 0.0], a.Select(x => Math.Round(x, 12)));
        Assert.Throws<ArgumentException>(() => FermiDirac.Occupations([0.0], 3, 2, 0.01));
        Assert.Throws<ArgumentException>(() => FermiDirac.Occupations([0.0], 1, 2, 0));
    }

    [Fact]
    public void AVanishingTemperatureRecoversTheIntegerResult()
    {
        var mol = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692", 0, 1);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var f = XcFunctional.Parse("pbe");
        var o = new HartreeFockOptions(EnergyTolerance: 1e-11, CommutatorTolerance: 1e-8);
        var integer = KohnSham.Run(mol, basis, f, Grid, o);
        var smeared = KohnSham.Run(mol, basis, f, Grid, o with { Smearing = 1e-3 });
        Assert.Equal(integer.Energy, smeared.Energy, 9);
        Assert.Equal(0, smeared.EntropyTerm, 12);
        Assert.Equal(10, smeared.Occupations[0].Sum(), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SmearedEnergyIsStationaryUnderOrbitalRotations(int channels)
    {
        // stretched H2 (3 Angstrom): a small gap, so theta = 0.04 Ha gives clearly fractional occupations
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 3.0", 0, 1);
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("6-31g"));
        var f = XcFunctional.Parse("pbe");
        const double theta = 0.04;
        var r = KohnSham.Run(mol, basis, f, Grid, new HartreeFockOptions(EnergyTolerance: 1e-12, CommutatorTolerance: 1e-10, Smearing: theta), unrestricted: channels == 2);
        int n = basis.FunctionCount, m = r.Coefficients[0].Dim(1);
        var occ = r.Occupations;
        Assert.Equal(2, occ.Sum(x => x.Sum()), 10);
        Assert.InRange(occ[0][1], 1e-3, channels == 1 ? 1.999 : 0.999);   // the antibonding orbital takes a real share
        Assert.True(r.EntropyTerm < 0);
        Assert.Equal(-theta * occ.Sum(x => FermiDirac.Entropy(x, channels == 1 ? 2 : 1)), r.EntropyTerm, 12);
        var fock = new KohnShamFock(mol, basis, f, Grid);
        double Energy(int p, int q, double t)
        {
            // rotate orbitals p and q of every channel by angle t, occupations fixed
            var d = new double[channels][];
            for (int s = 0; s < channels; s++)
            {
                var c = r.Coefficients[s].ToArray();
                for (int i = 0; i < n; i++)
                {
                    double cp = c[i * m + p], cq = c[i * m + q];
                    c[i * m + p] = Math.Cos(t) * cp - Math.Sin(t) * cq;
                    c[i * m + q] = Math.Sin(t) * cp + Math.Cos(t) * cq;
                }
                d[s] = FermiDirac.Density(c, occ[s], n, m);
            }
            return fock.Build(d).Energy;
        }
        Assert.Equal(r.Energy, Energy(0, 1, 0), 9);
        const double h = 1e-4;
        foreach (var (p, q) in new[] { (0, 1), (0, 2), (1, 3), (1, 2) })
        {
            double slope = (Energy(p, q, h) - Energy(p, q, -h)) / (2 * h);
            double curvature = (Energy(p, q, h) - 2 * Energy(p, q, 0) + Energy(p, q, -h)) / (h * h);
            // stationary: the slope is zero to the SCF's precision, while the energy does change along the rotation
            Assert.True(Math.Abs(slope) < 1e-7, $"dE/dt along rotation ({p}, {q}) is {slope:E2}");
            Assert.True(Math.Abs(curvature) > 1e-4, $"rotation ({p}, {q}) does not change the energy (curvature {curvature:E2}): the test would be empty");
        }
    }

    [Fact]
    public void BadSmearingIsRefused()
    {
        Assert.Contains("smearing", Assert.Throws<ArgumentException>(() => new HartreeFockOptions(Smearing: -1).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("exclude", Assert.Throws<ArgumentException>(() => new HartreeFockOptions(Smearing: 0.01, Occupation: [0]).Validate()).Message, StringComparison.Ordinal);
    }
}
