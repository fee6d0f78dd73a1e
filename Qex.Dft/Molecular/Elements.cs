namespace Qex.Dft.Molecular;

/// <summary>The elements H to Kr by symbol and atomic number.</summary>
public static class Elements
{
    private static readonly string[] Symbols =
    [
        "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar",
        "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr",
    ];

    /// <summary>The largest supported atomic number (Kr).</summary>
    public const int MaxAtomicNumber = 36;

    /// <summary>The atomic number of a symbol (case-insensitive: "h", "HE", "cl").</summary>
    /// <exception cref="ArgumentException">Not an element from H to Kr.</exception>
    public static int AtomicNumber(string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        string s = symbol.Trim();
        for (int i = 0; i < Symbols.Length; i++)
            if (string.Equals(Symbols[i], s, StringComparison.OrdinalIgnoreCase)) return i + 1;
        throw new ArgumentException($"Unknown element '{symbol}' (Qex supports H to Kr).");
    }

    /// <summary>The symbol of an atomic number 1..36.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1..36.</exception>
    public static string Symbol(int z) => z is >= 1 and <= MaxAtomicNumber ? Symbols[z - 1]
        : throw new ArgumentOutOfRangeException(nameof(z), z, $"Atomic number {z} is outside 1..{MaxAtomicNumber} (H to Kr).");
}
