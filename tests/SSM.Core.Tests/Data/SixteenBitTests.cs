using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>Scans exported as 16-bit PNG and narrow-range pixel vectors keep their levels through loading and training.</summary>
public class SixteenBitTests
{
    [Fact]
    public void A_12_bit_scan_in_a_16_bit_png_keeps_its_levels()
    {
        using var temp = new TempFolder();
        const int w = 64, h = 64;
        var samples = new ushort[w * h];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)i;   // 0 .. 4095: a CT's 12-bit range
        string path = temp.File("ct.png");
        Png16Writer.Write(path, w, h, 1, samples);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal((1, h, w), (image.Channels, image.Height, image.Width));
        for (int i = 0; i < samples.Length; i++) Assert.Equal(samples[i] / 65535f, image.Pixels[i]);
        Assert.Equal(4096, image.Pixels.Distinct().Count());   // an 8-bit decode leaves 16
    }

    [Fact]
    public void A_16_bit_rgb_png_loads_as_colour_and_a_narrow_window_keeps_its_texture()
    {
        using var temp = new TempFolder();
        const int w = 16, h = 8;
        var samples = new ushort[w * h * 3];
        for (int p = 0; p < w * h; p++)
        {
            samples[3 * p] = (ushort)(30000 + 8 * (p % 25));   // 200 levels wide: one or two 8-bit levels
            samples[3 * p + 1] = 1000;
            samples[3 * p + 2] = 60000;
        }
        string path = temp.File("rgb16.png");
        Png16Writer.Write(path, w, h, 3, samples);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal(3, image.Channels);
        var red = image.Pixels[..(w * h)];
        Assert.Equal(25, red.Distinct().Count());   // 8-bit would give 1 or 2
        for (int p = 0; p < w * h; p++)
        {
            Assert.Equal(samples[3 * p] / 65535f, red[p]);
            Assert.Equal(1000 / 65535f, image.Pixels[w * h + p]);
        }
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(2, true)]
    [InlineData(4, true)]
    public void Transparent_pixels_show_over_black_and_interlaced_files_read_the_same(int channels, bool interlaced)
    {
        using var temp = new TempFolder();
        const int w = 13, h = 7;   // odd sides: every Adam7 pass has a partial block
        var random = new Random(5);
        var samples = new ushort[w * h * channels];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)random.Next(65536);
        string path = temp.File("image.png");
        Png16Writer.Write(path, w, h, channels, samples, interlaced);

        FloatImage image = ImageFile.Load(path);

        int colours = channels - 1;   // the last sample is alpha
        Assert.Equal(colours == 1 ? 1 : 3, image.Channels);
        for (int p = 0; p < w * h; p++)
            for (int c = 0; c < image.Channels; c++)
                Assert.Equal(samples[p * channels + c] / 65535f * (samples[p * channels + colours] / 65535f), image.Pixels[c * w * h + p]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_colour_key_makes_its_pixels_black_as_alpha_does(int channels)
    {
        // tRNS: the one grey level or colour that is transparent, shown over black as the 8-bit decode shows it.
        using var temp = new TempFolder();
        ushort[] key = [.. Enumerable.Range(0, channels).Select(c => (ushort)(40000 + c))];
        ushort[] other = [.. Enumerable.Range(0, channels).Select(c => (ushort)(40001 + c))];
        string path = temp.File("keyed.png");
        Png16Writer.Write(path, 2, 1, channels, [.. key, .. other], transparent: key);

        var image = ImageFile.Load(path, channels);

        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(0f, image[c, 0, 0]);
            Assert.Equal(other[c] / 65535f, image[c, 0, 1]);
        }
    }

    [Fact]
    public void A_truncated_16_bit_png_is_refused_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("cut.png");
        Png16Writer.Write(path, 32, 32, 1, [.. Enumerable.Range(0, 1024).Select(i => (ushort)(i * 61))]);
        BrokenFiles.CutInHalf(path);

        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains("cut.png", e.Message);
        Assert.Contains("corrupt or truncated", e.Message);
    }

    /// <summary>Noise through every row filter: Paeth's predictor breaks its ties towards the left, then the pixel above,
    /// as the PNG specification says, and noise meets ties a smooth image rarely does.</summary>
    [Fact]
    public void Noise_keeps_every_level_through_every_row_filter()
    {
        using var temp = new TempFolder();
        // The writer cycles through the five filters, so Paeth's rows hold 3072 random bytes: ties whose side matters (the
        // left and upper-left, or upper and upper-left, predictions equally near) come a few times in a thousand bytes.
        const int w = 64, h = 40;
        var random = new Random(7);
        var samples = new ushort[w * h * 3];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)random.Next(65536);
        string path = temp.File("noise.png");
        Png16Writer.Write(path, w, h, 3, samples);

        FloatImage image = ImageFile.Load(path);

        Assert.Equal((3, h, w), (image.Channels, image.Height, image.Width));
        int plane = w * h;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) Assert.Equal(samples[3 * p + c] / 65535f, image.Pixels[c * plane + p]);
    }

    /// <summary>A header field the PNG specification gives no meaning (compression and filter methods other than 0,
    /// interlacing other than 0 or 1) or an empty size is refused by the field, not decoded as if it were 0.</summary>
    [Theory]
    [InlineData(19, 0, "size 0x8")]   // the width's low byte: 8 -> 0
    [InlineData(23, 0, "size 8x0")]
    [InlineData(26, 1, "compression 1")]
    [InlineData(27, 1, "filter 1")]
    [InlineData(28, 2, "interlace 2")]
    public void A_16_bit_png_header_of_an_unknown_kind_is_refused_naming_the_file_and_the_field(int at, byte value, string field)
    {
        using var temp = new TempFolder();
        string path = temp.File("odd.png");
        Png16Writer.Write(path, 8, 8, 1, new ushort[64]);
        var bytes = File.ReadAllBytes(path);
        bytes[at] = value;   // IHDR's data: width 16-19, height 20-23, depth, colour type, compression 26, filter 27, interlace 28
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains("odd.png", e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void A_16_bit_png_with_a_chunk_length_near_2_to_the_31_is_refused_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("damaged.png");
        Png16Writer.Write(path, 8, 8, 1, new ushort[64]);
        var bytes = File.ReadAllBytes(path);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(33), 0x7FFFFFF5);   // the chunk after IHDR
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains("damaged.png", e.Message);
    }

    [Fact]
    public void The_training_cache_returns_8_bit_levels_exactly_and_keeps_16_bit_detail()
    {
        var cache = new ImageCache(8, 1);
        var eightBit = Enumerable.Range(0, 64).Select(i => (float)(i * 4) / 255f).ToArray();
        var narrow = Enumerable.Range(0, 64).Select(i => 0.4578f + i * 0.00005f).ToArray();   // 0.003 wide: one 8-bit level
        cache.Add(new FloatImage(1, 8, 8, eightBit), "8-bit");
        cache.Add(new FloatImage(1, 8, 8, narrow), "narrow");

        using var batch = cache.Batch([0, 1]);
        var values = batch.data<float>().ToArray();

        for (int i = 0; i < 64; i++) Assert.Equal(i * 4 * (1f / 255f), values[i]);   // what the 8-bit cache gave, bit for bit
        for (int i = 0; i < 64; i++) Assert.True(Math.Abs(values[64 + i] - narrow[i]) <= 0.5f / 65535f + 1e-7f);
        Assert.Equal(64, values[64..].Distinct().Count());
    }
}
