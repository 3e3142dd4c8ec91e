using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public sealed class LeastFloatTests
{
    private static bool AtLeastOne(float v) => v >= 1f;

    [Fact]
    public void Walks_up_or_down_to_the_least_float_the_test_holds_for()
    {
        float below = MathF.BitDecrement(MathF.BitDecrement(1f)), above = MathF.BitIncrement(MathF.BitIncrement(1f));
        Assert.Equal(1f, LeastFloat.Where(AtLeastOne, below));
        Assert.Equal(1f, LeastFloat.Where(AtLeastOne, above));
        Assert.Equal(1f, LeastFloat.Where(AtLeastOne, 1f));
    }

    [Fact]
    public void A_value_that_is_not_finite_is_its_own_answer()
    {
        Assert.Equal(float.PositiveInfinity, LeastFloat.Where(_ => false, float.PositiveInfinity));
        Assert.True(float.IsNaN(LeastFloat.Where(_ => true, float.NaN)));
        Assert.Throws<ArgumentNullException>(() => LeastFloat.Where(null!, 1f));
    }

    /// <summary>It looks a few float steps around the value, not further: a line far off stays where it was computed.</summary>
    [Fact]
    public void It_gives_up_after_MaxSteps_each_way()
    {
        float far = 1f;
        for (int i = 0; i < LeastFloat.MaxSteps; i++) far = MathF.BitIncrement(far);
        Assert.Equal(far, LeastFloat.Where(v => v >= 2f, 1f));
        float low = 2f;
        for (int i = 0; i < LeastFloat.MaxSteps; i++) low = MathF.BitDecrement(low);
        Assert.Equal(low, LeastFloat.Where(_ => true, 2f));
    }
}
