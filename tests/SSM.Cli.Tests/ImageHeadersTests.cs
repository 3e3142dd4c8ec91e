using SSM.Cli.Inputs;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.Cli.Tests;

/// <summary>What the files' headers refuse before anything is scored: no model, so no wait for the shared fixture.</summary>
public sealed class ImageHeadersTests
{
    /// <summary>A file's header as <see cref="ImageFile.ReadHeader"/> gives it, upright: 32 x 32, grey and of one frame unless told.</summary>
    private static ImageHeader Header(int width = 32, int height = 32, bool grey = true, int frames = 1) => new(width, height, grey, Turned: false, frames);

    /// <summary><c>train</c>'s notes on files of these headers, for a model of 32 px (a multiple of 8) reading whole images unless told.</summary>
    private static string[] Notes(ImageHeader[] headers, int channels = 1, bool auto = false, TileGrid? tiles = null, bool fineTuning = false) =>
        [.. ImageHeaders.TrainingNotes(headers, headers.Length, channels, auto, imageSize: 32, sizeMultiple: 8, tiles ?? new TileGrid(1, 1), fineTuning)];

    [Fact]
    public void An_image_under_8_pixels_a_side_is_refused_from_its_header()
    {
        string folder = Cli.TempFolder("headers-small");
        string small = Path.Combine(folder, "small.png"), fine = Path.Combine(folder, "fine.png");
        ImageFile.Save(new FloatImage(1, height: 4, width: 12), small);
        ImageFile.Save(new FloatImage(1, 8, 8), fine);
        var (headers, unusable) = ImageHeaders.ReadHeaders([small, fine], maxPixels: 0);
        Assert.Equal((8, 8), (Assert.Single(headers).Width, headers[0].Height));
        Assert.Equal(new UnusableFile(small, $"'{small}' is 12x4 pixels; images must be at least 8x8."), Assert.Single(unusable));
    }

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

    [Fact]
    public void One_image_above_the_pixel_limit_is_refused_as_several_are()
    {
        string folder = Cli.TempFolder("headers-large");
        string large = Path.Combine(folder, "large.png"), fine = Path.Combine(folder, "fine.png");
        ImageFile.Save(new FloatImage(1, 32, 32), large);
        ImageFile.Save(new FloatImage(1, 16, 16), fine);
        var refused = Assert.Throws<CliException>(() => ImageHeaders.RefuseTooLarge([large, fine], ImageHeaders.HeadersOf([large, fine]), maxPixels: 500, "training images"));
        Assert.Contains("1 of 2 training images cannot be used", Cli.Flat(refused.Message));
        Assert.Contains($"'{large}' is 0.00102 megapixels (32 x 32)", Cli.Flat(refused.Message));
        ImageHeaders.RefuseTooLarge([fine], ImageHeaders.HeadersOf([fine]), maxPixels: 500, "training images");
    }

    [Fact]
    public void Files_of_several_frames_are_said_with_the_most_any_holds()
    {
        Assert.Null(ImageHeaders.SeveralFrames([Header(), Header()], 2));
        Assert.Equal("2 of 3 images are files of several frames or pages (up to 5): only the first of each is read. To use the others, write each frame as an image of its own.",
            ImageHeaders.SeveralFrames([Header(frames: 5), Header(), Header(frames: 2)], 3));
        Assert.Contains("(up to 1000 or more)", ImageHeaders.SeveralFrames([Header(frames: ImageHeader.MaxFramesCounted)], 1));
    }

    [Fact]
    public void Grey_files_among_colour_ones_are_named_five_at_most()
    {
        string[] paths = [.. Enumerable.Range(0, 8).Select(i => Path.Combine("/data", $"g{i}.png"))];
        ImageHeader?[] headers = [.. paths.Select((_, i) => (ImageHeader?)Header(grey: i < 7))];
        Assert.StartsWith("7 of 8 images are grey files (g0.png, g1.png, g2.png, g3.png, g4.png, and 2 more) and 1 colour: --channels auto trains in grey",
            ImageHeaders.GreyAmongColour(paths, headers));
    }

    /// <summary>A fine-tuning reads the files in its model's channels, which <c>--channels</c> cannot change (it cannot go with
    /// <c>--from</c>): the model says what it will not see, not train's advice on the option.</summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public void A_fine_tuning_gets_no_advice_on_channels(int channels, bool filesStoreGrey)
    {
        ImageHeader[] headers = [.. Enumerable.Range(0, 4).Select(_ => Header(grey: filesStoreGrey))];
        Assert.Contains(Notes(headers, channels), n => n.Contains("--channels", StringComparison.Ordinal));
        Assert.Empty(Notes(headers, channels, fineTuning: true));
    }

    /// <summary>Images smaller than the model reads are enlarged, and said; those under the engine's 8 x 8 are refused when
    /// read, not counted here. A smaller <c>--image-size</c> is offered for a model of whole images only: a tiled one reads
    /// each image at several times it.</summary>
    [Fact]
    public void Enlarged_images_are_said_and_a_smaller_image_size_offered_without_tiles()
    {
        ImageHeader Grey(int side) => Header(side, side);
        // 16 x 64 is as tall as the model reads and more: shrunk, not enlarged.
        var note = Assert.Single(Notes([Grey(4), Grey(16), Grey(20), Grey(64), Header(16, 64)]));
        Assert.StartsWith("2 of 5 images are smaller than", note);
        Assert.Contains("(the smallest 16 x 16) and are enlarged to it, which adds no detail.", note);
        Assert.EndsWith("which adds no detail: --image-size 16 trains on them at their own size, with 4 times fewer pixels.",
            Assert.Single(Notes([Grey(16), Grey(16)])));
        Assert.EndsWith("which adds no detail.", Assert.Single(Notes([Grey(16), Grey(16)], tiles: new TileGrid(2, 1))));
    }

    /// <summary>What <c>--channels auto</c> chose is said from the files: colour for colour pixels, grey for colour files of
    /// grey pixels; grey files need no word. Files of several frames are said at training too.</summary>
    [Fact]
    public void Training_notes_say_what_channels_auto_chose_and_the_files_of_several_frames()
    {
        Assert.Empty(Notes([Header(), Header()], channels: 1, auto: true));
        Assert.StartsWith("All 2 images are colour files whose pixels are grey (R = G = B): training in grey",
            Assert.Single(Notes([Header(grey: false), Header(grey: false)], channels: 1, auto: true)));
        Assert.StartsWith("All 2 images are colour files: training in colour", Assert.Single(Notes([Header(grey: false), Header(grey: false)], channels: 3, auto: true)));
        Assert.StartsWith("1 of 2 images are files of several frames or pages (up to 3)", Assert.Single(Notes([Header(frames: 3), Header()], channels: 1, auto: true)));
    }

    /// <summary>Colour files of grey pixels given to a colour model are said, and how many were looked at: the first 16 of
    /// more, each of fewer.</summary>
    [Theory]
    [InlineData(2, "each looked at")]
    [InlineData(17, "the first 16 looked at")]
    public void Colour_files_of_grey_pixels_are_said_with_how_many_were_looked_at(int count, string looked)
    {
        string folder = Cli.TempFolder("headers-grey-rgb");
        var grey = new FloatImage(3, 8, 8, [.. Enumerable.Repeat(0.5f, 3 * 64)]);
        string[] paths = [.. Enumerable.Range(0, count).Select(i => Path.Combine(folder, $"{i:00}.png"))];
        foreach (string path in paths) ImageFile.Save(grey, path);
        var said = new StringWriter();
        ImageHeaders.WarnForModel(new Warnings(Cli.Captured(said)), paths, modelChannels: 3, modelReadsUpright: true);
        Assert.Contains($"{count} of {count} images are colour files whose pixels are grey ({looked}: a grey camera's images saved as colour?)", Cli.Flat(said.ToString()));
    }
}
