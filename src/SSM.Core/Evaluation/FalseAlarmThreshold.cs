namespace SSM.Core.Evaluation;

/// <summary>
/// The threshold a false-alarm budget asks for on a labelled test set, and what it decides there: of the thresholds that
/// flag at most <see cref="Rate"/> of its normal images and find every defect scoring above the normal images that must
/// pass, one midway between the lowest of those defects and the normal score next below it, of three decimals where they
/// fit (a defect 2e-4 above a normal score is found at its own score, not lost to the round number above it). A larger
/// budget then never costs false alarms without finding more (a walkthrough's 5 % row flagged one good image more than its
/// 1 % row and found the same defects; nor when it finds none), and scores that move in their last digits keep their
/// decisions (another processor's number format moves them by up to 2e-3; a walkthrough's suggested threshold lay 0.0002
/// below a defect's score). An inspection line sets its threshold this way ("at most 5 % of good parts rejected"), not by
/// a score's units.
/// </summary>
/// <param name="Rate">The largest share of normal images flagged, e.g. 0.05.</param>
/// <param name="Threshold">Score at or above which an image is flagged: a round number above the normal score that must
/// pass, midway between the lowest defect score found and the normal score below it (that defect's score, or the round
/// number just below it, when they are too close for three decimals between).</param>
/// <param name="Counts">The decisions at <paramref name="Threshold"/> (FalsePositives ≤ Rate x normal images, unless the normal
/// images scoring NaN, which every threshold flags, are more on their own).</param>
public readonly record struct FalseAlarmThreshold(double Rate, float Threshold, ConfusionCounts Counts)
{
    /// <summary>The rates a report lists: 1, 5 and 10 %.</summary>
    public static IReadOnlyList<double> CommonRates { get; } = [0.01, 0.05, 0.10];

    /// <summary>The threshold for <paramref name="rate"/>, or null without normal images of a score.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is not in [0, 1).</exception>
    public static FalseAlarmThreshold? For(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels, double rate)
    {
        RankedScores.RequireSameLength(scores.Length, labels.Length);
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The false-alarm rate must be in [0, 1).");
        var normal = new List<float>();
        int flaggedAlways = 0;   // NaN scores: flagged at every threshold (ConfusionCounts), so they spend the budget first
        for (int i = 0; i < scores.Length; i++)
            if (!labels[i]) { if (float.IsNaN(scores[i])) flaggedAlways++; else normal.Add(scores[i]); }
        if (normal.Count == 0) return null;
        normal.Sort((a, b) => b.CompareTo(a));
        int allowed = Math.Max(0, (int)Math.Floor(rate * (normal.Count + flaggedAlways) + 1e-9) - flaggedAlways);
        float mustPass = normal[allowed];   // the highest normal score beyond the budget, and every one tied with it
        // Every defect above it can be found within the budget, however close: the threshold is a round number between the
        // lowest of them and the normal score next below it where one fits, else that defect's own score.
        float lowestFound = float.PositiveInfinity;
        for (int i = 0; i < scores.Length; i++)
            if (labels[i] && scores[i] > mustPass) lowestFound = Math.Min(lowestFound, scores[i]);
        if (float.IsFinite(lowestFound))
        {
            float below = mustPass;
            for (int i = 0; i < scores.Length; i++)
                if (!labels[i] && scores[i] < lowestFound) below = Math.Max(below, scores[i]);
            float midway = RoundThreshold.Near(below + (lowestFound - below) / 2, below, lowestFound);
            return new FalseAlarmThreshold(rate, midway, ConfusionCounts.At(scores, labels, midway));
        }
        // No defect found above it. With defects in the set, a threshold that flags normal images finds none of them, so it
        // passes them all (a budget of 10 % flagged 2 of 7 good images and found nothing, where 0 % found as much).
        // Good images alone (a new month's, to set a threshold by its rate) spend the budget. Either way room above the
        // normal score that must pass: midway to the next normal score up (the last one the budget flags), or with none
        // 2e-3 above it, what another processor's number format moves scores by.
        if (labels.Contains(true)) (allowed, mustPass) = (0, normal[0]);
        float lowest = (float)(RoundThreshold.ThreeDecimalsAtOrBelow(mustPass) + 0.001);
        if (!(lowest > mustPass)) lowest = MathF.BitIncrement(mustPass);   // scores too large for three decimals
        float roomy = allowed > 0
            ? (float)RoundThreshold.ThreeDecimalsAtOrBelow((float)(mustPass + (normal[allowed - 1] - (double)mustPass) / 2))
            : (float)(RoundThreshold.ThreeDecimalsAtOrBelow((float)(mustPass + 0.002)) + 0.001);
        if (roomy > lowest && (allowed == 0 || roomy <= normal[allowed - 1])) lowest = roomy;
        return new FalseAlarmThreshold(rate, lowest, ConfusionCounts.At(scores, labels, lowest));
    }
}
