using System.Globalization;
using System.Net;
using System.Text;

namespace SSM.Cli.Report;

/// <summary>
/// A chart drawn as inline SVG: a plot area with a grid, ticks and labelled axes, and the lines and bars added in data
/// units. SVG rather than a bitmap because the browser sets the text: a report written on a server without fonts still has
/// readable axes, and it stays sharp when zoomed.
/// </summary>
public sealed class Chart(Axis x, Axis y, string label)
{
    public const int Width = 360, Height = 280;
    private const int Left = 52, Right = Width - 14, Top = 12, Bottom = Height - 42;

    private readonly StringBuilder marks = new();

    /// <summary>A line through <paramref name="points"/> (data units), clamped to the plot area.</summary>
    public void Line(IReadOnlyList<(double X, double Y)> points, string colour, double width = 2, bool dashed = false)
    {
        if (points.Count < 2) return;
        marks.Append("<polyline fill=\"none\" stroke=\"").Append(colour).Append("\" stroke-width=\"").Append(N(width)).Append('"');
        if (dashed) marks.Append(" stroke-dasharray=\"6 4\"");
        marks.Append(" points=\"");
        foreach (var (px, py) in points) marks.Append(N(PlotX(px))).Append(',').Append(N(PlotY(py))).Append(' ');
        marks.Length--;
        marks.Append("\"/>\n");
    }

    /// <summary>A bar from <paramref name="x0"/> to <paramref name="x1"/>, rising from the bottom of the y axis to <paramref name="top"/>.</summary>
    public void Bar(double x0, double x1, double top, string colour, double opacity = 1)
    {
        double left = PlotX(x0), right = PlotX(x1), upper = PlotY(top);
        marks.Append($"<rect x=\"{N(left)}\" y=\"{N(upper)}\" width=\"{N(right - left)}\" height=\"{N(Bottom - upper)}\" fill=\"{colour}\"");
        if (opacity < 1) marks.Append($" fill-opacity=\"{N(opacity)}\"");
        marks.Append("/>\n");
    }

    /// <summary>The whole chart: one &lt;svg&gt; element, its label (the constructor's) read out by screen readers.</summary>
    public string ToSvg()
    {
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" " +
                   $"role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label)}\" font-family=\"system-ui,sans-serif\" font-size=\"11\" fill=\"#333\">\n");
        svg.Append($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        foreach (double t in x.Ticks)
        {
            double px = PlotX(t);
            svg.Append($"<line x1=\"{N(px)}\" y1=\"{Top}\" x2=\"{N(px)}\" y2=\"{Bottom + 4}\" stroke=\"#e1e1e1\"/>");
            svg.Append($"<text x=\"{N(px)}\" y=\"{Bottom + 16}\" text-anchor=\"middle\">{x.Label(t)}</text>\n");
        }
        foreach (double t in y.Ticks)
        {
            double py = PlotY(t);
            svg.Append($"<line x1=\"{Left - 4}\" y1=\"{N(py)}\" x2=\"{Right}\" y2=\"{N(py)}\" stroke=\"#e1e1e1\"/>");
            svg.Append($"<text x=\"{Left - 7}\" y=\"{N(py + 4)}\" text-anchor=\"end\">{y.Label(t)}</text>\n");
        }
        svg.Append(marks);
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Right - Left}\" height=\"{Bottom - Top}\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n");
        svg.Append($"<text x=\"{(Left + Right) / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(x.Title)}</text>\n");
        svg.Append($"<text transform=\"translate(13 {(Top + Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(y.Title)}</text>\n");
        return svg.Append("</svg>").ToString();
    }

    private double PlotX(double value) => Left + Math.Clamp(x.Fraction(value), 0, 1) * (Right - Left);
    private double PlotY(double value) => Bottom - Math.Clamp(y.Fraction(value), 0, 1) * (Bottom - Top);
    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
