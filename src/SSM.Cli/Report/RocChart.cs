using SkiaSharp;
using SSM.Core.Evaluation;

namespace SSM.Cli.Report;

/// <summary>A ROC curve (FPR → x, TPR → y) with the chance diagonal.</summary>
public static class RocChart
{
    public static string Draw(RocCurve curve, SKColor color)
    {
        using var chart = new Chart();
        chart.Polyline([(0, 0), (1, 1)], SKColors.Gray, 1, dashed: true);
        var points = new List<(double, double)>(curve.Count);
        for (int i = 0; i < curve.Count; i++) points.Add((curve.FalsePositiveRates[i], curve.TruePositiveRates[i]));
        chart.Polyline(points, color, 2.5f);
        return chart.DataUri();
    }
}
