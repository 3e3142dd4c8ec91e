namespace SSM.Core.Evaluation;

/// <summary>
/// Enumerates the distinct thresholds of a <see cref="RankedScores"/> from the highest down,
/// with cumulative counts of positives and negatives scoring at or above each one. All samples
/// with an equal score are consumed in one step, so a tie never gets split between a predicted
/// and an unpredicted side: this is what makes tied scores count half in AUROC.
/// </summary>
internal struct ThresholdSweep
{
    private readonly float[] _scores;
    private readonly bool[] _labels;
    private int _next;

    public ThresholdSweep(float[] ascendingScores, bool[] labels)
    {
        _scores = ascendingScores;
        _labels = labels;
        _next = ascendingScores.Length - 1;
        Threshold = float.PositiveInfinity;
        TruePositives = 0;
        FalsePositives = 0;
    }

    /// <summary>The current threshold; samples with score &gt;= it are predicted anomalous.</summary>
    public float Threshold { get; private set; }

    /// <summary>Positives with score &gt;= <see cref="Threshold"/>.</summary>
    public long TruePositives { get; private set; }

    /// <summary>Negatives with score &gt;= <see cref="Threshold"/>.</summary>
    public long FalsePositives { get; private set; }

    /// <summary>Advances to the next lower distinct score; false once every sample has been consumed.</summary>
    public bool MoveNext()
    {
        int i = _next;
        if (i < 0) return false;
        float t = _scores[i];
        long tp = TruePositives, fp = FalsePositives;
        // == (not bit equality) so that -0 and +0, which the sort treats as equal, stay one group.
        do
        {
            if (_labels[i]) tp++; else fp++;
            i--;
        } while (i >= 0 && _scores[i] == t);
        _next = i;
        Threshold = t;
        TruePositives = tp;
        FalsePositives = fp;
        return true;
    }

    /// <summary>Counts the distinct scores (the number of <see cref="MoveNext"/> steps) without moving.</summary>
    public readonly int CountDistinct()
    {
        if (_scores.Length == 0) return 0;
        int distinct = 1;
        for (int i = 1; i < _scores.Length; i++)
            if (_scores[i] != _scores[i - 1]) distinct++;
        return distinct;
    }
}
