using Qex.Autodiff;

namespace Qex.Quantum.Circuits;

/// <summary>
/// Amplitude encoding (a "quantum-inspired" input: no preparation circuit is built): each window of k values
/// becomes the real initial state <c>a = [w_1, ..., w_k, 0, ..., 0, eps] / sqrt(|w|^2 + eps^2)</c> on n qubits,
/// k &lt; 2^n. The last amplitude holds a small constant, so an all-zero window (vacuum) is a valid state and the map
/// is smooth. The norm <c>sqrt(|w|^2 + eps^2)</c> is lost in the state and returned separately, to be fed back by
/// the model.
/// </summary>
public static class AmplitudeEncoding
{
    /// <summary>(amplitudes (B, 2^n), norms (B)) for windows (B, k).</summary>
    /// <exception cref="ArgumentException">k is not smaller than 2^n.</exception>
    public static (Var Amplitudes, Var Norms) Encode(Var windows, int qubits, double epsilon = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Rank != 2) throw new ArgumentException("Amplitude encoding takes windows of shape (B, k).");
        int batch = windows.Dim(0), k = windows.Dim(1), dim = 1 << qubits;
        if (k >= dim) throw new ArgumentException($"Amplitude encoding of {k} values needs more than {k} amplitudes (one is kept for the regulariser); {qubits} qubits have {dim}.");
        var padded = Op.Pad(windows, 1, 0, dim - k - 1);
        var withEps = Op.Concat([padded, Var.Constant(Core.Tensors.Tensor.Create([batch, 1], s => s.Fill(epsilon)))], 1);
        var norms = Op.Sqrt(Op.Sum(Op.Square(withEps), [1]));
        var amplitudes = withEps / Op.Reshape(norms, batch, 1);
        return (amplitudes, norms);
    }
}
