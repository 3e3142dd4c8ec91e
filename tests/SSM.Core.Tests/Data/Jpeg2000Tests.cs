using SSM.Core.Data.Dicom;

namespace SSM.Core.Tests.Data;

/// <summary>
/// JPEG 2000 streams, as OpenJPEG and GDCM write them, decode to the samples that were coded. The files in Data/Jpeg2000
/// were written by opj_compress and gdcmconv (make_fixtures.py) from images whose samples are the formulas below, so each
/// is checked against what another program encoded, not against a writer of ours; lossy ones against opj_decompress.
/// </summary>
public class Jpeg2000Tests
{
    private const int W = 37, H = 23;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Jpeg2000", name);

    private static Jpeg2000.Image Decode(string file) =>
        Jpeg2000.Decode(File.ReadAllBytes(Fixture(file)), file);

    /// <summary>The formulas make_fixtures.py coded, by name: the sample of component c at (x, y).</summary>
    private static Func<int, int, int, int> Formula(string name) => name switch
    {
        "gray8" => (_, x, y) => (7 * x + 11 * y) % 256,
        "gray12" => (_, x, y) => (37 * x + 113 * y + 13 * (x * y % 7)) % 4096,
        "gray16" => (_, x, y) => (997 * x + 1999 * y + 13 * (x * y % 7)) % 65536,
        "signed12" => (_, x, y) => (37 * x + 113 * y + 13 * (x * y % 7)) % 4096 - 2048,
        "colour" => (c, x, y) => c switch { 0 => 10 * x % 256, 1 => 12 * y % 256, _ => 255 - (5 * x + 3 * y) % 256 },
        "pixel" => (_, _, _) => 1234,
        _ => throw new ArgumentException(name),
    };

    private static void AssertSamples(Jpeg2000.Image image,
                                      int width, int height, int components, Func<int, int, int, int> expected, int tolerance = 0)
    {
        Assert.Equal((components, width, height), (image.Components, image.Width, image.Height));
        Assert.Equal(width * height * components, image.Values.Length);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < components; c++)
                {
                    int actual = image.Values[(y * width + x) * components + c], wanted = expected(c, x, y);
                    Assert.True(Math.Abs(actual - wanted) <= tolerance, $"component {c} at ({x}, {y}): {actual} where {wanted} belongs");
                }
    }

    [Theory]
    [InlineData("gray12.j2k", "gray12", 12)]
    [InlineData("gray16.j2k", "gray16", 16)]
    [InlineData("gray12.jp2", "gray12", 12)]                   // a JP2 file: the codestream is found in its box
    [InlineData("gray12-layers.j2k", "gray12", 12)]            // four quality layers, the last lossless
    [InlineData("gray12-levels0.j2k", "gray12", 12)]           // no wavelet at all
    [InlineData("gray12-tiles.j2k", "gray12", 12)]             // 10x6 tiles from (3, 2), the image from (4, 5): tiles cut on every side
    [InlineData("gray12-tileparts.j2k", "gray12", 12)]         // each tile in one tile-part per resolution
    [InlineData("gray12-precincts.j2k", "gray12", 12)]         // 8x8, 4x4 and 2x2 precincts, 4x4 code-blocks
    [InlineData("gray12-sop-eph.j2k", "gray12", 12)]           // start-of-packet and end-of-packet-header markers
    [InlineData("gray12-poc.j2k", "gray12", 12)]               // a progression order change (POC) from LRCP to RPCL
    [InlineData("gray12-ppt.j2k", "gray12", 12)]               // packet headers packed in tile-part headers (PPT), their segments in reverse order
    [InlineData("gray8.j2k", "gray8", 8)]
    [InlineData("roi.j2k", "gray8", 8)]                        // a region of interest (RGN, maximum shift)
    public void Lossless_streams_decode_to_the_coded_samples_exactly(string file, string formula, int bits)
    {
        var image = Decode(file);

        AssertSamples(image, W, H, 1, Formula(formula));
        Assert.Equal((bits, false), (image.Bits, image.Signed));
    }

    [Theory]
    [InlineData("gray12-rlcp.j2k", "gray12")]
    [InlineData("gray12-rpcl.j2k", "gray12")]
    [InlineData("gray12-pcrl.j2k", "gray12")]
    [InlineData("colour-cprl.j2k", "colour")]
    public void Every_progression_order_decodes_exactly(string file, string formula)
    {
        var image = Decode(file);

        AssertSamples(image, W, H, formula == "colour" ? 3 : 1, Formula(formula));
    }

    [Theory]
    [InlineData("gray12-bypass.j2k")]          // -M 1: selective arithmetic coding bypass (raw segments)
    [InlineData("gray12-reset.j2k")]           // -M 2: contexts reset after each pass
    [InlineData("gray12-termall.j2k")]         // -M 4: termination on each pass
    [InlineData("gray12-causal.j2k")]          // -M 8: vertically causal contexts
    [InlineData("gray12-erterm.j2k")]          // -M 16: predictable termination
    [InlineData("gray12-segsym.j2k")]          // -M 32: segmentation symbols
    [InlineData("gray12-bypass-layers.j2k")]   // bypass and termination with four layers: segments that span packets
    public void Each_code_block_style_decodes_exactly(string file)
    {
        AssertSamples(Decode(file), W, H, 1, Formula("gray12"));
    }

    [Fact]
    public void All_code_block_styles_at_once_with_tiles_layers_and_cprl_decode_exactly()
    {
        AssertSamples(Decode("gray16-allmodes.j2k"), W, H, 1, Formula("gray16"));
    }

    [Theory]
    [InlineData("colour-rct.j2k")]      // the reversible component transform (RCT)
    [InlineData("colour-planes.j2k")]   // no component transform
    [InlineData("colour-ppm.j2k")]      // packet headers packed in the main header (PPM), tile-parts by resolution
    public void Colour_decodes_exactly_with_or_without_the_reversible_transform(string file)
    {
        var image = Decode(file);

        AssertSamples(image, W, H, 3, Formula("colour"));
        Assert.Equal(8, image.Bits);
    }

    [Fact]
    public void Signed_12_bit_samples_keep_their_sign()
    {
        var image = Decode("signed12.j2k");

        AssertSamples(image, W, H, 1, Formula("signed12"));
        Assert.Equal((12, true), (image.Bits, image.Signed));
        Assert.Contains(-2048, image.Values);
    }

    [Fact]
    public void Five_decomposition_levels_decode_exactly()
    {
        AssertSamples(Decode("gray12-levels5.j2k"), 70, 50, 1, Formula("gray12"));
    }

    [Fact]
    public void A_single_pixel_and_a_single_row_decode()
    {
        AssertSamples(Decode("pixel.j2k"), 1, 1, 1, Formula("pixel"));
        AssertSamples(Decode("row.j2k"), W, 1, 1, Formula("gray12"));
    }

    [Theory]
    [InlineData("gray12-lossy.j2k", "gray12-lossy.pgm")]
    [InlineData("gray16-lossy-layers.j2k", "gray16-lossy-layers.pgm")]
    [InlineData("colour-lossy.j2k", "colour-lossy.ppm")]                 // the irreversible component transform (ICT)
    [InlineData("colour-lossy-modes.j2k", "colour-lossy-modes.ppm")]     // with tiles, layers and five code-block styles
    public void Irreversible_streams_decode_within_one_of_opj_decompress(string file, string decoded)
    {
        var (expected, components, width, height) = ReadPnm(Fixture(decoded));

        AssertSamples(Decode(file), width, height, components, (c, x, y) => expected[(y * width + x) * components + c], tolerance: 1);
    }

    [Fact]
    public void Irreversible_samples_stay_near_the_image_coded()
    {
        var image = Decode("gray12-lossy.j2k");   // 6:1

        var error = image.Values.Select((v, i) => Math.Abs(v - Formula("gray12")(0, i % W, i / W))).Average();
        Assert.InRange(error, 0.01, 40);
        Assert.All(image.Values, v => Assert.InRange(v, 0, 4095));
    }

    [Theory]
    [InlineData("ct12s-j2k.dcm")]
    [InlineData("mr16u-j2k.dcm")]
    [InlineData("rgb-j2k.dcm")]
    public void Gdcm_dicom_frames_decode_to_the_images_they_came_from(string file)
    {
        using var stream = File.OpenRead(Fixture(file));
        var frame = DicomDataSet.Read(stream, file, withPixels: true).Frame;

        var image = Jpeg2000.Decode(frame, file);

        Func<int, int, int, int> expected = file switch
        {
            "ct12s-j2k.dcm" => (_, x, y) => -1000 + 37 * x + 113 * y,
            "mr16u-j2k.dcm" => (_, x, y) => 300 * x + 50 * y + 7,
            _ => (c, x, y) => c switch { 0 => 10 * x, 1 => 12 * y, _ => 255 - 5 * x },
        };
        AssertSamples(image, 24, 20, file == "rgb-j2k.dcm" ? 3 : 1, expected);
        Assert.Equal(file == "ct12s-j2k.dcm", image.Signed);
    }

    [Fact]
    public void Gdcm_lossy_dicom_frame_decodes_within_one_of_gdcm()
    {
        using var stream = File.OpenRead(Fixture("mr16u-j2k-lossy.dcm"));
        var frame = DicomDataSet.Read(stream, "mr16u-j2k-lossy.dcm", withPixels: true).Frame;
        var (expected, _, width, height) = ReadPnm(Fixture("mr16u-j2k-lossy.pgm"));

        AssertSamples(Jpeg2000.Decode(frame, "mr16u-j2k-lossy.dcm"), width, height, 1, (_, x, y) => expected[y * width + x], tolerance: 1);
    }

    [Theory]
    [InlineData("two-components.j2k", "has 2 components")]
    [InlineData("subsampled.j2k", "subsamples component 0 (2x2)")]
    public void What_is_not_read_is_refused_by_name(string file, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Decode(file));

        Assert.Contains(file, error.Message);
        Assert.Contains(expected, error.Message);
    }

    /// <summary>
    /// A component's own coding style (COC) and quantisation (QCC) override the main header's (COD, QCD; A.6.2, A.6.5).
    /// OpenJPEG writes them only when components differ, so the test makes them: gray12.j2k's COD is given one decomposition
    /// level instead of two and its QCD wrong exponents, and a COC and a QCC for component 0 after them hold the values
    /// the stream was coded with. A decoder reading the main header's decodes noise.
    /// </summary>
    [Fact]
    public void A_component_s_own_coding_style_and_quantisation_override_the_main_header_s()
    {
        byte[] data = File.ReadAllBytes(Fixture("gray12.j2k"));
        int cod = IndexOf(data, 0xFF, 0x52), qcd = IndexOf(data, 0xFF, 0x5C);
        Assert.Equal((2, 0x60), (data[cod + 9], data[qcd + 5]));   // SPcod's levels; the first exponent, 12 (ε << 3)
        byte[] coc = [0xFF, 0x53, 0x00, 0x09, 0x00, 0x00, .. data.AsSpan(cod + 9, 5)];   // component 0, no precincts, SPcod as coded
        byte[] qcc = [0xFF, 0x5D, 0x00, 0x0B, 0x00, .. data.AsSpan(qcd + 4, 8)];         // component 0, Sqcd and the 7 exponents
        data[cod + 9] = 1;
        for (int b = 0; b < 7; b++) data[qcd + 5 + b] = 0x48;   // exponent 9 for every subband
        byte[] edited = [.. data.AsSpan(0, qcd + 12), .. coc, .. qcc, .. data.AsSpan(qcd + 12)];

        AssertSamples(Jpeg2000.Decode(edited, "coc-qcc.j2k"), W, H, 1, Formula("gray12"));
        Assert.ThrowsAny<Exception>(() => AssertSamples(Jpeg2000.Decode(data, "wrong.j2k"), W, H, 1, Formula("gray12")));   // the main header alone is wrong
    }

    [Fact]
    public void A_last_tile_part_of_unstated_length_runs_to_the_end_marker()
    {
        byte[] data = File.ReadAllBytes(Fixture("gray12.j2k"));
        int sot = IndexOf(data, 0xFF, 0x90);
        Assert.NotEqual(0, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(sot + 6)));
        data.AsSpan(sot + 6, 4).Clear();   // Psot 0: the tile-part runs to the end-of-codestream marker (A.4.2)
        byte[] padded = [.. data, 0, 0, 0];   // which zeros may follow, as some writers pad

        AssertSamples(Jpeg2000.Decode(data, "psot0.j2k"), W, H, 1, Formula("gray12"));
        AssertSamples(Jpeg2000.Decode(padded, "psot0-padded.j2k"), W, H, 1, Formula("gray12"));
    }

    [Fact]
    public void A_region_of_interest_coded_otherwise_than_by_the_maximum_shift_is_refused_by_name()
    {
        var data = File.ReadAllBytes(Fixture("roi.j2k"));
        data[IndexOf(data, 0xFF, 0x5E) + 5] = 1;   // Srgn: a style Part 1 does not define

        var error = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(data, "roi1.j2k"));

        Assert.Contains("roi1.j2k", error.Message);
        Assert.Contains("region of interest in style 1", error.Message);
    }

    [Fact]
    public void Htj2k_code_blocks_are_refused_by_name()
    {
        var data = File.ReadAllBytes(Fixture("gray8.j2k"));
        int cod = IndexOf(data, 0xFF, 0x52);
        data[cod + 12] = 0x40;   // SPcod's code-block style: HT code-blocks (Part 15)

        var error = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(data, "ht.j2k"));

        Assert.Contains("HTJ2K", error.Message);
    }

    [Fact]
    public void An_image_declared_too_large_is_refused_before_anything_is_allocated()
    {
        var data = File.ReadAllBytes(Fixture("gray8.j2k"));
        data[8] = data[12] = 0x7F;   // Xsiz and Ysiz about 2^31

        var error = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(data, "huge.j2k"));

        Assert.Contains("huge.j2k", error.Message);
    }

    [Theory]
    [InlineData("gray12.j2k")]
    [InlineData("colour-cprl.j2k")]
    [InlineData("gray12-tiles.j2k")]
    [InlineData("gray12.jp2")]
    public void Every_truncation_is_refused_with_invalid_data(string file)
    {
        var data = File.ReadAllBytes(Fixture(file));

        for (int cut = 0; cut < data.Length - 2; cut += data.Length > 600 ? 3 : 1)
        {
            var error = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(data[..cut], file));
            Assert.Contains(file, error.Message);
        }
    }

    [Fact]
    public void A_stream_without_its_end_marker_after_a_whole_tile_part_is_read_as_openjpeg_reads_it()
    {
        var data = File.ReadAllBytes(Fixture("gray12.j2k"));

        AssertSamples(Jpeg2000.Decode(data[..^2], "noeoc.j2k"), W, H, 1, Formula("gray12"));
    }

    [Fact]
    public void More_tile_parts_than_declared_are_read_and_fewer_are_refused()
    {
        var data = File.ReadAllBytes(Fixture("gray12-tileparts.j2k"));   // two tile-parts (one per resolution) in each of six tiles
        var sots = Enumerable.Range(0, data.Length - 1).Where(i => data[i] == 0xFF && data[i + 1] == 0x90).ToArray();
        var under = (byte[])data.Clone();
        foreach (int sot in sots) under[sot + 11] = 1;   // TNsot: an old OpenJPEG's miscount (pydicom's GDCMJ2K_TextGBR.dcm)
        var over = (byte[])data.Clone();
        foreach (int sot in sots) over[sot + 11] = 3;

        AssertSamples(Jpeg2000.Decode(under, "under.j2k"), W, H, 1, Formula("gray12"));
        var error = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(over, "over.j2k"));
        Assert.Contains("2 of tile 0's 3 tile-parts", error.Message);
    }

    [Fact]
    public void Damaged_streams_decode_or_are_refused_with_invalid_data_and_never_hang()
    {
        string[] files = ["gray12.j2k", "colour-rct.j2k", "gray16-allmodes.j2k", "gray12-sop-eph.j2k", "colour-lossy-modes.j2k", "gray12-poc.j2k",
                          "gray12-ppt.j2k", "colour-ppm.j2k", "roi.j2k"];
        var random = new Random(2026);
        int refused = 0;
        for (int k = 0; k < 900; k++)
        {
            var data = File.ReadAllBytes(Fixture(files[k % files.Length]));
            int changes = 1 + random.Next(4), within = k % 2 == 0 ? Math.Min(data.Length, 160) : data.Length;   // headers, or anywhere
            for (int j = 0; j < changes; j++) data[random.Next(within)] = (byte)random.Next(256);
            if (k % 5 == 0) data = data[..random.Next(data.Length)];

            var error = Record.Exception(() => Jpeg2000.Decode(data, "damaged.j2k"));

            if (error is null) continue;
            Assert.IsType<InvalidDataException>(error);
            Assert.Contains("damaged.j2k", error.Message);
            refused++;
        }
        Assert.InRange(refused, 100, 900);
    }

    private static int IndexOf(byte[] data, byte a, byte b)
    {
        for (int i = 0; i + 1 < data.Length; i++) if (data[i] == a && data[i + 1] == b) return i;
        throw new InvalidOperationException("marker not found");
    }

    /// <summary>A binary PGM or PPM as opj_decompress and make_fixtures.py write them (comments allowed): samples interleaved, 16-bit big-endian above 255.</summary>
    private static (int[] Samples, int Components, int Width, int Height) ReadPnm(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int pos = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)bytes[pos]) || bytes[pos] == '#')
                if (bytes[pos] == '#') while (bytes[pos] != '\n') pos++;   // a comment, as opj_decompress writes one
                else pos++;
            int start = pos;
            while (!char.IsWhiteSpace((char)bytes[pos])) pos++;
            return System.Text.Encoding.ASCII.GetString(bytes, start, pos - start);
        }
        int components = Token() == "P6" ? 3 : 1;
        int width = int.Parse(Token()), height = int.Parse(Token()), max = int.Parse(Token());
        pos++;
        var samples = new int[width * height * components];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = max > 255 ? bytes[pos + 2 * i] << 8 | bytes[pos + 2 * i + 1] : bytes[pos + i];
        return (samples, components, width, height);
    }

    /// <summary>JPEG 2000 files on their own (.jp2, .j2k) are images like any other: full depth over their bits' range,
    /// signed samples shifted to start at 0, the size from the header without decoding, listed in folders.</summary>
    [Theory]
    [InlineData("gray12.j2k", "gray12", 12)]
    [InlineData("gray12.jp2", "gray12", 12)]
    [InlineData("gray16.j2k", "gray16", 16)]
    [InlineData("signed12.j2k", "signed12", 12)]
    [InlineData("colour-rct.j2k", "colour", 8)]
    public void A_jpeg_2000_file_loads_as_an_image_at_full_depth(string file, string formula, int bits)
    {
        int channels = formula == "colour" ? 3 : 1;
        var image = SSM.Core.Data.ImageFile.Load(Fixture(file));

        Assert.Equal((channels, H, W), (image.Channels, image.Height, image.Width));
        double offset = formula == "signed12" ? 2048 : 0, full = (1 << bits) - 1;
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.Equal((Formula(formula)(c, x, y) + offset) / full, image[c, y, x], 1e-6);
        Assert.Equal(new SSM.Core.Data.ImageHeader(W, H, StoresGray: channels == 1, Turned: false), SSM.Core.Data.ImageFile.ReadHeader(Fixture(file)));
        Assert.Equal((W, H), SSM.Core.Data.ImageFile.ReadSize(File.ReadAllBytes(Fixture(file))));
        var small = SSM.Core.Data.ImageFile.LoadResized(Fixture(file), 1, 6, 8);
        Assert.Equal((1, 6, 8), (small.Channels, small.Height, small.Width));
    }

    [Fact]
    public void A_folder_lists_jpeg_2000_files_and_a_damaged_one_is_refused_by_name()
    {
        using var temp = new TempFolder();
        File.Copy(Fixture("gray12.jp2"), temp.File("a.jp2"));
        File.Copy(Fixture("gray12.j2k"), temp.File("b.J2K"));
        File.Copy(Fixture("gray8.j2k"), temp.File("c.j2c"));
        File.WriteAllBytes(temp.File("d.jp2"), File.ReadAllBytes(Fixture("gray12.jp2"))[..200]);

        var (images, _) = SSM.Core.Data.MvtecFolder.ListImages(temp.Path);

        Assert.Equal(["a.jp2", "b.J2K", "c.j2c", "d.jp2"], images.Select(Path.GetFileName));
        var e = Assert.Throws<InvalidDataException>(() => SSM.Core.Data.ImageFile.Load(temp.File("d.jp2")));
        Assert.Contains("d.jp2' holds a JPEG 2000 stream", e.Message);
    }

    [Fact]
    public void A_lossy_dicom_frame_that_overshoots_the_file_s_bits_is_clamped_not_cut_to_its_low_bits()
    {
        // A checkerboard of 0 and 4095, 12 bits stored; GDCM's 16-bit stream lets the 9/7 overshoot 4095 (to 5015), and
        // cutting such a value to its 12 low bits made white pixels black.
        string file = Fixture("checker12-j2k-lossy.dcm");
        using var stream = File.OpenRead(file);
        var coded = Jpeg2000.Decode(DicomDataSet.Read(stream, file, withPixels: true).Frame, file).Values;
        Assert.Contains(coded, v => v > 4095);

        var image = SSM.Core.Data.ImageFile.Load(file);

        for (int i = 0; i < coded.Length; i++) Assert.Equal(Math.Clamp(coded[i], 0, 4095) / 4095.0, image.Pixels[i], 1e-6);
    }

    [Fact]
    public void A_stream_s_own_colour_transform_gives_rgb_whatever_the_dicom_file_calls_it()
    {
        // The RCT stream of colour-rct.j2k in a file labelled YBR_FULL, which PS3.5 would call YBR_RCT: converting it again
        // from YCbCr turned blue into dark red.
        var image = SSM.Core.Data.ImageFile.Load(Fixture("colour-mct-as-ybrfull.dcm"));

        for (int c = 0; c < 3; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.Equal(Formula("colour")(c, x, y) / 255.0, image[c, y, x], 1e-6);
    }

    [Fact]
    public void Frames_without_an_offset_table_are_told_apart_when_the_first_lacks_its_end_marker()
    {
        var image = SSM.Core.Data.ImageFile.Load(Fixture("frames-noeoc.dcm"));

        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                Assert.Equal(Formula("gray8")(0, x, y) / 255.0, image[0, y, x], 1e-6);
        Assert.Equal(2, SSM.Core.Data.ImageFile.ReadHeader(Fixture("frames-noeoc.dcm"))?.Frames);
    }

    [Fact]
    public void A_dicom_frame_of_another_size_than_the_file_declares_is_refused_before_it_is_decoded()
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s-j2k.dcm"));
        ReadOnlySpan<byte> rows = [0x28, 0x00, 0x10, 0x00, (byte)'U', (byte)'S', 2, 0, 20, 0];
        int at = file.AsSpan().IndexOf(rows);
        file[at + 8] = 19;

        var e = Assert.Throws<InvalidDataException>(() => SSM.Core.Data.ImageFile.DecodeResized(file, 1, 8, 8));

        Assert.Contains("holds a 24x20 JPEG 2000 image of 1 components for a 24x19 image of 1", e.Message);
    }

    /// <summary>gray12.jp2's colour specification box: 'colr', method 1 (enumerated), precedence, approximation, then the
    /// colour space (4 bytes), 17: greyscale.</summary>
    [Theory]
    [InlineData("colr", 18, "is a JP2 file in colour space 18 (sRGB and greyscale are read)")]   // sYCC
    [InlineData("pclr", 17, "is a JP2 file whose samples index a palette (pclr box)")]           // the box made a palette's
    public void A_jp2_file_whose_colours_need_more_than_its_samples_is_refused_by_name(string box, byte space, string expected)
    {
        byte[] data = File.ReadAllBytes(Fixture("gray12.jp2"));
        int colr = IndexOf(data, (byte)'c', (byte)'o');
        Assert.Equal("colr"u8.ToArray(), data[colr..(colr + 4)]);
        System.Text.Encoding.ASCII.GetBytes(box).CopyTo(data, colr);
        data[colr + 10] = space;

        var error = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(data, "colours.jp2"));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_jp2_file_whose_channels_are_in_another_order_is_refused_by_name(bool reordered)
    {
        static byte[] Box(string type, params byte[][] parts) =>
            [.. BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(8 + parts.Sum(p => p.Length))),
             .. System.Text.Encoding.ASCII.GetBytes(type), .. parts.SelectMany(p => p)];
        static byte[] U16(int v) => [(byte)(v >> 8), (byte)v];
        static byte[] U32(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
        int[] colours = reordered ? [3, 2, 1] : [1, 2, 3];
        byte[] jp2 =
        [
            .. Box("jP  ", [0x0D, 0x0A, 0x87, 0x0A]),
            .. Box("ftyp", "jp2 "u8.ToArray(), U32(0), "jp2 "u8.ToArray()),
            .. Box("jp2h",
                Box("ihdr", U32(H), U32(W), U16(3), [7, 7, 0, 0]),
                Box("colr", [1, 0, 0], U32(16)),
                Box("cdef", [.. U16(3), .. colours.SelectMany((colour, channel) => (byte[])[.. U16(channel), .. U16(0), .. U16(colour)])])),
            .. Box("jp2c", File.ReadAllBytes(Fixture("colour-rct.j2k"))),
        ];

        if (!reordered)
        {
            AssertSamples(Jpeg2000.Decode(jp2, "identity.jp2"), W, H, 3, Formula("colour"));
            return;
        }
        var e = Assert.Throws<InvalidDataException>(() => Jpeg2000.Decode(jp2, "reordered.jp2"));
        Assert.Contains("reordered.jp2 holds a JPEG 2000 stream that is a JP2 file whose channels are in another order", e.Message);
    }
}
