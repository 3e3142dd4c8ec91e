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
    }

    [Fact]
    public void TickLabels_HaveTheDecimalsTheirSpacingNeeds()
    {
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], Axis.Fixed(0, 1, 0.2, "t").Ticks.Select(Axis.Fixed(0, 1, 0.2, "t").Label));
        var wide = Axis.Nice(-3.2, 7.9, "t");
        Assert.Equal(["-4", "-2", "0", "2", "4", "6", "8"], wide.Ticks.Select(wide.Label));
        var fine = Axis.Nice(-0.3, 0.3, "t");
        Assert.Contains("0.0", fine.Ticks.Select(fine.Label));   // not "-0.0"
    }

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
        var line = svg.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("stroke") == "#286edc");
        var points = ((string)line.Attribute("points")!).Split(' ').Select(p => p.Split(',').Select(double.Parse).ToArray()).ToList();
        Assert.Equal(4, points.Count);
        var frame = svg.Elements(Svg + "rect").Last();
        double left = (double)frame.Attribute("x")!, top = (double)frame.Attribute("y")!;
        double right = left + (double)frame.Attribute("width")!, bottom = top + (double)frame.Attribute("height")!;
        Assert.Equal([left, bottom], points[0]);           // (0, 0): bottom left
        Assert.Equal([right, top], points[^1]);            // (1, 1): top right
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
        var bars = svg.Elements(Svg + "rect").Where(r => r.Attribute("fill-opacity") is not null).ToList();
        Assert.Equal(3, bars.Count(b => (string?)b.Attribute("fill") == ScoreHistogram.Normal));      // 0.1, 0.2 (twice), 0.3
        Assert.Equal(2, bars.Count(b => (string?)b.Attribute("fill") == ScoreHistogram.Defective));   // NaN left out
        Assert.Single(svg.Elements(Svg + "polyline"), p => (string?)p.Attribute("stroke-dasharray") is not null);
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
        var bars = XElement.Parse(drawn).Elements(Svg + "rect").Where(r => r.Attribute("fill-opacity") is not null).ToList();
        Assert.Equal(4, bars.Count(b => (string?)b.Attribute("fill") == ScoreHistogram.Normal));    // one bar each
        Assert.Equal(2, bars.Count(b => (string?)b.Attribute("fill") == ScoreHistogram.Defective)); // 2, and 40 with 350 in the last
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
        var bars = svg.Elements(Svg + "rect").Where(r => r.Attribute("fill-opacity") is not null).ToList();
        Assert.Equal(9, bars.Count);    // bins of 1 from -5: 0.4 and 0.9 share one, every other score has its own
        foreach (var bar in bars)
        {
            double x = (double)bar.Attribute("x")!, right = x + (double)bar.Attribute("width")!;
            Assert.False(x < thresholdX - 0.05 && right > thresholdX + 0.05, $"a bar from {x} to {right} straddles the threshold at {thresholdX}");
        }
        // 2.9 (normal, not flagged) ends at the line, 3.1 (defective, flagged) starts there.
        Assert.Contains(bars, b => (string?)b.Attribute("fill") == ScoreHistogram.Normal && Math.Abs((double)b.Attribute("x")! + (double)b.Attribute("width")! - thresholdX) < 0.05);
        Assert.Contains(bars, b => (string?)b.Attribute("fill") == ScoreHistogram.Defective && Math.Abs((double)b.Attribute("x")! - thresholdX) < 0.05);
    }
}
