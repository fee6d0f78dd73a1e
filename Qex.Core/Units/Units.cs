namespace Qex.Core.Units;

/// <summary>Physical constants and unit conversions (atomic units: Hartree, Bohr).</summary>
public static class PhysicalConstants
{
    /// <summary>One Bohr in Angstrom (CODATA 2014, as used by Psi4 1.3).</summary>
    public const double BohrInAngstrom = 0.52917721067;

    /// <summary>One Angstrom in Bohr.</summary>
    public const double AngstromInBohr = 1.0 / BohrInAngstrom;

    /// <summary>One Hartree in kcal/mol.</summary>
    public const double HartreeInKcalPerMol = 627.509474;

    /// <summary>One Hartree in eV.</summary>
    public const double HartreeInEv = 27.211386245988;

    /// <summary>Chemical accuracy, 1 kcal/mol ~ 1.6 mHa, in Hartree (the value used throughout the 1D literature).</summary>
    public const double ChemicalAccuracy = 0.0016;

    /// <summary>Hartree to milli-Hartree.</summary>
    public static double ToMilliHartree(double hartree) => hartree * 1000.0;

    /// <summary>Angstrom to Bohr.</summary>
    public static double AngstromToBohr(double angstrom) => angstrom / BohrInAngstrom;

    /// <summary>Bohr to Angstrom.</summary>
    public static double BohrToAngstrom(double bohr) => bohr * BohrInAngstrom;
}
