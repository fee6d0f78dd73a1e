using Qex.Autodiff;
using Qex.Core.Tensors;
using Qex.Dft.OneD.Xc;

namespace Qex.Dft.OneD;

/// <summary>Settings of the self-consistent field loop (defaults: the KSR paper's).</summary>
/// <param name="Iterations">Number of Kohn–Sham iterations K (no early stop unless a tolerance is set).</param>
/// <param name="MixingAlpha">Initial linear-mixing weight alpha_0.</param>
/// <param name="MixingDecay">alpha_(k+1) = decay * alpha_k.</param>
/// <param name="DensityTolerance">Stop early once h sum |n_out - n_in| falls below this (0: never).</param>
/// <param name="Symmetry">Average with the mirror image about the molecule centre (densities and the XC energy density).</param>
/// <param name="Occupation">Orbital occupation (integer aufbau by default).</param>
/// <param name="SpinPolarised">Spin-polarised Kohn–Sham (<see cref="SpinKohnShamSolver"/>) for training and evaluation; the
/// restricted solver ignores it.</param>
public sealed record ScfOptions(
    int Iterations = 15,
    double MixingAlpha = 0.5,
    double MixingDecay = 0.9,
    double DensityTolerance = 0,
    bool Symmetry = true,
    Occupation? Occupation = null,
    bool SpinPolarised = false);

/// <summary>One Kohn–Sham iteration.</summary>
/// <param name="Density">The mixed density after the iteration (the next input).</param>
/// <param name="Energy">The electronic energy of the output density (E_nn excluded).</param>
/// <param name="Eigenvalues">Orbital energies of the iteration.</param>
/// <param name="Gap">LUMO - HOMO.</param>
/// <param name="DensityChange">h sum |n_out - n_in|.</param>
public sealed record KohnShamState(Var Density, Var Energy, Tensor Eigenvalues, double Gap, double DensityChange);

/// <summary>The states of every iteration of one SCF run.</summary>
/// <param name="Molecule">The system.</param>
/// <param name="States">One state per iteration.</param>
/// <param name="Converged">True when a density tolerance was set and reached.</param>
public sealed record KohnShamTrajectory(Molecule1D Molecule, IReadOnlyList<KohnShamState> States, bool Converged)
{
    /// <summary>The last state.</summary>
    public KohnShamState Final => States[^1];
}

/// <summary>
/// The 1D Kohn–Sham SCF of the KSR work: start from the non-interacting density in v_ext; at each iteration
/// <c>v_s = v_ext + v_H[n_in] + v_xc[n_in]</c>, solve, symmetrise n_out, take
/// <c>E = sum_eps - h sum n_out v_s + U[n_out] + E_xc[n_out] + h sum n_out v_ext</c>, and mix linearly with a
/// decaying weight. Everything is recorded, so gradients flow through all iterations (eigensolves included) and
/// through v_xc = dE_xc/dn.
/// </summary>
public sealed class KohnShamSolver
{
    private readonly NonInteractingSolver _solver;

    /// <summary>A solver on a grid with an interaction.</summary>
    public KohnShamSolver(Grid1D grid, Interaction interaction)
    {
        Context = new XcContext(grid, interaction);
        _solver = new NonInteractingSolver(grid);
    }

    /// <summary>Grid and interaction.</summary>
    public XcContext Context { get; }

    /// <summary>The grid.</summary>
    public Grid1D Grid => Context.Grid;

    /// <summary>Runs the SCF for a molecule with a functional and its parameters.</summary>
    /// <exception cref="ArgumentException">The molecule does not fit the grid.</exception>
    /// <exception cref="ArithmeticException">The energy or density became NaN (names the iteration).</exception>
    public KohnShamTrajectory Run(Molecule1D molecule, IXcFunctional functional, IReadOnlyList<Var> parameters, ScfOptions? options = null)
    {
        options ??= new ScfOptions();
        if (options.SpinPolarised) throw new ArgumentException("These SCF options ask for spin-polarised Kohn–Sham: run SpinKohnShamSolver.");
        molecule.Validate(Grid);
        double h = Grid.Spacing;
        var vext = Var.Constant(molecule.ExternalPotential(Grid, Context.Interaction));
        var symmetry = options.Symmetry ? new ReflectionSymmetry(Grid, molecule.Centre) : null;
        Var Sym(Var f) => symmetry is null ? f : symmetry.Apply(f);
        Var EpsXc(Var n) => Sym(functional.EnergyDensity(Sym(n), parameters, Context));

        var start = _solver.Solve(vext, molecule.Electrons, options.Occupation);
        var nIn = Sym(start.Density);
        var states = new List<KohnShamState>(options.Iterations);
        double alpha = options.MixingAlpha;
        bool converged = false;
        for (int k = 0; k < options.Iterations; k++)
        {
            var vh = Hartree.Potential(nIn, Context.InteractionMatrix, h);
            var vxc = XcEnergy.Potential(EpsXc, nIn, h);
            var vs = vext + vh + vxc;
            foreach (double x in vs.Value.Span)
                if (!double.IsFinite(x))
                    throw new ArithmeticException($"Kohn–Sham iteration {k + 1}: the potential is not finite (functional '{functional.Name}').");
            var solved = _solver.Solve(vs, molecule.Electrons, options.Occupation);
            var nOut = Sym(solved.Density);
            var energy = solved.SumEigenvalues - Op.Sum(nOut * vs) * h
                         + Hartree.Energy(nOut, Context.InteractionMatrix, h)
                         + XcEnergy.Energy(EpsXc, nOut, h)
                         + Op.Sum(nOut * vext) * h
                         + solved.Entropy;
            double e = energy.ToScalar();
            if (!double.IsFinite(e))
                throw new ArithmeticException($"Kohn–Sham iteration {k + 1} gave a non-finite energy ({e}) with functional '{functional.Name}'.");
            double change = AbsoluteDifference(nOut, nIn) * h;
            nIn = nIn + (nOut - nIn) * alpha;
            alpha *= options.MixingDecay;
            states.Add(new KohnShamState(nIn, energy, solved.Eigenvalues, solved.Gap, change));
            if (options.DensityTolerance > 0 && change < options.DensityTolerance) { converged = true; break; }
        }
        return new KohnShamTrajectory(molecule, states, converged);
    }

    /// <summary>sum_i |a_i - b_i| (of the values; the density change of an iteration, times h).</summary>
    internal static double AbsoluteDifference(Var a, Var b)
    {
        var x = a.Value.Span;
        var y = b.Value.Span;
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Abs(x[i] - y[i]);
        return s;
    }
}
