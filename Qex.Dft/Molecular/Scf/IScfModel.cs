namespace Qex.Dft.Molecular.Scf;

/// <summary>
/// What a self-consistent-field model supplies to <see cref="ScfDriver"/> (PySCF's <c>get_veff</c> + <c>energy_elec</c>):
/// its spin channels with their occupations, and the Fock matrices and electronic energy of channel densities.
/// RHF and UHF implement it; Kohn–Sham models plug in the same way.
/// </summary>
public interface IScfModel
{
    /// <summary>The model's name in progress lines and messages (RHF, UHF).</summary>
    string Name { get; }

    /// <summary>Electrons per occupied orbital: 2 for a restricted model (one channel), 1 for each spin of an unrestricted one.</summary>
    double OrbitalOccupation { get; }

    /// <summary>Occupied orbitals per channel: one entry (restricted) or two (alpha, beta).</summary>
    IReadOnlyList<int> Occupied { get; }

    /// <summary>True when the last build was a full one (no accumulated error of incremental J/K builds).</summary>
    bool LastBuildWasFull { get; }

    /// <summary>The Fock matrices and electronic energy of the channel densities; <paramref name="full"/> forces a full J/K build.</summary>
    ScfFockBuild Build(IReadOnlyList<double[]> densities, bool full);
}

/// <summary>Fock matrices of the channels with the electronic energy of the densities they were built from.</summary>
/// <param name="Fock">One Fock matrix per channel (n x n, row-major).</param>
/// <param name="Energy">Electronic energy (without the nuclear repulsion).</param>
/// <param name="OneElectronEnergy">Its one-electron part Tr(D H).</param>
/// <param name="TwoElectronEnergy">Its electron–electron part.</param>
public sealed record ScfFockBuild(double[][] Fock, double Energy, double OneElectronEnergy, double TwoElectronEnergy);
