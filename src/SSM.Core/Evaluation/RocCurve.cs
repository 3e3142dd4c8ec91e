namespace SSM.Core.Evaluation;

/// <summary>
/// Points of a ROC curve, in order of descending threshold: point i is (FPR, TPR) when samples
/// with score &gt;= <c>Thresholds[i]</c> are predicted anomalous. The first point is (0, 0) at
/// threshold +∞ (if a score is itself +∞ the second threshold is +∞ too); the last is (1, 1).
/// </summary>
public sealed class RocCurve
{
    /// <summary>Wraps the arrays (not copied); they must have equal lengths.</summary>
    public RocCurve(double[] falsePositiveRates, double[] truePositiveRates, float[] thresholds)
    {
        ArgumentNullException.ThrowIfNull(falsePositiveRates);
        ArgumentNullException.ThrowIfNull(truePositiveRates);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (falsePositiveRates.Length != truePositiveRates.Length || falsePositiveRates.Length != thresholds.Length)
            throw new ArgumentException(
                $"Curve arrays differ in length: FPR {falsePositiveRates.Length}, TPR {truePositiveRates.Length}, thresholds {thresholds.Length}.");
        FalsePositiveRates = falsePositiveRates;
        TruePositiveRates = truePositiveRates;
        Thresholds = thresholds;
    }

    /// <summary>False-positive rate of each point, non-decreasing.</summary>
    public double[] FalsePositiveRates { get; }

    /// <summary>True-positive rate (recall) of each point, non-decreasing.</summary>
    public double[] TruePositiveRates { get; }

    /// <summary>Threshold of each point, descending.</summary>
    public float[] Thresholds { get; }

    /// <summary>Number of points.</summary>
    public int Count => Thresholds.Length;

    /// <summary>
    /// Keeps at most <paramref name="maxPoints"/> points (at least 2), always the first and the last,
    /// spread evenly along the curve's length (|ΔFPR| + |ΔTPR|) rather than by index: pixel-level
    /// curves have millions of points bunched where the normal pixels are, and even spacing by
    /// length keeps the steep start of the curve visible. Returns this instance when already small enough.
    /// </summary>
    public RocCurve Downsample(int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (Count <= maxPoints) return this;

        double total = 0;
        for (int i = 1; i < Count; i++) total += Step(i);

        var keep = new int[maxPoints];
        int kept = 0;
        keep[kept++] = 0;
        double spacing = total / (maxPoints - 1), nextMark = spacing, travelled = 0;
        // A curve that never moves (only possible for hand-made instances) has nothing in between worth keeping.
        if (!(spacing > 0)) return new RocCurve([FalsePositiveRates[0], FalsePositiveRates[^1]],
            [TruePositiveRates[0], TruePositiveRates[^1]], [Thresholds[0], Thresholds[^1]]);
        // Room is left for the last point; each kept point passes at least one new mark, so at most
        // maxPoints - 2 interior points can be kept.
        for (int i = 1; i < Count - 1 && kept < maxPoints - 1; i++)
        {
            travelled += Step(i);
            if (travelled < nextMark) continue;
            keep[kept++] = i;
            while (nextMark <= travelled) nextMark += spacing;
        }
        keep[kept++] = Count - 1;

        var fpr = new double[kept];
        var tpr = new double[kept];
        var thresholds = new float[kept];
        for (int k = 0; k < kept; k++)
        {
            fpr[k] = FalsePositiveRates[keep[k]];
            tpr[k] = TruePositiveRates[keep[k]];
            thresholds[k] = Thresholds[keep[k]];
        }
        return new RocCurve(fpr, tpr, thresholds);
    }

    private double Step(int i)
        => Math.Abs(FalsePositiveRates[i] - FalsePositiveRates[i - 1]) + Math.Abs(TruePositiveRates[i] - TruePositiveRates[i - 1]);
}
