namespace SSM.Core.Evaluation;

/// <summary>
/// Receiver operating characteristic: exact AUROC and the curve for plots.
/// Labels are true for anomalous (the positive class); higher scores mean more anomalous.
/// </summary>
public static class Roc
{
    /// <summary>
    /// Exact area under the ROC curve, equal to scikit-learn's <c>roc_auc_score</c>: samples with
    /// equal scores form one (possibly diagonal) ROC step, so a tied (anomalous, normal) pair counts
    /// one half, which is the Mann-Whitney U statistic divided by (positives × negatives).
    /// O(n log n) time; the inputs are copied, not modified.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Lengths differ, the input is empty, a score is NaN, or only one class is present.
    /// </exception>
    public static double Auroc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
        => Auroc(RankedScores.Copy(scores, labels));

    internal static double Auroc(RankedScores ranked)
    {
        ranked.RequireBothClasses("AUROC");
        // The area is accumulated in units of half a (positive, negative) pair so it stays an exact
        // integer: each step adds dFP * (TP_before + TP_after). The total is at most 2·P·N <= n²/2,
        // which fits a long for any array length .NET allows.
        long doubledPairs = 0, prevTp = 0, prevFp = 0;
        var sweep = ranked.Sweep();
        while (sweep.MoveNext())
        {
            doubledPairs += (sweep.FalsePositives - prevFp) * (prevTp + sweep.TruePositives);
            prevTp = sweep.TruePositives;
            prevFp = sweep.FalsePositives;
        }
        return doubledPairs / 2.0 / ranked.Positives / ranked.Negatives;
    }

    /// <summary>
    /// The ROC curve with one point per distinct score, thresholds descending, preceded by
    /// (0, 0) at threshold +∞ (as scikit-learn's <c>roc_curve</c> with <c>drop_intermediate=False</c>).
    /// With <paramref name="maxPoints"/> the curve is thinned for reports (see <see cref="RocCurve.Downsample"/>);
    /// compute the area with <see cref="Auroc(ReadOnlySpan{float}, ReadOnlySpan{bool})"/>, not from a thinned curve.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Auroc(ReadOnlySpan{float}, ReadOnlySpan{bool})"/>.</exception>
    public static RocCurve Curve(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, int? maxPoints = null)
    {
        var curve = Curve(RankedScores.Copy(scores, labels));
        return maxPoints is { } max ? curve.Downsample(max) : curve;
    }

    internal static RocCurve Curve(RankedScores ranked)
    {
        ranked.RequireBothClasses("The ROC curve");
        var sweep = ranked.Sweep();
        int count = sweep.CountDistinct() + 1;
        var fpr = new double[count];
        var tpr = new double[count];
        var thresholds = new float[count];
        thresholds[0] = float.PositiveInfinity;
        double p = ranked.Positives, n = ranked.Negatives;
        for (int i = 1; sweep.MoveNext(); i++)
        {
            fpr[i] = sweep.FalsePositives / n;
            tpr[i] = sweep.TruePositives / p;
            thresholds[i] = sweep.Threshold;
        }
        return new RocCurve(fpr, tpr, thresholds);
    }
}
