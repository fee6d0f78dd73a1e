using Qex.Autodiff;
using Qex.Core.Units;
using Qex.Dft.OneD.Data;
using Qex.Dft.OneD.Xc;
using Qex.Dft.ScaleOut;
using Qex.Dft.Training;

namespace Qex.Dft.OneD.Training;

/// <summary>One evaluated geometry.</summary>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Label">Sample label.</param>
/// <param name="DistanceX100">Distance key (-1 for atoms).</param>
/// <param name="Energy">Kohn–Sham electronic energy after the last iteration.</param>
/// <param name="Reference">Reference electronic energy.</param>
/// <param name="Error">Energy - Reference (Hartree).</param>
/// <param name="DensityError">Integrated absolute density error h sum |n - n_ref|.</param>
/// <param name="NuclearRepulsion">E_nn, for plotting E + E_nn.</param>
/// <param name="LastStepChange">
/// |E_K - E_(K-1)| of the last two Kohn–Sham iterations (Hartree): how far the fixed-iteration SCF is from settled
/// (0 with a single iteration).
/// </param>
public sealed record EvaluationRow(string Dataset, string Label, int DistanceX100, double Energy, double Reference, double Error, double DensityError, double NuclearRepulsion,
    double LastStepChange = 0);

/// <summary>Summary over rows.</summary>
/// <param name="Count">Number of geometries.</param>
/// <param name="MaeMilliHartree">Mean absolute energy error (mHa).</param>
/// <param name="MaxMilliHartree">Largest absolute energy error (mHa).</param>
/// <param name="WithinChemicalAccuracy">Geometries with |error| &lt; 1.6 mHa.</param>
/// <param name="MeanDensityError">Mean of h sum |n - n_ref|.</param>
public sealed record EvaluationSummary(int Count, double MaeMilliHartree, double MaxMilliHartree, int WithinChemicalAccuracy, double MeanDensityError)
{
    /// <summary>Summarises rows.</summary>
    public static EvaluationSummary Of(IReadOnlyList<EvaluationRow> rows) => rows.Count == 0
        ? new EvaluationSummary(0, 0, 0, 0, 0)
        : new EvaluationSummary(rows.Count,
            rows.Average(r => Math.Abs(r.Error)) * 1000, rows.Max(r => Math.Abs(r.Error)) * 1000,
            rows.Count(r => Math.Abs(r.Error) < PhysicalConstants.ChemicalAccuracy), rows.Average(r => r.DensityError));
}

/// <summary>Runs the SCF for reference samples and compares with the references (molecules in parallel, over the processes of an MPI job when a scheduler has several).</summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates a functional with fixed parameters on samples of one dataset (by spin-polarised Kohn–Sham when
    /// <paramref name="scf"/> asks for it, each sample's unpaired electrons from the data).
    /// </summary>
    /// <exception cref="ArgumentException">Spin-polarised Kohn–Sham with a functional that has no spin form.</exception>
    public static IReadOnlyList<EvaluationRow> Run(KohnShamSolver solver, IXcFunctional functional, Autodiff.Optimisers.ParameterSet parameters,
        string dataset, IReadOnlyList<Sample> samples, ScfOptions? scf = null, Action<EvaluationRow>? onRow = null, BatchScheduler? scheduler = null)
    {
        scheduler ??= BatchScheduler.Local;
        var costs = KohnShamObjective1D.Costs(samples ?? throw new ArgumentNullException(nameof(samples)), scf ?? new ScfOptions());
        ArgumentNullException.ThrowIfNull(solver);
        if (scf?.SpinPolarised == true)
        {
            if (functional is not ISpinXcFunctional spinFunctional)
                throw new ArgumentException($"Spin-polarised Kohn–Sham needs a functional of both spin densities; {functional.Name} has none (spin functionals: {string.Join(", ", XcFunctionals.SpinNames)}).");
            var spin = new SpinKohnShamSolver(solver.Grid, solver.Context.Interaction);
            return Rows(spin.Context, parameters, dataset, samples, onRow, scheduler, costs, (s, p) =>
            {
                var t = spin.Run(s.Molecule, spinFunctional, p, scf);
                return (t.Final.Energy.ToScalar(), t.Final.Density.Value, t.States.Count > 1 ? Math.Abs(t.Final.Energy.ToScalar() - t.States[^2].Energy.ToScalar()) : 0);
            });
        }
        return Rows(solver.Context, parameters, dataset, samples, onRow, scheduler, costs, (s, p) =>
        {
            var t = solver.Run(s.Molecule, functional, p, scf);
            return (t.Final.Energy.ToScalar(), t.Final.Density.Value, t.States.Count > 1 ? Math.Abs(t.Final.Energy.ToScalar() - t.States[^2].Energy.ToScalar()) : 0);
        });
    }

    /// <summary>A last-iteration energy change above this (Hartree; a sixteenth of chemical accuracy) marks an unsettled SCF.</summary>
    public const double UnsettledThreshold = 1e-4;

    /// <summary>
    /// A warning naming the geometries whose fixed-iteration SCF had not settled (<see cref="EvaluationRow.LastStepChange"/>
    /// above <see cref="UnsettledThreshold"/>): their errors include the unconverged SCF, not only the functional. Null when none.
    /// </summary>
    public static string? UnsettledWarning(IReadOnlyList<EvaluationRow> rows, int iterations)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var bad = rows.Where(r => r.LastStepChange > UnsettledThreshold).ToList();
        if (bad.Count == 0) return null;
        var worst = bad.MaxBy(r => r.LastStepChange)!;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"warning: {bad.Count} of {rows.Count} {rows[0].Dataset} geometries changed by more than {UnsettledThreshold * 1000:G2} mHa in the last of {iterations} Kohn–Sham iterations ({string.Join(", ", bad.Select(r => r.Label))}; largest {worst.LastStepChange * 1000:F2} mHa at {worst.Label}): their errors include an SCF that had not settled (--iterations evaluates with more).");
    }

    /// <summary>One row per sample from its final energy and density (molecules in parallel), in sample order.</summary>
    private static EvaluationRow[] Rows(XcContext context, Autodiff.Optimisers.ParameterSet parameters, string dataset, IReadOnlyList<Sample> samples,
        Action<EvaluationRow>? onRow, BatchScheduler scheduler, double[] costs, Func<Sample, IReadOnlyList<Var>, (double Energy, Core.Tensors.Tensor Density, double LastStepChange)> run)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var consts = parameters.Items.Select(p => Var.Constant(p.Value)).ToArray();
        double h = context.Grid.Spacing;
        var results = scheduler.Map(costs, i =>
        {
            var s = samples[i];
            var (e, density, last) = run(s, consts);
            var n = density.Span;
            var nr = s.Density.Span;
            double dn = 0;
            for (int j = 0; j < n.Length; j++) dn += Math.Abs(n[j] - nr[j]);
            return new[] { e, dn * h, last };
        }, i => KohnShamObjective1D.Describe(samples[i]));
        var rows = new EvaluationRow[samples.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            var s = samples[i];
            double e = results[i][0];
            rows[i] = new EvaluationRow(dataset, s.Label, s.DistanceX100, e, s.TotalEnergy, e - s.TotalEnergy, results[i][1], s.Molecule.NuclearRepulsion(context.Interaction), results[i][2]);
        }
        if (onRow is not null) foreach (var r in rows) onRow(r);
        return rows;
    }
}
