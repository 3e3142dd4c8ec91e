using SSM.Cli.Training;

namespace SSM.Cli.Tests;

/// <summary>Redirected output within a long epoch: a line a minute at most, with the time left measured from the first step.</summary>
public class StepLinesTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void ALineAMinuteAtMost_WithTheTimeLeftFromTheFirstStep()
    {
        var lines = new StepLines(TimeSpan.FromMinutes(1));
        Assert.Null(lines.Step(1, 1, 10, 100, S(10)));    // the first step starts the clock: reading the images does not count
        Assert.Null(lines.Step(1, 1, 30, 100, S(50)));    // under a minute since
        Assert.Equal("epoch 1/1: step 50 of 100, ETA 01:15", lines.Step(1, 1, 50, 100, S(70)));   // 40 % in 60 s: 75 s for the last 50 %
        Assert.Null(lines.Step(1, 1, 60, 100, S(100)));
        Assert.Equal("epoch 1/1: step 90 of 100, ETA 00:15", lines.Step(1, 1, 90, 100, S(130)));
    }

    [Fact]
    public void AnEpochsOwnLineCountsAsOne()
    {
        var lines = new StepLines(TimeSpan.FromMinutes(1));
        Assert.Null(lines.Step(1, 3, 1, 10, S(0)));
        lines.Written(S(55));                              // epoch 1's line
        Assert.Null(lines.Step(2, 3, 5, 10, S(100)));     // 45 s after it
        Assert.StartsWith("epoch 2/3: step 6 of 10, ETA ", lines.Step(2, 3, 6, 10, S(116)));
    }

    [Fact]
    public void TheTimeLeftCountsTheEpochsStillPlanned()
    {
        var lines = new StepLines(TimeSpan.FromMinutes(1));
        Assert.Null(lines.Step(1, 2, 50, 100, S(0)));      // a quarter of the training
        Assert.Equal("epoch 2/2: step 50 of 100, ETA 00:30", lines.Step(2, 2, 50, 100, S(60)));   // half of it in 60 s, a quarter left
    }

    [Fact]
    public void NoProgressSinceTheFirstStep_GivesNoTimeLeft()
    {
        var lines = new StepLines(TimeSpan.FromMinutes(1));
        Assert.Null(lines.Step(1, 1, 50, 100, S(0)));
        Assert.Equal("epoch 1/1: step 50 of 100", lines.Step(1, 1, 50, 100, S(61)));   // a step reported again: no rate to go by
    }
}
