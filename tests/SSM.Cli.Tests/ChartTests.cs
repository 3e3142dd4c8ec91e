using System.Xml.Linq;
using SSM.Cli.Report;
using SSM.Core.Evaluation;

namespace SSM.Cli.Tests;

/// <summary>The report's charts: round axis ticks that cover the data, and well-formed SVG with labelled axes.</summary>
public sealed class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0, 0.2)]
    [InlineData(-3.2, 7.9, -4.0, 8.0, 2.0)]
    [InlineData(0.1234, 0.1301, 0.123, 0.131, 0.001)]
    [InlineData(1.0, 70.0, 0.0, 70.0, 10.0)]
    [InlineData(0.0, 40.0, 0.0, 40.0, 10.0)]   // a rough step of 8 rounds up to 10, not down to 5
    public void NiceAxis_EndsOnRoundTicks_ThatCoverTheRange(double min, double max, double first, double last, double step)
    {
        var axis = Axis.Nice(min, max, "t");
        Assert.Equal(first, axis.Min, 9);
        Assert.Equal(last, axis.Max, 9);
        Assert.Equal(first, axis.Ticks[0], 9);
        Assert.Equal(last, axis.Ticks[^1], 9);
        Assert.All(axis.Ticks.Zip(axis.Ticks.Skip(1)), p => Assert.Equal(step, p.Second - p.First, 9));
    }

    [Fact]
    public void NiceAxis_OfOneValue_OrOfCounts_StaysSensible()
    {
        var flat = Axis.Nice(3, 3, "t");
        Assert.True(flat.Min < 3 && flat.Max > 3);
        var counts = Axis.Nice(0, 2, "images", minStep: 1);
        Assert.Equal([0.0, 1.0, 2.0], counts.Ticks);
        Assert.Throws<ArgumentOutOfRangeException>(() => Axis.Nice(double.NaN, 1, "t"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Axis.Nice(2, 1, "t"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Axis.Nice(0, 1, "t", targetTicks: 0));
        // Two values a hair apart far from zero are one value: widened to a unit, not cut into ticks of 0.00002.
        var hair = Axis.Nice(1e6, 1e6 + 1e-4, "t");
        Assert.True(hair.Ticks[1] - hair.Ticks[0] >= 0.1 && hair.Min < 1e6 && hair.Max > 1e6 + 1e-4, $"[{hair.Min}, {hair.Max}] in {hair.Ticks.Count} ticks");
    }

    [Fact]
    public void Fraction_PlacesAValueBetweenTheAxisEnds()
    {
        var axis = Axis.Fixed(-4, 8, 2, "t");
        Assert.Equal([0.0, 0.25, 0.5, 1.0, 1.5], new[] { -4.0, -1, 2, 8, 14 }.Select(axis.Fraction));
        Assert.Equal(0.5, new Axis(3, 3, [3], "t").Fraction(7));   // an axis of one value puts everything mid-way
    }

    [Fact]
    public void TickLabels_HaveTheDecimalsTheirSpacingNeeds()
    {
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], Axis.Fixed(0, 1, 0.2, "t").Ticks.Select(Axis.Fixed(0, 1, 0.2, "t").Label));
        var wide = Axis.Nice(-3.2, 7.9, "t");
        Assert.Equal(["-4", "-2", "0", "2", "4", "6", "8"], wide.Ticks.Select(wide.Label));
        var fine = Axis.Nice(-0.3, 0.3, "t");
        Assert.Contains("0.0", fine.Ticks.Select(fine.Label));   // not "-0.0"
        Assert.Equal("0.0", Axis.Fixed(-1, 1, 0.5, "t").Label(-1e-12));   // a tick a rounding error below zero
        Assert.Equal("3", Axis.Fixed(3, 3, 1, "t").Label(3));   // one tick: no spacing to read the decimals from
    }

    /// <summary>Every tick has a grid line across the plot with a mark beyond its edge and its label beside that edge; the
    /// axis titles sit centred under and left of the plot; bars stand on the bottom of the plot.</summary>
    [Fact]
    public void Chart_PutsTicksLabelsTitlesAndBarsWhereTheyBelong()
    {
        var chart = new Chart(Axis.Fixed(0, 1, 0.5, "score"), Axis.Fixed(0, 4, 1, "images"), "c");
        chart.Bar(0.5, 1, 2, "red");
        var svg = XElement.Parse(chart.ToSvg());
        var rects = svg.Elements(Svg + "rect").ToList();
        Assert.Equal(("white", Chart.Width), ((string?)rects[0].Attribute("fill"), (int)rects[0].Attribute("width")!));
        var (left, top, right, bottom) = Frame(svg);
        double midX = (left + right) / 2, midY = (top + bottom) / 2;

        var bar = rects.Single(r => (string?)r.Attribute("fill") == "red");
        Assert.Equal(midX, (double)bar.Attribute("x")!, 1);
        Assert.Equal(right, (double)bar.Attribute("x")! + (double)bar.Attribute("width")!, 1);
        Assert.Equal(midY, (double)bar.Attribute("y")!, 1);
        Assert.Equal(bottom, (double)bar.Attribute("y")! + (double)bar.Attribute("height")!, 1);

        var lines = svg.Elements(Svg + "line").Select(l => (X1: (double)l.Attribute("x1")!, Y1: (double)l.Attribute("y1")!,
            X2: (double)l.Attribute("x2")!, Y2: (double)l.Attribute("y2")!)).ToList();
        var vertical = lines.Where(l => l.X1 == l.X2).ToList();
        var horizontal = lines.Where(l => l.Y1 == l.Y2).ToList();
        Assert.Equal([left, midX, right], vertical.Select(l => l.X1).Select(x => Math.Round(x, 1)));
        Assert.All(vertical, l => Assert.True(l.Y1 == top && l.Y2 > bottom, $"a grid line from {l.Y1} to {l.Y2}"));
        Assert.Equal(5, horizontal.Count);
        Assert.All(horizontal, l => Assert.True(l.X1 < left && l.X2 == right, $"a grid line from {l.X1} to {l.X2}"));

        var texts = svg.Elements(Svg + "text").ToList();
        XElement Text(string value) => texts.Single(t => t.Value == value);
        var half = Text("0.5");
        Assert.Equal(midX, (double)half.Attribute("x")!, 1);
        Assert.True((double)half.Attribute("y")! > bottom);
        var two = Text("2");
        Assert.True((double)two.Attribute("x")! < left);
        Assert.InRange((double)two.Attribute("y")!, midY, midY + 8);   // the baseline a little below its line, centring the digits on it
        var title = Text("score");
        Assert.Equal(midX, (double)title.Attribute("x")!, 0);
        Assert.InRange((double)title.Attribute("y")!, (double)half.Attribute("y")! + 1, Chart.Height - 1);
        Assert.Equal($"translate(13 {(int)midY}) rotate(-90)", (string?)Text("images").Attribute("transform"));
    }

    [Fact]
    public void A_line_of_fewer_than_two_points_draws_nothing()
    {
        var chart = new Chart(Axis.Fixed(0, 1, 0.5, "x"), Axis.Fixed(0, 1, 0.5, "y"), "c");
        chart.Line([], "red");
        chart.Line([(0.5, 0.5)], "red");
        Assert.Empty(XElement.Parse(chart.ToSvg()).Elements(Svg + "polyline"));
    }

    /// <summary>The plot area: the black frame, left, top, right and bottom in pixels.</summary>
    private static (double Left, double Top, double Right, double Bottom) Frame(XElement svg)
    {
        var frame = svg.Elements(Svg + "rect").Single(r => (string?)r.Attribute("stroke") == "black");
        double left = (double)frame.Attribute("x")!, top = (double)frame.Attribute("y")!;
        return (left, top, left + (double)frame.Attribute("width")!, top + (double)frame.Attribute("height")!);
    }

    /// <summary>The x pixel of a score, read off the chart's first and last x tick labels.</summary>
    private static Func<double, double> ScoreToX(XElement svg)
    {
        var (_, _, _, bottom) = Frame(svg);
        var ticks = svg.Elements(Svg + "text").Where(t => (string?)t.Attribute("text-anchor") == "middle" && t.Attribute("x") is not null
            && (double)t.Attribute("y")! < Chart.Height - 10 && (double)t.Attribute("y")! > bottom)
            .Select(t => (Value: double.Parse(t.Value, System.Globalization.CultureInfo.InvariantCulture), X: (double)t.Attribute("x")!)).ToList();
        var (first, last) = (ticks[0], ticks[^1]);
        return v => first.X + (v - first.Value) / (last.Value - first.Value) * (last.X - first.X);
    }

    private static List<(string Fill, double X, double Right, double Height)> Bars(XElement svg) =>
        [.. svg.Elements(Svg + "rect").Where(r => r.Attribute("fill-opacity") is not null).Select(r => ((string)r.Attribute("fill")!,
            (double)r.Attribute("x")!, (double)r.Attribute("x")! + (double)r.Attribute("width")!, (double)r.Attribute("height")!))];

    [Fact]
    public void RocChart_IsWellFormedSvg_WithBothAxesLabelled_AndTheCurveInsideThePlot()
    {
        var curve = new RocCurve([0, 0, 0.5, 1], [0, 0.5, 1, 1], [float.PositiveInfinity, 2, 1, 0]);
        var svg = XElement.Parse(RocChart.Draw(curve, "#286edc", "image ROC"));
        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal("image ROC", (string?)svg.Attribute("aria-label"));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("false-positive rate", texts);
        Assert.Contains("true-positive rate", texts);
        Assert.Equal(2, texts.Count(t => t == "0.6"));   // a tick label on each axis
        var chance = svg.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("stroke") == "gray");
        Assert.NotNull(chance.Attribute("stroke-dasharray"));   // the diagonal of guessing, dashed
        var line = svg.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("stroke") == "#286edc");
        var points = ((string)line.Attribute("points")!).Split(' ').Select(p => p.Split(',').Select(double.Parse).ToArray()).ToList();
        Assert.Equal(4, points.Count);
        var (left, top, right, bottom) = Frame(svg);
        Assert.Equal([left, bottom], points[0]);           // (0, 0): bottom left
        Assert.Equal([right, top], points[^1]);            // (1, 1): top right
        Assert.Equal($"{left},{bottom} {right},{top}", (string?)chance.Attribute("points"));
        Assert.Equal((left + right) / 2, points[2][0], 2);  // FPR 0.5 mid-way
    }

    [Fact]
    public void ScoreHistogram_CountsEveryFiniteScore_InBarsOnACountAxis()
    {
        float[] normal = [0.1f, 0.2f, 0.2f, 0.3f], defective = [1.5f, 2.5f, float.NaN];
        var (drawn, clipped) = ScoreHistogram.Draw(normal, defective, threshold: 1f);
        Assert.Null(clipped);
        var svg = XElement.Parse(drawn);
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("image score", texts);
        Assert.Contains("images", texts);
        var bars = Bars(svg);
        Assert.Equal(3, bars.Count(b => b.Fill == ScoreHistogram.Normal));      // 0.1, 0.2 (twice), 0.3
        Assert.Equal(2, bars.Count(b => b.Fill == ScoreHistogram.Defective));   // NaN left out
        Assert.Single(svg.Elements(Svg + "polyline"), p => (string?)p.Attribute("stroke-dasharray") is not null);
        var normalBars = bars.Where(b => b.Fill == ScoreHistogram.Normal).OrderBy(b => b.X).ToList();
        Assert.Equal(2 * normalBars[0].Height, normalBars[1].Height, 1);   // 0.2 twice: twice as tall as 0.1's
        Assert.Equal(normalBars[0].Height, normalBars[2].Height, 1);
    }

    /// <summary>Where the bins are not one score unit wide (here 0.04) and the threshold is off the tick grid, each score
    /// still lies in its bar and no bar straddles the threshold.</summary>
    [Fact]
    public void ScoreHistogram_BarsHoldTheirScores_InBinsLaidOutFromAThresholdOffTheGrid()
    {
        // None on a bin edge (0.43 +- 0.04 k); 0.41 in the bin that ends at the threshold, 0.92 and 0.93 in one bin.
        float[] normal = [0.05f, 0.22f, 0.29f, 0.41f], defective = [0.49f, 0.66f, 0.92f, 0.93f];
        var svg = XElement.Parse(ScoreHistogram.Draw(normal, defective, threshold: 0.43f).Svg);
        var x = ScoreToX(svg);
        var bars = Bars(svg);
        Assert.Equal(7, bars.Count);
        foreach (var (score, fill) in normal.Select(v => (v, ScoreHistogram.Normal)).Concat(defective.Select(v => (v, ScoreHistogram.Defective))))
            Assert.Contains(bars, b => b.Fill == fill && b.X <= x(score) && x(score) <= b.Right);
        Assert.All(bars, b => Assert.Equal(x(0.04) - x(0), b.Right - b.X, 1));
        Assert.DoesNotContain(bars, b => b.X < x(0.43) - 0.05 && b.Right > x(0.43) + 0.05);
        Assert.Equal(2 * bars.Min(b => b.Height), bars.Max(b => b.Height), 1);   // the count axis reaches the defects' bar of two
    }

    [Fact]
    public void ScoreHistogram_WithoutAFiniteThreshold_DrawsNoLine_AndStillEveryScore()
    {
        var svg = XElement.Parse(ScoreHistogram.Draw([0.1f, 0.5f], [2.5f], threshold: float.PositiveInfinity).Svg);
        Assert.Empty(svg.Elements(Svg + "polyline"));
        Assert.Equal(3, Bars(svg).Count);
    }

    /// <summary>Defects scoring far above the normal images do not squeeze them into one bar: the axis ends at four times the
    /// span the normal scores and the threshold need, and the last bar counts the rest.</summary>
    [Fact]
    public void ScoreHistogram_FarDefects_LandInTheLastBar_AndTheNormalScoresKeepTheirBars()
    {
        float[] normal = [-1.5f, -0.5f, 0.2f, 1.1f], defective = [2f, 40f, 350f];
        var (drawn, clipped) = ScoreHistogram.Draw(normal, defective, threshold: 3f);
        Assert.NotNull(clipped);
        Assert.InRange(clipped!.Value, 3 + 3 * 4.5, 25);   // at least the threshold plus three times the span below it
        var svg = XElement.Parse(drawn);
        var bars = Bars(svg);
        Assert.Equal(4, bars.Count(b => b.Fill == ScoreHistogram.Normal));    // one bar each
        Assert.Equal(2, bars.Count(b => b.Fill == ScoreHistogram.Defective)); // 2, and 40 with 350 in the last
        Assert.Equal(Frame(svg).Right, bars.Max(b => b.Right), 1);            // the last bar ends where the axis does
    }

    [Theory]
    [InlineData(-1.7, 15.9, 25)]   // -5..20 in steps of 5: bins of 1
    [InlineData(0.0, 1.0, 25)]     // steps of 0.2: bins of 0.04
    [InlineData(0.1, 2.5, 25)]     // steps of 0.5: bins of 0.1
    public void HistogramBins_AreRound(double min, double max, int expected)
    {
        var scores = Axis.Nice(min, max, "image score");
        int bins = ScoreHistogram.BinCount(scores, 24);
        Assert.Equal(expected, bins);
        Assert.Equal(0, bins % (scores.Ticks.Count - 1));   // a whole number of bins between ticks
    }

    [Fact]
    public void HistogramBars_NeverStraddleTheThreshold()
    {
        float[] normal = [-1.7f, -0.2f, 0.4f, 0.9f, 1.3f, 2.9f], defective = [3.1f, 4.4f, 8.8f, 15.9f];
        var svg = XElement.Parse(ScoreHistogram.Draw(normal, defective, threshold: 3f).Svg);
        var line = svg.Elements(Svg + "polyline").Single(p => p.Attribute("stroke-dasharray") is not null);
        double thresholdX = double.Parse(((string)line.Attribute("points")!).Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        var bars = Bars(svg);
        Assert.Equal(9, bars.Count);    // bins of 1 from -5: 0.4 and 0.9 share one, every other score has its own
        foreach (var bar in bars)
            Assert.False(bar.X < thresholdX - 0.05 && bar.Right > thresholdX + 0.05, $"a bar from {bar.X} to {bar.Right} straddles the threshold at {thresholdX}");
        // 2.9 (normal, not flagged) ends at the line, 3.1 (defective, flagged) starts there.
        Assert.Contains(bars, b => b.Fill == ScoreHistogram.Normal && Math.Abs(b.Right - thresholdX) < 0.05);
        Assert.Contains(bars, b => b.Fill == ScoreHistogram.Defective && Math.Abs(b.X - thresholdX) < 0.05);
    }
}
