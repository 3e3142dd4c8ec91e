using SSM.Cli.Inputs;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.Cli.Tests;

/// <summary>What the files' headers refuse before anything is scored: no model, so no wait for the shared fixture.</summary>
public sealed class ImageHeadersTests
{
    /// <summary>A photo is cut into tiles as the model reads it: one that turns files upright cuts the photo as shown, one
    /// that reads them as stored (saved before 2026-12-01) the stored pixels. The check swapped the sides the wrong way
    /// round: a photo stored 16 x 48 and shown 48 x 16 was refused for 4 tiles across, which the model cuts into 12 x 16.</summary>
    [Fact]
    public void A_turned_photo_is_cut_into_tiles_as_the_model_reads_it()
    {
        string folder = Cli.TempFolder("headers-turned");
        string wide = Path.Combine(folder, "wide.jpg"), tall = Path.Combine(folder, "tall.jpg");
        File.WriteAllBytes(wide, ExifJpeg.Marked(48, 16, orientation: 6));   // stored 48 x 16, shown 16 x 48
        File.WriteAllBytes(tall, ExifJpeg.Marked(16, 48, orientation: 6));   // stored 16 x 48, shown 48 x 16
        var grid = new TileGrid(4, 1);
        string TooSmall(string path, int width, int height) =>
            $"'{path}' is {width}x{height} pixels: too small to cut into 4x1 tiles of at least 8x8 (at most 2x1 tiles fit it).";
        var (shown, upright) = ImageHeaders.ReadHeaders([wide, tall], maxPixels: 0, (grid, Upright: true));
        Assert.Equal(new UnusableFile(wide, TooSmall(wide, 16, 48)), Assert.Single(upright));
        Assert.Equal((48, 16), (Assert.Single(shown).Width, shown[0].Height));
        var (stored, asStored) = ImageHeaders.ReadHeaders([wide, tall], maxPixels: 0, (grid, Upright: false));
        Assert.Equal(new UnusableFile(tall, TooSmall(tall, 16, 48)), Assert.Single(asStored));
        Assert.Single(stored);
    }
}
