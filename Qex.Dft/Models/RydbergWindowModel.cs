using Qex.Autodiff;
using Qex.Autodiff.Optimisers;
using Qex.Core.Random;
using Qex.Core.Tensors;
using Qex.Quantum.Analog;

namespace Qex.Dft.Models;

/// <summary>Where an analog model writes the density: each atom's detuning or each atom's drive amplitude.</summary>
public enum AnalogEncoding
{
    /// <summary>delta_i = delta_s + kappa_i x_i (the drive is global).</summary>
    Detuning,

    /// <summary>Omega_i = Omega_s + kappa_i x_i (the detuning is global).</summary>
    Amplitude,
}

/// <summary>
/// An analog neutral-atom window model (Pasqal's hardware is analog): a line of atoms driven by a global pulse of
/// piecewise-constant segments, the density encoded in local detunings, read out as the Rydberg population
/// <c>sum_i &lt;n_i&gt;</c>. In segment s every atom sees drive Omega_s and detuning <c>delta_s + kappa_i x_i</c>, x_i the
/// (scaled) window value of atom i (a window of 1 value feeds every atom); with <see cref="AnalogEncoding.Amplitude"/>
/// the density enters the drives instead, <c>Omega_s + kappa_i x_i</c>, under the global detuning delta_s. Evolution is exact
/// (<see cref="RydbergEvolution.StepBatch"/>: the whole batch of windows in one graph), so are its first and second
/// derivatives.
/// Parameters: "omega" (segments, rad/us), "delta" (segments, rad/us), "tau" (segments: durations softplus(tau) us),
/// "kappa" (atoms, rad/us per unit of scaled density).
/// </summary>
public sealed class RydbergWindowModel : IWindowModel
{
    private readonly Tensor _population;

    /// <summary>Creates the model.</summary>
    /// <param name="atoms">Atoms in the register (1..8).</param>
    /// <param name="segments">Pulse segments (1..16).</param>
    /// <param name="windowSize">Values per window: 1 (every atom reads it) or the number of atoms.</param>
    /// <param name="inputScale">Density values are multiplied by this first.</param>
    /// <param name="spacing">Distance between neighbouring atoms (um).</param>
    /// <exception cref="ArgumentException">Sizes out of range, or a window that does not match the register.</exception>
    /// <param name="encoding">Where the density enters: local detunings (default) or local drive amplitudes.</param>
    public RydbergWindowModel(int atoms, int segments, int windowSize, double inputScale = 1.0, double spacing = 8.0, AnalogEncoding encoding = AnalogEncoding.Detuning)
    {
        if (atoms is < 1 or > 8) throw new ArgumentException($"An analog window model uses 1 to 8 atoms; got {atoms}.");
        if (segments is < 1 or > 16) throw new ArgumentException($"An analog pulse has 1 to 16 segments; got {segments}.");
        if (windowSize != 1 && windowSize != atoms) throw new ArgumentException($"A window of {windowSize} values does not fit {atoms} atoms (one value for all atoms, or one per atom).");
        if (!double.IsFinite(inputScale) || inputScale == 0) throw new ArgumentException($"The input scale must be a non-zero number; got {inputScale}.");
        Register = RydbergRegister.Line(atoms, spacing);
        Segments = segments;
        Encoding = encoding;
        WindowSize = windowSize;
        InputScale = inputScale;
        var pop = new double[Register.Dimension];
        for (int s = 0; s < pop.Length; s++) for (int i = 0; i < atoms; i++) if (Register.Excited(s, i)) pop[s] += 1;
        _population = Tensor.Wrap(pop, pop.Length);
    }

    /// <summary>The register.</summary>
    public RydbergRegister Register { get; }

    /// <summary>Pulse segments.</summary>
    public int Segments { get; }

    /// <summary>Where the density enters the Hamiltonian.</summary>
    public AnalogEncoding Encoding { get; }

    /// <summary>Density values are multiplied by this first.</summary>
    public double InputScale { get; }

    /// <inheritdoc />
    public int WindowSize { get; }

    /// <inheritdoc />
    public int ParameterTensors => 4;

    /// <summary>Trainable numbers: 3 per segment and one per atom.</summary>
    public int ParameterCount => 3 * Segments + Register.Count;

    /// <inheritdoc />
    public IReadOnlyList<NamedTensor> InitialParameters(RngKey key)
    {
        var g = key.CreateGenerator();
        return
        [
            new NamedTensor("omega", g.UniformTensor([Segments], 2, 6)),
            new NamedTensor("delta", g.UniformTensor([Segments], -1, 1)),
            new NamedTensor("tau", g.UniformTensor([Segments], -0.53, -0.33)),   // durations about 0.5 us
            new NamedTensor("kappa", g.UniformTensor([Register.Count], 2, 6)),
        ];
    }

    /// <inheritdoc />
    public Var Evaluate(Var windows, IReadOnlyList<Var> parameters)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != 4) throw new ArgumentException($"The analog window model takes 4 parameter tensors; got {parameters.Count}.");
        int batch = windows.Dim(0), n = Register.Count;
        if (windows.Value.Rank != 2 || windows.Dim(1) != WindowSize) throw new ArgumentException($"Windows must have shape (B, {WindowSize}).");
        var (omega, delta, tau, kappa) = (parameters[0], parameters[1], parameters[2], parameters[3]);
        var x = windows * InputScale;
        var durations = Op.Softplus(tau);
        var local = WindowSize == 1 ? x * Op.Reshape(kappa, 1, n) : x * kappa;   // (B, n)
        var state = RydbergEvolution.GroundStates(Register, batch);
        for (int s = 0; s < Segments; s++)
        {
            var (drive, detuning) = (Op.Slice(omega, 0, s, 1), Op.Slice(delta, 0, s, 1));
            var hamiltonians = Encoding == AnalogEncoding.Detuning
                ? RydbergHamiltonian.Matrices(Register, Op.BroadcastTo(drive, [n]), detuning + local)
                : RydbergHamiltonian.Matrices(Register, drive + local, Op.BroadcastTo(detuning, [n]));
            state = RydbergEvolution.StepBatch(state, hamiltonians, Op.Slice(durations, 0, s, 1));
        }
        return RydbergEvolution.Expectations(state, _population);
    }

    /// <inheritdoc />
    public string Describe() => $"analog {Register.Count}-atom line ({Register.Positions.Count switch { 1 => "", _ => $"{Register.Positions[1].X - Register.Positions[0].X:G3} um apart, " }}C6/r^6), {Segments}-segment global pulse, density in local {(Encoding == AnalogEncoding.Detuning ? "detunings" : "drive amplitudes")} ({WindowSize} value{(WindowSize == 1 ? "" : "s")} per window), Rydberg population";
}
