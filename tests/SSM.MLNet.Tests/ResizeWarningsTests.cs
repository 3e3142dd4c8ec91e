using Microsoft.ML;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

/// <summary>Images shrunk or squashed to the model's shape are said before training, by the API as by the command line: a
/// walkthrough's 1024 x 128 strips read in 4x1 tiles of 32 (shrunk 8 times, squashed 2) found none of 12 defects, silently.</summary>
public sealed class ResizeWarningsTests
{
    private sealed class PathRow { public string ImagePath { get; set; } = ""; }

    [Fact]
    public void Images_shrunk_4_times_or_more_along_their_most_shrunk_side_are_said()
    {
        (int, int)[] large = [(520, 512), (640, 700)];
        Assert.Equal("SSM: all 2 images are shrunk at least 8 times along one side to 64 x 64: a defect narrower than 8 px along it " +
                     "becomes less than a pixel. For small defects give a larger ImageSize (training time and memory grow with its square) " +
                     "or cut the images into tiles with Tiles (each epoch as many times longer).", ResizeWarnings.Shrinking(large, TileGrid.Whole, 64));
        Assert.Null(ResizeWarnings.Shrinking(large, new TileGrid(4, 4, false), 64));   // read at 256 x 256: shrunk 2 times
        Assert.StartsWith("SSM: all 3 images are shrunk at least 4 times", ResizeWarnings.Shrinking([.. large, (260, 256)], TileGrid.Whole, 64));
        Assert.Null(ResizeWarnings.Shrinking([.. large, (250, 250)], TileGrid.Whole, 64));
        // A strip is shrunk most along its length: 2048 x 256 at 64 px is 32 times along it (its shortest side said 4).
        Assert.StartsWith("SSM: all 1 images are shrunk at least 32 times along one side", ResizeWarnings.Shrinking([(2048, 256)], TileGrid.Whole, 64));
        Assert.Contains("at least 4 times along one side to 512 x 64 (8x1 tiles of 64)", ResizeWarnings.Shrinking([(2048, 256)], new TileGrid(8, 1), 64));
        Assert.Null(ResizeWarnings.Shrinking([], TileGrid.Whole, 64));
    }

    [Fact]
    public void Images_squashed_to_the_tiles_shape_are_said_with_the_tiles_of_their_proportions()
    {
        Assert.Equal("SSM: all 2 images are oblong (1.33:1 or more, e.g. 80 x 60) and are squashed to 64 x 64: a defect shrinks more one way " +
                     "than the other; heat maps are stretched back onto the images. Cropping to square parts keeps the proportions.",
            ResizeWarnings.Squashing([(80, 60), (120, 60)], TileGrid.Whole, 64));
        Assert.EndsWith("Tiles = new TileGrid(8, 1) keeps their proportions.", ResizeWarnings.Squashing([(2048, 256)], TileGrid.Whole, 64));
        string? fourByOne = ResizeWarnings.Squashing([(2048, 256)], new TileGrid(4, 1), 64);
        Assert.StartsWith("SSM: all 1 images differ in proportions from their tiles (2 times or more, e.g. 2048 x 256) and are squashed to " +
                          "256 x 64 (4x1 tiles of 64)", fourByOne);
        Assert.EndsWith("Tiles = new TileGrid(8, 1) keeps their proportions.", fourByOne);
        Assert.Null(ResizeWarnings.Squashing([(2048, 256)], new TileGrid(8, 1, false), 64));
        Assert.Null(ResizeWarnings.Squashing([(64, 60), (2048, 256)], TileGrid.Whole, 64));   // one image of nearly the model's shape
    }

    [Fact]
    public void Fit_says_what_reading_the_images_at_the_models_shape_costs_them()
    {
        using var temp = new TempFolder();
        var images = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 16, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 }).Train;
        // 64 x 16 strips, a texture square four times side by side.
        var rows = images.Select((image, i) =>
        {
            string path = Path.Combine(temp.Path, $"{i}.png");
            ImageFile.Save(new FloatImage(1, 16, 64, [.. Enumerable.Range(0, 16 * 64).Select(p => image.Pixels[p / 64 * 16 + p % 16])]), path);
            return new PathRow { ImagePath = path };
        }).ToList();
        List<string> Warnings(TileGrid? tiles) => FitWarnings.Of(context => context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            InputColumnName = nameof(PathRow.ImagePath), ImageSize = 16, BaseWidth = 4, Depth = 2, Epochs = 1, Tiles = tiles,
        }).Fit(context.Data.LoadFromEnumerable(rows)));
        var whole = Warnings(null);
        Assert.Contains(whole, w => w.StartsWith("SSM: all 8 images are shrunk at least 4 times along one side to 16 x 16", StringComparison.Ordinal));
        Assert.Contains(whole, w => w.StartsWith("SSM: all 8 images are oblong (4:1 or more, e.g. 64 x 16)", StringComparison.Ordinal)
                                    && w.EndsWith("Tiles = new TileGrid(4, 1) keeps their proportions.", StringComparison.Ordinal));
        Assert.DoesNotContain(Warnings(new TileGrid(4, 1)), w => w.Contains("shrunk") || w.Contains("squashed"));
    }
}
