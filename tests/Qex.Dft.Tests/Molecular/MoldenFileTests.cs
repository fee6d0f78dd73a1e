using System.Globalization;
using Qex.Core.Tensors;
using Qex.Dft.Molecular;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;
using Qex.Dft.Molecular.Output;
using Qex.Dft.Molecular.Scf;

namespace Qex.Dft.Tests.Molecular;

public sealed class MoldenFileTests
{
    // Molden's cartesian order, written here independently of the writer
    private static readonly string[][] Order =
    [
        ["000"], ["100", "010", "001"], ["200", "020", "002", "110", "101", "011"],
        ["300", "030", "003", "120", "210", "201", "102", "012", "021", "111"],
    ];

    [Theory]
    [InlineData("6-31g*")]   // cartesian d
    [InlineData("def2-svp")] // pure d
    public void OrbitalsReadBackAreOrthonormalAndTheBasisIsTheLibrarys(string basisName)
    {
        var mol = Molecule.ParseGeometry("O 0 0 0.1173\nH 0 0.7572 -0.4692\nH 0 -0.7572 -0.4692");
        var basis = BasisSet.For(mol, BasisSetLibrary.Load(basisName));
        var rhf = RestrictedHartreeFock.Run(mol, basis);
        int n = basis.FunctionCount, m = rhf.Coefficients.Dim(1);
        var text = MoldenFile.Format(mol, basis, [new MoldenOrbitals(rhf.Coefficients, rhf.OrbitalEnergies.ToArray(), [.. Enumerable.Range(0, m).Select(k => k < 5 ? 2.0 : 0.0)])]);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("[Molden Format]", lines[0]);
        Assert.Equal(basisName == "def2-svp", lines.Contains("[5D10F]"));
        // atoms (Bohr)
        int atoms = lines.IndexOf("[Atoms] AU");
        var o = lines[atoms + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("O", o[0]);
        Assert.Equal(mol.Atoms[0].Z, double.Parse(o[5], CultureInfo.InvariantCulture), 10);
        // GTO: exponents and primitive coefficients as the library file has them (up to the contraction's renormalisation)
        int gto = lines.IndexOf("[GTO]");
        var first = lines[gto + 3].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var def = BasisSetLibrary.Load(basisName).Shells[8][0];
        Assert.Equal(def.Exponents[0], first[0], 8);
        var second = lines[gto + 4].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(def.Coefficients[1] / def.Coefficients[0], second[1] / first[1], 10);
        // MOs: undo Molden's order and cartesian normalisation, then C^T S C = 1
        int mo = lines.IndexOf("[MO]");
        var c = new double[n * m];
        int line = mo + 1;
        for (int k = 0; k < m; k++)
        {
            while (!lines[line].StartsWith(" Occup=", StringComparison.Ordinal)) line++;
            line++;
            var values = new double[n];
            for (int i = 0; i < n; i++) values[i] = double.Parse(lines[line++].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            int pos = 0;
            foreach (var sh in basis.Shells)
            {
                int l = sh.AngularMomentum;
                if (sh.Pure && l >= 2)
                {
                    for (int f = 0; f < 2 * l + 1; f++) c[(sh.Offset + f) * m + k] = values[pos++];
                    continue;
                }
                var ours = OneElectronIntegrals.Components(l).Select(t => $"{t.L}{t.M}{t.N}").ToList();
                foreach (var name in Order[l])
                {
                    int a = name[0] - '0', b = name[1] - '0', cc = name[2] - '0';
                    double scale = Math.Sqrt(BasisSet.DoubleFactorial(2 * l - 1) / (BasisSet.DoubleFactorial(2 * a - 1) * BasisSet.DoubleFactorial(2 * b - 1) * BasisSet.DoubleFactorial(2 * cc - 1)));
                    c[(sh.Offset + ours.IndexOf(name)) * m + k] = values[pos++] / scale;
                }
            }
        }
        var s = OneElectronIntegrals.Overlap(basis);
        for (int p = 0; p < m; p++)
            for (int q = 0; q < m; q++)
            {
                double v = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) v += c[i * m + p] * s[i, j] * c[j * m + q];
                Assert.Equal(p == q ? 1.0 : 0.0, v, 9);
            }
    }

    [Fact]
    public void MismatchedCoefficientsAreRejected()
    {
        var mol = Molecule.ParseGeometry("H 0 0 0\nH 0 0 0.74");
        var basis = BasisSet.For(mol, BasisSetLibrary.Load("sto-3g"));
        var e = Assert.Throws<ArgumentException>(() => MoldenFile.Format(mol, basis, [new MoldenOrbitals(Tensor.Zeros(3, 2), [0.0, 0.0], [2.0, 0.0])]));
        Assert.Contains("3 rows for 2 basis functions", e.Message);
    }
}
