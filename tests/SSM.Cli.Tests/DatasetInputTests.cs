using SSM.Cli.Inputs;

namespace SSM.Cli.Tests;

/// <summary>DatasetInput's pure helpers: no model, so no wait for the shared fixture.</summary>
public sealed class DatasetInputTests
{
    [Fact]
    public void The_folder_that_holds_entries_of_several_folders_is_found_segment_by_segment()
    {
        Assert.Equal("/data/in", DatasetInput.CommonFolder(["/data/in", "/data/in/2024-01"]));
        Assert.Equal("/data", DatasetInput.CommonFolder(["/data/in/x", "/data/input"]));   // not "/data/in", a prefix of the name
        Assert.Equal("/", DatasetInput.CommonFolder(["/a", "/b"]));                        // it hung when only the root was shared
        Assert.Equal("/data/in", DatasetInput.CommonFolder(["/data/in/"]));
    }

    /// <summary>A tree read as good images alone must hold no MVTec folder at any depth, in any letter case: train/Good or
    /// Test, made on Windows or macOS, hold a dataset's test images as much as test does.</summary>
    [Fact]
    public void An_mvtec_folder_is_found_at_any_depth_in_any_case()
    {
        Assert.Null(DatasetInput.MvtecLayoutIn("/data", ["/data/a.png", "/data/cam0/h01/b.png"]));
        Assert.Equal("cam0/h01/Test", DatasetInput.MvtecLayoutIn("/data", ["/data/a.png", "/data/cam0/h01/Test/crack/b.png"]));
        Assert.Equal("woven/ground_truth", DatasetInput.MvtecLayoutIn("/data", ["/data/woven/ground_truth/crack/0_mask.png"]));
    }
}
