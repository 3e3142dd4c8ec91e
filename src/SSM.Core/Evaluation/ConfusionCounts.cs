namespace SSM.Core.Evaluation;

/// <summary>
/// Confusion matrix of a binary anomaly decision, anomalous being the positive class.
/// The derived rates are 0 when their denominator is 0 (e.g. precision with nothing predicted anomalous),
/// which keeps reports free of NaN.
/// </summary>
public readonly record struct ConfusionCounts(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>All samples.</summary>
    public long Total => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>TP / (TP + FP).</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN), the true-positive rate.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>2TP / (2TP + FP + FN), the harmonic mean of precision and recall.</summary>
    public double F1 => Ratio(2 * TruePositives, 2 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>(TP + TN) / total.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, Total);

    /// <summary>FP / (FP + TN).</summary>
    public double FalsePositiveRate => Ratio(FalsePositives, FalsePositives + TrueNegatives);

    /// <summary>
    /// Counts the decisions "anomalous when score &gt;= <paramref name="threshold"/>", the same
    /// convention as <see cref="F1Max"/> and <see cref="Roc"/>, so a threshold they return reproduces their counts.
    /// A NaN score counts as predicted anomalous, as the ML.NET transformer's PredictedLabel says.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or the threshold is NaN.</exception>
    public static ConfusionCounts At(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, float threshold)
    {
        RankedScores.RequireSameLength(scores.Length, labels.Length);
        if (float.IsNaN(threshold)) throw new ArgumentException("The threshold is NaN.", nameof(threshold));
        var decisions = new bool[scores.Length];
        for (int i = 0; i < scores.Length; i++) decisions[i] = Flags(scores[i], threshold);
        return Of(labels, decisions);
    }

    /// <summary>Counts decisions made elsewhere (a model's PredictedLabel column) against the labels.</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static ConfusionCounts Of(ReadOnlySpan<bool> labels, ReadOnlySpan<bool> decisions)
    {
        if (decisions.Length != labels.Length)
            throw new ArgumentException($"decisions has {decisions.Length} values but labels has {labels.Length}; they must be the same length.", nameof(decisions));
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i]) { if (decisions[i]) tp++; else fn++; }
            else { if (decisions[i]) fp++; else tn++; }
        }
        return new ConfusionCounts(tp, fp, tn, fn);
    }

    /// <summary>The decision every count and label takes: anomalous unless below the threshold, so that a NaN score (an image
    /// no number describes) is flagged, not passed as "score &gt;= threshold" would pass it.</summary>
    public static bool Flags(float score, float threshold) => !(score < threshold);

    /// <summary>The counts of two sets of decisions together (the pixels of several images).</summary>
    public static ConfusionCounts operator +(ConfusionCounts a, ConfusionCounts b) => new(
        a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.TrueNegatives + b.TrueNegatives, a.FalseNegatives + b.FalseNegatives);

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
