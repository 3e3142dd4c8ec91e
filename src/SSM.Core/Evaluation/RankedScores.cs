namespace SSM.Core.Evaluation;

/// <summary>
/// Scores sorted ascending with their labels carried along, plus the class counts: the common
/// starting point of every threshold-sweeping metric. Sorting ascending (rather than descending)
/// lets <see cref="Array.Sort{TKey, TValue}(TKey[], TValue[])"/> work on the keys unchanged;
/// sweeps simply walk from the end so the highest score is the first threshold.
/// </summary>
internal sealed class RankedScores
{
    private RankedScores(float[] scores, bool[] labels, long positives)
    {
        Scores = scores;
        Labels = labels;
        Positives = positives;
    }

    /// <summary>Scores, ascending.</summary>
    public float[] Scores { get; }

    /// <summary>Labels aligned with <see cref="Scores"/>; true = anomalous (positive).</summary>
    public bool[] Labels { get; }

    public int Count => Scores.Length;
    public long Positives { get; }
    public long Negatives => Scores.Length - Positives;

    /// <summary>Copies, validates and sorts; the caller's spans are left untouched.</summary>
    public static RankedScores Copy(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        RequireSameLength(scores.Length, labels.Length);
        return Own(scores.ToArray(), labels.ToArray());
    }

    /// <summary>Validates and sorts <paramref name="scores"/> and <paramref name="labels"/> in place (takes ownership).</summary>
    public static RankedScores Own(float[] scores, bool[] labels)
    {
        RequireSameLength(scores.Length, labels.Length);
        if (scores.Length == 0) throw new ArgumentException("No scores were given.", nameof(scores));
        long positives = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            // NaN has no place in a ranking: Array.Sort would silently put it first, as the lowest score.
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
            if (labels[i]) positives++;
        }
        Array.Sort(scores, labels);
        return new RankedScores(scores, labels, positives);
    }

    /// <summary>Wraps arrays the caller has already validated and sorted ascending (no copy, no check).</summary>
    public static RankedScores FromSorted(float[] sortedScores, bool[] labels, long positives) => new(sortedScores, labels, positives);

    /// <summary>Walks the distinct thresholds from the highest score down.</summary>
    public ThresholdSweep Sweep() => new(Scores, Labels);

    /// <summary>Throws when a ranking metric is undefined because one class is missing.</summary>
    public void RequireBothClasses(string metric)
    {
        if (Positives == 0)
            throw new ArgumentException($"{metric} is undefined: only one class is present in labels (all {Count} are normal, none anomalous).", "labels");
        if (Negatives == 0)
            throw new ArgumentException($"{metric} is undefined: only one class is present in labels (all {Count} are anomalous, none normal).", "labels");
    }

    internal static void RequireSameLength(int scores, int labels)
    {
        if (scores != labels)
            throw new ArgumentException($"scores has {scores} values but labels has {labels}; they must be the same length.", nameof(labels));
    }
}
