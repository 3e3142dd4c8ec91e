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

    /// <summary>Every rate from a matrix with no zero cell, where each formula's denominator differs from the others'.</summary>
    [Fact]
    public void RatesOfAFullMatrix()
    {
        var c = new ConfusionCounts(TruePositives: 3, FalsePositives: 2, TrueNegatives: 4, FalseNegatives: 1);
        Assert.Equal(10, c.Total);
        Assert.Equal(3.0 / 5, c.Precision, 1e-15);
        Assert.Equal(3.0 / 4, c.Recall, 1e-15);
        Assert.Equal(6.0 / 9, c.F1, 1e-15);
        Assert.Equal(7.0 / 10, c.Accuracy, 1e-15);
        Assert.Equal(2.0 / 6, c.FalsePositiveRate, 1e-15);
    }

    [Fact]
    public void CountsOfSeveralImagesAddUp()
    {
        var a = ConfusionCounts.Of([T, T, F], [T, F, F]);
        var b = ConfusionCounts.Of([F, T, F, T], [T, T, F, F]);
        Assert.Equal(new ConfusionCounts(TruePositives: 2, FalsePositives: 1, TrueNegatives: 2, FalseNegatives: 2), a + b);
        Assert.Equal(ConfusionCounts.Of([T, T, F, F, T, F, T], [T, F, F, T, T, F, F]), a + b);
    }

    [Fact]
    public void ArgumentErrors()
    {
        Assert.Throws<ArgumentException>(() => ConfusionCounts.At([0.1f, 0.2f], [T], 0.5f));
        Assert.Throws<ArgumentException>(() => ConfusionCounts.At([0.1f], [T], float.NaN));
        Assert.Equal("decisions", Assert.Throws<ArgumentException>(() => ConfusionCounts.Of([T, F], [T])).ParamName);
    }
}
