using SSM.Core.Training;

namespace SSM.Core.Tests.Training;

public class CheckpointMismatchExceptionTests
{
    private static readonly CheckpointDifference Width = new("Network.BaseWidth", "8", "4"), Cells = new("Masking.CellSizes", "[2,4]", "[4,8]");

    [Fact]
    public void NamesEachSettingInTheEnginesWords()
    {
        var e = new CheckpointMismatchException("/c/ssm-training.checkpoint", [Width, Cells], imagesDiffer: true);
        Assert.Equal("The checkpoint '/c/ssm-training.checkpoint' belongs to a training run with other settings or images " +
                     "(Network.BaseWidth 8, now 4; Masking.CellSizes [2,4], now [4,8]; the training images (or their order)). " +
                     "Delete it, or choose another checkpoint folder.", e.Message);
    }

    [Fact]
    public void NamingSaysTheCallersNamesAndLeavesOutWhatItCannotSet()
    {
        var engine = new CheckpointMismatchException("/c/ssm-training.checkpoint", [Width, Cells], imagesDiffer: false);
        var named = engine.Naming(s => s == Width.Setting ? "Options.BaseWidth" : null);
        Assert.Contains("(Options.BaseWidth 8, now 4).", named.Message);
        Assert.DoesNotContain("Masking", named.Message);
        Assert.DoesNotContain("Network", named.Message);
        Assert.Same(engine, named.InnerException);
        Assert.Equal((engine.Path, engine.Settings, engine.ImagesDiffer), (named.Path, named.Settings, named.ImagesDiffer));
    }

    [Fact]
    public void NamingWithNothingTheCallerCanSetSaysTheVersionsDefaultsDiffer()
    {
        var named = new CheckpointMismatchException("/c/ssm-training.checkpoint", [Cells], imagesDiffer: false).Naming(_ => null);
        Assert.Contains("other settings or images (or of a version of SSM.MLNet whose defaults differ).", named.Message);
        // The images still differ in the caller's words: they are no setting.
        var images = new CheckpointMismatchException("/c/ssm-training.checkpoint", [Cells], imagesDiffer: true).Naming(_ => null);
        Assert.Contains("(the training images (or their order)).", images.Message);
    }

    [Fact]
    public void MoreThanFiveDifferencesAreCounted()
    {
        var many = Enumerable.Range(1, 7).Select(i => new CheckpointDifference($"S{i}", "1", null)).ToArray();
        var e = new CheckpointMismatchException("/c/ssm-training.checkpoint", many, imagesDiffer: false);
        Assert.Contains("(S1 1, now (not recorded); S2 1, now (not recorded); S3 1, now (not recorded); S4 1, now (not recorded); " +
                        "S5 1, now (not recorded); and 2 more).", e.Message);
    }
}
