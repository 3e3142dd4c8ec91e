using SSM.Core.Data;
using static SSM.Core.Tests.Data.DicomFileTests;

namespace SSM.Core.Tests.Data;

/// <summary>
/// JPEG-LS streams (T.87) as DICOM files hold them: their headers are checked against the image, and what the decoder does
/// not read is refused by name. Their coding parameters (C.2.4.1.1: MAXVAL, the thresholds T1-T3 that quantize the
/// gradients into contexts, RESET) are either stated in an LSE segment or left to the defaults the standard computes; a
/// decoder that computes them otherwise decodes every sample after the first few wrong. DCMTK (CharLS) states the defaults
/// unless it codes in cooked mode (+pc), so the tests can hide them, change them, or do without them.
/// </summary>
public class JpegLsStreamTests
{
    /// <summary>ct12s-jpegls.dcm's LSE segment: preset parameters (id 1), MAXVAL 65535 and T.87's defaults for it (T1 18, T2 67,
    /// T3 276, RESET 64).</summary>
    private static readonly byte[] Ct12sParameters = [0xFF, 0xF8, 0x00, 0x0D, 0x01, 0xFF, 0xFF, 0x00, 0x12, 0x00, 0x43, 0x01, 0x14, 0x00, 0x40];

    [Theory]
    [InlineData("ct12s-jpegls.dcm")]        // lossless: T1 18, T2 67, T3 276
    [InlineData("mr16u-jpegls-near.dcm")]   // NEAR 2: T1 24, T2 77, T3 290
    public void Parameters_left_unstated_are_the_defaults_the_standard_computes(string file)
    {
        byte[] stated = File.ReadAllBytes(Fixture(file));
        byte[] unstated = (byte[])stated.Clone();
        // The LSE marker (FF F8) made a comment's (FF FE): the same bytes, which the decoder now skips.
        Patch(unstated, [0xFF, 0xF8, 0x00, 0x0D, 0x01], [0xFF, 0xFE, 0x00, 0x0D, 0x01]);

        Assert.Equal(ImageFile.DecodeResized(stated, 1, 20, 24).Pixels, ImageFile.DecodeResized(unstated, 1, 20, 24).Pixels);
    }

    /// <summary>Noise, where every context, sign and Golomb parameter occurs, coded by DCMTK in cooked mode: no LSE segment,
    /// so every threshold is the decoder's own default, for MAXVAL 4095 (12 bits) and 255 (8-bit colour).</summary>
    [Theory]
    [InlineData("noise12-jpegls.dcm", "noise12.dcm", 0)]
    [InlineData("noise12-jpegls-near.dcm", "noise12.dcm", 2 / 4095.0)]   // NEAR 2
    [InlineData("noise-rgb-jpegls.dcm", "noise-rgb.dcm", 0)]             // line-interleaved
    public void Noise_coded_with_the_default_parameters_decodes_to_its_samples(string file, string uncompressed, double near)
    {
        var exact = ImageFile.Load(Fixture(uncompressed));
        var decoded = ImageFile.Load(Fixture(file));

        Assert.Equal((exact.Channels, exact.Height, exact.Width), (decoded.Channels, decoded.Height, decoded.Width));
        Assert.All(exact.Pixels.Zip(decoded.Pixels), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, near + 1e-7));
        if (near > 0) Assert.NotEqual(exact.Pixels, decoded.Pixels);   // lossy: not every sample is kept
    }

    [Theory]
    [InlineData(10, 0x10, "its coding parameters are inconsistent")]   // T2 16, below T1 18
    [InlineData(5, 0x00, "its coding parameters are inconsistent")]    // MAXVAL 255, below T3 276
    [InlineData(14, 0x02, "its coding parameters are inconsistent")]   // RESET 2, below the least T.87 allows (3)
    [InlineData(4, 0x02, "mapping tables or oversize dimensions")]    // an LSE of another kind
    public void Stated_parameters_that_cannot_be_an_encoders_are_refused(int at, byte value, string expected)
    {
        Assert.Contains(expected, Refusal(WithByte("ct12s-jpegls.dcm", Ct12sParameters, at, value)));
    }

    [Theory]
    [InlineData(10, 0x17, "its frame is 23x20 with 1 components, the file's image 24x20 with 1")]
    [InlineData(8, 0x15, "its frame is 24x21 with 1 components, the file's image 24x20 with 1")]
    [InlineData(11, 0x03, "its frame is 24x20 with 3 components, the file's image 24x20 with 1")]
    [InlineData(5, 0x07, "its frame header is short")]     // a length of 7 leaves 5 bytes, not the 6 before the components
    [InlineData(1, 0xFE, "it does not start a JPEG-LS stream")]   // its start-of-image marker damaged
    [InlineData(3, 0xC3, "it is coded with JPEG process SOF3, not JPEG-LS")]   // a lossless JPEG frame header in its place
    public void A_stream_at_odds_with_the_dicom_image_is_refused_by_what_differs(int at, byte value, string expected)
    {
        // SOI, then SOF55: length 11, 16 bits, 20 rows, 24 columns, 1 component.
        byte[] header = [0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x10, 0x00, 0x14, 0x00, 0x18, 0x01];

        Assert.Contains(expected, Refusal(WithByte("ct12s-jpegls.dcm", header, at, value)));
    }

    /// <summary>What T.87 allows and this decoder does not read is refused by name, so that the user knows to decompress
    /// the file elsewhere. ct12s-jpegls.dcm's scan header: 1 component (id 1), table 0, NEAR 0, ILV 0, point transform 0.</summary>
    [Theory]
    [InlineData(9, 0x01, "it uses a point transform (not read here)")]
    [InlineData(6, 0x01, "it uses mapping tables (not read here)")]
    public void A_scan_using_what_is_not_read_here_is_refused_by_name(int at, byte value, string expected)
    {
        byte[] header = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00];

        Assert.Contains(expected, Refusal(WithByte("ct12s-jpegls.dcm", header, at, value)));
    }

    [Fact]
    public void Restart_intervals_are_refused_by_name()
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s-jpegls.dcm"));
        // The LSE segment (15 bytes, which states the defaults) becomes a restart interval of 16 lines (DRI, 6 bytes) and a
        // comment (9 bytes).
        Patch(file, Ct12sParameters, [0xFF, 0xDD, 0x00, 0x04, 0x00, 0x10, 0xFF, 0xFE, 0x00, 0x07, 0, 0, 0, 0, 0]);

        Assert.Contains("it uses restart intervals (not read here)", Refusal(file));
    }
}
