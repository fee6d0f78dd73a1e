using Qex.Core.Tensors;
using Qex.Dft.Molecular.Basis;
using Qex.Dft.Molecular.Integrals;

namespace Qex.Dft.Molecular;

/// <summary>One-electron properties of a density matrix: dipole moment and Mulliken charges.</summary>
public static class Properties
{
    /// <summary>Debye per atomic unit of dipole (e Bohr).</summary>
    public const double DebyePerAtomicUnit = 2.541746473;

    /// <summary>The dipole moment (atomic units, origin at 0): sum_A Z_A R_A - Tr(D r).</summary>
    public static double[] Dipole(Molecule molecule, BasisSet basis, Tensor density)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(density);
        var r = OneElectronIntegrals.Dipole(basis);
        var mu = new double[3];
        foreach (var a in molecule.Atoms) { mu[0] += a.AtomicNumber * a.X; mu[1] += a.AtomicNumber * a.Y; mu[2] += a.AtomicNumber * a.Z; }
        for (int d = 0; d < 3; d++)
        {
            var rd = r[d].Span;
            var dd = density.Span;
            for (int i = 0; i < rd.Length; i++) mu[d] -= dd[i] * rd[i];
        }
        return mu;
    }

    /// <summary>Mulliken charges q_A = Z_A - sum over A's functions of (D S)_mu,mu.</summary>
    public static double[] MullikenCharges(Molecule molecule, BasisSet basis, Tensor density)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(density);
        var s = OneElectronIntegrals.Overlap(basis);
        int n = basis.FunctionCount;
        var q = molecule.Atoms.Select(a => (double)a.AtomicNumber).ToArray();
        foreach (var sh in basis.Shells)
            for (int f = 0; f < sh.FunctionCount; f++)
            {
                int mu = sh.Offset + f;
                double pop = 0;
                for (int nu = 0; nu < n; nu++) pop += density[mu, nu] * s[nu, mu];
                q[sh.Atom] -= pop;
            }
        return q;
    }
}
