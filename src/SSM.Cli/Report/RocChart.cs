using SSM.Core.Evaluation;

namespace SSM.Cli.Report;

/// <summary>A ROC curve (false-positive rate → x, true-positive rate → y) with the chance diagonal.</summary>
public static class RocChart
{
    public static string Draw(RocCurve curve, string colour, string label)
    {
        var chart = new Chart(Axis.Fixed(0, 1, 0.2, "false-positive rate"), Axis.Fixed(0, 1, 0.2, "true-positive rate"), label);
        chart.Line([(0, 0), (1, 1)], "gray", 1, dashed: true);
        var points = new List<(double, double)>(curve.Count);
        for (int i = 0; i < curve.Count; i++) points.Add((curve.FalsePositiveRates[i], curve.TruePositiveRates[i]));
        chart.Line(points, colour, 2.5);
        return chart.ToSvg();
    }
}
