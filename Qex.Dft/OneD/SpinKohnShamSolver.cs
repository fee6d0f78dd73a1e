using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.OneD;

/// <summary>One spin-polarised Kohn–Sham iteration.</summary>
/// <param name="Up">The mixed spin-up density after the iteration (the next input).</param>
/// <param name="Down">The mixed spin-down density.</param>
/// <param name="Energy">The electronic energy of the output densities (E_nn excluded).</param>
/// <param name="Eigenvalues">Orbital energies of each channel (up, down).</param>
/// <param name="DensityChange">h sum (|n_up,out - n_up,in| + |n_down,out - n_down,in|).</param>
public sealed record SpinKohnShamState(Var Up, Var Down, Var Energy, Tensor[] Eigenvalues, double DensityChange)
{
    /// <summary>The total density n_up + n_down.</summary>
    public Var Density => Up + Down;
}

/// <summary>The states of every iteration of one spin-polarised SCF run.</summary>
/// <param name="Molecule">The system.</param>
/// <param name="States">One state per iteration.</param>
/// <param name="Converged">True when a density tolerance was set and reached.</param>
public sealed record SpinKohnShamTrajectory(Molecule1D Molecule, IReadOnlyList<SpinKohnShamState> States, bool Converged)
{
    /// <summary>The last state.</summary>
    public SpinKohnShamState Final => States[^1];
}

/// <summary>
/// Spin-polarised 1D Kohn–Sham (for odd-electron and open-shell atoms, ions and molecules): N_up = (N + U)/2 and
/// N_down = (N - U)/2 electrons (U unpaired), one per orbital in each channel; at each iteration
/// <c>v_s,s = v_ext + v_H[n_in] + v_xc,s[n_up,in, n_down,in]</c>, each channel solved in its own potential,
/// <c>E = sum_s (sum_eps_s - h sum n_s,out v_s,s) + U[n_out] + E_xc[n_up,out, n_down,out] + h sum n_out v_ext</c>, and both
/// densities mixed linearly with the decaying weight of <see cref="KohnShamSolver"/>. With equal channels (an even
/// closed shell) it is the restricted SCF. Everything is recorded, so gradients flow through all iterations.
/// </summary>
public sealed class SpinKohnShamSolver
{
    private readonly NonInteractingSolver _solver;

    /// <summary>A solver on a grid with an interaction.</summary>
    public SpinKohnShamSolver(Grid1D grid, Interaction interaction)
    {
        Context = new XcContext(grid, interaction);
        _solver = new NonInteractingSolver(grid);
    }

    /// <summary>Grid and interaction.</summary>
    public XcContext Context { get; }

    /// <summary>The grid.</summary>
    public Grid1D Grid => Context.Grid;

    /// <summary>The electrons of each spin channel: ((N + U)/2, (N - U)/2).</summary>
    /// <exception cref="ArgumentException">N and U of different parity, or U larger than N.</exception>
    public static (int Up, int Down) Channels(Molecule1D molecule)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        int n = molecule.Electrons, u = molecule.Unpaired;
        if (u > n || (n + u) % 2 != 0)
            throw new ArgumentException($"{n} electrons cannot have {u} unpaired (N and the unpaired count must have the same parity, unpaired <= N).");
        return ((n + u) / 2, (n - u) / 2);
    }

    /// <summary>Runs the SCF for a molecule with a spin functional and its parameters.</summary>
    /// <exception cref="ArgumentException">The molecule does not fit the grid, inconsistent spin counts, or smearing (integer occupations only).</exception>
    /// <exception cref="ArithmeticException">The energy or potential became non-finite (names the iteration).</exception>
    public SpinKohnShamTrajectory Run(Molecule1D molecule, ISpinXcFunctional functional, IReadOnlyList<Var> parameters, ScfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(molecule);
        ArgumentNullException.ThrowIfNull(functional);
        options ??= new ScfOptions();
        if (options.Occupation is { Temperature: > 0 })
            throw new ArgumentException("The spin-polarised solver uses integer occupations; drop the smearing temperature.");
        molecule.Validate(Grid);
        var (nUp, nDown) = Channels(molecule);
        double h = Grid.Spacing;
        var vext = Var.Constant(molecule.ExternalPotential(Grid, Context.Interaction));
        var symmetry = options.Symmetry ? new ReflectionSymmetry(Grid, molecule.Centre) : null;
        Var Sym(Var f) => symmetry is null ? f : symmetry.Apply(f);
        Var EpsXc(Var up, Var down) => Sym(functional.SpinEnergyDensity(Sym(up), Sym(down), parameters, Context));

        var upIn = Sym(_solver.SolveSpinChannel(vext, nUp).Density);
        var downIn = Sym(_solver.SolveSpinChannel(vext, nDown).Density);
        var states = new List<SpinKohnShamState>(options.Iterations);
        double alpha = options.MixingAlpha;
        bool converged = false;
        for (int k = 0; k < options.Iterations; k++)
        {
            var vh = Hartree.Potential(upIn + downIn, Context.InteractionMatrix, h);
            var (vxcUp, vxcDown) = SpinXcEnergy.Potentials(EpsXc, upIn, downIn, h);
            var vsUp = vext + vh + vxcUp;
            var vsDown = vext + vh + vxcDown;
            foreach (var vs in new[] { vsUp, vsDown })
                foreach (double x in vs.Value.Span)
                    if (!double.IsFinite(x))
                        throw new ArithmeticException($"Spin-polarised Kohn–Sham iteration {k + 1}: the potential is not finite (functional '{functional.Name}').");
            var up = _solver.SolveSpinChannel(vsUp, nUp);
            var down = _solver.SolveSpinChannel(vsDown, nDown);
            var upOut = Sym(up.Density);
            var downOut = Sym(down.Density);
            var nOut = upOut + downOut;
            var energy = up.SumEigenvalues + down.SumEigenvalues - (Op.Sum(upOut * vsUp) + Op.Sum(downOut * vsDown)) * h
                         + Hartree.Energy(nOut, Context.InteractionMatrix, h)
                         + SpinXcEnergy.Energy(EpsXc, upOut, downOut, h)
                         + Op.Sum(nOut * vext) * h;
            double e = energy.ToScalar();
            if (!double.IsFinite(e))
                throw new ArithmeticException($"Spin-polarised Kohn–Sham iteration {k + 1} gave a non-finite energy ({e}) with functional '{functional.Name}'.");
            double change = (KohnShamSolver.AbsoluteDifference(upOut, upIn) + KohnShamSolver.AbsoluteDifference(downOut, downIn)) * h;
            upIn = upIn + (upOut - upIn) * alpha;
            downIn = downIn + (downOut - downIn) * alpha;
            alpha *= options.MixingDecay;
            states.Add(new SpinKohnShamState(upIn, downIn, energy, [up.Eigenvalues, down.Eigenvalues], change));
            if (options.DensityTolerance > 0 && change < options.DensityTolerance) { converged = true; break; }
        }
        return new SpinKohnShamTrajectory(molecule, states, converged);
    }
}
