using SSM.Core.Training;

namespace SSM.Core.Tests.Training;

/// <summary>
/// The flips and turns a batch gets (<see cref="Augmentation"/>). A trainer that flipped one way only still passed
/// <see cref="TrainingDrawsTests"/>, whose weights change with any flip: here each direction is its own draw.
/// </summary>
public class AugmentationTests
{
    private const int Images = 400;

    /// <summary>The next <paramref name="count"/> coin tosses of <paramref name="rng"/>, as the draws make them.</summary>
    private static bool[] Tosses(Random rng, int count) => [.. Enumerable.Range(0, count).Select(_ => rng.Next(2) == 1)];

    [Fact]
    public void Each_image_is_flipped_each_way_and_turned_by_draws_of_its_own_in_a_fixed_order()
    {
        var drawn = Augmentation.Draw(new Random(9), Images, new TrainingOptions { Flip = true, Rotate = true });
        var expected = new Random(9);
        Assert.Equal(Tosses(expected, Images), drawn.FlipH);
        Assert.Equal(Tosses(expected, Images), drawn.FlipV);
        Assert.Equal(Tosses(expected, Images), drawn.Turn);
        // All eight symmetries of the square occur.
        Assert.Equal(8, Enumerable.Range(0, Images).Select(i => (drawn.FlipH[i], drawn.FlipV[i], drawn.Turn[i])).Distinct().Count());
    }

    [Fact]
    public void An_option_that_is_off_draws_nothing_and_changes_no_image()
    {
        var rng = new Random(9);
        var none = Augmentation.Draw(rng, Images, new TrainingOptions { Flip = false, Rotate = false });
        Assert.All([none.FlipH, none.FlipV, none.Turn], d => Assert.Equal(new bool[Images], d));
        Assert.Equal(new Random(9).Next(), rng.Next());   // the later draws of the epoch stay where they were

        var turnsOnly = Augmentation.Draw(new Random(9), Images, new TrainingOptions { Flip = false, Rotate = true });
        Assert.Equal(Tosses(new Random(9), Images), turnsOnly.Turn);
        Assert.Equal(new bool[Images], turnsOnly.FlipH);
        Assert.Equal(new bool[Images], turnsOnly.FlipV);
    }
}
