namespace SSM.Core.Evaluation;

/// <summary>
/// The threshold a false-alarm budget asks for on a labelled test set, and what it decides there: of the thresholds of
/// three decimals that flag at most <see cref="Rate"/> of its normal images and find as many defects as the lowest does,
/// the one midway between the lowest of those defects and the normal score next below it. A larger budget then never
/// costs false alarms without finding more (a walkthrough's 5 % row flagged one good image more than its 1 % row and
/// found the same defects), and scores that move in their last digits keep their decisions (another processor's number
/// format moves them by up to 2e-3; a walkthrough's suggested threshold lay 0.0002 below a defect's score). An inspection line sets its threshold this way ("at
/// most 5 % of good parts rejected"), not by a score's units.
/// </summary>
/// <param name="Rate">The largest share of normal images flagged, e.g. 0.05.</param>
/// <param name="Threshold">Score at or above which an image is flagged: a round number above the normal score that must
/// pass, midway between the lowest defect score found and the normal score below it (at or just below that defect score
/// when they are too close for three decimals between).</param>
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
        float lowest = (float)(RoundThreshold.ThreeDecimalsAtOrBelow(mustPass) + 0.001);
        if (!(lowest > mustPass)) lowest = MathF.BitIncrement(mustPass);   // scores too large for three decimals
        var counts = ConfusionCounts.At(scores, labels, lowest);
        float lowestFound = float.PositiveInfinity;
        for (int i = 0; i < scores.Length; i++)
            if (labels[i] && scores[i] >= lowest) lowestFound = Math.Min(lowestFound, scores[i]);
        if (float.IsFinite(lowestFound))
        {
            // Midway between that defect and the normal score next below it (at least the one that must pass): the same
            // decisions as anywhere between, with room on both sides.
            float below = mustPass;
            for (int i = 0; i < scores.Length; i++)
                if (!labels[i] && scores[i] < lowestFound) below = Math.Max(below, scores[i]);
            float midway = (float)RoundThreshold.ThreeDecimalsAtOrBelow(below + (lowestFound - below) / 2);
            if (midway > below && midway <= lowestFound) return new FalseAlarmThreshold(rate, midway, ConfusionCounts.At(scores, labels, midway));
            // Too close for a round number between: raised to the lowest defect score it finds, which flags no more normal images.
            float raised = (float)RoundThreshold.ThreeDecimalsAtOrBelow(lowestFound);
            if (raised > lowestFound) raised = MathF.BitDecrement(lowestFound);
            var at = ConfusionCounts.At(scores, labels, raised);
            if (raised > lowest && at.TruePositives == counts.TruePositives) return new FalseAlarmThreshold(rate, raised, at);
        }
        else
        {
            // No defect found above it: room above the normal score that must pass too, midway to the next normal score up
            // (the last one the budget flags), or with none 2e-3 above it, what another processor's number format moves scores by.
            float roomy = allowed > 0
                ? (float)RoundThreshold.ThreeDecimalsAtOrBelow((float)(mustPass + (normal[allowed - 1] - (double)mustPass) / 2))
                : (float)(RoundThreshold.ThreeDecimalsAtOrBelow((float)(mustPass + 0.002)) + 0.001);
            if (roomy > lowest && (allowed == 0 || roomy <= normal[allowed - 1]))
                return new FalseAlarmThreshold(rate, roomy, ConfusionCounts.At(scores, labels, roomy));
        }
        return new FalseAlarmThreshold(rate, lowest, counts);
    }
}
