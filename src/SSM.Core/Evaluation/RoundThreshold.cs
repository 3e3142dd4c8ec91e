namespace SSM.Core.Evaluation;

/// <summary>
/// A threshold to give back to a model (anomalous when score ≥ it): of three decimals where the scores leave room,
/// midway between the lowest score a threshold flags and the highest one it passes. It decides every score as the exact
/// threshold does, printed as it is, and keeps doing so when scores move in their last digits (another processor's number
/// format moves them by up to 2e-3). A walkthrough's F1-max threshold was a defect's own score, -0.086077146: printed as
/// -0.086 and pasted into <c>--threshold</c>, it passed that defect and gave F1 0.903 instead of 0.938.
/// </summary>
public static class RoundThreshold
{
    /// <summary>The round threshold deciding <paramref name="scores"/> as <paramref name="threshold"/> does: every score
    /// at or above it flagged, every score below it passed (NaN scores ignored).</summary>
    public static float Between(ReadOnlySpan<float> scores, float threshold)
    {
        float below = float.NegativeInfinity;
        foreach (float s in scores)
            if (s < threshold && s > below) below = s;
        return Between(below, threshold);
    }

    /// <summary>The same over every value of <paramref name="maps"/> (a pixel threshold).</summary>
    public static float Between(IEnumerable<float[]> maps, float threshold)
    {
        ArgumentNullException.ThrowIfNull(maps);
        float below = float.NegativeInfinity;
        foreach (var map in maps)
            foreach (float v in map)
                if (v < threshold && v > below) below = v;
        return Between(below, threshold);
    }

    /// <summary>A threshold in (<paramref name="below"/>, <paramref name="lowestFlagged"/>]: three decimals near the middle
    /// where they fit, else the lowest flagged value itself.</summary>
    private static float Between(float below, float lowestFlagged)
    {
        if (!float.IsFinite(lowestFlagged)) return lowestFlagged;
        // Nothing passes: room below as well, the 2e-3 a score can move.
        double middle = float.IsNegativeInfinity(below) ? lowestFlagged - 0.002 : below + ((double)lowestFlagged - below) / 2;
        return Near((float)middle, below, lowestFlagged);
    }

    /// <summary>A threshold in (<paramref name="below"/>, <paramref name="lowestFlagged"/>]: the value of three decimals at or
    /// below <paramref name="middle"/> where it fits, else the one at or below the lowest flagged value, else that value.</summary>
    internal static float Near(float middle, float below, float lowestFlagged)
    {
        foreach (double candidate in new[] { ThreeDecimalsAtOrBelow(middle), ThreeDecimalsAtOrBelow(lowestFlagged) })
        {
            float t = (float)candidate;
            if (t > below && t <= lowestFlagged) return t;
        }
        return lowestFlagged;
    }

    /// <summary>The value of three decimals at or just below <paramref name="score"/>. A score of three decimals in float
    /// (0.9f is 0.89999998, 2.699f is 2.69899988) is its own, not the one below it: a fixed slack under the floor would not
    /// do, as a float's error grows with its size, and a threshold printed as 2.699 must not flag a score of 2.699f.</summary>
    internal static double ThreeDecimalsAtOrBelow(float score)
    {
        double round = Math.Round(score * 1000.0) / 1000.0;
        return (float)round == score ? round : Math.Floor(score * 1000.0) / 1000.0;
    }
}
