namespace Qex.Dft.OneD.Xc;

/// <summary>The 1D XC functionals by name.</summary>
public static class XcFunctionals
{
    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lda", "ksr-global", "ksr-lda", "ksr-gga"];

    /// <summary>A functional by name.</summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    public static IXcFunctional Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "lda" => new ExponentialLda(),
        "ksr-global" or "ksr_global" or "global" => new KsrGlobal(),
        "ksr-lda" or "ksr_lda" => new KsrLocal(1),
        "ksr-gga" or "ksr_gga" => new KsrLocal(3),
        _ => throw new ArgumentException($"Unknown functional '{name}'; known: {string.Join(", ", Names)}."),
    };
}
