using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>
/// DICOM files, as scanners and PACS exports write them, load as a viewer shows them. The files in Data/Dicom were written by
/// pydicom and converted by DCMTK and GDCM (make_fixtures.py); their pixels are the formulas below, so each is checked
/// against what another program encoded, not against a writer of ours.
/// </summary>
public class DicomFileTests
{
    private const int W = 24, H = 20;

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Dicom", name);

    /// <summary>The CT fixtures' stored values: signed, 12 bits, -1000 to 1998.</summary>
    private static int Ct(int x, int y) => -1000 + 37 * x + 113 * y;

    /// <summary>PS3.3 C.11.2.1.2.1's LINEAR window of the rescaled value (slope 2, intercept -24; centre 1000, width 4000).</summary>
    internal static double CtShown(int x, int y) => Shown(2 * Ct(x, y) - 24);

    /// <summary>The colour fixtures' pattern (make_fixtures.py's rgb) in [0, 1].</summary>
    private static double Rgb(int c, int x, int y) => c switch { 0 => 10 * x, 1 => 12 * y, _ => 255 - 5 * x } / 255.0;

    internal static double Shown(double v)
    {
        const double c = 1000, w = 4000;
        return v <= c - 0.5 - (w - 1) / 2 ? 0 : v > c - 0.5 + (w - 1) / 2 ? 1 : (v - (c - 0.5)) / (w - 1) + 0.5;
    }

    internal static void AssertPixels(FloatImage image, int channels, Func<int, int, int, double> expected, double tolerance)
    {
        Assert.Equal((channels, H, W), (image.Channels, image.Height, image.Width));
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.True(Math.Abs(image[c, y, x] - expected(c, x, y)) <= tolerance,
                        $"channel {c} at ({x}, {y}): {image[c, y, x]} where {expected(c, x, y)} belongs");
    }

    [Theory]
    [InlineData("ct12s.dcm")]                    // explicit VR little endian
    [InlineData("ct12s-implicit.dcm")]
    [InlineData("ct12s-bigendian.dcm")]
    [InlineData("ct12s-deflated.dcm")]
    [InlineData("ct12s-nometa-ti.dcm")]          // without the Part 10 header (ACR-NEMA style), implicit VR
    [InlineData("ct12s-nometa-te.dcm")]          // explicit VR
    [InlineData("ct12s-nometa-tb.dcm")]          // explicit VR big endian
    [InlineData("ct12s-highbits.dcm")]           // bits above the high bit set: no part of the value
    [InlineData("ct12s-sequence.dcm")]           // a sequence of undefined length with rows and columns of its own, nested
    [InlineData("ct12s-sequence-implicit.dcm")]
    [InlineData("ct12s-enhanced.dcm")]           // rescale and window in functional groups (enhanced CT), lengths defined
    [InlineData("ct12s-enhanced-implicit.dcm")]  // the same, lengths undefined
    [InlineData("ct12s-enhanced-deflated.dcm")]
    [InlineData("ct12s-enhanced-bigendian.dcm")]
    [InlineData("ct12s-rle.dcm")]                // DCMTK's RLE
    [InlineData("ct12s-jpeg70.dcm")]             // DCMTK's lossless JPEG, first-order prediction (1.2.840.10008.1.2.4.70)
    [InlineData("ct12s-jpeg-sv1.dcm")]           // each of the seven predictors (1.2.840.10008.1.2.4.57)
    [InlineData("ct12s-jpeg-sv2.dcm")]
    [InlineData("ct12s-jpeg-sv3.dcm")]
    [InlineData("ct12s-jpeg-sv4.dcm")]
    [InlineData("ct12s-jpeg-sv5.dcm")]
    [InlineData("ct12s-jpeg-sv6.dcm")]
    [InlineData("ct12s-jpeg-sv7.dcm")]
    [InlineData("ct12s-jpegls.dcm")]             // JPEG-LS, DCMTK's (CharLS)
    [InlineData("ct12s-jpegls-gdcm.dcm")]        // and GDCM's
    [InlineData("ct12s-jpegls-params.dcm")]      // thresholds and reset stated in the stream
    [InlineData("ct12s-j2k.dcm")]                // JPEG 2000, GDCM's (OpenJPEG), lossless: 12-bit values in a 16-bit signed stream
    public void A_signed_12_bit_ct_in_any_encoding_is_rescaled_and_windowed_as_a_viewer_shows_it(string file)
    {
        var image = ImageFile.Load(Fixture(file));

        AssertPixels(image, 1, (_, x, y) => CtShown(x, y), 1e-6);
        Assert.Contains(0f, image.Pixels);   // the window clips at both ends
        Assert.Contains(1f, image.Pixels);
        Assert.Equal(new ImageHeader(W, H, StoresGray: true, Turned: false, Frames: file.Contains("enhanced") ? 2 : 1), ImageFile.ReadHeader(Fixture(file)));
        Assert.Equal(ImageFile.ReadHeader(Fixture(file)), ImageFile.ReadHeader(File.ReadAllBytes(Fixture(file))));   // an upload's bytes
        Assert.Equal((W, H), ImageFile.ReadSize(Fixture(file)));
    }

    [Fact]
    public void A_point_transform_drops_the_low_bits_the_encoder_dropped()
    {
        var image = ImageFile.Load(Fixture("ct12s-jpeg-pt2.dcm"));

        // DCMTK shifts the stored 12-bit pattern right by 2: the decoded value is the original with its 2 low bits cleared.
        AssertPixels(image, 1, (_, x, y) => Shown(2 * (Ct(x, y) & ~3) - 24), 1e-6);
    }

    [Fact]
    public void Colour_lossless_jpeg_predicting_from_the_row_above_decodes_to_its_samples()
    {
        // Predictor 6 (b + (a - c) / 2) over colour noise: the pixel above and the one above-left are three samples a pixel away.
        Assert.Equal(ImageFile.Load(Fixture("noise-rgb.dcm")).Pixels, ImageFile.Load(Fixture("noise-rgb-jpeg-sv6.dcm")).Pixels);
    }

    [Theory]
    [InlineData(8, "its predictor is 8 (1 to 7 in lossless JPEG)")]
    [InlineData(0, "its predictor is 0 (1 to 7 in lossless JPEG)")]
    public void A_lossless_jpeg_predictor_outside_the_seven_is_refused(byte predictor, string expected)
    {
        // The scan header: length 8, one component (id 1, table 0), then the predictor, 1.
        byte[] scanHeader = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01];

        Assert.Contains(expected, Refusal(WithByte("ct12s-jpeg-sv1.dcm", scanHeader, 7, predictor)));
    }

    [Fact]
    public void A_lossless_jpeg_point_transform_that_leaves_no_bits_is_refused()
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s-jpeg-sv1.dcm"));
        Patch(file, [0xFF, 0xC3, 0x00, 0x0B, 0x10], [0xFF, 0xC3, 0x00, 0x0B, 0x02]);                 // 2-bit samples
        Patch(file, [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00], [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x00, 0x02]);   // shifted by 2

        Assert.Contains("its point transform (2) leaves none of its 2 bits", Refusal(file));
    }

    [Theory]
    [InlineData("SIGMOID")]
    [InlineData("LINEAR_EXACT")]
    public void The_other_window_functions_follow_the_standard(string function)
    {
        var image = ImageFile.Load(Fixture(function == "SIGMOID" ? "ct12s-sigmoid.dcm" : "ct12s-exact.dcm"));

        AssertPixels(image, 1, (_, x, y) =>
        {
            double v = 2 * Ct(x, y) - 24;
            return function == "SIGMOID" ? 1 / (1 + Math.Exp(-4 * (v - 1000) / 4000)) : Math.Clamp((v - 1000) / 4000 + 0.5, 0, 1);
        }, 1e-6);
    }

    [Theory]
    [InlineData("mr16u.dcm")]
    [InlineData("mr16u-jpeg-sv4.dcm")]
    [InlineData("mr16u-jpeg-restarts.dcm")]      // a restart marker every row; written by make_fixtures.py, checked with DCMTK and GDCM
    public void Without_a_window_16_bit_samples_keep_every_level_over_the_range_of_their_bits(string file)
    {
        var image = ImageFile.Load(Fixture(file));

        AssertPixels(image, 1, (_, x, y) => (300 * x + 50 * y + 7) / 65535.0, 1e-7);
        Assert.Equal(158, image.Pixels.Distinct().Count());   // as many levels as 300 x + 50 y takes; 8 bits would leave 32
    }

    /// <summary>Without a window, a VOI LUT or a Modality LUT, signed samples are shown over the whole range their bits
    /// can take (-2048 to 2047 at 12 bits), -2048 black; a negative rescale slope turns that round, since a higher stored
    /// value is then a lower one in the modality's units.</summary>
    [Theory]
    [InlineData("ct12s-nowindow.dcm", false)]            // slope 2
    [InlineData("ct12s-nowindow-negative.dcm", true)]    // slope -2
    public void Without_a_window_signed_samples_are_shown_over_the_range_of_their_bits(string file, bool negativeSlope)
    {
        var image = ImageFile.Load(Fixture(file));

        AssertPixels(image, 1, (_, x, y) => (negativeSlope ? 2047 - Ct(x, y) : Ct(x, y) + 2048) / 4095.0, 1e-6);
    }

    [Fact]
    public void The_extremes_of_signed_12_bit_samples_are_black_and_white()
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s-nowindow.dcm"));
        // The first two samples, after the pixel data's header (OW, 960 bytes): -2048 (F800) and 2047 (07FF).
        byte[] header = [0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0, 0xC0, 0x03, 0, 0];
        int at = file.AsSpan().IndexOf(header) + header.Length;
        Assert.Equal(file.Length - 960, at);
        file[at] = 0x00; file[at + 1] = 0xF8; file[at + 2] = 0xFF; file[at + 3] = 0x07;

        var image = ImageFile.DecodeResized(file, 1, H, W);

        Assert.Equal((0f, 1f), (image[0, 0, 0], image[0, 0, 1]));
    }

    [Theory]
    [InlineData("ct12s-voilut.dcm")]             // the first value mapped said signed (SS)
    [InlineData("ct12s-voilut-implicit.dcm")]    // no VR: signed because the rescaled values can be negative
    [InlineData("ct12s-voilut-bigendian.dcm")]
    public void Without_a_window_a_voi_lut_maps_the_rescaled_values_clipped_to_its_range(string file)
    {
        var image = ImageFile.Load(Fixture(file));

        // 4096 quadratic 16-bit entries from -1500: the rescaled values run from -2024 to 3972, so both ends are clipped.
        AssertPixels(image, 1, (_, x, y) =>
        {
            long entry = Math.Clamp(2 * Ct(x, y) - 24 + 1500, 0, 4095);
            return entry * entry * 65535 / (4095 * 4095) / 65535.0;
        }, 1e-6);
        Assert.Contains(0f, image.Pixels);
        Assert.Contains(1f, image.Pixels);
    }

    [Fact]
    public void A_window_is_taken_over_a_voi_lut_as_viewers_open_it()
    {
        AssertPixels(ImageFile.Load(Fixture("ct12s-voilut-window.dcm")), 1, (_, x, y) => CtShown(x, y), 1e-6);
    }

    [Theory]
    [InlineData("mono-modlut.dcm", false)]
    [InlineData("mono-modlut-window.dcm", true)]
    public void A_modality_lut_replaces_the_rescale_under_the_window_or_over_its_entries_bits(string file, bool windowed)
    {
        var image = ImageFile.Load(Fixture(file));

        // The falling table 60000 - 200 v (16-bit entries); the window's centre 40000, width 20000.
        AssertPixels(image, 1, (_, x, y) =>
        {
            double units = 60000 - 200 * ((10 * x + 3 * y) % 256);
            return windowed ? Math.Clamp((units - 39999.5) / 19999 + 0.5, 0, 1) : units / 65535;
        }, 1e-6);
    }

    [Theory]
    [InlineData("mono-voilut8.dcm")]             // 8-bit entries one to a word
    [InlineData("mono-voilut8-packed.dcm")]      // two to a word, the first in the low byte
    [InlineData("mono-voilut-empty.dcm", false)] // a VOI LUT Sequence without an item: no table
    public void An_8_bit_voi_lut_is_read_packed_or_not(string file, bool inverting = true)
    {
        AssertPixels(ImageFile.Load(Fixture(file)), 1, (_, x, y) => (inverting ? 1 - (10 * x + 3 * y) % 256 / 255.0 : (10 * x + 3 * y) % 256 / 255.0), 1e-6);
    }

    [Fact]
    public void A_lut_shorter_than_its_descriptor_is_refused_as_corrupt()
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(Fixture("mono-voilut-short.dcm")));

        Assert.Contains("VOI LUT of 256 entries with 100 values", error.Message);
        Assert.Contains("mono-voilut-short.dcm", error.Message);
    }

    /// <summary>mono-voilut8.dcm's VOI LUT: its descriptor (0028,3002) of 256 entries from 0, 8 bits each, then its data
    /// (0028,3006); each case renames one of them to a tag the reader skips, or changes the entries' bits.</summary>
    [Theory]
    [InlineData(new byte[] { 0x28, 0x00, 0x06, 0x30, 0x55, 0x53 }, 2, 0x07, "a VOI LUT without its data")]
    [InlineData(new byte[] { 0x28, 0x00, 0x02, 0x30, 0x55, 0x53 }, 2, 0x03, "a VOI LUT without a descriptor of three values")]
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x28, 0x00, 0x06, 0x30 }, 4, 17, "a VOI LUT of 17-bit entries")]
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x28, 0x00, 0x06, 0x30 }, 4, 0, "a VOI LUT of 0-bit entries")]
    public void A_lut_without_its_data_or_descriptor_or_of_impossible_entries_is_refused(byte[] written, int at, byte value, string expected)
    {
        Assert.Contains(expected, Refusal(WithByte("mono-voilut8.dcm", written, at, value)));
    }

    [Theory]
    [InlineData("mono1.dcm")]
    [InlineData("mono1-bigendian.dcm")]          // 8-bit samples in 16-bit words, each pair of bytes swapped
    public void Monochrome1_is_turned_round_so_that_one_is_bright(string file)
    {
        var image = ImageFile.Load(Fixture(file));

        AssertPixels(image, 1, (_, x, y) => 1 - (10 * x + 3 * y) % 256 / 255.0, 1e-6);
    }

    [Theory]
    [InlineData("frames.dcm", 0)]
    [InlineData("frames-rle.dcm", 0)]
    [InlineData("frames-jpeg.dcm", 0.04)]   // DCMTK's baseline JPEG, lossy
    [InlineData("frames-rle-notable.dcm", 0)]      // without a table of the frames' offsets: one fragment a frame
    [InlineData("frames-jpeg-notable.dcm", 0.04)]  // a frame ends with its end-of-image marker
    public void A_file_of_several_frames_gives_its_first(string file, double tolerance)
    {
        var image = ImageFile.Load(Fixture(file));

        AssertPixels(image, 1, (_, x, y) => (10 * x + 3 * y) % 256 / 255.0, tolerance + 1e-6);
        Assert.Equal(2, ImageFile.ReadHeader(Fixture(file))?.Frames);
    }

    [Theory]
    [InlineData("rgb.dcm", 0)]
    [InlineData("rgb-planar.dcm", 0)]
    [InlineData("rgb-rle.dcm", 0)]
    [InlineData("rgb-jpeg.dcm", 0.03)]      // YBR_FULL_422 baseline JPEG, lossy
    [InlineData("rgb-jpeg-rgb.dcm", 0.03)]  // baseline JPEG kept RGB (DCMTK's +cr), lossy
    [InlineData("rgb-jpeg-lossless.dcm", 0)]
    [InlineData("rgb-jpegls.dcm", 0)]             // JPEG-LS, line-interleaved
    [InlineData("rgb-jpegls-planes.dcm", 0)]      // JPEG-LS, a scan per component
    [InlineData("ybr.dcm", 1.5 / 255)]      // YCbCr (pydicom's conversion, rounded to bytes)
    public void Colour_images_load_as_rgb(string file, double tolerance)
    {
        var image = ImageFile.Load(Fixture(file));

        AssertPixels(image, 3, Rgb, tolerance + 1e-6);
        Assert.False(ImageFile.StoresGray(Fixture(file)));
        Assert.Equal(1, ImageFile.Load(Fixture(file), channels: 1).Channels);
    }

    /// <summary>A baseline JPEG whose components DICOM says are RGB, with nothing in the stream to say so (DCMTK writes an
    /// Adobe marker and names the components R, G and B; here the marker is renamed to one nobody reads and the components
    /// numbered 1 to 3, as other encoders write them): libjpeg alone would take them for YCbCr and convert them again.</summary>
    [Fact]
    public void A_baseline_jpeg_kept_rgb_without_a_marker_saying_so_is_not_converted_again()
    {
        using var temp = new TempFolder();
        byte[] file = File.ReadAllBytes(Fixture("rgb-jpeg-rgb.dcm"));
        var jpeg = file.AsSpan();
        int start = jpeg.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF, 0xEE]), frame = jpeg.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]),
            scan = jpeg.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        Assert.True(start > 0 && frame > start && scan > frame, "the fixture's JPEG opens with its Adobe marker");
        file[start + 3] = 0xEF;   // APP14 (Adobe) -> APP15, the same length
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal("RGB"[c], (char)file[frame + 10 + 3 * c]);   // the frame header: length, precision, size, count, then 3 bytes a component
            file[frame + 10 + 3 * c] = file[scan + 5 + 2 * c] = (byte)(c + 1);   // the scan header: length, count, then 2 bytes a component
        }
        string path = temp.File("rgb-unmarked.dcm");
        File.WriteAllBytes(path, file);

        var image = ImageFile.Load(path);

        AssertPixels(image, 3, Rgb, 0.03 + 1e-6);
    }

    [Fact]
    public void Jpeg_ls_near_lossless_keeps_every_sample_within_near()
    {
        var image = ImageFile.Load(Fixture("mr16u-jpegls-near.dcm"));

        AssertPixels(image, 1, (_, x, y) => (300 * x + 50 * y + 7) / 65535.0, 2 / 65535.0 + 1e-7);
        Assert.NotEqual(ImageFile.Load(Fixture("mr16u.dcm")).Pixels, image.Pixels);   // lossy: not every sample is kept
    }

    [Fact]
    public void Jpeg_ls_near_lossless_runs_stay_within_near_of_the_uncompressed_samples()
    {
        var exact = ImageFile.Load(Fixture("nearflat.dcm")).Pixels;
        var near = ImageFile.Load(Fixture("nearflat-jpegls-near3.dcm")).Pixels;

        Assert.All(exact.Zip(near), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 3 / 4095f + 1e-7f));
        Assert.NotEqual(exact, near);
    }

    [Theory]
    [InlineData("jpegls-runaway.dcm", "statistics run out of range")]   // crafted: a search that would never end
    [InlineData("noise6-jpegls-unstated.dcm", "coded with parameters it does not state")]
    public void Jpeg_ls_out_of_step_with_its_encoder_is_refused_not_decoded_wrong(string file, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(Fixture(file)));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Jpeg_ls_runs_and_their_interruptions_decode_exactly()
    {
        var image = ImageFile.Load(Fixture("spots-jpegls.dcm"));

        (int X, int Y)[] spots = [(3, 4), (17, 11), (20, 2)];
        AssertPixels(image, 1, (_, x, y) => (spots.Contains((x, y)) ? 4000 : 100) / 4095.0, 1e-7);
    }

    [Fact]
    public void Jpeg_ls_with_samples_interleaved_is_refused_by_name()
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageFile.Load(Fixture("rgb-jpegls-samples.dcm")));

        Assert.Contains("interleaved sample by sample", error.Message);
    }

    [Fact]
    public void Uncompressed_ybr_422_shares_each_colour_between_two_pixels()
    {
        var image = ImageFile.Load(Fixture("ybr422.dcm"));

        AssertPixels(image, 3, (c, x, y) => c switch { 0 => 10 * (x / 2 * 2), 1 => 12 * y, _ => 255 - 5 * (x / 2 * 2) } / 255.0, 1.5 / 255);
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2, multi-component (1.2.840.10008.1.2.4.92)")]
    [InlineData("1.2.840.10008.1.2.4.52", "retired JPEG (1.2.840.10008.1.2.4.52)")]
    public void Encodings_not_decoded_are_refused_by_name_with_the_way_to_decompress_them(string uid, string named)
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s-j2k.dcm"));
        // The same length as JPEG 2000's UID: the file now claims the other encoding.
        Patch(file, "1.2.840.10008.1.2.4.90"u8, System.Text.Encoding.ASCII.GetBytes(uid));

        var error = Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(file, 1, 8, 8));

        Assert.Contains(named, error.Message);
        Assert.Contains("gdcmconv --raw", error.Message);
        Assert.Equal((W, H), ImageFile.ReadSize(file));   // its attributes are readable all the same
    }

    [Fact]
    public void A_preamble_that_starts_a_tiff_does_not_hide_the_dicom_image()
    {
        // Part 10 lets the 128-byte preamble hold a TIFF header ("dual-personality" files); the DICOM is the image meant.
        byte[] file = File.ReadAllBytes(Fixture("ct12s.dcm"));
        "II*\0"u8.CopyTo(file);

        var image = ImageFile.DecodeResized(file, 1, H, W);

        AssertPixels(image, 1, (_, x, y) => CtShown(x, y), 1e-6);
    }

    [Theory]
    [InlineData("ct12s.dcm")]
    [InlineData("rgb-jpeg.dcm")]
    public void Load_resized_is_resize_of_load(string file)
    {
        var whole = ImageFile.Load(Fixture(file), channels: 3);

        Assert.Equal(ImageResize.Resize(whole, 7, 9).Pixels, ImageFile.LoadResized(Fixture(file), 3, 7, 9).Pixels);
    }

    [Theory]
    [InlineData("ct12s.dcm")]
    [InlineData("ct12s-deflated.dcm")]
    [InlineData("ct12s-rle.dcm")]
    [InlineData("ct12s-jpeg-sv1.dcm")]
    [InlineData("ct12s-jpegls.dcm")]
    [InlineData("rgb-jpeg.dcm")]
    public void A_file_cut_anywhere_before_its_pixels_end_is_refused(string file)
    {
        byte[] whole = File.ReadAllBytes(Fixture(file));
        // Encapsulated data ends with an 8-byte sequence delimiter after the last fragment; native data with its samples.
        for (int length = 132; length < whole.Length - (file.Contains("jpeg") || file.Contains("rle") ? 8 : 0); length += 7)
        {
            byte[] cut = whole[..length];
            Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(cut, 1, 8, 8));
        }
    }

    [Theory]
    [InlineData("ct12s.dcm")]
    [InlineData("ct12s-implicit.dcm")]
    [InlineData("ct12s-rle.dcm")]
    [InlineData("ct12s-jpeg-sv7.dcm")]
    [InlineData("ct12s-jpegls.dcm")]
    [InlineData("spots-jpegls.dcm")]
    [InlineData("rgb-jpeg.dcm")]
    public void Damaged_dicom_bytes_load_or_are_refused_as_invalid_data_never_otherwise(string file)
    {
        byte[] good = File.ReadAllBytes(Fixture(file));
        var random = new Random(5);
        int refused = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] damaged = (byte[])good.Clone();
            for (int k = 0; k < 4; k++) damaged[random.Next(132, damaged.Length)] = (byte)random.Next(256);   // "DICM" kept
            try { ImageFile.DecodeResized(damaged, 1, 8, 8); }
            catch (InvalidDataException) { refused++; }
        }
        Assert.True(refused > 0, "no damage was noticed in 200 damaged files");
    }

    [Fact]
    public void Sequences_nested_past_any_real_file_are_refused_not_a_stack_overflow()
    {
        byte[] good = File.ReadAllBytes(Fixture("ct12s.dcm"));
        int dataSet = AfterMeta(good);
        // (0008,1140) SQ of undefined length holding an item of undefined length holding the next, 100000 deep.
        byte[] level = [0x08, 0x00, 0x40, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF];
        byte[] deep = [.. good.AsSpan(0, dataSet), .. Enumerable.Repeat(level, 100_000).SelectMany(l => l)];

        var error = Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(deep, 1, 8, 8));
        Assert.Contains("nests sequences more than 64 deep", error.Message);
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("deep.dcm"), deep);
        Assert.Null(ImageFile.ReadHeader(temp.File("deep.dcm")));
    }

    /// <summary>Sequences whose lengths or items contradict each other are damage: refused, not read on out of step.</summary>
    [Theory]
    [InlineData("ct12s-enhanced.dcm", 8, 0x56, "a sequence whose items run past its length")]   // 86, its item's length
    [InlineData("ct12s-enhanced.dcm", 16, 0x10, "an item whose elements run past its length")]   // 16, within its first element
    [InlineData("ct12s-enhanced.dcm", 14, 0x0D, "a sequence with an element (FFFEE00D) outside its items")]
    [InlineData("ct12s-sequence-implicit.dcm", 10, 0x0D, "a sequence with an element (FFFEE00D) outside its items")]   // one being skipped
    public void Sequences_at_odds_with_their_items_are_refused(string fixture, int at, byte value, string expected)
    {
        // A sequence's tag and length, then its first item's tag and length: ct12s-enhanced.dcm's shared functional groups
        // (5200,9229), of 94 bytes, one item of 86; ct12s-sequence-implicit.dcm's (0008,1140), lengths undefined, which nests another.
        byte[] written = fixture == "ct12s-enhanced.dcm"
            ? [0x00, 0x52, 0x29, 0x92, (byte)'S', (byte)'Q', 0, 0, 0x5E, 0, 0, 0, 0xFE, 0xFF, 0x00, 0xE0, 0x56, 0, 0, 0]
            : [0x08, 0x00, 0x40, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0x08, 0x00, 0x40, 0x11];

        Assert.Contains(expected, Refusal(WithByte(fixture, written, at, value)));
    }

    /// <summary>An RLE frame's header (PS3.5 G.5) must count the segments its samples need, and each segment must start
    /// after the 64-byte header: a header that says otherwise is damage, not a frame to decode around.</summary>
    [Theory]
    [InlineData(0, 3, "3 segments where 2 belong")]   // 12-bit samples in 16 bits: 2 segments
    [InlineData(4, 32, "segment 0 lies outside the frame")]   // the first segment's offset, inside the header
    public void An_rle_header_at_odds_with_its_frame_is_refused(int at, int value, string expected)
    {
        using var temp = new TempFolder();
        byte[] file = File.ReadAllBytes(Fixture("ct12s-rle.dcm"));
        int header = file.AsSpan().IndexOf((ReadOnlySpan<byte>)[2, 0, 0, 0, 64, 0, 0, 0]);   // 2 segments, the first at 64
        Assert.True(header > 0, "the fixture's RLE header");
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(header + at), value);
        string path = temp.File("rle.dcm");
        File.WriteAllBytes(path, file);

        var e = Assert.Throws<InvalidDataException>(() => ImageFile.Load(path));
        Assert.Contains("rle.dcm", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Compressed pixel data comes in fragments of undefined length, native data whole with its length (PS3.5
    /// A.4): a file whose pixel data is stored the other way than its encoding says is corrupt. Explicit VR little endian's
    /// UID and RLE's have the same length, so each case makes a file claim the other.</summary>
    [Theory]
    [InlineData("ct12s.dcm", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.5", "stores its pixel data whole, not in fragments")]
    [InlineData("ct12s-rle.dcm", "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.1",
        "declares uncompressed pixel data (1.2.840.10008.1.2.1) but stores it in fragments")]
    public void Pixel_data_stored_otherwise_than_its_encoding_says_is_refused_not_read_as_it_says(string fixture, string uid, string claimed, string expected)
    {
        byte[] file = File.ReadAllBytes(Fixture(fixture));
        Patch(file, System.Text.Encoding.ASCII.GetBytes(uid + "\0"), System.Text.Encoding.ASCII.GetBytes(claimed + "\0"));

        Assert.Contains(expected, Refusal(file));
    }

    [Fact]
    public void Ybr_422_of_odd_width_is_refused()
    {
        byte[] file = File.ReadAllBytes(Fixture("ybr422.dcm"));
        Patch(file, Us(0x0011, W), Us(0x0011, W - 1));

        var error = Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(file, 3, 8, 8));
        Assert.Contains("23 pixels wide", error.Message);
    }

    /// <summary>Where the data set starts: after the preamble, "DICM" and the file meta group (group 2, explicit VR).</summary>
    internal static int AfterMeta(byte[] file)
    {
        int at = 132;
        while (BitConverter.ToUInt16(file, at) == 2)
        {
            bool longForm = file[at + 4] == 'O' || file[at + 4] == 'U' && file[at + 5] == 'N';
            at += longForm ? 12 + BitConverter.ToInt32(file, at + 8) : 8 + BitConverter.ToUInt16(file, at + 6);
        }
        return at;
    }

    internal static void Patch(byte[] file, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        int at = file.AsSpan().IndexOf(from);
        Assert.True(at >= 0, "the bytes to patch are not in the fixture");
        Assert.Equal(-1, file.AsSpan(at + 1).IndexOf(from));
        to.CopyTo(file.AsSpan(at));
    }

    /// <summary>One US element of group 0028 as explicit VR little endian writes it: tag, "US", length 2, value.</summary>
    internal static byte[] Us(int element, int value) =>
        [0x28, 0x00, (byte)element, (byte)(element >> 8), (byte)'U', (byte)'S', 2, 0, (byte)value, (byte)(value >> 8)];

    /// <summary>A fixture with one byte changed: <paramref name="at"/> within <paramref name="written"/>, a run of bytes found
    /// once in it.</summary>
    internal static byte[] WithByte(string fixture, byte[] written, int at, byte value)
    {
        byte[] file = File.ReadAllBytes(Fixture(fixture));
        byte[] edited = (byte[])written.Clone();
        edited[at] = value;
        Patch(file, written, edited);
        return file;
    }

    /// <summary>The message the bytes are refused with, as damaged data.</summary>
    internal static string Refusal(byte[] file) => Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(file, 1, 8, 8)).Message;

    [Fact]
    public void A_folder_of_dicom_files_is_a_folder_of_images()
    {
        using var temp = new TempFolder();
        File.Copy(Fixture("ct12s.dcm"), temp.File("a.dcm"));
        File.Copy(Fixture("rgb.dcm"), temp.File("b.DCM"));
        File.Copy(Fixture("rgb.dcm"), temp.File("c.dicom"));
        // Scanners name files without an extension, or by a UID whose last part looks like one.
        File.Copy(Fixture("mono1.dcm"), temp.File("IM000001"));
        File.Copy(Fixture("mono1.dcm"), temp.File("1.2.840.113619.2.55.3.7"));
        File.Copy(Fixture("ct12s-nometa-ti.dcm"), temp.File("IM000002"));   // no Part 10 header (ACR-NEMA style)
        File.WriteAllBytes(temp.File("DICOMDIR"), File.ReadAllBytes(Fixture("mono1.dcm")));   // a medical CD's index, no image
        File.WriteAllText(temp.File("README"), "");
        File.WriteAllText(temp.File("scan.nii"), "");

        var (images, skipped) = MvtecFolder.ListImages(temp.Path);

        Assert.Equal(["1.2.840.113619.2.55.3.7", "IM000001", "IM000002", "a.dcm", "b.DCM", "c.dicom"], images.Select(Path.GetFileName));
        Assert.Equal(["DICOMDIR", "README", "scan.nii"], skipped.Select(Path.GetFileName));
        Assert.Equal(3, ImageFile.Load(images[4]).Channels);
        Assert.Equal((W, H), ImageFile.ReadSize(images[2]));
    }
}
