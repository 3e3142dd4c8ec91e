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
}
