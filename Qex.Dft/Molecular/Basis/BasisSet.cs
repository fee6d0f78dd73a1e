namespace Qex.Dft.Molecular.Basis;

/// <summary>
/// A contracted shell placed on an atom: angular momentum, exponents and coefficients that include the primitive
/// normalisation and the renormalisation of the contraction (for the x^L cartesian component), and whether it is
/// spherical.
/// </summary>
/// <param name="Atom">Index of the atom it sits on.</param>
/// <param name="Center">Position (Bohr).</param>
/// <param name="AngularMomentum">L.</param>
/// <param name="Exponents">Primitive exponents.</param>
/// <param name="Coefficients">Normalised contraction coefficients.</param>
/// <param name="Pure">Spherical (2L + 1 functions) or cartesian ((L + 1)(L + 2) / 2 functions).</param>
/// <param name="Offset">Index of its first function in the basis.</param>
public sealed record Shell(int Atom, double[] Center, int AngularMomentum, double[] Exponents, double[] Coefficients, bool Pure, int Offset)
{
    /// <summary>The number of basis functions of the shell.</summary>
    public int FunctionCount => Pure && AngularMomentum > 1 ? 2 * AngularMomentum + 1 : (AngularMomentum + 1) * (AngularMomentum + 2) / 2;
}

/// <summary>A basis set placed on a molecule: its shells in atom order, and the number of functions.</summary>
public sealed class BasisSet
{
    private BasisSet(string name, IReadOnlyList<Shell> shells)
    {
        Name = name;
        Shells = shells;
        FunctionCount = shells.Sum(s => s.FunctionCount);
    }

    /// <summary>The basis set's name.</summary>
    public string Name { get; }

    /// <summary>The shells.</summary>
    public IReadOnlyList<Shell> Shells { get; }

    /// <summary>The number of basis functions.</summary>
    public int FunctionCount { get; }

    /// <summary>The same shells, all cartesian, offsets recomputed (integrals are computed over this twin and transformed).</summary>
    public BasisSet WithCartesianShells()
    {
        var shells = new List<Shell>();
        int offset = 0;
        foreach (var s in Shells)
        {
            var c = s with { Pure = false, Offset = offset };
            shells.Add(c);
            offset += c.FunctionCount;
        }
        return new BasisSet(Name, shells);
    }

    /// <summary>Places a basis set on a molecule (p shells are always cartesian, which equals spherical for L = 1).</summary>
    /// <exception cref="ArgumentException">The basis set lacks an element of the molecule.</exception>
    public static BasisSet For(Molecule molecule, BasisSetDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(definition);
        var shells = new List<Shell>();
        int offset = 0;
        for (int a = 0; a < molecule.Atoms.Count; a++)
        {
            var atom = molecule.Atoms[a];
            foreach (var def in definition.For(atom.AtomicNumber))
            {
                var shell = new Shell(a, [atom.X, atom.Y, atom.Z], def.AngularMomentum, [.. def.Exponents],
                    Normalise(def.AngularMomentum, [.. def.Exponents], [.. def.Coefficients]), definition.Pure, offset);
                shells.Add(shell);
                offset += shell.FunctionCount;
            }
        }
        return new BasisSet(definition.Name, shells);
    }

    /// <summary>Normalisation of the primitive x^l exp(-a r^2) (the x^L component of a shell of angular momentum l).</summary>
    public static double PrimitiveNorm(int l, double exponent) =>
        Math.Pow(2 * exponent / Math.PI, 0.75) * Math.Pow(4 * exponent, l / 2.0) / Math.Sqrt(DoubleFactorial(2 * l - 1));

    /// <summary>n!! with (-1)!! = 1.</summary>
    public static double DoubleFactorial(int n)
    {
        double r = 1;
        for (int k = n; k > 1; k -= 2) r *= k;
        return r;
    }

    /// <summary>
    /// Coefficients times the primitive normalisation (2a/pi)^(3/4) (4a)^(L/2) / sqrt((2L-1)!!), rescaled so that the
    /// contracted x^L component has unit norm.
    /// </summary>
    public static double[] Normalise(int l, double[] exponents, double[] coefficients)
    {
        int n = exponents.Length;
        var c = new double[n];
        for (int i = 0; i < n; i++)
            c[i] = coefficients[i] * PrimitiveNorm(l, exponents[i]);
        double s = 0, df = DoubleFactorial(2 * l - 1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double p = exponents[i] + exponents[j];
                s += c[i] * c[j] * Math.Pow(Math.PI / p, 1.5) * df / Math.Pow(2 * p, l);
            }
        double f = 1 / Math.Sqrt(s);
        for (int i = 0; i < n; i++) c[i] *= f;
        return c;
    }
}
