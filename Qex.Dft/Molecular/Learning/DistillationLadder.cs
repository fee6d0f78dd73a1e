using System.Globalization;
using System.Text;
using Qex.Dft.Training;

namespace Qex.Dft.Molecular.Learning;

/// <summary>One rung of the DI-loss ablation: which derivative terms are on, with their weights.</summary>
/// <param name="Name">A folder-safe name (e_rho, e_rho_grad, e_rho_grad_hess).</param>
/// <param name="GradientWeight">loss.gradient_weight.</param>
/// <param name="HessianWeight">loss.hessian_weight.</param>
public sealed record LadderRung(string Name, double GradientWeight, double HessianWeight);

/// <summary>The test-set averages of one trained rung.</summary>
/// <param name="Rung">The rung's name.</param>
/// <param name="Molecules">Test molecules.</param>
/// <param name="EnergyMaeMilliHartree">Mean |E_S - E_T| (mHa).</param>
/// <param name="MeanERhoMilliHartree">Mean E_rho (mHa).</param>
/// <param name="MeanDipoleError">Mean dipole error (a.u.).</param>
/// <param name="MeanDensityL2">Mean L2 density error.</param>
/// <param name="TeacherIterationsFromStudent">The teacher's SCF iterations from the student's densities, summed.</param>
/// <param name="TeacherIterationsFromGuess">The same from the atomic guess, summed.</param>
/// <param name="TdaMaeEv">Mean |omega_S - omega_T| of the TDA singlets (eV), or null (global models).</param>
/// <param name="MillisecondsPerEvaluation">Mean training step.</param>
public sealed record LadderRow(string Rung, int Molecules, double EnergyMaeMilliHartree, double MeanERhoMilliHartree, double MeanDipoleError, double MeanDensityL2,
    int TeacherIterationsFromStudent, int TeacherIterationsFromGuess, double? TdaMaeEv, double MillisecondsPerEvaluation);

/// <summary>
/// The DI-loss ablation ladder (E + rho, + gradient, + gradient + Hessian) of one distillation config: the rungs, the
/// row of a trained rung, and the comparison table.
/// </summary>
public static class DistillationLadder
{
    /// <summary>The three rungs; a derivative weight the config leaves at 0 is 1 on the rungs that use it.</summary>
    public static IReadOnlyList<LadderRung> Rungs(LossWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        double g = weights.GradientWeight > 0 ? weights.GradientWeight : 1, h = weights.HessianWeight > 0 ? weights.HessianWeight : 1;
        return [new("e_rho", 0, 0), new("e_rho_grad", g, 0), new("e_rho_grad_hess", g, h)];
    }

    /// <summary>The averages of a trained rung's distillation metrics.</summary>
    /// <exception cref="ArgumentException">The run has no distillation metrics (no teacher reference or no test molecules).</exception>
    public static LadderRow Row(string rung, MolecularTrainingRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var d = run.Distillation;
        if (d.Count == 0) throw new ArgumentException($"Rung '{rung}' has no distillation metrics: the ladder needs a teacher functional as data.reference and test molecules.");
        var tda = d.Where(x => x.StudentExcitations is not null && x.TeacherExcitations is not null).ToList();
        return new LadderRow(rung, d.Count, d.Average(x => Math.Abs(x.EnergyError)) * 1000, d.Average(x => x.DensityDrivenError) * 1000, d.Average(x => x.DipoleError),
            d.Average(x => x.DensityL2), d.Sum(x => x.TeacherIterationsFromStudent), d.Sum(x => x.TeacherIterationsFromGuess),
            tda.Count == 0 ? null : tda.Average(x => x.StudentExcitations!.Zip(x.TeacherExcitations!, (a, b) => Math.Abs(a - b)).Average()) * Response.Excitation.ElectronVolt,
            run.MeanMillisecondsPerEvaluation);
    }

    /// <summary>The comparison table (Markdown), with each rung's change of the energy MAE against the first.</summary>
    public static string Markdown(IReadOnlyList<LadderRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        sb.AppendLine("| rung | molecules | E MAE (mHa) | vs E+rho | E_rho (mHa) | dipole (a.u.) | L2 density | teacher SCF iterations (from student / guess) | TDA MAE (eV) | ms per step |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            string change = rows.Count > 0 && rows[0].EnergyMaeMilliHartree > 0 ? (r.EnergyMaeMilliHartree / rows[0].EnergyMaeMilliHartree - 1).ToString("+0%;-0%", CultureInfo.InvariantCulture) : "";
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Rung} | {r.Molecules} | {r.EnergyMaeMilliHartree:F3} | {change} | {r.MeanERhoMilliHartree:F4} | {r.MeanDipoleError:F5} | {r.MeanDensityL2:F5} | {r.TeacherIterationsFromStudent} / {r.TeacherIterationsFromGuess} | {(r.TdaMaeEv is { } t ? t.ToString("F4", CultureInfo.InvariantCulture) : "-")} | {r.MillisecondsPerEvaluation:F0} |"));
        }
        return sb.ToString();
    }
}
