using Qex.Core.IO;
using Qex.Dft.OneD.Training;
using ScottPlot;
using SkiaSharp;
using Qex.Dft.Training;

namespace Qex.Cli.Plots;

/// <summary>
/// The plots of a training run, drawn with ScottPlot and written as PNG and SVG: the energy curve of every test set
/// (reference, predictions, training points, and an error panel in mHa with the +-1.6 mHa band), and the loss
/// (every evaluation, running best, validation scores on a second axis, a marker at the kept evaluation).
/// Legends sit outside the data area; nothing is drawn for a run without training.
/// </summary>
public static class TrainingPlots
{
    private const int Width = 1100, PanelHeight = 420;
    private static readonly Color Reference = Color.FromHex("#333333"), Test = Color.FromHex("#d62728"), TrainColour = Color.FromHex("#1f77b4"),
        Band = Color.FromHex("#2ca02c").WithAlpha(0.18), Validation = Color.FromHex("#ff7f0e");

    /// <summary>Writes the plots into <paramref name="outDir"/>; returns the file names written.</summary>
    public static IReadOnlyList<string> Write(string outDir, TrainingRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var written = new List<string>();
        var curves = result.Tests.Where(t => t.Rows.Count > 0 && t.Rows.All(r => r.DistanceX100 >= 0)).ToList();
        if (curves.Count > 0)
        {
            var panels = curves.SelectMany(t => new[] { EnergyPanel(t, result.Functional.Name), ErrorPanel(t, result.Functional.Name) }).ToList();
            var mp = PlotFiles.Stack(panels);
            Save(mp, outDir, "energy_curve", PanelHeight * 2 * curves.Count, written);
        }
        if (result.Training is { LossHistory.Length: > 0 } training)
        {
            var mp = PlotFiles.Stack([LossPanel(training)]);
            Save(mp, outDir, "loss", PanelHeight + 60, written);
        }
        return written;
    }

    private static Plot EnergyPanel(TestEvaluation t, string functional)
    {
        var plot = new Plot();
        var rows = t.Rows.OrderBy(r => r.DistanceX100).ToList();
        var refX = t.ReferenceCurve.Select(p => p.Distance).ToArray();
        var refY = t.ReferenceCurve.Select(p => p.Energy).ToArray();
        var refLine = plot.Add.ScatterLine(refX, refY, Reference);
        refLine.LegendText = $"reference ({t.Selection.Method})";
        refLine.LineWidth = 2;
        var pred = plot.Add.ScatterPoints(rows.Select(r => r.DistanceX100 / 100.0).ToArray(), rows.Select(r => r.Energy + r.NuclearRepulsion).ToArray(), Test);
        pred.LegendText = $"{functional} (test)";
        pred.MarkerSize = 7;
        TrainingPoints(plot, t.TrainingRows.Select(r => r.DistanceX100 / 100.0).ToArray(), t.TrainingRows.Select(r => r.Energy + r.NuclearRepulsion).ToArray());
        plot.Title($"{t.Selection.Dataset}: E + E_nn, {functional} against {t.Selection.Method}");
        plot.XLabel("R (Bohr)");
        plot.YLabel("E + E_nn (Ha)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot ErrorPanel(TestEvaluation t, string functional)
    {
        var plot = new Plot();
        var rows = t.Rows.OrderBy(r => r.DistanceX100).ToList();
        var xs = rows.Select(r => r.DistanceX100 / 100.0).ToArray();
        ChemicalAccuracyBand(plot);
        var err = plot.Add.Scatter(xs, rows.Select(r => r.Error * 1000).ToArray(), Test);
        err.LegendText = $"{functional} - reference (test)";
        err.MarkerSize = 6;
        TrainingPoints(plot, t.TrainingRows.Select(r => r.DistanceX100 / 100.0).ToArray(), t.TrainingRows.Select(r => r.Error * 1000).ToArray());
        double worst = Math.Max(2.4, rows.Concat(t.TrainingRows).Select(r => Math.Abs(r.Error) * 1000).DefaultIfEmpty(0).Max() * 1.15);
        plot.Axes.SetLimitsY(-worst, worst);
        var s = t.Summary;
        plot.Title(FormattableString.Invariant($"{t.Selection.Dataset}: error against {t.Selection.Method} (MAE {s.MaeMilliHartree:F2} mHa, max {s.MaxMilliHartree:F2}, {s.WithinChemicalAccuracy}/{s.Count} within 1.6 mHa)"));
        plot.XLabel("R (Bohr)");
        plot.YLabel("E - E_ref (mHa)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Training points as large squares (nothing when there are none).</summary>
    internal static void TrainingPoints(Plot plot, double[] xs, double[] ys)
    {
        if (xs.Length == 0) return;
        var tr = plot.Add.ScatterPoints(xs, ys, TrainColour);
        tr.LegendText = "training points";
        tr.MarkerSize = 11;
        tr.MarkerShape = MarkerShape.FilledSquare;
    }

    /// <summary>The +-1.6 mHa band and the zero line of an error panel.</summary>
    internal static void ChemicalAccuracyBand(Plot plot)
    {
        var band = plot.Add.VerticalSpan(-1.6, 1.6, Band);
        band.LegendText = "chemical accuracy (+-1.6 mHa)";
        var zero = plot.Add.HorizontalLine(0, 1, Reference.WithAlpha(0.5));
        zero.LinePattern = LinePattern.Dotted;
    }

    internal static Plot LossPanel(TrainingResult r)
    {
        var plot = new Plot();
        var losses = r.LossHistory;
        var xs = new List<double>(); var ys = new List<double>(); var best = new List<double>();
        double running = double.PositiveInfinity;
        for (int i = 0; i < losses.Length; i++)
        {
            if (!double.IsFinite(losses[i]) || losses[i] <= 0) continue;
            running = Math.Min(running, losses[i]);
            xs.Add(i + 1); ys.Add(Math.Log10(losses[i])); best.Add(Math.Log10(running));
        }
        var every = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), Color.FromHex("#9ecae1"));
        every.LegendText = "loss (every evaluation)";
        var run = plot.Add.ScatterLine(xs.ToArray(), best.ToArray(), Color.FromHex("#08519c"));
        run.LegendText = "loss (best so far)";
        run.LineWidth = 2;
        var tick = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => FormattableString.Invariant($"1e{y:0}"),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
        };
        plot.Axes.Left.TickGenerator = tick;
        plot.YLabel("training loss (log scale)");
        plot.XLabel("evaluation");
        var validations = r.ValidationHistory ?? [];
        if (validations.Count > 0)
        {
            var right = plot.Axes.Right;
            var v = plot.Add.Scatter(validations.Select(p => (double)p.Evaluation).ToArray(), validations.Select(p => Math.Log10(Math.Max(p.Score, 1e-6))).ToArray(), Validation);
            v.Axes.YAxis = right;
            v.LegendText = "validation error";
            v.MarkerSize = 4;
            right.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => FormattableString.Invariant($"{Math.Pow(10, y):G3}"),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            };
            right.Label.Text = "validation error (mHa, log scale)";
            if (r.BestValidationEvaluation > 0)
            {
                var kept = plot.Add.VerticalLine(r.BestValidationEvaluation, 2, Test);
                kept.LinePattern = LinePattern.Dashed;
                kept.LegendText = FormattableString.Invariant($"kept: evaluation {r.BestValidationEvaluation}");
            }
        }
        plot.Title(FormattableString.Invariant($"training loss: {r.Evaluations} evaluations{(r.Restarts > 0 ? $", {r.Restarts} restarts" : "")} ({r.Status})"));
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

/// <summary>The plot of a noise sweep: test MAE against the noise scale per preset and dataset (log y), with the 1.6 mHa line.</summary>
public static class NoiseSweepPlot
{
    /// <summary>Writes noise_sweep.png and noise_sweep.svg.</summary>
    public static void Write(string dir, string model, IReadOnlyList<(string Preset, string Dataset, double Scale, double Mae)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) return;
        var plot = new Plot();
        foreach (var g in rows.GroupBy(r => (r.Preset, r.Dataset)))
        {
            var pts = g.OrderBy(r => r.Scale).ToList();
            var sc = plot.Add.Scatter(pts.Select(r => r.Scale).ToArray(), pts.Select(r => Math.Log10(Math.Max(r.Mae, 1e-6))).ToArray());
            sc.LegendText = $"{g.Key.Preset} / {g.Key.Dataset}";
            sc.MarkerSize = 7;
        }
        var chem = plot.Add.HorizontalLine(Math.Log10(1.6), 1.5f, Color.FromHex("#7f7f7f"));
        chem.LinePattern = LinePattern.Dashed;
        chem.LegendText = "chemical accuracy (1.6 mHa)";
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = y => FormattableString.Invariant($"{Math.Pow(10, y):G3}"),
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        };
        plot.Title($"{model} under device noise");
        plot.XLabel("noise scale s (multiplies the gate time)");
        plot.YLabel("test MAE (mHa, log scale)");
        plot.ShowLegend(Edge.Right);
        PlotFiles.Save(PlotFiles.Stack([plot]), dir, "noise_sweep", 1000, 480);
    }
}

/// <summary>Renders a multiplot to PNG and SVG, each written atomically.</summary>
public static class PlotFiles
{
    /// <summary>The padding around every data area (room for axis labels at the left and the legend at the right), so stacked panels line up.</summary>
    public static readonly PixelPadding Padding = new(left: 90, right: 330, bottom: 55, top: 45);

    /// <summary>Panels one above the other, their data areas aligned.</summary>
    public static Multiplot Stack(IReadOnlyList<Plot> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        var mp = new Multiplot();
        for (int i = 0; i < panels.Count; i++)
        {
            panels[i].Layout.Fixed(Padding);
            if (i == 0) mp.Reset(panels[i]);
            else mp.AddPlot(panels[i]);
        }
        return mp;
    }

    /// <summary>Writes NAME.png and NAME.svg into <paramref name="dir"/>.</summary>
    public static void Save(Multiplot mp, string dir, string name, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mp);
        using (var surface = SKSurface.Create(new SKImageInfo(width, height)))
        {
            surface.Canvas.Clear(SKColors.White);
            mp.Render(surface.Canvas, new PixelRect(0, width, height, 0));
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            AtomicFile.WriteAllBytes(Path.Combine(dir, name + ".png"), data.AsSpan());
        }
        using var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
            mp.Render(canvas, new PixelRect(0, width, height, 0));
        AtomicFile.WriteAllBytes(Path.Combine(dir, name + ".svg"), stream.ToArray());
    }
}
