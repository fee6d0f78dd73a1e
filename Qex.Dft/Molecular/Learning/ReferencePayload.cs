using Qex.Core.Tensors;

namespace Qex.Dft.Molecular.Learning;

/// <summary>
/// A reference (and a training molecule's teacher derivatives) as plain numbers and strings, so that the rank that
/// computed it can send it to the others (<see cref="ScaleOut.BatchScheduler"/>); <see cref="Restore"/> gives back
/// what was computed, bit for bit. The teacher functional travels by its name (<see cref="MolecularReference.Method"/>).
/// </summary>
/// <param name="Method">The reference method.</param>
/// <param name="Energy">Total energy.</param>
/// <param name="HartreeFockEnergy">RHF energy (NaN for a teacher functional).</param>
/// <param name="DensityKind">How the density was obtained.</param>
/// <param name="Functions">Basis functions n.</param>
/// <param name="Density">AO density matrix (n x n, row-major).</param>
/// <param name="Orbitals">Columns of <paramref name="Coefficients"/> (0 without them).</param>
/// <param name="Coefficients">A teacher's orbitals (n x orbitals, row-major), or null.</param>
/// <param name="OrbitalEnergies">A teacher's orbital energies, or null.</param>
/// <param name="Iterations">A teacher's SCF iterations.</param>
/// <param name="Occupied">Occupied orbitals of the teacher derivatives (0 without them).</param>
/// <param name="TeacherCoefficients">The teacher derivatives' orbitals (n x orbitals), or null when the molecule has none.</param>
/// <param name="Directions">The teacher derivatives' directions, or null.</param>
/// <param name="HessianProducts">The teacher derivatives' Hessian products, or null.</param>
internal sealed record ReferencePayload(string Method, double Energy, double HartreeFockEnergy, string DensityKind, int Functions, double[] Density,
    int Orbitals, double[]? Coefficients, double[]? OrbitalEnergies, int Iterations,
    int Occupied, double[]? TeacherCoefficients, double[][]? Directions, double[][]? HessianProducts)
{
    /// <summary>The payload of a computed reference and its teacher derivatives (null when the molecule has none).</summary>
    public static ReferencePayload Of(MolecularReference reference, TeacherDerivatives? teacher)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var c = reference.Coefficients;
        return new ReferencePayload(reference.Method, reference.Energy, reference.HartreeFockEnergy, reference.DensityKind, reference.Density.Dim(0), reference.Density.ToArray(),
            c?.Dim(1) ?? 0, c?.ToArray(), reference.OrbitalEnergies?.ToArray(), reference.Iterations,
            teacher?.Occupied ?? 0, teacher?.Coefficients.ToArray(), teacher is null ? null : [.. teacher.Directions.Select(d => d.ToArray())],
            teacher is null ? null : [.. teacher.HessianProducts.Select(h => h.ToArray())]);
    }

    /// <summary>The reference and teacher derivatives this payload carries.</summary>
    /// <exception cref="InvalidDataException">Arrays whose lengths do not fit the sizes.</exception>
    public (MolecularReference Reference, TeacherDerivatives? Teacher) Restore()
    {
        int n = Functions;
        if (n < 1 || Density.Length != n * n || (Coefficients is { } c && (Orbitals < 1 || c.Length != n * Orbitals))
            || (TeacherCoefficients is { } t && (Orbitals < 1 || t.Length != n * Orbitals || Directions is null || HessianProducts is null)))
            throw new InvalidDataException($"A {Method} reference payload does not fit its sizes ({n} functions, {Density.Length} density values, {Orbitals} orbitals).");
        var reference = new MolecularReference(Method, Energy, HartreeFockEnergy, Tensor.Wrap([.. Density], n, n), DensityKind)
        {
            Coefficients = Coefficients is null ? null : Tensor.Wrap([.. Coefficients], n, Orbitals),
            Teacher = Coefficients is null ? null : Xc.XcFunctional.Parse(Method),
            OrbitalEnergies = OrbitalEnergies?.ToArray(),
            Iterations = Iterations,
        };
        var teacher = TeacherCoefficients is null ? null
            : new TeacherDerivatives(Tensor.Wrap([.. TeacherCoefficients], n, Orbitals), Occupied, [.. Directions!.Select(d => d.ToArray())], [.. HessianProducts!.Select(h => h.ToArray())]);
        return (reference, teacher);
    }
}
