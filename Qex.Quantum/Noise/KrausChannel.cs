using System.Numerics;

namespace Qex.Quantum.Noise;

/// <summary>
/// A quantum channel in Kraus form, <c>rho' = sum_k K_k rho K_k^dag</c>, on one or two qubits. The constructor
/// checks trace preservation (<c>sum_k K_k^dag K_k = I</c> to 1e-12); complete positivity holds by construction.
/// </summary>
public sealed class KrausChannel
{
    private static readonly string[] KnownNames =
        ["bit-flip", "phase-flip", "depolarizing", "amplitude-damping", "phase-damping", "generalized-amplitude-damping", "depolarizing-2"];

    /// <summary>Creates a channel from Kraus operators (all 2x2 or all 4x4).</summary>
    /// <exception cref="ArgumentException">Mixed sizes, or the operators are not trace preserving.</exception>
    public KrausChannel(string name, IReadOnlyList<Complex[,]> operators)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        if (operators is null || operators.Count == 0) throw new ArgumentException($"Channel {name}: no Kraus operators.");
        int d = operators[0].GetLength(0);
        if (d is not (2 or 4)) throw new ArgumentException($"Channel {name}: Kraus operators act on 1 or 2 qubits (2x2 or 4x4); got {d}x{d}.");
        foreach (var k in operators)
            if (k.GetLength(0) != d || k.GetLength(1) != d) throw new ArgumentException($"Channel {name}: Kraus operators of different sizes.");
        Operators = [.. operators.Select(k => (Complex[,])k.Clone())];
        Arity = d == 2 ? 1 : 2;
        double err = TracePreservationError();
        if (err > 1e-12) throw new ArgumentException($"Channel {name} is not trace preserving: |sum K^dag K - I| = {err:E2}.");
    }

    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names => KnownNames;

    /// <summary>The channel's name.</summary>
    public string Name { get; }

    /// <summary>The Kraus operators (copies).</summary>
    public IReadOnlyList<Complex[,]> Operators { get; }

    /// <summary>Number of qubits (1 or 2).</summary>
    public int Arity { get; }

    /// <summary>The largest entry of |sum_k K_k^dag K_k - I|.</summary>
    public double TracePreservationError()
    {
        int d = Operators[0].GetLength(0);
        double worst = 0;
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                Complex s = 0;
                foreach (var k in Operators)
                    for (int r = 0; r < d; r++) s += Complex.Conjugate(k[r, i]) * k[r, j];
                worst = Math.Max(worst, (s - (i == j ? 1 : 0)).Magnitude);
            }
        return worst;
    }

    /// <summary>
    /// The superoperator on the vectorised density matrix, <c>S = sum_k K_k (x) conj(K_k)</c>, index (rows..., columns...).
    /// </summary>
    internal Complex[,] Superoperator()
    {
        int d = Operators[0].GetLength(0), d2 = d * d;
        var s = new Complex[d2, d2];
        foreach (var k in Operators)
            for (int r = 0; r < d; r++) for (int c = 0; c < d; c++)
                for (int r2 = 0; r2 < d; r2++) for (int c2 = 0; c2 < d; c2++)
                    s[r * d + c, r2 * d + c2] += k[r, r2] * Complex.Conjugate(k[c, c2]);
        return s;
    }

    /// <summary>
    /// A channel by name: bit-flip (p), phase-flip (p), depolarizing (p), amplitude-damping (gamma), phase-damping
    /// (lambda), generalized-amplitude-damping (p = probability of the |0&gt; bath, gamma), depolarizing-2 (p).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones), wrong number of arguments.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A probability outside [0, 1].</exception>
    public static KrausChannel Create(string name, params double[] probabilities)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant().Replace('_', '-').Replace("depolarising", "depolarizing", StringComparison.Ordinal)
            .Replace("generalised", "generalized", StringComparison.Ordinal);
        int expected = n == "generalized-amplitude-damping" ? 2 : 1;
        if (!KnownNames.Contains(n)) throw new ArgumentException($"Unknown noise channel '{name}'; known: {string.Join(", ", KnownNames)}.");
        if (probabilities.Length != expected) throw new ArgumentException($"Channel {n} takes {expected} probability argument(s); got {probabilities.Length}.");
        foreach (double p in probabilities)
            if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(probabilities), p, $"Channel {n}: probability {p} is outside [0, 1].");
        double a = probabilities[0];
        Complex I = Complex.ImaginaryOne;
        Complex[,] Id = { { 1, 0 }, { 0, 1 } }, X = { { 0, 1 }, { 1, 0 } }, Y = { { 0, -I }, { I, 0 } }, Z = { { 1, 0 }, { 0, -1 } };
        Complex[,] S(Complex[,] m, double c) => new[,] { { c * m[0, 0], c * m[0, 1] }, { c * m[1, 0], c * m[1, 1] } };
        return n switch
        {
            "bit-flip" => new KrausChannel(n, [S(Id, Math.Sqrt(1 - a)), S(X, Math.Sqrt(a))]),
            "phase-flip" => new KrausChannel(n, [S(Id, Math.Sqrt(1 - a)), S(Z, Math.Sqrt(a))]),
            "depolarizing" => new KrausChannel(n, [S(Id, Math.Sqrt(1 - a)), S(X, Math.Sqrt(a / 3)), S(Y, Math.Sqrt(a / 3)), S(Z, Math.Sqrt(a / 3))]),
            "amplitude-damping" => new KrausChannel(n, [new Complex[,] { { 1, 0 }, { 0, Math.Sqrt(1 - a) } }, new Complex[,] { { 0, Math.Sqrt(a) }, { 0, 0 } }]),
            "phase-damping" => new KrausChannel(n, [new Complex[,] { { 1, 0 }, { 0, Math.Sqrt(1 - a) } }, new Complex[,] { { 0, 0 }, { 0, Math.Sqrt(a) } }]),
            "generalized-amplitude-damping" => GeneralizedAmplitudeDamping(a, probabilities[1]),
            "depolarizing-2" => TwoQubitDepolarizing(a, [Id, X, Y, Z]),
            _ => throw new InvalidOperationException(),
        };
    }

    private static KrausChannel GeneralizedAmplitudeDamping(double p, double g)
    {
        double sp = Math.Sqrt(p), sq = Math.Sqrt(1 - p), a = Math.Sqrt(1 - g), b = Math.Sqrt(g);
        return new KrausChannel("generalized-amplitude-damping",
        [
            new Complex[,] { { sp, 0 }, { 0, sp * a } }, new Complex[,] { { 0, sp * b }, { 0, 0 } },
            new Complex[,] { { sq * a, 0 }, { 0, sq } }, new Complex[,] { { 0, 0 }, { sq * b, 0 } },
        ]);
    }

    private static KrausChannel TwoQubitDepolarizing(double p, Complex[][,] paulis)
    {
        var ops = new List<Complex[,]>();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double c = i == 0 && j == 0 ? Math.Sqrt(1 - p) : Math.Sqrt(p / 15);
                var k = new Complex[4, 4];
                for (int r1 = 0; r1 < 2; r1++) for (int r2 = 0; r2 < 2; r2++)
                    for (int c1 = 0; c1 < 2; c1++) for (int c2 = 0; c2 < 2; c2++)
                        k[r1 * 2 + r2, c1 * 2 + c2] = c * paulis[i][r1, c1] * paulis[j][r2, c2];
                ops.Add(k);
            }
        return new KrausChannel("depolarizing-2", ops);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Arity} qubit{(Arity == 2 ? "s" : "")}, {Operators.Count} Kraus operators)";
}
