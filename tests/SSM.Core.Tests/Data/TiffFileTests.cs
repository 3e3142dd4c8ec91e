using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;
using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>TIFF files, as machine-vision cameras and microscopes write them, load like the formats Skia reads.</summary>
public class TiffFileTests
{
    [Theory]
    [InlineData("l")]
    [InlineData("b")]
    public void A_16_bit_grey_tiff_keeps_its_levels_in_either_byte_order(string byteOrder)
    {
        using var temp = new TempFolder();
        const int w = 64, h = 64;
        var samples = new ushort[w * h];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)(20000 + i);   // 4096 levels: 16 at 8 bits
        string path = temp.File("camera.tif");
        TiffWriter.Write(path, w, h, 1, samples, byteOrder: byteOrder);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal((1, h, w), (image.Channels, image.Height, image.Width));
        for (int i = 0; i < samples.Length; i++) Assert.Equal(samples[i] / 65535f, image.Pixels[i]);
        Assert.Equal(4096, image.Pixels.Distinct().Count());
        Assert.Equal(new ImageHeader(w, h, StoresGray: true, Turned: false), ImageFile.ReadHeader(path));
    }

    [Theory]
    [InlineData(16, false)]   // tiles of 16 x 16 over a 40 x 30 image: the last column and row of tiles are cut
    [InlineData(0, true)]     // strips, each sample in its own plane
    [InlineData(32, true)]
    public void Tiled_and_separate_plane_16_bit_rgba_tiffs_keep_their_levels(int tile, bool separate)
    {
        using var temp = new TempFolder();
        const int w = 40, h = 30;
        var samples = Scrambled(w * h * 4);
        string path = temp.File("microscope.tif");
        TiffWriter.Write(path, w, h, 4, samples, photometric: Photometric.RGB, tile: tile, separate: separate);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal((3, h, w), (image.Channels, image.Height, image.Width));
        int plane = w * h;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) Assert.Equal(samples[4 * p + c] / 65535f * (samples[4 * p + 3] / 65535f), image.Pixels[c * plane + p]);   // over black
    }

    [Fact]
    public void An_8_bit_rgb_tiff_loads_as_the_same_pixels_in_a_png_do()
    {
        using var temp = new TempFolder();
        const int w = 9, h = 5;
        var samples = new ushort[w * h * 3];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)(i * 37 % 256);
        string tif = temp.File("part.tiff");
        TiffWriter.Write(tif, w, h, 3, samples, bits: 8, photometric: Photometric.RGB);
        FloatImage fromTiff = ImageFile.Load(tif);
        string png = temp.File("part.png");
        ImageFile.Save(fromTiff, png);

        Assert.Equal((3, h, w), (fromTiff.Channels, fromTiff.Height, fromTiff.Width));
        for (int p = 0; p < w * h; p++)
            for (int c = 0; c < 3; c++) Assert.Equal(samples[3 * p + c] / 255f, fromTiff.Pixels[c * w * h + p]);
        Assert.Equal(ImageFile.Load(png).Pixels, fromTiff.Pixels);
        // Luminance from floats (TIFF) against from bytes (PNG): the same to rounding.
        Assert.All(ImageFile.Load(png, channels: 1).Pixels.Zip(ImageFile.Load(tif, channels: 1).Pixels), p => Assert.Equal(p.First, p.Second, 1e-6f));
    }

    [Fact]
    public void Grey_stored_as_zero_is_white_is_turned_round_and_transparent_pixels_show_over_black()
    {
        using var temp = new TempFolder();
        string path = temp.File("inverted.tif");
        // Grey and (unassociated) alpha, stored as "0 is white": white and fully transparent, then 200 of 255 and opaque.
        TiffWriter.Write(path, 2, 1, 2, [0, 0, 55, 255], bits: 8, photometric: Photometric.MINISWHITE);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal(1, image.Channels);
        Assert.Equal([0f, 1 - 55 / 255f], image.Pixels);
    }

    [Fact]
    public void A_palette_tiff_loads_through_the_8_bit_conversion()
    {
        using var temp = new TempFolder();
        string path = temp.File("palette.tif");
        TiffWriter.WritePalette(path, 3, 2, [0, 1, 0, 1, 1, 0], [(255, 0, 0), (51, 204, 102)]);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal((3, 2, 3), (image.Channels, image.Height, image.Width));
        int plane = 6;
        Assert.Equal((1f, 0f, 0f), (image.Pixels[0], image.Pixels[plane], image.Pixels[2 * plane]));   // (0, 0) red
        Assert.Equal((0.2f, 0.8f, 0.4f), (image.Pixels[1], image.Pixels[plane + 1], image.Pixels[2 * plane + 1]));   // (1, 0) green, every channel its own
        Assert.Equal((1f, 0f, 0f), (image.Pixels[5], image.Pixels[plane + 5], image.Pixels[2 * plane + 5]));   // (2, 1) red
    }

    [Fact]
    public void The_orientation_tag_turns_the_image_as_an_exif_tag_does()
    {
        using var temp = new TempFolder();
        const int w = 3, h = 2;
        ushort[] stored = [1000, 2000, 3000, 4000, 5000, 6000];
        string path = temp.File("turned.tif");
        TiffWriter.Write(path, w, h, 1, stored, orientation: (int)Orientation.RIGHTTOP);

        FloatImage shown = ImageFile.Load(path), asStored = ImageFile.Load(path, upright: false);

        Assert.Equal((h, w), (shown.Width, shown.Height));
        Assert.Equal((w, h), (asStored.Width, asStored.Height));
        Assert.Equal(stored.Select(v => v / 65535f), asStored.Pixels);
        Assert.Equal(ExifOrientation.Upright<float>(asStored.Pixels, w, h, 1, SkiaSharp.SKEncodedOrigin.RightTop), shown.Pixels);
        Assert.Equal((h, w), ImageFile.ReadSize(path));
        Assert.Equal((w, h), ImageFile.ReadSize(File.ReadAllBytes(path), upright: false));
        Assert.True(ImageFile.IsTurned(path));
    }

    [Fact]
    public void LoadResized_of_a_tiff_is_Resize_of_Load()
    {
        using var temp = new TempFolder();
        const int w = 40, h = 30;
        var samples = Scrambled(w * h);
        string path = temp.File("large.tif");
        TiffWriter.Write(path, w, h, 1, samples);

        var resized = ImageFile.LoadResized(path, 1, 16, 12);

        Assert.Equal(ImageResize.Resize(ImageFile.Load(path, channels: 1), 16, 12).Pixels, resized.Pixels);
        Assert.Equal(resized.Pixels, ImageFile.DecodeResized(File.ReadAllBytes(path), 1, 16, 12).Pixels);
        Assert.Equal((w, h), resized.SourceSize);
    }

    [Fact]
    public void A_truncated_floating_point_or_signed_tiff_is_refused_by_name()
    {
        using var temp = new TempFolder();
        var samples = Scrambled(32 * 32);
        string cut = temp.File("cut.tif");
        TiffWriter.Write(cut, 32, 32, 1, samples, compression: Compression.NONE);
        BrokenFiles.CutInHalf(cut);
        string floats = temp.File("float.tif"), signed = temp.File("signed.tif");
        TiffWriter.WriteSamplesOf(SampleFormat.IEEEFP, 32, floats, 4, 4);
        TiffWriter.WriteSamplesOf(SampleFormat.INT, 16, signed, 4, 4);   // 16 bits, as the reader takes, but signed: read as unsigned, a negative level would come out bright

        var truncated = Assert.Throws<InvalidDataException>(() => ImageFile.Load(cut));
        var floating = Assert.Throws<InvalidDataException>(() => ImageFile.Load(floats));
        var negative = Assert.Throws<InvalidDataException>(() => ImageFile.Load(signed));

        Assert.Contains("cut.tif", truncated.Message);
        Assert.Contains("float.tif", floating.Message);
        Assert.Contains("32-bit", floating.Message);
        Assert.Contains("signed.tif", negative.Message);
        Assert.Contains("16-bit INT samples", negative.Message);
    }

    [Fact]
    public void A_tiff_whose_data_ends_early_is_refused_on_either_path()
    {
        using var temp = new TempFolder();
        string grey = temp.File("grey.tif"), palette = temp.File("palette.tif");
        // LZW: LibTiff re-estimates a short count of uncompressed data from the image size (and reads on).
        TiffWriter.Write(grey, 32, 32, 1, Scrambled(32 * 32));                                  // read row by row
        TiffWriter.WritePalette(palette, 32, 32, [.. Scrambled(32 * 32).Select(v => (byte)(v % 2))], [(255, 0, 0), (0, 0, 255)]);   // through the RGBA conversion
        TiffWriter.ShortenStrip(grey);
        TiffWriter.ShortenStrip(palette);

        foreach (string path in new[] { grey, palette })
        {
            var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
            Assert.Contains(Path.GetFileName(path), error.Message);
        }
    }

    [Theory]
    [InlineData(0)]    // strips
    [InlineData(16)]   // tiles
    public void Damaged_tiff_bytes_load_or_are_refused_as_invalid_data_never_otherwise(int tile)
    {
        using var temp = new TempFolder();
        var samples = Scrambled(24 * 24);
        string path = temp.File("good.tif");
        TiffWriter.Write(path, 24, 24, 1, samples, tile: tile);
        byte[] good = File.ReadAllBytes(path);
        var random = new Random(5);
        int refused = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] damaged = (byte[])good.Clone();
            for (int k = 0; k < 4; k++) damaged[random.Next(4, damaged.Length)] = (byte)random.Next(256);   // the "II*" signature kept
            try { ImageFile.DecodeResized(damaged, 1, 8, 8); }
            catch (InvalidDataException) { refused++; }
        }
        Assert.True(refused > 0, "no damage was noticed in 200 damaged files");
    }

    /// <summary>Levels spread over the whole 16-bit range in no order: every pixel matters, none repeats a neighbour.</summary>
    private static ushort[] Scrambled(int count) => [.. Enumerable.Range(0, count).Select(i => (ushort)(i * 7919 % 65536))];

    [Fact]
    public void A_stack_gives_its_first_page_and_its_header_counts_the_pages()
    {
        using var temp = new TempFolder();
        var samples = Scrambled(12 * 10);
        string path = temp.File("stack.tif");
        TiffWriter.Write(path, 12, 10, 1, samples, pages: 3);

        Assert.Equal(samples.Select(v => v / 65535f), ImageFile.Load(path).Pixels);
        Assert.Equal(new ImageHeader(12, 10, StoresGray: true, Turned: false, Frames: 3), ImageFile.ReadHeader(path));
        TiffWriter.Write(path, 12, 10, 1, samples);
        Assert.Equal(1, ImageFile.ReadHeader(path)?.Frames);
    }

    [Fact]
    public void Thumbnails_are_not_counted_as_pages_and_a_damaged_later_page_ends_the_count_not_the_header()
    {
        using var temp = new TempFolder();
        string path = temp.File("scan.tif");
        using (var tiff = Tiff.Open(path, "w"))
            for (int page = 0; page < 4; page++)
            {
                if (page > 0) tiff.WriteDirectory();
                tiff.SetField(TiffTag.IMAGEWIDTH, 8);
                tiff.SetField(TiffTag.IMAGELENGTH, 8);
                tiff.SetField(TiffTag.BITSPERSAMPLE, 8);
                tiff.SetField(TiffTag.SAMPLESPERPIXEL, 1);
                tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
                tiff.SetField(TiffTag.ROWSPERSTRIP, 8);
                if (page == 1) tiff.SetField(TiffTag.SUBFILETYPE, FileType.REDUCEDIMAGE);   // a thumbnail, as scanners add
                for (int y = 0; y < 8; y++) tiff.WriteScanline(new byte[8], y);
            }
        Assert.Equal(3, ImageFile.ReadHeader(path)?.Frames);

        // The third page's entry count made huge: LibTiff cannot read it, and the first page is all the reader needs.
        byte[] file = File.ReadAllBytes(path);
        int at = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4));
        for (int page = 0; page < 2; page++)
            at = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 2 + 12 * BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at))));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), 0xFFFF);
        File.WriteAllBytes(path, file);

        var header = ImageFile.ReadHeader(path);
        Assert.NotNull(header);
        Assert.Equal((8, 8, true), (header.Value.Width, header.Value.Height, header.Value.StoresGray));
        Assert.InRange(header.Value.Frames, 1, 2);
        Assert.Equal(64, ImageFile.Load(path).Pixels.Length);
    }

    [Fact]
    public void A_thumbnail_ahead_of_the_image_is_passed_over()
    {
        using var temp = new TempFolder();
        string path = temp.File("thumbnail-first.tif");
        using (var tiff = Tiff.Open(path, "w"))
            foreach (var (width, height, value, reduced) in new[] { (10, 6, (byte)200, true), (40, 24, (byte)50, false) })
            {
                if (reduced) tiff.SetField(TiffTag.SUBFILETYPE, FileType.REDUCEDIMAGE);
                else tiff.WriteDirectory();
                tiff.SetField(TiffTag.IMAGEWIDTH, width);
                tiff.SetField(TiffTag.IMAGELENGTH, height);
                tiff.SetField(TiffTag.BITSPERSAMPLE, 8);
                tiff.SetField(TiffTag.SAMPLESPERPIXEL, 1);
                tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
                tiff.SetField(TiffTag.ROWSPERSTRIP, height);
                for (int y = 0; y < height; y++) tiff.WriteScanline(Enumerable.Repeat(value, width).ToArray(), y);
            }
        // Before: the 10 x 6 thumbnail was read as the image (and training refused it as too small).
        var image = ImageFile.Load(path);
        Assert.Equal((40, 24), (image.Width, image.Height));
        Assert.All(image.Pixels, v => Assert.Equal(50 / 255f, v, 6));
        Assert.Equal(new ImageHeader(40, 24, StoresGray: true, Turned: false, Frames: 1), ImageFile.ReadHeader(path));
    }

    [Fact]
    public void A_folder_of_tiffs_is_a_folder_of_images()
    {
        using var temp = new TempFolder();
        var samples = new ushort[8 * 8];
        TiffWriter.Write(temp.File("a.tif"), 8, 8, 1, samples);
        TiffWriter.Write(temp.File("b.TIFF"), 8, 8, 1, samples);
        File.WriteAllText(temp.File("notes.txt"), "");

        var (images, skipped) = MvtecFolder.ListImages(temp.Path);

        Assert.Equal(["a.tif", "b.TIFF"], images.Select(Path.GetFileName));
        Assert.Equal(["notes.txt"], skipped.Select(Path.GetFileName));
    }
}
