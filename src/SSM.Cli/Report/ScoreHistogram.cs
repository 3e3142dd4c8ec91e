using SkiaSharp;

namespace SSM.Cli.Report;

/// <summary>Score histograms of normal (blue) and defective (red) images, with the decision threshold as a dashed black line.</summary>
public static class ScoreHistogram
{
    public static readonly SKColor Normal = new(40, 110, 220, 160), Defective = new(220, 50, 40, 160);

    /// <summary>Draws the histograms; returns the picture and the score range of the x axis.</summary>
    public static (string DataUri, float Min, float Max) Draw(IReadOnlyList<float> normal, IReadOnlyList<float> defective, float threshold, int bins = 24)
    {
        var all = normal.Concat(defective).Append(threshold).Where(float.IsFinite).ToList();
        float min = all.Min(), max = all.Max();
        if (max - min < 1e-6f) { min -= 0.5f; max += 0.5f; }
        float pad = 0.05f * (max - min);
        min -= pad; max += pad;
        int[] Count(IReadOnlyList<float> values)
        {
            var counts = new int[bins];
            foreach (float v in values)
                if (float.IsFinite(v)) counts[Math.Clamp((int)((v - min) / (max - min) * bins), 0, bins - 1)]++;
            return counts;
        }
        int[] n = Count(normal), d = Count(defective);
        double top = Math.Max(1, Math.Max(n.Max(), d.Max()));
        using var chart = new Chart();
        for (int b = 0; b < bins; b++)
        {
            double x0 = (double)b / bins, x1 = (double)(b + 1) / bins;
            if (n[b] > 0) chart.Bar(x0, x1, n[b] / top, Normal);
            if (d[b] > 0) chart.Bar(x0, x1, d[b] / top, Defective);
        }
        double t = (threshold - min) / (max - min);
        chart.Polyline([(t, 0), (t, 1)], SKColors.Black, 2, dashed: true);
        return (chart.DataUri(), min, max);
    }
}
