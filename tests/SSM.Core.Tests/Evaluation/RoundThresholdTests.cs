using System.Globalization;
using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public sealed class RoundThresholdTests
{
    private static void DecidesAsTheExactOne(float[] scores, float exact, float round)
    {
        foreach (float s in scores) Assert.True(s >= exact == s >= round, $"score {s}: {exact} and {round} decide it differently");
        // Printed as the summaries print it and read back, it is the same threshold.
        Assert.Equal(round, float.Parse(round.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_threshold_at_a_score_moves_to_three_decimals_midway_below_it()
    {
        // The walkthrough's F1-max threshold was a defect's own score; printed -0.086, it passed that defect.
        float[] scores = [-0.2f, -0.1f, -0.086077146f, 0.5f, 3.1f];
        float round = RoundThreshold.Between(scores, -0.086077146f);
        Assert.Equal(-0.094f, round);   // the middle of -0.1 and -0.0861 is -0.0930..., three decimals at or below it
        DecidesAsTheExactOne(scores, -0.086077146f, round);
        Assert.Equal(0.225f, RoundThreshold.Between([0.10f, 0.35f, 0.40f], 0.35f));
    }

    [Fact]
    public void Scores_too_close_for_three_decimals_keep_a_round_value_at_the_threshold_or_the_exact_one()
    {
        // 1.0004 and 1.0006: no value of three decimals lies in (1.0004, 1.0006] but 1.0006's own floor is not above 1.0004.
        float[] close = [1.0004f, 1.0006f, 2f];
        float round = RoundThreshold.Between(close, 1.0006f);
        DecidesAsTheExactOne(close, 1.0006f, round);
        Assert.Equal(1.0006f, round);
        // 1.0004 and 1.0012: 1.001 fits between.
        Assert.Equal(1.001f, RoundThreshold.Between([1.0004f, 1.0012f], 1.0012f));
        // A score below that is itself a round number (1.000) is no threshold: it would flag that score.
        float[] roundBelow = [1f, 1.0004f];
        Assert.Equal(1.0004f, RoundThreshold.Between(roundBelow, 1.0004f));
        DecidesAsTheExactOne(roundBelow, 1.0004f, RoundThreshold.Between(roundBelow, 1.0004f));
        // Scores far too large for three decimals to mean anything: the exact one.
        Assert.Equal(16777218f, RoundThreshold.Between([16777216f, 16777218f], 16777218f));
    }

    [Fact]
    public void With_nothing_below_it_the_threshold_gets_room_below_too()
    {
        float round = RoundThreshold.Between([0.5f, 0.7f], 0.5f);
        Assert.Equal(0.498f, round);
        DecidesAsTheExactOne([0.5f, 0.7f], 0.5f, round);
        Assert.True(float.IsNaN(RoundThreshold.Between([1f], float.NaN)));
    }

    [Fact]
    public void Every_threshold_of_random_scores_keeps_its_decisions()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            float spread = trial % 3 == 0 ? 0.01f : trial % 3 == 1 ? 1f : 1000f;
            float[] scores = [.. Enumerable.Range(0, 1 + random.Next(40)).Select(_ => (float)(random.NextDouble() - 0.5) * spread)];
            float exact = scores[random.Next(scores.Length)];
            DecidesAsTheExactOne(scores, exact, RoundThreshold.Between(scores, exact));
        }
    }

    [Fact]
    public void A_pixel_threshold_looks_at_every_value_of_every_map()
    {
        float[][] maps = [[0.1f, 0.3f], [0.6f, 0.9f]];
        Assert.Equal(0.45f, RoundThreshold.Between(maps, 0.6f));
        DecidesAsTheExactOne([.. maps.SelectMany(m => m)], 0.6f, 0.45f);
    }
}
