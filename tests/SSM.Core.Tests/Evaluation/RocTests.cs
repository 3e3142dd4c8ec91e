using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class RocTests
{
    private const bool T = true, F = false;

    [Fact]
    public void PerfectSeparationIsOne()
        => Assert.Equal(1.0, Roc.Auroc([0.1f, 0.2f, 0.8f, 0.9f], [F, F, T, T]));

    [Fact]
    public void ReversedSeparationIsZero()
        => Assert.Equal(0.0, Roc.Auroc([0.9f, 0.8f, 0.2f, 0.1f], [F, F, T, T]));

    [Fact]
    public void HandWorkedExample()
    {
        // Pairs (anomalous, normal): 0.35>0.1 win, 0.35<0.4 loss, 0.8>0.1 win, 0.8>0.4 win -> 3/4.
        Assert.Equal(0.75, Roc.Auroc([0.1f, 0.4f, 0.35f, 0.8f], [F, F, T, T]));
    }

    [Fact]
    public void AllTiedIsOneHalf()
        => Assert.Equal(0.5, Roc.Auroc([0.3f, 0.3f, 0.3f, 0.3f, 0.3f], [F, T, F, T, T]));

    [Fact]
    public void PartialTiesCountHalf()
    {
        // Anomalous 0.5 vs normal {0.2, 0.5, 0.5}: 1 + 1/2 + 1/2 = 2; anomalous 0.7 beats all 3 -> 3.
        // (2 + 3) / (2 x 3) = 5/6.
        Assert.Equal(5.0 / 6.0, Roc.Auroc([0.2f, 0.5f, 0.5f, 0.7f, 0.5f], [F, F, T, T, F]), 1e-15);
    }

    [Fact]
    public void NegativeAndPositiveZeroAreOneTie()
        => Assert.Equal(0.5, Roc.Auroc([-0f, 0f], [T, F]));

    [Theory]
    [InlineData(1, 300, 10)]
    [InlineData(2, 1000, 5)]
    [InlineData(3, 777, 100)]
    [InlineData(4, 50, 2)]
    public void AgreesWithPairCountOnTiedRandomData(int seed, int n, int levels)
    {
        var (scores, labels) = Reference.TiedSample(seed, n, levels);
        Assert.Equal(Reference.AurocByPairs(scores, labels), Roc.Auroc(scores, labels), 1e-12);
    }

    [Fact]
    public void DoesNotModifyInputs()
    {
        float[] scores = [0.9f, 0.1f, 0.5f];
        bool[] labels = [F, T, F];
        Roc.Auroc(scores, labels);
        Assert.Equal([0.9f, 0.1f, 0.5f], scores);
        Assert.Equal([F, T, F], labels);
    }

    [Fact]
    public void LengthMismatchThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => Roc.Auroc([0.1f, 0.2f], [T]));
        Assert.Contains("same length", e.Message);
    }

    [Fact]
    public void OnlyAnomalousThrowsSayingSo()
    {
        var e = Assert.Throws<ArgumentException>(() => Roc.Auroc([0.1f, 0.2f], [T, T]));
        Assert.Contains("only one class", e.Message);
        Assert.Contains("all 2 are anomalous", e.Message);
    }

    [Fact]
    public void OnlyNormalThrowsSayingSo()
    {
        var e = Assert.Throws<ArgumentException>(() => Roc.Auroc([0.1f, 0.2f, 0.3f], [F, F, F]));
        Assert.Contains("only one class", e.Message);
        Assert.Contains("all 3 are normal", e.Message);
    }

    [Fact]
    public void EmptyAndNaNThrow()
    {
        Assert.Throws<ArgumentException>(() => Roc.Auroc([], []));
        Assert.Throws<ArgumentException>(() => Roc.Auroc([0.1f, float.NaN], [T, F]));
    }
}
