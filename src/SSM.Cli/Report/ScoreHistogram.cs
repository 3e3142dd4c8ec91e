namespace SSM.Cli.Report;

/// <summary>Score histograms of normal (blue) and defective (red) images, with the decision threshold as a dashed black line.</summary>
public static class ScoreHistogram
{
    public const string Normal = "#286edc", Defective = "#dc3228";

    /// <summary>
    /// The histograms over a score axis wide enough for every finite score and the threshold, in bins of a round width
    /// (1, 2, 4, 5 or 10 per tick interval, about <paramref name="bins"/> over the axis) laid out from the threshold, so
    /// no bar straddles it: the bars right of the dashed line are the images flagged. Defects scoring far above everything
    /// normal (350 against normal scores below 2 on a walkthrough's photos) would squeeze the normal scores into one bar:
    /// the axis then ends at four times the span the normal scores and the threshold need, and the last bar also counts
    /// every higher score.
    /// </summary>
    /// <returns>The chart, and the axis end beyond which scores were counted in the last bar (null when none were).</returns>
    public static (string Svg, double? LastBarAlsoAbove) Draw(IReadOnlyList<float> normal, IReadOnlyList<float> defective, float threshold, int bins = 24)
    {
        var all = normal.Concat(defective).Append(threshold).Where(float.IsFinite).DefaultIfEmpty(0f).ToList();
        float lowest = all.Min(), highest = all.Max();
        float reach = normal.Append(threshold).Where(float.IsFinite).DefaultIfEmpty(lowest).Max();
        float end = reach + 3 * Math.Max(reach - lowest, 1e-3f);
        var scores = Axis.Nice(lowest, Math.Min(highest, end), "image score");
        double width = (scores.Max - scores.Min) / BinCount(scores, bins);
        double anchor = float.IsFinite(threshold) ? threshold : scores.Min;
        double first = anchor - Math.Ceiling((anchor - scores.Min) / width - 1e-9) * width;
        int count = (int)Math.Ceiling((scores.Max - first) / width - 1e-9);
        int[] Count(IReadOnlyList<float> values)
        {
            var counts = new int[count];
            foreach (float v in values)
                if (float.IsFinite(v)) counts[Math.Clamp((int)Math.Floor((v - first) / width), 0, count - 1)]++;
            return counts;
        }
        int[] n = Count(normal), d = Count(defective);
        var images = Axis.Nice(0, Math.Max(1, Math.Max(n.Max(), d.Max())), "images", minStep: 1);
        var chart = new Chart(scores, images, "score histogram");
        for (int b = 0; b < count; b++)
        {
            double x0 = first + b * width, x1 = x0 + width;
            if (n[b] > 0) chart.Bar(x0, x1, n[b], Normal, 0.63);
            if (d[b] > 0) chart.Bar(x0, x1, d[b], Defective, 0.63);
        }
        if (float.IsFinite(threshold)) chart.Line([(threshold, images.Min), (threshold, images.Max)], "black", 2, dashed: true);
        return (chart.ToSvg(), highest > scores.Max ? scores.Max : null);
    }

    /// <summary>How many bins of one width span <paramref name="scores"/>, nearest to <paramref name="wanted"/>: 1, 2, 4, 5
    /// or 10 per tick interval, so the width stays round.</summary>
    internal static int BinCount(Axis scores, int wanted)
    {
        int intervals = scores.Ticks.Count - 1;
        double perInterval = (double)wanted / intervals;
        return intervals * new[] { 1, 2, 4, 5, 10 }.MinBy(k => Math.Abs(Math.Log(k / perInterval)));
    }
}
