using Qex.Dft.Molecular.Learning;
using ScottPlot;

namespace Qex.Cli.Plots;

/// <summary>
/// The plots of a molecular training run (PNG and SVG): per test system the dissociation profile (reference line,
/// test predictions, training points) and an error panel in mHa with the +-1.6 mHa band; a parity plot of predicted
/// against reference energies; and the loss (as for 1D).
/// </summary>
public static class MolecularPlots
{
    private const int Width = 1100, PanelHeight = 420;
    private static readonly Color Reference = Color.FromHex("#333333"), Test = Color.FromHex("#d62728"), TrainColour = Color.FromHex("#1f77b4");

    /// <summary>Writes the plots into <paramref name="outDir"/>; returns the file names written.</summary>
    public static IReadOnlyList<string> Write(string outDir, MolecularTrainingRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var written = new List<string>();
        var curves = result.Tests.Where(t => t.Rows.Count > 0).ToList();
        if (curves.Count > 0)
        {
            var panels = curves.SelectMany(t => new[] { Profile(t, result), Errors(t, result) }).ToList();
            Save(PlotFiles.Stack(panels), outDir, "energy_curve", PanelHeight * 2 * curves.Count, written);
            Save(PlotFiles.Stack([Parity(curves, result)]), outDir, "parity", PanelHeight + 160, written);
        }
        if (result.Training is { LossHistory.Length: > 0 } training)
            Save(PlotFiles.Stack([TrainingPlots.LossPanel(training)]), outDir, "loss", PanelHeight + 60, written);
        return written;
    }

    private static Plot Profile(MolecularTestEvaluation t, MolecularTrainingRunResult r)
    {
        var plot = new Plot();
        var all = t.Rows.Concat(t.TrainingRows).OrderBy(x => x.Distance).ToList();
        var line = plot.Add.ScatterLine(all.Select(x => x.Distance).ToArray(), all.Select(x => x.Reference).ToArray(), Reference);
        line.LegendText = $"reference ({r.Reference})";
        line.LineWidth = 2;
        var pred = plot.Add.ScatterPoints(t.Rows.Select(x => x.Distance).ToArray(), t.Rows.Select(x => x.Energy).ToArray(), Test);
        pred.LegendText = $"{r.Model.Name} (test)";
        pred.MarkerSize = 7;
        TrainingPlots.TrainingPoints(plot, t.TrainingRows.Select(x => x.Distance).ToArray(), t.TrainingRows.Select(x => x.Energy).ToArray());
        plot.Title($"{t.System}: total energy, {r.Model.Name} against {r.Reference}");
        plot.XLabel("R (Angstrom)");
        plot.YLabel("E (Ha)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Errors(MolecularTestEvaluation t, MolecularTrainingRunResult r)
    {
        var plot = new Plot();
        TrainingPlots.ChemicalAccuracyBand(plot);
        var rows = t.Rows.OrderBy(x => x.Distance).ToList();
        var err = plot.Add.Scatter(rows.Select(x => x.Distance).ToArray(), rows.Select(x => x.Error * 1000).ToArray(), Test);
        err.LegendText = $"{r.Model.Name} - reference (test)";
        err.MarkerSize = 6;
        TrainingPlots.TrainingPoints(plot, t.TrainingRows.Select(x => x.Distance).ToArray(), t.TrainingRows.Select(x => x.Error * 1000).ToArray());
        double worst = Math.Max(2.4, rows.Concat(t.TrainingRows).Select(x => Math.Abs(x.Error) * 1000).DefaultIfEmpty(0).Max() * 1.15);
        plot.Axes.SetLimitsY(-worst, worst);
        var s = t.Summary;
        plot.Title(FormattableString.Invariant($"{t.System}: error against {r.Reference} (MAE {s.MaeMilliHartree:F2} mHa, max {s.MaxMilliHartree:F2}, {s.WithinChemicalAccuracy}/{s.Count} within 1.6 mHa)"));
        plot.XLabel("R (Angstrom)");
        plot.YLabel("E - E_ref (mHa)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Parity(IReadOnlyList<MolecularTestEvaluation> tests, MolecularTrainingRunResult r)
    {
        var plot = new Plot();
        var rows = tests.SelectMany(t => t.Rows).ToList();
        double lo = rows.Min(x => Math.Min(x.Energy, x.Reference)), hi = rows.Max(x => Math.Max(x.Energy, x.Reference));
        double pad = Math.Max(1e-3, 0.05 * (hi - lo));
        var diag = plot.Add.Line(lo - pad, lo - pad, hi + pad, hi + pad);
        diag.Color = Reference.WithAlpha(0.6);
        diag.LinePattern = LinePattern.Dashed;
        diag.LegendText = "E = E_ref";
        foreach (var (t, i) in tests.Select((t, i) => (t, i)))
        {
            var pts = plot.Add.ScatterPoints(t.Rows.Select(x => x.Reference).ToArray(), t.Rows.Select(x => x.Energy).ToArray(), i == 0 ? Test : TrainColour);
            pts.LegendText = $"{t.System} (test)";
            pts.MarkerSize = 7;
        }
        plot.Axes.SetLimits(lo - pad, hi + pad, lo - pad, hi + pad);
        plot.Title($"parity: {r.Model.Name} against {r.Reference} (test geometries)");
        plot.XLabel("E_ref (Ha)");
        plot.YLabel("E (Ha)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static void Save(Multiplot mp, string outDir, string name, int height, List<string> written)
    {
        PlotFiles.Save(mp, outDir, name, Width, height);
        written.Add(name + ".png");
        written.Add(name + ".svg");
    }
}
