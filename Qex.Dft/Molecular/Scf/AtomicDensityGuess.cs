using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Molecular.Scf;

/// <summary>Initial densities of an SCF.</summary>
public static class AtomicDensityGuess
{
    /// <summary>
    /// Block-diagonal sum of atomic densities, each from a spin-averaged atomic SCF whose electrons fill the lowest
    /// orbitals, a partly filled degenerate set sharing its electrons equally (so the atom stays spherical).
    /// </summary>
    public static double[] SuperpositionOfAtomicDensities(Molecule molecule, BasisSet basis, HartreeFockOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        var o = options ?? new HartreeFockOptions();
        int n = basis.FunctionCount;
        var d = new double[n * n];
        var cache = new Dictionary<int, double[]>();
        for (int a = 0; a < molecule.Atoms.Count; a++)
        {
            var atom = molecule.Atoms[a];
            var shells = basis.Shells.Where(s => s.Atom == a).ToList();
            int offset = shells[0].Offset, na = shells.Sum(s => s.FunctionCount);
            if (!cache.TryGetValue(atom.AtomicNumber, out var da))
            {
                var single = new Molecule([atom with { X = 0, Y = 0, Z = 0 }], 0, atom.AtomicNumber % 2 == 0 ? 1 : 2);
                da = AtomicDensity(single, BasisSet.For(single, new BasisSetDefinition(basis.Name, shells[0].Pure,
                    new Dictionary<int, IReadOnlyList<ShellDefinition>> { [atom.AtomicNumber] = DefinitionsOf(shells) })), o);
                cache[atom.AtomicNumber] = da;
            }
            for (int i = 0; i < na; i++) for (int j = 0; j < na; j++) d[(offset + i) * n + offset + j] = da[i * na + j];
        }
        return d;
    }

    private static List<ShellDefinition> DefinitionsOf(List<Shell> shells) =>
        [.. shells.Select(s => new ShellDefinition(s.AngularMomentum, [.. s.Exponents], [.. s.Coefficients.Select((c, i) => c / BasisSet.PrimitiveNorm(s.AngularMomentum, s.Exponents[i]))]))];


    private static double[] AtomicDensity(Molecule atom, BasisSet basis, HartreeFockOptions o)
    {
        int n = basis.FunctionCount, electrons = atom.ElectronCount;
        var s = OneElectronIntegrals.Overlap(basis).ToArray();
        var h = CoulombIntegrals.CoreHamiltonian(basis, atom).ToArray();
        var eri = new IncrementalCoulombExchange(new CoulombExchangeBuilder(basis, IntegralMode.Stored), 0);
        var x = Orthogonalisation.Canonical(s, n, o.LinearDependence, out int m);
        var f = (double[])h.Clone();
        var d = new double[n * n];
        for (int it = 0; it < 100; it++)
        {
            var (eps, c) = ScfMath.Diagonalise(f, x, n, m);
            var occ = new double[m];
            double left = electrons;
            for (int k = 0; k < m && left > 1e-12;)
            {
                int g = k;
                while (g + 1 < m && Math.Abs(eps[g + 1] - eps[k]) < 1e-4 * Math.Max(1, Math.Abs(eps[k]))) g++;
                int size = g - k + 1;
                double put = Math.Min(left, 2.0 * size);
                for (int t = k; t <= g; t++) occ[t] = put / size;
                left -= put;
                k = g + 1;
            }
            var dNew = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = 0;
                    for (int k = 0; k < m; k++) if (occ[k] > 0) v += occ[k] * c[i * m + k] * c[j * m + k];
                    dNew[i * n + j] = 0.5 * v + 0.5 * d[i * n + j]; // damped
                }
            double change = 0;
            for (int i = 0; i < n * n; i++) change = Math.Max(change, Math.Abs(dNew[i] - d[i]));
            d = it == 0 ? dNew.Select(v => 2 * v).ToArray() : dNew;
            f = ScfMath.Add(h, RestrictedHartreeFockModel.TwoElectron(eri, d, n));
            if (it > 0 && change < 1e-6) break;
        }
        return d;
    }
}
