using System.Globalization;
using System.Text;

namespace Qex.Cli.Plots;

/// <summary>A data series of a plot.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates.</param>
/// <param name="Color">CSS colour.</param>
/// <param name="Line">Draw a line through the points.</param>
/// <param name="Markers">Draw a marker at each point.</param>
public sealed record Series(string Label, double[] X, double[] Y, string Color, bool Line = true, bool Markers = false);

/// <summary>A horizontal or curve-following band between two curves (e.g. the chemical-accuracy band).</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Lower">Lower edge.</param>
/// <param name="Upper">Upper edge.</param>
/// <param name="Color">CSS colour (drawn translucent).</param>
public sealed record Band(string Label, double[] X, double[] Lower, double[] Upper, string Color);

/// <summary>One panel: axes, series and bands.</summary>
/// <param name="Title">Panel title.</param>
/// <param name="XLabel">x axis label.</param>
/// <param name="YLabel">y axis label.</param>
/// <param name="Series">Data series.</param>
/// <param name="Bands">Shaded bands (drawn first).</param>
/// <param name="LogY">Logarithmic y axis (positive values only).</param>
public sealed record Panel(string Title, string XLabel, string YLabel, IReadOnlyList<Series> Series, IReadOnlyList<Band>? Bands = null, bool LogY = false);

/// <summary>A minimal SVG line-plot writer (no plotting library is available): stacked panels with ticks and legends.</summary>
public static class SvgPlot
{
    private const int Width = 720, PanelHeight = 330, Left = 80, Right = 20, Top = 36, Bottom = 52;

    /// <summary>Renders the panels one above the other as an SVG document.</summary>
    public static string Render(IReadOnlyList<Panel> panels)
    {
        var sb = new StringBuilder();
        int height = PanelHeight * panels.Count;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        for (int p = 0; p < panels.Count; p++) RenderPanel(sb, panels[p], p * PanelHeight);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void RenderPanel(StringBuilder sb, Panel panel, int y0)
    {
        double Tf(double v) => panel.LogY ? Math.Log10(v) : v;
        var xs = panel.Series.SelectMany(s => s.X).Concat(panel.Bands?.SelectMany(b => b.X) ?? []).Where(double.IsFinite).ToList();
        var ys = panel.Series.SelectMany(s => s.Y).Concat(panel.Bands?.SelectMany(b => b.Lower.Concat(b.Upper)) ?? [])
            .Where(v => double.IsFinite(v) && (!panel.LogY || v > 0)).Select(Tf).ToList();
        if (xs.Count == 0 || ys.Count == 0) { xs = [0, 1]; ys = [0, 1]; }
        var (xmin, xmax, xticks) = NiceRange(xs.Min(), xs.Max());
        var (ymin, ymax, yticks) = panel.LogY ? LogRange(ys.Min(), ys.Max()) : NiceRange(ys.Min(), ys.Max());
        double pw = Width - Left - Right, ph = PanelHeight - Top - Bottom;
        double Px(double x) => Left + (x - xmin) / (xmax - xmin) * pw;
        double Py(double y) => y0 + Top + ph - (Tf(y) - ymin) / (ymax - ymin) * ph;
        double PyT(double t) => y0 + Top + ph - (t - ymin) / (ymax - ymin) * ph;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{y0 + 20}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n");
        foreach (double t in xticks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Px(t))}\" y1=\"{F(y0 + Top)}\" x2=\"{F(Px(t))}\" y2=\"{F(y0 + Top + ph)}\" stroke=\"#e5e5e5\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(t))}\" y=\"{F(y0 + Top + ph + 16)}\" text-anchor=\"middle\">{FormatTick(t)}</text>\n");
        }
        foreach (double t in yticks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(PyT(t))}\" x2=\"{F(Left + pw)}\" y2=\"{F(PyT(t))}\" stroke=\"#e5e5e5\"/>\n");
            string label = panel.LogY ? "1e" + t.ToString("0", CultureInfo.InvariantCulture) : FormatTick(t);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(PyT(t) + 4)}\" text-anchor=\"end\">{label}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y0 + Top}\" width=\"{F(pw)}\" height=\"{F(ph)}\" fill=\"none\" stroke=\"#333\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + pw / 2)}\" y=\"{F(y0 + PanelHeight - 12)}\" text-anchor=\"middle\">{Escape(panel.XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(18,{F(y0 + Top + ph / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(panel.YLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<clipPath id=\"clip{y0}\"><rect x=\"{Left}\" y=\"{y0 + Top}\" width=\"{F(pw)}\" height=\"{F(ph)}\"/></clipPath>\n<g clip-path=\"url(#clip{y0})\">\n");
        foreach (var b in panel.Bands ?? [])
        {
            var pts = b.X.Select((x, i) => $"{F(Px(x))},{F(Py(b.Upper[i]))}")
                .Concat(b.X.Select((x, i) => (x, i)).Reverse().Select(t => $"{F(Px(t.x))},{F(Py(b.Lower[t.i]))}"));
            sb.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{string.Join(' ', pts)}\" fill=\"{b.Color}\" fill-opacity=\"0.25\" stroke=\"none\"/>\n");
        }
        foreach (var s in panel.Series)
        {
            var valid = s.X.Select((x, i) => (x, y: s.Y[i])).Where(t => double.IsFinite(t.x) && double.IsFinite(t.y) && (!panel.LogY || t.y > 0)).ToList();
            if (s.Line && valid.Count > 1)
                sb.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{string.Join(' ', valid.Select(t => $"{F(Px(t.x))},{F(Py(t.y))}"))}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.8\"/>\n");
            if (s.Markers)
                foreach (var (x, y) in valid)
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"3.2\" fill=\"{s.Color}\"/>\n");
        }
        sb.Append("</g>\n");
        int ly = y0 + Top + 14;
        int entries = (panel.Bands?.Count ?? 0) + panel.Series.Count;
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Left + pw - 236)}\" y=\"{y0 + Top + 2}\" width=\"232\" height=\"{16 * entries + 4}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n");
        foreach (var (label, color, band) in (panel.Bands ?? []).Select(b => (b.Label, b.Color, true)).Concat(panel.Series.Select(s => (s.Label, s.Color, false))))
        {
            if (band)
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(Left + pw - 230)}\" y=\"{ly - 9}\" width=\"18\" height=\"10\" fill=\"{color}\" fill-opacity=\"0.25\"/>\n");
            else
                sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Left + pw - 230)}\" y1=\"{ly - 4}\" x2=\"{F(Left + pw - 212)}\" y2=\"{ly - 4}\" stroke=\"{color}\" stroke-width=\"2.5\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + pw - 206)}\" y=\"{ly}\">{Escape(label)}</text>\n");
            ly += 16;
        }
    }

    private static string FormatTick(double t) => Math.Abs(t) < 1e-12 ? "0" : t.ToString("G4", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A padded range with "nice" tick values (1, 2, 5 x 10^k steps).</summary>
    public static (double Min, double Max, double[] Ticks) NiceRange(double min, double max)
    {
        if (min == max) { min -= 1; max += 1; }
        double span = max - min;
        double raw = span / 6;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * mag).First(s => s >= raw);
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = lo; t <= hi + step * 1e-9; t += step) ticks.Add(Math.Round(t / step) * step);
        return (lo, hi, ticks.ToArray());
    }

    private static (double, double, double[]) LogRange(double min, double max)
    {
        double lo = Math.Floor(min), hi = Math.Ceiling(max);
        if (lo == hi) hi = lo + 1;
        var ticks = new List<double>();
        double step = Math.Max(1, Math.Ceiling((hi - lo) / 8));
        for (double t = lo; t <= hi; t += step) ticks.Add(t);
        return (lo, hi, ticks.ToArray());
    }
}
