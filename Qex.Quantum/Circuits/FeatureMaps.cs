using Qex.Quantum.Gates;

namespace Qex.Quantum.Circuits;

/// <summary>How input values are written into rotation angles.</summary>
public enum FeatureMapKind
{
    /// <summary>
    /// Direct angle encoding: RY(x) with the raw value; k values on n qubits in blocks of n/k consecutive qubits
    /// (6 qubits, 3 values: x0, x0, x1, x1, x2, x2).
    /// </summary>
    Direct,

    /// <summary>
    /// Chebyshev: qubit r of a block gets RY(2 (r + 1) phi), phi = acos(x~). The circuit input is phi; a model computes it
    /// with a fixed scaling (see <see cref="FeatureMaps.ChebyshevAngle"/>), never a per-call min-max rescaling.
    /// </summary>
    Chebyshev,

    /// <summary>Fourier: RY(x) on every qubit of the block (scale 1), the same layout as <see cref="Direct"/>.</summary>
    Fourier,

    /// <summary>Tower: qubit r of a block gets RY((r + 1) x).</summary>
    Tower,

    /// <summary>Exponential: qubit r of a block gets RY(2^r x).</summary>
    Exponential,

    /// <summary>Product (interleaved): qubit i gets RY(x_(i mod k)), so every value is spread across the register.</summary>
    Product,

    /// <summary>Amplitude encoding: the window is written into the initial state (see <see cref="AmplitudeEncoding"/>); no gates.</summary>
    Amplitude,
}

/// <summary>Encoding circuits (feature maps): inputs to rotation angles.</summary>
public static class FeatureMaps
{
    /// <summary>The feature maps by name.</summary>
    public static FeatureMapKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "direct" => FeatureMapKind.Direct,
        "chebyshev" => FeatureMapKind.Chebyshev,
        "fourier" => FeatureMapKind.Fourier,
        "tower" => FeatureMapKind.Tower,
        "exponential" or "exp" => FeatureMapKind.Exponential,
        "product" => FeatureMapKind.Product,
        "amplitude" => FeatureMapKind.Amplitude,
        _ => throw new ArgumentException($"Unknown feature map '{name}'; known: direct, chebyshev, fourier, tower, exponential, product, amplitude."),
    };

    /// <summary>The name <see cref="Parse"/> reads for a feature map.</summary>
    public static string NameOf(FeatureMapKind kind) => kind switch
    {
        FeatureMapKind.Direct => "direct",
        FeatureMapKind.Chebyshev => "chebyshev",
        FeatureMapKind.Fourier => "fourier",
        FeatureMapKind.Tower => "tower",
        FeatureMapKind.Exponential => "exponential",
        FeatureMapKind.Product => "product",
        FeatureMapKind.Amplitude => "amplitude",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown feature map."),
    };

    /// <summary>Appends the encoding of <paramref name="values"/> inputs (input indices 0..k-1) on all qubits.</summary>
    /// <exception cref="ArgumentException">The qubit count is not a multiple of the number of values.</exception>
    public static CircuitBuilder Encode(this CircuitBuilder builder, FeatureMapKind kind, int values)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (kind == FeatureMapKind.Amplitude) return builder; // the values go into the initial state, not into gates
        int n = builder.QubitCount;
        if (values < 1 || n % values != 0) throw new ArgumentException($"A feature map puts {values} values on {n} qubits: the qubit count must be a multiple of the number of values.");
        int block = n / values;
        for (int i = 0; i < n; i++)
        {
            int r = i % block, j = kind == FeatureMapKind.Product ? i % values : i / block;
            double scale = kind switch
            {
                FeatureMapKind.Chebyshev => 2.0 * (r + 1),
                FeatureMapKind.Tower => r + 1,
                FeatureMapKind.Exponential => Math.Pow(2, r),
                _ => 1.0,
            };
            builder.RY(i, builder.Input(j, scale));
        }
        return builder.EndLayer();
    }

    /// <summary>
    /// The Chebyshev angle of a value with a fixed scale s: <c>phi = acos(tanh(x / s))</c>. For x &gt;= 0 (densities) phi runs
    /// from pi/2 down to 0; it is smooth everywhere (acos(tanh u) = pi/2 - gd(u), the Gudermannian), so the
    /// derivatives the XC potential needs stay finite at x = 0, unlike acos of a min-max rescaled value.
    /// </summary>
    public static double ChebyshevAngle(double x, double scale) => Math.PI / 2 - 2 * Math.Atan(Math.Tanh(x / scale / 2));
}

/// <summary>How a hardware-efficient ansatz entangles its qubits.</summary>
public enum EntanglerKind
{
    /// <summary>CNOTs on (0,1), (2,3), ... then (1,2), (3,4), ...</summary>
    BrickWall,

    /// <summary>CNOTs on (0,1), (1,2), ..., (n-1, 0).</summary>
    Ring,

    /// <summary>CNOTs on (0,1), (1,2), ..., (n-2, n-1).</summary>
    Linear,
}

/// <summary>The hardware-efficient ansatz: per layer a rotation sequence on every qubit, then an entangler.</summary>
public static class HardwareEfficientAnsatz
{
    /// <summary>Parses an entangler name (brick-wall | ring | linear).</summary>
    public static EntanglerKind ParseEntangler(string name) => name.Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal) switch
    {
        "brick-wall" or "brickwall" or "brick" => EntanglerKind.BrickWall,
        "ring" => EntanglerKind.Ring,
        "linear" or "chain" => EntanglerKind.Linear,
        _ => throw new ArgumentException($"Unknown entangler '{name}'; known: brick-wall, ring, linear."),
    };

    /// <summary>The name <see cref="ParseEntangler"/> reads for an entangler.</summary>
    public static string NameOf(EntanglerKind kind) => kind switch
    {
        EntanglerKind.BrickWall => "brick-wall",
        EntanglerKind.Ring => "ring",
        EntanglerKind.Linear => "linear",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entangler."),
    };

    /// <summary>Parses a rotation sequence like "rz,rx,rz" (the paper's model) or "rx,ry,rx" (the released code).</summary>
    public static GateKind[] ParseRotations(string text)
    {
        var parts = text.Split([',', '-', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException("An ansatz needs at least one rotation (like rz,rx,rz).");
        return [.. parts.Select(p => p.ToLowerInvariant() switch
        {
            "rx" => GateKind.RX, "ry" => GateKind.RY, "rz" => GateKind.RZ,
            _ => throw new ArgumentException($"Unknown ansatz rotation '{p}'; use rx, ry or rz."),
        })];
    }

    /// <summary>
    /// Appends <paramref name="layers"/> layers: parameters named <c>{prefix}{layer}_{qubit}_{rotation}</c>, in layer,
    /// qubit, rotation order, so the circuit has <c>rotations x n x layers</c> parameters.
    /// </summary>
    public static CircuitBuilder Ansatz(this CircuitBuilder builder, int layers, IReadOnlyList<GateKind> rotations, EntanglerKind entangler, string prefix = "theta")
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (layers < 1) throw new ArgumentException($"An ansatz needs at least one layer; got {layers}.");
        int n = builder.QubitCount;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < n; q++)
                for (int r = 0; r < rotations.Count; r++)
                    builder.Rotation(rotations[r], builder.Parameter($"{prefix}{l}_{q}_{r}"), q);
            if (n > 1)
                switch (entangler)
                {
                    case EntanglerKind.BrickWall:
                        for (int q = 0; q + 1 < n; q += 2) builder.CNOT(q, q + 1);
                        for (int q = 1; q + 1 < n; q += 2) builder.CNOT(q, q + 1);
                        break;
                    case EntanglerKind.Ring:
                        for (int q = 0; q + 1 < n; q++) builder.CNOT(q, q + 1);
                        if (n > 2) builder.CNOT(n - 1, 0);
                        break;
                    default:
                        for (int q = 0; q + 1 < n; q++) builder.CNOT(q, q + 1);
                        break;
                }
            builder.EndLayer();
        }
        return builder;
    }
}
