using Qex.Core.LinearAlgebra;
using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Correlation;

/// <summary>Integrals in a molecular-orbital basis: h_pq and (pq|rs) (chemists' notation), plus the nuclear repulsion.</summary>
/// <param name="Orbitals">Number of orbitals.</param>
/// <param name="OneElectron">h (n x n), row-major.</param>
/// <param name="TwoElectron">(pq|rs) at ((p n + q) n + r) n + s.</param>
/// <param name="NuclearRepulsion">Constant energy.</param>
public sealed record MolecularOrbitalIntegrals(int Orbitals, double[] OneElectron, double[] TwoElectron, double NuclearRepulsion)
{
    /// <summary>Transforms AO integrals with MO coefficients C (n_ao x n_mo): four quarter transformations.</summary>
    public static MolecularOrbitalIntegrals Transform(Tensor hAo, double[] eriAo, Tensor coefficients, double nuclearRepulsion)
    {
        ArgumentNullException.ThrowIfNull(hAo);
        ArgumentNullException.ThrowIfNull(eriAo);
        ArgumentNullException.ThrowIfNull(coefficients);
        int nao = coefficients.Dim(0), nmo = coefficients.Dim(1);
        var h = Gemm.MatMul(Gemm.MatMul(coefficients, hAo, transA: true), coefficients).ToArray();
        var c = coefficients.ToArray();
        var cur = eriAo;
        int[] dims = [nao, nao, nao, nao];
        for (int step = 0; step < 4; step++)
        {
            int d0 = dims[0], rest = dims[1] * dims[2] * dims[3];
            var next = new double[rest * nmo];
            var src = cur;
            Parallel.For(0, rest, r =>
            {
                for (int p = 0; p < nmo; p++)
                {
                    double v = 0;
                    for (int k = 0; k < d0; k++) v += c[k * nmo + p] * src[k * rest + r];
                    next[r * nmo + p] = v;
                }
            });
            cur = next;
            dims = [dims[1], dims[2], dims[3], nmo];
        }
        return new MolecularOrbitalIntegrals(nmo, h, cur, nuclearRepulsion);
    }

    /// <summary>The MO integrals of a molecule in a basis for the orbitals <paramref name="coefficients"/> (n_ao x n_mo).</summary>
    public static MolecularOrbitalIntegrals For(Molecule molecule, Basis.BasisSet basis, Tensor coefficients) =>
        Transform(Integrals.CoulombIntegrals.CoreHamiltonian(basis, molecule), Integrals.CoulombIntegrals.ElectronRepulsion(basis), coefficients, molecule.NuclearRepulsion());

    /// <summary>(pq|rs).</summary>
    public double Eri(int p, int q, int r, int s) => TwoElectron[((p * Orbitals + q) * Orbitals + r) * Orbitals + s];
}
