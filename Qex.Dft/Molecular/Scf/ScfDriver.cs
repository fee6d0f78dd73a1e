namespace Qex.Dft.Molecular.Scf;

/// <summary>A converged SCF: energies, and per channel the orbital energies, coefficients and density.</summary>
/// <param name="Energy">Total energy (electronic plus nuclear repulsion).</param>
/// <param name="OneElectronEnergy">Tr(D H).</param>
/// <param name="TwoElectronEnergy">The electron–electron energy.</param>
/// <param name="Iterations">Iterations used.</param>
/// <param name="OrbitalEnergies">Per channel, m orbital energies (ascending; with a chosen occupation the occupied orbitals first).</param>
/// <param name="Coefficients">Per channel, the coefficients (n x m, row-major).</param>
/// <param name="Densities">Per channel, the density matrix (n x n).</param>
/// <param name="Orbitals">m, the number of linearly independent orbitals.</param>
/// <param name="Occupations">Per channel, the occupation of each orbital (integers without smearing).</param>
/// <param name="Entropy">The Fermi–Dirac entropy S (dimensionless; 0 without smearing): the free energy is Energy - theta S.</param>
/// <param name="SplitDegenerateLevels">Whether some iteration occupied part of a degenerate set of levels (the highest
/// occupied and lowest empty level of a channel equal): the state then depends on which part was chosen, and may be a
/// saddle (see the stability check of the SCF methods).</param>
public sealed record ScfSolution(double Energy, double OneElectronEnergy, double TwoElectronEnergy, int Iterations, double[][] OrbitalEnergies, double[][] Coefficients,
    double[][] Densities, int Orbitals, double[][] Occupations, double Entropy, bool SplitDegenerateLevels = false);

/// <summary>
/// The one SCF loop of every molecular model (PySCF's <c>kernel</c>): diagonalise the Fock matrices in the
/// canonically orthogonalised basis, occupy (aufbau, or by maximum overlap with a chosen start), damp and level-shift
/// the first iterations, build the new Fock matrices through the model, extrapolate by DIIS on the commutators
/// FDS - SDF, and stop when the energy change and the commutator are below their tolerances, confirmed on a full J/K
/// build and on one unshifted, undamped step. Progress lines and the non-convergence error come from here.
/// </summary>
public static class ScfDriver
{
    /// <summary>Runs the SCF of <paramref name="model"/> from the initial channel densities (and their Fock matrices, if known).</summary>
    /// <param name="model">The model (its channels and Fock builds).</param>
    /// <param name="overlap">The overlap matrix S.</param>
    /// <param name="nuclearRepulsion">Added to the electronic energy.</param>
    /// <param name="densities">Initial densities, one per channel.</param>
    /// <param name="fock">The Fock matrices of the initial densities (null: built from them).</param>
    /// <param name="options">Settings (tolerances, DIIS, damping, level shift, occupation, progress).</param>
    /// <exception cref="ArgumentException">Inconsistent shapes, occupations that do not fit, or bad settings.</exception>
    /// <exception cref="ConvergenceException">No convergence within the iteration limit.</exception>
    public static ScfSolution Run(IScfModel model, double[] overlap, double nuclearRepulsion, IReadOnlyList<double[]> densities,
        IReadOnlyList<double[]>? fock, HartreeFockOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(overlap);
        ArgumentNullException.ThrowIfNull(densities);
        ArgumentNullException.ThrowIfNull(options);
        var o = options;
        o.Validate();
        int channels = model.Occupied.Count;
        int n = (int)Math.Round(Math.Sqrt(overlap.Length));
        if (n * n != overlap.Length) throw new ArgumentException($"The overlap has {overlap.Length} elements: not a square matrix.");
        if (densities.Count != channels || densities.Any(d => d.Length != n * n))
            throw new ArgumentException($"{model.Name} needs {channels} initial densities of {n} x {n}.");
        var s = overlap;
        var x = Orthogonalisation.Canonical(s, n, o.LinearDependence, out int m);
        for (int ch = 0; ch < channels; ch++)
            if (model.Occupied[ch] > m) throw new ArgumentException($"{model.Occupied[ch]} occupied orbitals{(channels > 1 ? ch == 0 ? " (alpha)" : " (beta)" : "")} do not fit in {m} linearly independent basis functions.");
        if (o.Occupation is { } chosen)
        {
            if (channels != 1) throw new ArgumentException($"A chosen occupation (maximum overlap) is for restricted models; {model.Name} has {channels} spin channels.");
            int occ0 = model.Occupied[0];
            if (chosen.Count != occ0 || chosen.Distinct().Count() != occ0 || chosen.Any(k => k < 0 || k >= m))
                throw new ArgumentException($"The occupation must name {occ0} distinct orbitals among 0 .. {m - 1}; got [{string.Join(", ", chosen)}].");
        }
        double perElectron = 1 / model.OrbitalOccupation;
        var d = densities.Select(v => (double[])v.Clone()).ToArray();
        var f = (fock ?? model.Build(d, false).Fock).Select(v => (double[])v.Clone()).ToArray();
        double energy = 0;
        var history = new List<string>();
        var diis = o.DiisSize > 0 ? new Diis(o.DiisSize) : null;
        var eps = new double[channels][];
        var c = new double[channels][];
        var occupations = new double[channels][];
        bool early = true; // before DIIS: level shift and damping apply
        // per channel: the occupied orbitals, the occupied coefficients of the last iteration (maximum overlap), and
        // whether aufbau gave way to maximum overlap after its occupations kept flipping
        var occupied = new int[channels][];
        for (int ch = 0; ch < channels; ch++) occupied[ch] = ch == 0 && o.Occupation is not null ? [.. o.Occupation] : [.. Enumerable.Range(0, model.Occupied[ch])];
        var previous = new double[channels][];
        var flips = new int[channels];
        var held = new bool[channels];
        bool splitDegenerate = false;
        for (int it = 1; it <= o.MaxIterations; it++)
        {
            bool shifted = early && o.LevelShift > 0 && it > 1;
            var dNew = new double[channels][];
            for (int ch = 0; ch < channels; ch++)
            {
                (eps[ch], c[ch]) = ScfMath.Diagonalise(shifted ? ScfMath.LevelShifted(f[ch], s, d[ch], perElectron, o.LevelShift, n) : f[ch], x, n, m);
                int occ = model.Occupied[ch];
                if (occ > 0 && occ < m && ScfMath.Degenerate(eps[ch][occ - 1], eps[ch][occ])) splitDegenerate = true;
                double[] dc;
                if (o.Smearing > 0)
                {
                    occupations[ch] = FermiDirac.Occupations(eps[ch], model.OrbitalOccupation * occ, model.OrbitalOccupation, o.Smearing);
                    dc = FermiDirac.Density(c[ch], occupations[ch], n, m);
                }
                else
                {
                    if (previous[ch] is not null)
                    {
                        var kept = ScfMath.MaximumOverlap(previous[ch], c[ch], s, n, m, occ);
                        if ((ch == 0 && o.Occupation is not null) || held[ch]) occupied[ch] = kept;
                        else if (!kept.SequenceEqual(Enumerable.Range(0, occ)))
                        {
                            // aufbau would jump to orbitals the last occupied space hardly contains (near-degenerate levels
                            // swapping, as the pi orbitals of OH on a grid): after FlipsBeforeHolding such jumps, hold the
                            // occupied space by maximum overlap (MOM) for the rest of the run
                            if (it > FlipGrace && ++flips[ch] >= FlipsBeforeHolding)
                            {
                                held[ch] = true;
                                occupied[ch] = kept;
                                string spin = channels == 1 ? "" : ch == 0 ? " (alpha)" : " (beta)";
                                history.Add(FormattableString.Invariant($"iteration {it}: aufbau occupations{spin} flipped {flips[ch]} times; held by maximum overlap from here on"));
                                o.Progress?.Invoke(model.Name + " " + history[^1]);
                            }
                            else occupied[ch] = [.. Enumerable.Range(0, occ)];
                        }
                        else occupied[ch] = kept;
                    }
                    var cOcc = new double[n * occ];
                    for (int i = 0; i < n; i++)
                        for (int k = 0; k < occ; k++) cOcc[i * occ + k] = c[ch][i * m + occupied[ch][k]];
                    previous[ch] = cOcc;
                    dc = new double[n * n];
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double v = 0;
                            for (int k = 0; k < occ; k++) v += cOcc[i * occ + k] * cOcc[j * occ + k];
                            dc[i * n + j] = model.OrbitalOccupation * v;
                        }
                    occupations[ch] = new double[m];
                    for (int k = 0; k < occ; k++) occupations[ch][k] = model.OrbitalOccupation;
                }
                if (early && o.Damping > 0 && it > 1)
                    for (int i = 0; i < dc.Length; i++) dc[i] = (1 - o.Damping) * dc[i] + o.Damping * d[ch][i];
                dNew[ch] = dc;
            }
            d = dNew;
            var build = model.Build(d, false);
            f = build.Fock;
            double eNew = build.Energy + nuclearRepulsion;
            var err = Commutators(f, d, s, x, n, m);
            double errMax = ScfMath.ErrorSize(err, o.ErrorNorm);
            if (it > 1 && Math.Abs(eNew - energy) < o.EnergyTolerance && errMax < o.CommutatorTolerance && !model.LastBuildWasFull)
            {
                // converged on an incremental build: confirm on a full one
                build = model.Build(d, true);
                f = build.Fock;
                eNew = build.Energy + nuclearRepulsion;
                err = Commutators(f, d, s, x, n, m);
                errMax = ScfMath.ErrorSize(err, o.ErrorNorm);
            }
            double dE = eNew - energy;
            energy = eNew;
            history.Add(FormattableString.Invariant($"iteration {it}: E = {eNew:F12}, dE = {dE:E2}, |FDS-SDF| = {errMax:E2}"));
            o.Progress?.Invoke(model.Name + " " + history[^1]);
            if (it > 1 && Math.Abs(dE) < o.EnergyTolerance && errMax < o.CommutatorTolerance)
            {
                if (shifted || (early && o.Damping > 0)) { early = false; continue; } // one clean step: orbitals of the unshifted F
                if (o.Smearing == 0)
                    for (int ch = 0; ch < channels; ch++)
                    {
                        // report the orbitals of the final Fock matrix, F[D], and as occupied those that span D: the
                        // orbitals above came from the previous iteration's F, whose order can differ when D swapped
                        // between equivalent states (OH's pi_x and pi_y, same energy) in the last step
                        (eps[ch], c[ch]) = ScfMath.Diagonalise(f[ch], x, n, m);
                        occupied[ch] = ScfMath.MaximumOverlap(previous[ch], c[ch], s, n, m, model.Occupied[ch]);
                    }
                for (int ch = 0; ch < channels; ch++)
                {
                    if (!held[ch]) continue;
                    // a held occupation may end with an empty orbital below an occupied one: the only integer occupation
                    // of near-degenerate open shells in DFT (OH's pi in LDA: occupying an orbital raises its level), and
                    // the state Psi4 converges to as well; say so
                    double top = occupied[ch].Max(k => eps[ch][k]);
                    double bottom = Enumerable.Range(0, m).Except(occupied[ch]).Select(k => eps[ch][k]).DefaultIfEmpty(double.PositiveInfinity).Min();
                    if (top > bottom)
                        o.Progress?.Invoke(FormattableString.Invariant(
                            $"{model.Name} note: the held occupation{(channels > 1 ? ch == 0 ? " (alpha)" : " (beta)" : "")} has an empty orbital {top - bottom:E2} Ha below an occupied one (no aufbau occupation is self-consistent)"));
                }
                for (int ch = 0; ch < channels; ch++)
                    if (o.Smearing == 0 && !occupied[ch].SequenceEqual(Enumerable.Range(0, model.Occupied[ch])))
                        (eps[ch], c[ch]) = ScfMath.OccupiedFirst(eps[ch], c[ch], occupied[ch], n, m);
                double entropy = o.Smearing > 0 ? occupations.Sum(x => FermiDirac.Entropy(x, model.OrbitalOccupation)) : 0;
                return new ScfSolution(energy, build.OneElectronEnergy, build.TwoElectronEnergy, it, eps, c, d, m, occupations, entropy, splitDegenerate);
            }
            if (errMax < o.DiisStart) early = false;
            if (diis is not null && (errMax < o.DiisStart || diis.Count > 0))
            {
                diis.Add(channels == 1 ? f[0] : [.. f.SelectMany(v => v)], err);
                if (diis.Count >= 2)
                {
                    var next = diis.Extrapolate();
                    for (int ch = 0; ch < channels; ch++) f[ch] = next[(ch * n * n)..((ch + 1) * n * n)];
                }
            }
        }
        throw new ConvergenceException(model.Name, $"{model.Name} did not converge in {o.MaxIterations} iterations (tolerances: dE {o.EnergyTolerance:E1}, commutator {o.CommutatorTolerance:E1}); last iterations:\n  "
            + string.Join("\n  ", history.TakeLast(5)));
    }

    /// <summary>Iterations whose aufbau flips are not counted (the first ones reorder orbitals as the guess relaxes).</summary>
    private const int FlipGrace = 4;

    /// <summary>Aufbau flips of a channel after which its occupied space is held by maximum overlap.</summary>
    private const int FlipsBeforeHolding = 3;

    private static double[] Commutators(double[][] f, double[][] d, double[] s, double[] x, int n, int m) =>
        f.Length == 1 ? ScfMath.Commutator(f[0], d[0], s, x, n, m) : [.. f.SelectMany((fc, ch) => ScfMath.Commutator(fc, d[ch], s, x, n, m))];
}
