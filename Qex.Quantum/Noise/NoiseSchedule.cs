using Qex.Quantum.Circuits;

namespace Qex.Quantum.Noise;

/// <summary>One step of a noisy circuit: a gate (by index) or a channel on some qubits.</summary>
/// <param name="GateIndex">The gate's index in the circuit, or -1 for a channel.</param>
/// <param name="Channel">The channel, or null for a gate.</param>
/// <param name="Qubits">The qubits it acts on.</param>
internal readonly record struct NoisyStep(int GateIndex, KrausChannel? Channel, int[] Qubits);

/// <summary>Where a noise model's channels fall in a circuit: after matching gates, on their qubits; after layers, on every qubit.</summary>
internal static class NoiseSchedule
{
    public static IEnumerable<NoisyStep> Build(Circuit c, NoiseModel noise)
    {
        var layerEnds = new HashSet<int>(c.LayerEnds);
        for (int k = 0; k < c.Gates.Length; k++)
        {
            var g = c.Gates[k];
            yield return new NoisyStep(k, null, [.. g.Qubits]);
            foreach (var rule in noise.Rules)
            {
                if (rule.Scope == NoiseScope.AfterEachGate && (rule.GateKinds is null || rule.GateKinds.Contains(g.Kind)))
                {
                    if (rule.Channel.Arity == 1)
                        foreach (int q in g.Qubits) yield return new NoisyStep(-1, rule.Channel, [q]);
                    else if (g.Qubits.Length == 2) yield return new NoisyStep(-1, rule.Channel, [.. g.Qubits]);
                }
                else if (rule.Scope == NoiseScope.AfterEachLayer && layerEnds.Contains(k))
                    for (int q = 0; q < c.QubitCount; q++) yield return new NoisyStep(-1, rule.Channel, [q]);
            }
        }
    }
}
