using SkiaSharp;
using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

public class ImageFileTests
{
    private const float Quantum = 1f / 255f;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Save_then_Load_round_trips_within_one_level(int channels)
    {
        using var temp = new TempFolder();
        FloatImage image = Gradient(channels, 13, 17);
        string path = temp.File("image.png");

        ImageFile.Save(image, path);
        FloatImage loaded = ImageFile.Load(path);

        Assert.Equal((channels, 13, 17), (loaded.Channels, loaded.Height, loaded.Width));
        AssertClose(image, loaded, Quantum);
    }

    [Fact]
    public void Save_creates_missing_parent_folders()
    {
        using var temp = new TempFolder();
        string path = temp.File("a", "b", "image.png");
        ImageFile.Save(Gradient(1, 4, 4), path);
        Assert.True(File.Exists(path));
    }

    /// <summary>Colour is in the pixels, not the file type: a colour file of equal channels holds none, one tinted 3 x 3 patch
    /// in a large image is seen through the 64 px look, and a grey file, bytes or not, or no image, hold none.</summary>
    [Fact]
    public void HoldsColour_looks_at_the_pixels_of_colour_files()
    {
        using var temp = new TempFolder();
        FloatImage gray = Gradient(1, 300, 200);
        var rgb = new FloatImage(3, 300, 200, [.. gray.Pixels, .. gray.Pixels, .. gray.Pixels]);
        ImageFile.Save(rgb, temp.File("grey-pixels.png"));
        ImageFile.Save(gray, temp.File("grey.png"));
        var tinted = (float[])rgb.Pixels.Clone();
        for (int y = 150; y < 153; y++)
            for (int x = 100; x < 103; x++) tinted[y * 200 + x] = Math.Min(1f, tinted[y * 200 + x] + 0.2f);   // red only
        ImageFile.Save(new FloatImage(3, 300, 200, tinted), temp.File("tinted.png"));
        File.WriteAllText(temp.File("text.png"), "not an image");

        Assert.False(ImageFile.HoldsColour(temp.File("grey-pixels.png")));
        Assert.False(ImageFile.HoldsColour(temp.File("grey.png")));
        Assert.True(ImageFile.HoldsColour(temp.File("tinted.png")));
        Assert.True(ImageFile.HoldsColour(File.ReadAllBytes(temp.File("tinted.png"))));
        Assert.False(ImageFile.HoldsColour(File.ReadAllBytes(temp.File("grey-pixels.png"))));
        Assert.False(ImageFile.HoldsColour(temp.File("text.png")));
        Assert.False(ImageFile.HoldsColour(temp.File("missing.png")));
    }

    /// <summary>Grey is R == G == B: a pixel whose red and green agree and whose blue does not (a blue tint, say) makes a
    /// file colour, on each decoder's path (Skia's 8-bit PNG, the 16-bit PNG reader, TIFF) and to HoldsColour.</summary>
    [Theory]
    [InlineData("8-bit.png")]
    [InlineData("16-bit.png")]
    [InlineData("8-bit.tif")]
    public void One_pixel_differing_in_blue_alone_makes_a_file_colour(string name)
    {
        using var temp = new TempFolder();
        const int w = 6, h = 4, odd = 13;
        var levels = new ushort[w * h * 3];
        for (int p = 0; p < w * h; p++) levels[3 * p] = levels[3 * p + 1] = levels[3 * p + 2] = (ushort)(10 * p);
        levels[3 * odd + 2] = 250;   // R == G == 130, B 250
        string path = temp.File(name);
        if (name == "8-bit.png") Png16Writer.Write8(path, w, h, 3, [.. levels.Select(v => (byte)v)]);
        else if (name == "16-bit.png") Png16Writer.Write(path, w, h, 3, [.. levels.Select(v => (ushort)(v * 257))]);
        else TiffWriter.Write(path, w, h, 3, levels, bits: 8, photometric: BitMiracle.LibTiff.Classic.Photometric.RGB);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal(3, image.Channels);
        Assert.Equal((130 / 255f, 130 / 255f, 250 / 255f), (image.Pixels[odd], image.Pixels[w * h + odd], image.Pixels[2 * w * h + odd]));
        Assert.True(ImageFile.HoldsColour(path));
    }

    [Fact]
    public void Rgb_file_with_equal_channels_loads_as_grayscale()
    {
        using var temp = new TempFolder();
        FloatImage gray = Gradient(1, 8, 8);
        var rgb = new FloatImage(3, 8, 8, [.. gray.Pixels, .. gray.Pixels, .. gray.Pixels]);
        string path = temp.File("gray-as-rgb.png");
        ImageFile.Save(rgb, path);

        FloatImage loaded = ImageFile.Load(path);

        Assert.Equal(1, loaded.Channels);
        AssertClose(gray, loaded, Quantum);
    }

    [Fact]
    public void Colour_file_loads_as_rgb_and_can_be_forced_to_luminance()
    {
        using var temp = new TempFolder();
        var image = new FloatImage(3, 1, 2, [1f, 0f, 0f, 1f, 0f, 0f]); // red, green
        string path = temp.File("colour.png");
        ImageFile.Save(image, path);

        Assert.Equal(3, ImageFile.Load(path).Channels);
        FloatImage gray = ImageFile.Load(path, channels: 1);
        Assert.Equal(1, gray.Channels);
        Assert.Equal(0.299f, gray[0, 0, 0], 1e-5f);
        Assert.Equal(0.587f, gray[0, 0, 1], 1e-5f);
    }

    [Fact]
    public void Grayscale_file_can_be_forced_to_three_equal_channels()
    {
        using var temp = new TempFolder();
        string path = temp.File("gray.png");
        ImageFile.Save(Gradient(1, 5, 6), path);

        FloatImage rgb = ImageFile.Load(path, channels: 3);

        Assert.Equal(3, rgb.Channels);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 6; x++)
            {
                Assert.Equal(rgb[0, y, x], rgb[1, y, x]);
                Assert.Equal(rgb[0, y, x], rgb[2, y, x]);
            }
    }

    [Fact]
    public void Jpeg_files_are_decoded()
    {
        using var temp = new TempFolder();
        string path = temp.File("flat.JPG");
        var info = new SKImageInfo(16, 16, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var bitmap = new SKBitmap(info))
        {
            bitmap.Erase(new SKColor(200, 100, 50));
            using SKData data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
            File.WriteAllBytes(path, data.ToArray());
        }

        FloatImage loaded = ImageFile.Load(path);

        Assert.Equal(3, loaded.Channels);
        Assert.Equal(200 / 255f, loaded[0, 8, 8], 0.03f);
        Assert.Equal(100 / 255f, loaded[1, 8, 8], 0.03f);
        Assert.Equal(50 / 255f, loaded[2, 8, 8], 0.03f);
    }

    [Fact]
    public void Not_an_image_throws_InvalidDataException_naming_the_path()
    {
        using var temp = new TempFolder();
        string path = temp.File("notes.png");
        File.WriteAllText(path, "this is not a PNG");

        var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void An_image_too_large_to_decode_whole_is_refused_before_any_pixel_is_written()
    {
        using var temp = new TempFolder();
        string path = temp.File("huge.png");
        // 33000 x 33000 x 4 bytes wraps a 32-bit size to 61 MB, into which Skia would write 4.4 GB.
        Png16Writer.WriteClaimingSize(path, 33000, 33000);
        var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains("huge.png", error.Message);
        Assert.Contains("too large", error.Message);
    }

    [Fact]
    public void Truncated_image_throws_InvalidDataException_naming_the_path()
    {
        using var temp = new TempFolder();
        string path = BrokenFiles.TruncatedPng(temp.File("truncated.png"));

        var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Missing_file_throws_FileNotFoundException()
    {
        using var temp = new TempFolder();
        string path = temp.File("missing.png");
        var error = Assert.Throws<FileNotFoundException>(() => ImageFile.Load(path));
        Assert.Equal(path, error.FileName);
        Assert.Equal($"Image file '{path}' does not exist.", error.Message);
        // A folder given for a file is said to be one.
        Assert.Equal($"'{temp.Path}' is a folder, not an image file.", Assert.Throws<FileNotFoundException>(() => ImageFile.Load(temp.Path)).Message);
        Assert.Equal($"'{temp.Path}' is a folder, not an image file.", Assert.Throws<FileNotFoundException>(() => ImageFile.LoadResized(temp.Path, 1, 8, 8)).Message);
        // An empty file is said to be empty, not "not a decodable image".
        string empty = temp.File("empty.png");
        File.WriteAllBytes(empty, []);
        Assert.Equal($"'{empty}' is empty (0 bytes), not an image.", Assert.Throws<InvalidDataException>(() => ImageFile.Load(empty)).Message);
        Assert.Equal($"'{empty}' is empty (0 bytes), not an image.", Assert.Throws<InvalidDataException>(() => ImageFile.ReadSize(empty)).Message);
        Assert.Equal($"'{empty}' is empty (0 bytes), not an image.", Assert.Throws<InvalidDataException>(() => ImageFile.LoadResized(empty, 1, 8, 8)).Message);
        // A link whose target is gone is said to be one.
        string link = temp.File("link.png");
        File.CreateSymbolicLink(link, path);
        Assert.Equal($"'{link}' is a link to '{path}', which does not exist.", Assert.Throws<FileNotFoundException>(() => ImageFile.Load(link)).Message);
    }

    /// <summary>A named pipe opened for reading waits for a writer: one named like an image hung predict for good. Listed,
    /// looked at and read, it is an empty file, never opened (the task's limit only keeps a hang from stopping the run).</summary>
    [LinuxFact]   // mkfifo
    public async Task A_named_pipe_is_listed_and_refused_as_empty_without_waiting_for_a_writer()
    {
        using var temp = new TempFolder();
        string pipe = temp.File("camera.png"), unnamed = temp.File("IM000001");
        foreach (var p in new[] { pipe, unnamed })
            System.Diagnostics.Process.Start("mkfifo", [p]).WaitForExit();
        ImageFile.Save(new FloatImage(1, 8, 8), temp.File("good.png"));
        var read = Task.Run(() =>
        {
            var (images, _) = MvtecFolder.ListImages(temp.Path);   // the unnamed pipe is no DICOM file
            Assert.Equal([pipe, temp.File("good.png")], images.Order());
            Assert.Null(ImageFile.ReadHeader(pipe));
            Assert.Equal($"'{pipe}' is empty (0 bytes), not an image.", Assert.Throws<InvalidDataException>(() => ImageFile.LoadResized(pipe, 1, 8, 8)).Message);
            Assert.Equal($"'{pipe}' is empty (0 bytes), not an image.", Assert.Throws<InvalidDataException>(() => ImageFile.ReadSize(pipe)).Message);
        });
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromMinutes(2))));   // else it waited for a writer
        await read;
    }

    /// <summary>.NET lists a name that is not UTF-8 with U+FFFD in it and cannot open it so: said, not "does not exist".</summary>
    [LinuxFact]   // the name's bytes are made by the shell
    public void A_file_name_that_is_not_UTF_8_is_said_to_be_one()
    {
        using var temp = new TempFolder();
        ImageFile.Save(new FloatImage(1, 8, 8), temp.File("good.png"));
        void Shell(string command) =>
            System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sh", ["-c", command]) { WorkingDirectory = temp.Path })!.WaitForExit();
        Shell("cp good.png \"$(printf 'caf\\351.png')\"");
        try
        {
            var latin1 = Assert.Single(MvtecFolder.ListImages(temp.Path).Images, p => p.Contains('\uFFFD'));
            Assert.Contains("its name is not valid UTF-8", Assert.Throws<FileNotFoundException>(() => ImageFile.Load(latin1)).Message);
        }
        // .NET cannot delete what it cannot name: the folder was left in /tmp by every run of the tests.
        finally { Shell("rm -f \"$(printf 'caf\\351.png')\""); }
    }

    [Fact]
    public void LoadMask_thresholds_to_zero_and_one()
    {
        using var temp = new TempFolder();
        string path = temp.File("mask.png");
        ImageFile.Save(new FloatImage(1, 1, 4, [0f, 0.4f, 0.6f, 1f]), path);

        FloatImage mask = ImageFile.LoadMask(path);

        Assert.Equal([0f, 0f, 1f, 1f], mask.Pixels);
    }

    [Fact]
    public void The_colour_kept_under_transparent_pixels_decides_nothing()
    {
        // A walkthrough's cut-outs: the same picture, black or white stored under its transparent background, scored 0 and 1628.
        using var temp = new TempFolder();
        string Write(string name, byte hidden)
        {
            var rgba = new byte[8 * 8 * 4];
            for (int p = 0; p < 64; p++)
            {
                int x = p % 8;
                byte[] pixel = x < 4 ? [200, 120, 40, 255] : x < 6 ? [200, 120, 40, 128] : [hidden, hidden, hidden, 0];
                pixel.CopyTo(rgba, 4 * p);
            }
            string path = temp.File(name);
            Png16Writer.Write8(path, 8, 8, 4, rgba);
            return path;
        }
        string black = Write("black.png", 0), white = Write("white.png", 255);
        Assert.NotEqual(File.ReadAllBytes(black), File.ReadAllBytes(white));   // the files do keep different colours

        Assert.Equal(ImageFile.Load(black).Pixels, ImageFile.Load(white).Pixels);
        var image = ImageFile.Load(white);
        Assert.Equal(0f, image[0, 0, 7]);                                   // transparent: black
        Assert.Equal(200 / 255f, image[0, 0, 0]);                            // opaque: as stored
        Assert.InRange(image[0, 0, 5], 95 / 255f, 105 / 255f);              // half transparent: half as bright
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    public void A_32_bit_bmp_keeps_its_colours_whatever_its_alpha_byte(byte alpha)
    {
        // Writers of 32-bit BMPs often leave the alpha byte 0 (viewers show them opaque): not black, as a premultiplied decode made them.
        using var temp = new TempFolder();
        string path = temp.File("alpha.bmp");
        var bmp = new List<byte>();
        void U32(uint v) => bmp.AddRange(BitConverter.GetBytes(v));
        void U16(ushort v) => bmp.AddRange(BitConverter.GetBytes(v));
        bmp.AddRange("BM"u8.ToArray()); U32(14 + 108 + 8); U32(0); U32(14 + 108);
        U32(108); U32(2); U32(1); U16(1); U16(32); U32(3); U32(8); U32(2835); U32(2835); U32(0); U32(0);   // V4 header, BI_BITFIELDS
        U32(0x00FF0000); U32(0x0000FF00); U32(0x000000FF); U32(0xFF000000); U32(0x73524742);                 // masks with alpha, sRGB
        bmp.AddRange(new byte[36 + 12]);
        bmp.AddRange([50, 100, 200, alpha, 50, 100, 200, alpha]);                                            // BGRA
        File.WriteAllBytes(path, [.. bmp]);

        var image = ImageFile.Load(path, channels: 3);

        Assert.Equal([200 / 255f, 200 / 255f, 100 / 255f, 100 / 255f, 50 / 255f, 50 / 255f], image.Pixels);
    }

    [Fact]
    public void LoadMask_reads_a_label_image_of_zeros_and_ones_and_a_dark_colour_as_defects()
    {
        using var temp = new TempFolder();
        // 0/1 as many tools save a label mask (1/255 in an 8-bit PNG), class indices, and pure red (luminance 0.3).
        string labels = temp.File("labels.png"), classes = temp.File("classes.png"), red = temp.File("red.png"), black = temp.File("black.png");
        ImageFile.Save(new FloatImage(1, 1, 4, [0f, 1 / 255f, 0f, 1 / 255f]), labels);
        ImageFile.Save(new FloatImage(1, 1, 4, [0f, 1 / 255f, 2 / 255f, 0f]), classes);
        ImageFile.Save(new FloatImage(3, 1, 2, [1f, 0f, 0f, 0f, 0f, 0f]), red);
        ImageFile.Save(new FloatImage(1, 1, 3, [0f, 0f, 0f]), black);

        Assert.Equal([0f, 1f, 0f, 1f], ImageFile.LoadMask(labels).Pixels);
        Assert.Equal([0f, 1f, 1f, 0f], ImageFile.LoadMask(classes).Pixels);
        Assert.Equal([1f, 0f], ImageFile.LoadMask(red).Pixels);
        Assert.Equal([0f, 0f, 0f], ImageFile.LoadMask(black).Pixels);
    }

    [Fact]
    public void MarkDefects_keeps_the_half_white_rule_where_a_mask_has_white()
    {
        // A resized or JPEG white-on-black mask: its faint grey fringe stays normal.
        float[] mask = [0f, 0.02f, 0.3f, 0.5f, 0.51f, 1f];
        ImageFile.MarkDefects(mask);
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 1f], mask);
    }

    internal static FloatImage Gradient(int channels, int height, int width)
    {
        var image = new FloatImage(channels, height, width);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    image[c, y, x] = ((x * 7 + y * 13 + c * 50) % 256) / 255f;
        return image;
    }

    internal static void AssertClose(FloatImage expected, FloatImage actual, float tolerance)
    {
        Assert.Equal((expected.Channels, expected.Height, expected.Width), (actual.Channels, actual.Height, actual.Width));
        for (int i = 0; i < expected.Pixels.Length; i++)
            Assert.True(MathF.Abs(expected.Pixels[i] - actual.Pixels[i]) <= tolerance,
                $"Pixel {i}: expected {expected.Pixels[i]}, got {actual.Pixels[i]}.");
    }

    /// <summary>What a file stores, by its header only: a colour file of grey pixels still says colour.</summary>
    [Fact]
    public void StoresGray_reads_the_header()
    {
        using var temp = new TempFolder();
        string gray8 = temp.File("gray.png"), greyRgb = temp.File("grey-rgb.png"), gray16 = temp.File("gray16.png"), rgb16 = temp.File("rgb16.png");
        ImageFile.Save(new FloatImage(1, 4, 4), gray8);
        ImageFile.Save(new FloatImage(3, 4, 4), greyRgb);
        Png16Writer.Write(gray16, 4, 4, 1, new ushort[16]);
        Png16Writer.Write(rgb16, 4, 4, 3, new ushort[48]);
        string grayJpeg = temp.File("gray.jpg"), colourJpeg = temp.File("colour.jpg"), text = temp.File("notes.png");
        foreach (var (path, type) in new[] { (grayJpeg, SKColorType.Gray8), (colourJpeg, SKColorType.Rgba8888) })
        {
            using var bitmap = new SKBitmap(new SKImageInfo(8, 8, type, SKAlphaType.Opaque));
            bitmap.Erase(new SKColor(90, 90, 90));
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(path, data.ToArray());
        }
        File.WriteAllText(text, "not an image");

        Assert.True(ImageFile.StoresGray(gray8));
        Assert.False(ImageFile.StoresGray(greyRgb));
        Assert.True(ImageFile.StoresGray(gray16));
        Assert.False(ImageFile.StoresGray(rgb16));
        Assert.True(ImageFile.StoresGray(grayJpeg));
        Assert.False(ImageFile.StoresGray(colourJpeg));
        Assert.Null(ImageFile.StoresGray(text));
        Assert.Null(ImageFile.StoresGray(temp.File("missing.png")));
    }
}
