using SkiaSharp;
using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>
/// Reading straight to the model's size (<see cref="ImageFile.LoadResized"/>, <see cref="ImageResize.RowResampler"/>):
/// the same values as loading whole and resizing, the original size kept, bad files still refused.
/// </summary>
public class LoadResizedTests
{
    private static string Write(TempFolder temp, string name, SKEncodedImageFormat format, bool gray, int width = 97, int height = 61)
    {
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte r = (byte)rng.Next(256);
                bitmap.SetPixel(x, y, gray ? new SKColor(r, r, r) : new SKColor(r, (byte)rng.Next(256), (byte)rng.Next(256)));
            }
        string path = temp.File(name);
        using SKData data = bitmap.Encode(format, 90);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Theory]
    [InlineData("gray.png", true)]
    [InlineData("colour.png", false)]
    [InlineData("gray.jpg", true)]     // JPEG streams from the decoder, row by row
    [InlineData("colour.jpg", false)]
    [InlineData("colour.webp", false)]
    public void Gives_exactly_what_loading_whole_and_resizing_gives(string name, bool gray)
    {
        using var temp = new TempFolder();
        var format = Path.GetExtension(name) switch { ".png" => SKEncodedImageFormat.Png, ".jpg" => SKEncodedImageFormat.Jpeg, _ => SKEncodedImageFormat.Webp };
        string path = Write(temp, name, format, gray);
        foreach (int channels in new[] { 1, 3 })
            foreach (var (height, width) in new[] { (32, 32), (160, 20), (61, 200) })   // shrink, mixed, one axis unchanged
            {
                var expected = ImageResize.Resize(ImageFile.Load(path, channels), height, width);
                var streamed = ImageFile.LoadResized(path, channels, height, width);
                Assert.Equal((channels, height, width), (streamed.Channels, streamed.Height, streamed.Width));
                Assert.Equal(expected.Pixels, streamed.Pixels);
                Assert.Equal((97, 61), streamed.SourceSize);
            }
    }

    [Theory]
    [InlineData("gray8.png", SKEncodedImageFormat.Png)]
    [InlineData("gray8.jpg", SKEncodedImageFormat.Jpeg)]
    public void A_grayscale_file_read_as_one_byte_per_pixel_has_the_values_of_its_RGBA_decode(string name, SKEncodedImageFormat format)
    {
        using var temp = new TempFolder();
        string path = temp.File(name);
        using (var gray = new SKBitmap(new SKImageInfo(53, 41, SKColorType.Gray8, SKAlphaType.Opaque)))
        {
            var rng = new Random(9);
            var levels = new byte[53 * 41];
            rng.NextBytes(levels);
            System.Runtime.InteropServices.Marshal.Copy(levels, 0, gray.GetPixels(), levels.Length);
            using SKData data = gray.Encode(format, 90);
            File.WriteAllBytes(path, data.ToArray());
        }
        using var codec = SKCodec.Create(path);
        Assert.Equal(SKColorType.Gray8, codec.Info.ColorType);   // a grayscale file, as Skia sees it
        // The reference: Skia's RGBA decode, R / 255 (R == G == B).
        var rgba = new byte[53 * 41 * 4];
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(new SKImageInfo(53, 41, SKColorType.Rgba8888, SKAlphaType.Unpremul), rgba));
        float[] expected = [.. Enumerable.Range(0, 53 * 41).Select(i => rgba[4 * i] / 255f)];
        var loaded = ImageFile.Load(path);
        Assert.Equal(1, loaded.Channels);
        Assert.Equal(expected, loaded.Pixels);
        Assert.Equal([.. expected, .. expected, .. expected], ImageFile.Load(path, 3).Pixels);
        var plane = new FloatImage(1, 41, 53, expected);
        Assert.Equal(ImageResize.Resize(plane, 16, 16).Pixels, ImageFile.LoadResized(path, 1, 16, 16).Pixels);
    }

    [Fact]
    public void A_sixteen_bit_png_is_read_at_full_depth_too()
    {
        using var temp = new TempFolder();
        string path = temp.File("deep.png");
        var levels = new ushort[40 * 30];
        for (int i = 0; i < levels.Length; i++) levels[i] = (ushort)(i * 37 % 4096);
        Png16Writer.Write(path, 40, 30, 1, levels);
        var expected = ImageResize.Resize(ImageFile.Load(path, 1), 16, 16);
        var streamed = ImageFile.LoadResized(path, 1, 16, 16);
        Assert.Equal(expected.Pixels, streamed.Pixels);
        Assert.Equal((40, 30), streamed.SourceSize);
        Assert.Equal(expected.Pixels, ImageFile.DecodeResized(File.ReadAllBytes(path), 1, 16, 16).Pixels);   // an upload too
    }

    [Theory]
    [InlineData("cut.png")]
    [InlineData("cut.jpg")]
    public void A_truncated_file_is_refused_naming_it(string name)
    {
        using var temp = new TempFolder();
        string path = Write(temp, name, name.EndsWith(".png") ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, gray: false, 200, 150);
        BrokenFiles.CutInHalf(path);
        var error = Assert.Throws<InvalidDataException>(() => ImageFile.LoadResized(path, 1, 32, 32));
        Assert.Contains(path, error.Message);
        Assert.Throws<FileNotFoundException>(() => ImageFile.LoadResized(temp.File("none.png"), 1, 32, 32));
    }

    /// <summary>An upload's bytes decode as the file they came from, and are refused as strictly.</summary>
    [Theory]
    [InlineData("colour.png", SKEncodedImageFormat.Png)]
    [InlineData("colour.jpg", SKEncodedImageFormat.Jpeg)]
    public void Bytes_in_memory_decode_as_their_file_and_are_refused_as_strictly(string name, SKEncodedImageFormat format)
    {
        using var temp = new TempFolder();
        string path = Write(temp, name, format, gray: false, 200, 150);
        byte[] bytes = File.ReadAllBytes(path);
        var fromBytes = ImageFile.DecodeResized(bytes, 3, 32, 32);
        Assert.Equal(ImageFile.LoadResized(path, 3, 32, 32).Pixels, fromBytes.Pixels);
        Assert.Equal((200, 150), fromBytes.SourceSize);
        var cut = Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(bytes[..(bytes.Length / 2)], 1, 32, 32));
        Assert.StartsWith("the image data could not be fully decoded", cut.Message);
        var other = Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized("GIF89a"u8.ToArray(), 1, 32, 32));
        Assert.StartsWith("the image data is not a decodable image", other.Message);
    }

    [Fact]
    public void The_source_size_survives_resizing_and_is_what_the_cache_judges()
    {
        var tiny = new FloatImage(1, 4, 6);
        var enlarged = ImageResize.Resize(tiny, 64, 64);
        Assert.Equal((6, 4), enlarged.SourceSize);
        Assert.Equal(Math.Log(24), enlarged.LogArea, 12);
        Assert.Equal((6, 4), ImageResize.Resize(enlarged, 32, 32).SourceSize);   // the first size, not the last
        Assert.Equal((6, 4), enlarged.Clone().SourceSize);
        // An image enlarged before it reaches the cache is still too small to learn from.
        var error = Assert.Throws<ArgumentException>(() => new ImageCache(64, 1).Add(enlarged, "tiny"));
        Assert.Contains("6x4 pixels", error.Message);
        var cache = new ImageCache(32, 1);
        cache.Add(ImageResize.Resize(new FloatImage(1, 300, 200), 32, 32), "big");
        Assert.Equal(Math.Log(60000), cache.LogArea(0), 12);
    }

    [Fact]
    public void The_row_resampler_refuses_rows_it_cannot_place()
    {
        var rows = new ImageResize.RowResampler(1, 2, 3, 4, 4);
        Assert.Throws<ArgumentException>(() => rows.Add(0, new float[2]));
        rows.Add(0, new float[3]);
        Assert.Throws<InvalidOperationException>(() => rows.Result());   // one row missing
        rows.Add(0, new float[3]);
        Assert.Throws<InvalidOperationException>(() => rows.Add(0, new float[3]));
        Assert.Equal((3, 2), rows.Result().SourceSize);
    }
}
