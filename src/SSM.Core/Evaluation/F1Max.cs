namespace SSM.Core.Evaluation;

/// <summary>
/// The best F1 score reachable by a single threshold, and that threshold: the usual way to pick
/// an operating point for anomaly maps without labels at test time (anomalib's F1AdaptiveThreshold).
/// </summary>
public static class F1Max
{
    /// <summary>
    /// Maximum F1 over every distinct score used as threshold, predicting anomalous when
    /// score &gt;= threshold. Equal scores are always on the same side of a threshold, so ties cannot
    /// be split to flatter the result. When several thresholds reach the same F1 the lowest is
    /// returned (as anomalib does, via the argmax of scikit-learn's precision-recall curve).
    /// Normal-only scores are fine; at least one anomalous label is needed, else F1 is 0 everywhere.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, the input is empty, a score is NaN, or no label is anomalous.</exception>
    public static (double F1, float Threshold) Compute(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
        => Compute(RankedScores.Copy(scores, labels));

    internal static (double F1, float Threshold) Compute(RankedScores ranked)
    {
        if (ranked.Positives == 0)
            throw new ArgumentException($"F1 is undefined: no label is anomalous (all {ranked.Count} are normal).", "labels");
        double best = -1;
        float bestThreshold = float.NaN;
        var sweep = ranked.Sweep();
        while (sweep.MoveNext())
        {
            // F1 = 2TP / (2TP + FP + FN) and TP + FN = P; no division by zero once TP > 0 or FP > 0.
            double f1 = 2.0 * sweep.TruePositives / (sweep.TruePositives + sweep.FalsePositives + ranked.Positives);
            if (f1 >= best)
            {
                best = f1;
                bestThreshold = sweep.Threshold;
            }
        }
        return (best, bestThreshold);
    }
}
