using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public sealed class FalseAlarmThresholdTests
{
    // 20 normal images scoring 0, 1/8, .., 19/8 (exact in binary) and 5 defects.
    private static readonly float[] Scores = [.. Enumerable.Range(0, 20).Select(i => i / 8f), 0.42f, 2.2f, 2.3f, 3f, 5f];
    private static readonly bool[] Labels = [.. Enumerable.Repeat(false, 20), .. Enumerable.Repeat(true, 5)];

    [Theory]
    [InlineData(0.01, 0, 2.687f, 2)]    // no false alarm allowed: midway between the highest normal score (2.375) and the lowest defect found (3)
    [InlineData(0.05, 1, 2.275f, 3)]    // one of 20 may be flagged (2.375): the defects above 2.25 found, midway to the lowest of them
    [InlineData(0.10, 2, 2.162f, 4)]
    public void Flags_at_most_the_rate_of_normal_images_and_finds_the_most_defects_midway_between_the_kinds(double rate, int falseAlarms, float threshold, int found)
    {
        var t = FalseAlarmThreshold.For(Scores, Labels, rate)!.Value;
        Assert.Equal(threshold, t.Threshold, 5);
        Assert.Equal(falseAlarms, t.Counts.FalsePositives);
        Assert.Equal(found, t.Counts.TruePositives);
        Assert.Equal(t.Counts, ConfusionCounts.At(Scores, Labels, t.Threshold));
    }

    /// <summary>A normal image scoring NaN is flagged at any threshold, so it spends the budget: 2 of 20 at 10 % leaves none
    /// for the 18 scored ones (counted over those 18 alone, one more would be flagged, 3 of 20).</summary>
    [Fact]
    public void Normal_images_scoring_NaN_count_against_the_budget()
    {
        float[] scores = [.. Enumerable.Range(0, 18).Select(i => i / 8f), float.NaN, float.NaN, 2.05f, 5f];
        bool[] labels = [.. Enumerable.Repeat(false, 20), true, true];
        var t = FalseAlarmThreshold.For(scores, labels, 0.10)!.Value;
        Assert.True(t.Threshold > 17 / 8f, $"{t.Threshold}");   // the defect at 2.05 would cost a scored good image
        Assert.Equal(2, t.Counts.FalsePositives);
        Assert.Equal(1, t.Counts.TruePositives);
        Assert.Null(FalseAlarmThreshold.For([float.NaN, 1f], [false, true], 0.05));
    }

    [Fact]
    public void A_larger_budget_that_finds_no_more_defects_flags_no_more_normal_images()
    {
        // The walkthrough's case: every defect found that the stricter budget finds scores far above the normal images.
        float[] scores = [.. Enumerable.Range(0, 30).Select(i => i / 100f), 0.9f, 1.5f, 0.1f];
        bool[] labels = [.. Enumerable.Repeat(false, 30), true, true, true];
        var strict = FalseAlarmThreshold.For(scores, labels, 0.01)!.Value;
        var loose = FalseAlarmThreshold.For(scores, labels, 0.05)!.Value;

        Assert.Equal(2, strict.Counts.TruePositives);
        Assert.Equal(2, loose.Counts.TruePositives);   // 0.1 lies below the 5 % budget's reach too
        Assert.Equal(0, loose.Counts.FalsePositives);
        Assert.Equal(0.595f, loose.Threshold);   // midway between the highest normal score (0.29) and the lowest defect found (0.9)
        Assert.Equal(strict.Threshold, loose.Threshold);
    }

    [Fact]
    public void The_threshold_leaves_room_on_both_sides()
    {
        // A walkthrough's 1 % row sat 0.0002 below a defect's score: scored on a processor of another number format (scores
        // within 2e-3), that defect could fall under it.
        float[] scores = [.. Enumerable.Range(0, 50).Select(i => 1 + i / 16f), 5.3542f, 6f];
        bool[] labels = [.. Enumerable.Repeat(false, 50), true, true];
        var t = FalseAlarmThreshold.For(scores, labels, 0.01)!.Value;
        Assert.Equal(new ConfusionCounts(2, 0, 50, 0), t.Counts);
        Assert.Equal(4.708f, t.Threshold);   // midway between 4.0625 and 5.3542
    }

    [Fact]
    public void A_defect_score_of_three_decimals_above_two_is_the_threshold_itself_not_the_step_below()
    {
        // A walkthrough's case: 2.699f is 2.69899988; rounding down to 2.698 flagged the good image at 2.6985 as well.
        float[] scores = [1.0f, 1.1f, 1.2f, 1.3f, 1.4f, 1.5f, 1.6f, 1.7f, 1.8f, 2.6985f, 2.699f];
        bool[] labels = [.. Enumerable.Repeat(false, 10), true];
        var t = FalseAlarmThreshold.For(scores, labels, 0.10)!.Value;
        Assert.Equal(2.699f, t.Threshold);
        Assert.Equal(new ConfusionCounts(1, 0, 10, 0), t.Counts);
        // A normal score of three decimals that must pass: the threshold is the next round value, 2.7, not a hair above
        // 2.699f that prints as 2.699 and, given back, flags it.
        var above = FalseAlarmThreshold.For([2.699f, 2.75f], [false, true], 0)!.Value;
        Assert.Equal(2.724f, above.Threshold);   // midway between 2.699 and 2.75
        Assert.Equal(2.7f, FalseAlarmThreshold.For([2.699f, 2.7f], [false, true], 0)!.Value.Threshold);
        // A defect too close above it for three decimals between is found at its own score, not lost to 2.7.
        Assert.Equal(new ConfusionCounts(1, 0, 1, 0), FalseAlarmThreshold.For([2.699f, 2.6995f], [false, true], 0)!.Value.Counts);
        Assert.Equal(2.6995f, FalseAlarmThreshold.For([2.699f, 2.6995f], [false, true], 0)!.Value.Threshold);
        Assert.Equal(2.702f, FalseAlarmThreshold.For([2.699f, 2.6985f], [false, true], 0)!.Value.Threshold);   // no defect above: 2e-3 of room
    }

    /// <summary>Scores in small units (raw scores of raw maps): a review's defect at 0.0149 above a normal image at 0.0147 was
    /// lost to the round number 0.017 above both, where 0.0149 itself finds it without a false alarm.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void Defects_closer_than_three_decimals_above_the_normal_images_are_found(double rate)
    {
        float[] scores = [0.0147f, 0.0149f, 0.0100f, 0.0050f];
        bool[] labels = [false, true, false, false];
        var t = FalseAlarmThreshold.For(scores, labels, rate)!.Value;
        Assert.Equal(new ConfusionCounts(1, 0, 3, 0), t.Counts);
        Assert.Equal(0.0149f, t.Threshold);
    }

    /// <summary>Against every threshold there is, on random scores a few thousandths apart: within the budget, no threshold
    /// finds more defects, and none that finds as many flags fewer normal images.</summary>
    [Fact]
    public void No_threshold_within_the_budget_finds_more_defects_or_as_many_with_fewer_false_alarms()
    {
        var random = new Random(7);
        for (int run = 0; run < 2000; run++)
        {
            int n = random.Next(2, 12);
            float[] scores = [.. Enumerable.Range(0, n).Select(_ => random.Next(0, 40) * 0.0004f)];
            bool[] labels = [.. Enumerable.Range(0, n).Select(_ => random.Next(3) == 0)];
            (labels[0], labels[^1]) = (false, true);   // good images alone spend the budget (below)
            double rate = new[] { 0.0, 0.1, 0.3 }[run % 3];
            var t = FalseAlarmThreshold.For(scores, labels, rate)!.Value;
            int budget = (int)Math.Floor(rate * labels.Count(l => !l) + 1e-9);
            var every = scores.Select(v => ConfusionCounts.At(scores, labels, MathF.BitIncrement(v))).Concat(scores.Select(v => ConfusionCounts.At(scores, labels, v)))
                .Where(c => c.FalsePositives <= budget).ToList();
            string at = $"run {run}: [{string.Join(", ", scores)}] [{string.Join(", ", labels)}] at {rate}";
            Assert.True(t.Counts.FalsePositives <= budget, at);
            Assert.True(every.Max(c => c.TruePositives) == t.Counts.TruePositives, at);
            Assert.True(every.Where(c => c.TruePositives == t.Counts.TruePositives).Min(c => c.FalsePositives) == t.Counts.FalsePositives, at + $": {t}");
        }
    }

    /// <summary>Good images alone (a new month's, to set a threshold): room above the good score that must pass as well,
    /// where the threshold sat 1e-4 above it (a lifecycle check).</summary>
    [Fact]
    public void Without_defects_above_it_the_threshold_still_leaves_room()
    {
        float[] scores = [.. Enumerable.Range(0, 20).Select(i => i / 10f - 0.08410f)];
        bool[] labels = new bool[20];
        var none = FalseAlarmThreshold.For(scores, labels, 0.01)!.Value;   // above the highest, 1.81590, by 2e-3
        Assert.Equal(1.818f, none.Threshold);
        Assert.Equal(0, none.Counts.FalsePositives);
        var one = FalseAlarmThreshold.For(scores, labels, 0.05)!.Value;    // midway between the two highest
        Assert.Equal(1.765f, one.Threshold);
        Assert.Equal(1, one.Counts.FalsePositives);
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
        // The rate itself refused, not an index past the normal scores that a rate of 1 would reach.
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => FalseAlarmThreshold.For(Scores, Labels, 1)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => FalseAlarmThreshold.For(Scores, Labels, -0.01)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => FalseAlarmThreshold.For(Scores, Labels, double.NaN)).ParamName);
    }

    /// <summary>A normal image the budget may flag, tied with the lowest defect found: the threshold lies midway down to the
    /// normal score next below them (0.125), not at the tie, so both keep room.</summary>
    [Fact]
    public void A_normal_score_tied_with_the_lowest_defect_does_not_move_the_threshold_up_to_them()
    {
        var t = FalseAlarmThreshold.For([0.875f, 0.125f, 0.875f], [false, false, true], 0.5)!.Value;
        Assert.Equal(0.5f, t.Threshold);
        Assert.Equal((1, 1), (t.Counts.FalsePositives, t.Counts.TruePositives));
    }

    /// <summary>Good images only, the next one up too close for a round number between: the threshold is the round number
    /// above the one that must pass (0.301), which passes both, not a value a float's step above it.</summary>
    [Fact]
    public void Without_room_below_the_next_good_score_the_threshold_is_the_round_number_above()
    {
        var t = FalseAlarmThreshold.For([0.3005f, 0.3f], [false, false], 0.5)!.Value;
        Assert.Equal(0.301f, t.Threshold);
        Assert.Equal(0, t.Counts.FalsePositives);
    }
}
