using SSM.Cli.Training;
using SSM.Core.Training;

namespace SSM.Cli.Tests;

public class EpochReportTests
{
    [Theory]
    [InlineData(4, "00:04")]
    [InlineData(59 * 60 + 59, "59:59")]
    [InlineData(3600, "1:00:00")]
    [InlineData(2 * 3600 + 5 * 60 + 7, "2:05:07")]
    [InlineData(30 * 3600, "30:00:00")]   // a day and more stays in hours
    public void Clock_keeps_the_hours_of_long_runs(int seconds, string expected) =>
        Assert.Equal(expected, TrainingProgress.Clock(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("00:04", "1:32:14")]
    [InlineData("1:05:00", "00:21")]
    [InlineData("12:00", "59:59")]
    public void The_estimators_progress_line_parses_back_with_its_hours(string elapsed, string remaining)
    {
        string line = $"SSM: epoch 3/70 loss 0.2519 (mse 0.0030, ms-gms 0.0410, ssim 0.2020) lr 0.001 elapsed {elapsed} remaining {remaining}";
        var epoch = EpochReport.TryParse(line)!;
        Assert.Equal((3, 70, 0.2519), (epoch.Epoch, epoch.Planned, epoch.Loss));
        Assert.Equal(elapsed, TrainingProgress.Clock(epoch.Elapsed));
        Assert.Equal(remaining, TrainingProgress.Clock(epoch.Remaining));
    }

    [Fact]
    public void Other_lines_are_not_epochs() =>
        Assert.Null(EpochReport.TryParse("SSM: training on 761 images at 64x64, 1 channel(s)"));

    /// <summary>The model's steps within an epoch (what moves the live bar during a long first epoch) are not epochs, and
    /// epochs are not steps.</summary>
    [Fact]
    public void Steps_within_an_epoch_are_read_apart()
    {
        Assert.Equal((1, 105, 40, 190), EpochReport.TryParseStep("SSM step: epoch 1/105 step 40/190"));
        Assert.Null(EpochReport.TryParse("SSM step: epoch 1/105 step 40/190"));
        Assert.Null(EpochReport.TryParseStep("SSM: epoch 3/20 loss 0.1234 (mse 0.0100, ms-gms 0.0500, ssim 0.0400) lr 0.001 elapsed 00:04 remaining 00:21"));
        Assert.Null(EpochReport.TryParseStep("SSM step: epoch 1/105 step 0/0"));
    }

    /// <summary>Calibration's progress after the last epoch (what the live bar shows as "calibrating") is neither a step nor an epoch.</summary>
    [Fact]
    public void Calibration_progress_is_read_apart()
    {
        Assert.Equal((40, 76), EpochReport.TryParseCalibration("SSM calibration: 40/76"));
        Assert.Null(EpochReport.TryParseStep("SSM calibration: 40/76"));
        Assert.Null(EpochReport.TryParse("SSM calibration: 40/76"));
        Assert.Null(EpochReport.TryParseCalibration("SSM step: epoch 1/105 step 40/190"));
        Assert.Null(EpochReport.TryParseCalibration("SSM: calibrated on 76 held-out normal images: raw score mean 0, std 1"));
    }
}
