namespace Qex.Core.Random;

/// <summary>
/// An immutable key for reproducible, splittable random streams (in the spirit of JAX's PRNG keys): the same key
/// always yields the same numbers, and <see cref="Split(int)"/> derives statistically independent child keys, so
/// that parallel or nested consumers never share a stream.
/// </summary>
/// <param name="State">The 64-bit key state.</param>
public readonly record struct RngKey(ulong State)
{
    /// <summary>The key of a user seed.</summary>
    public static RngKey FromSeed(long seed) => new(Mix((ulong)seed ^ 0x5851F42D4C957F2DUL));

    /// <summary>Derives <paramref name="count"/> independent child keys.</summary>
    public RngKey[] Split(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var keys = new RngKey[count];
        for (int i = 0; i < count; i++) keys[i] = Fold((ulong)i);
        return keys;
    }

    /// <summary>Derives two independent child keys.</summary>
    public (RngKey First, RngKey Second) Split() => (Fold(0), Fold(1));

    /// <summary>A child key identified by <paramref name="data"/> (e.g. an epoch or a molecule index).</summary>
    public RngKey Fold(ulong data) => new(Mix(Mix(State + 0x9E3779B97F4A7C15UL * (data + 1)) ^ 0xD1B54A32D192ED03UL));

    /// <summary>A generator that draws from this key's stream.</summary>
    public Rng CreateGenerator() => new(this);

    /// <summary>SplitMix64 finaliser: a bijective 64-bit mixing function.</summary>
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
