using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public sealed class FalseAlarmThresholdTests
{
    // 20 normal images scoring 0, 1/8, .., 19/8 (exact in binary) and 5 defects.
    private static readonly float[] Scores = [.. Enumerable.Range(0, 20).Select(i => i / 8f), 0.42f, 2.2f, 2.3f, 3f, 5f];
    private static readonly bool[] Labels = [.. Enumerable.Repeat(false, 20), .. Enumerable.Repeat(true, 5)];

    [Theory]
    [InlineData(0.01, 0, 2.376f, 2)]    // no false alarm allowed: just above the highest normal score (2.375)
    [InlineData(0.05, 1, 2.251f, 3)]    // one of 20 may be flagged: just above the second highest (2.25)
    [InlineData(0.10, 2, 2.126f, 4)]
    public void Flags_at_most_the_rate_of_normal_images_at_the_lowest_round_threshold(double rate, int falseAlarms, float threshold, int found)
    {
        var t = FalseAlarmThreshold.For(Scores, Labels, rate)!.Value;
        Assert.Equal(threshold, t.Threshold, 5);
        Assert.Equal(falseAlarms, t.Counts.FalsePositives);
        Assert.Equal(found, t.Counts.TruePositives);
        Assert.Equal(t.Counts, ConfusionCounts.At(Scores, Labels, t.Threshold));
    }

    [Fact]
    public void Ties_at_the_limit_all_pass_and_huge_scores_still_get_a_threshold_above_them()
    {
        float[] tied = [1f, 1f, 1f, 2f];
        bool[] labels = [false, false, false, true];
        var t = FalseAlarmThreshold.For(tied, labels, 0.4)!.Value;   // one of three may be flagged, but all three tie
        Assert.Equal(0, t.Counts.FalsePositives);
        var huge = FalseAlarmThreshold.For([3e8f, 1f], [false, true], 0)!.Value;
        Assert.True(huge.Threshold > 3e8f);
        Assert.Null(FalseAlarmThreshold.For([1f], [true], 0.05));
        Assert.Throws<ArgumentOutOfRangeException>(() => FalseAlarmThreshold.For(Scores, Labels, 1));
    }
}
