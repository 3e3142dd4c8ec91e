using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class F1MaxTests
{
    private const bool T = true, F = false;

    [Fact]
    public void HandWorkedExample()
    {
        // P = 3; F1 = 2TP / (TP + FP + P).
        // t=0.9: TP1 FP0 -> 2/4;  t=0.8: TP2 FP1 -> 4/6;  t=0.6: TP3 FP1 -> 6/7;  t=0.3: TP3 FP2 -> 6/8.
        var (f1, threshold) = F1Max.Compute([0.9f, 0.8f, 0.8f, 0.6f, 0.3f], [T, T, F, T, F]);
        Assert.Equal(6.0 / 7.0, f1, 1e-15);
        Assert.Equal(0.6f, threshold);
    }

    [Fact]
    public void TiedScoresAreNotSplit()
    {
        // P = 2. At t=0.8 both tied samples are predicted anomalous: TP2 FP1 -> 4/5 = 0.8.
        // Splitting the tie (anomalous 0.8 first) would claim TP2 FP0 -> F1 = 1.
        // t=0.9: TP1 FP0 -> 2/3; t=0.3: TP2 FP2 -> 4/6.
        var (f1, threshold) = F1Max.Compute([0.9f, 0.8f, 0.8f, 0.3f], [T, T, F, F]);
        Assert.Equal(0.8, f1, 1e-15);
        Assert.Equal(0.8f, threshold);
    }

    [Fact]
    public void EqualF1PicksLowestThreshold()
    {
        // P = 2. t=0.9: TP1 FP0 -> 2/3; t=0.8: 2/4; t=0.7: 2/5; t=0.6: TP2 FP2 -> 4/6 = 2/3 again.
        var (f1, threshold) = F1Max.Compute([0.9f, 0.8f, 0.7f, 0.6f], [T, F, F, T]);
        Assert.Equal(2.0 / 3.0, f1, 1e-15);
        Assert.Equal(0.6f, threshold);
    }

    [Fact]
    public void OnlyAnomalousGivesOneAtLowestScore()
        => Assert.Equal((1.0, 0.2f), F1Max.Compute([0.5f, 0.2f], [T, T]));

    [Theory]
    [InlineData(11, 500, 10)]
    [InlineData(12, 300, 1000)]
    public void AgreesWithConfusionCountsAtEveryThreshold(int seed, int n, int levels)
    {
        var (scores, labels) = Reference.TiedSample(seed, n, levels);
        var (f1, threshold) = F1Max.Compute(scores, labels);
        Assert.Equal(Reference.F1MaxByThresholds(scores, labels), f1, 1e-12);
        Assert.Equal(f1, ConfusionCounts.At(scores, labels, threshold).F1, 1e-12);
    }

    [Fact]
    public void ArgumentErrors()
    {
        Assert.Throws<ArgumentException>(() => F1Max.Compute([0.1f], [T, F]));
        Assert.Throws<ArgumentException>(() => F1Max.Compute([], []));
        var e = Assert.Throws<ArgumentException>(() => F1Max.Compute([0.1f, 0.2f], [F, F]));
        Assert.Contains("no label is anomalous", e.Message);
    }
}
