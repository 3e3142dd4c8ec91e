using SSM.Core.Training;

namespace SSM.Core.Tests.Training;

public class StepScheduleTests
{
    [Fact]
    public void AuthorsScheduleDecaysAtEpochs15_30_45Of50()
    {
        var s = new StepSchedule(1e-4, [0.3, 0.6, 0.9], 50);
        Assert.Equal(1e-4, s.RateAt(14), 12);
        Assert.Equal(1e-5, s.RateAt(15), 12);
        Assert.Equal(1e-6, s.RateAt(30), 12);
        Assert.Equal(1e-7, s.RateAt(45), 12);
    }

    [Fact]
    public void ScheduleScalesWithTheEpochCount()
    {
        var s = new StepSchedule(1, [0.3, 0.6, 0.9], 10);
        Assert.Equal(new[] { 1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001 },
            Enumerable.Range(0, 10).Select(s.RateAt).Select(r => Math.Round(r, 6)).ToArray());
    }
}
