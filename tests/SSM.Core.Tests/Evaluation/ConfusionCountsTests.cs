using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class ConfusionCountsTests
{
    private const bool T = true, F = false;

    [Fact]
    public void CountsAtThresholdIncludeEqualScores()
    {
        // Anomalous when score >= 0.5: predicted {0.5 (T), 0.5 (F), 0.9 (T)}, normal {0.1 (F)}.
        var c = ConfusionCounts.At([0.1f, 0.5f, 0.5f, 0.9f], [F, T, F, T], 0.5f);
        Assert.Equal(new ConfusionCounts(TruePositives: 2, FalsePositives: 1, TrueNegatives: 1, FalseNegatives: 0), c);
        Assert.Equal(4, c.Total);
        Assert.Equal(2.0 / 3.0, c.Precision, 1e-15);
        Assert.Equal(1.0, c.Recall);
        Assert.Equal(0.8, c.F1, 1e-15);
        Assert.Equal(0.75, c.Accuracy);
        Assert.Equal(0.5, c.FalsePositiveRate);
    }

    [Fact]
    public void UndefinedRatesAreZero()
    {
        var empty = default(ConfusionCounts);
        Assert.Equal((0.0, 0.0, 0.0, 0.0, 0.0), (empty.Precision, empty.Recall, empty.F1, empty.Accuracy, empty.FalsePositiveRate));

        // Nothing predicted anomalous: precision 0/0 -> 0.
        var none = ConfusionCounts.At([0.1f, 0.2f], [T, F], 1f);
        Assert.Equal(0.0, none.Precision);
        Assert.Equal(0.5, none.Accuracy);
    }

    /// <summary>As the transformer labels it: an image no number describes is flagged, not passed.</summary>
    [Fact]
    public void NaNScoreIsPredictedAnomalous()
    {
        var c = ConfusionCounts.At([float.NaN, float.NaN], [T, F], 0f);
        Assert.Equal((1, 1, 0), (c.TruePositives, c.FalsePositives, c.FalseNegatives));
    }

    [Fact]
    public void ArgumentErrors()
    {
        Assert.Throws<ArgumentException>(() => ConfusionCounts.At([0.1f, 0.2f], [T], 0.5f));
        Assert.Throws<ArgumentException>(() => ConfusionCounts.At([0.1f], [T], float.NaN));
    }
}
