using SSM.Core.Data;
using static SSM.Core.Tests.Data.DicomFileTests;

namespace SSM.Core.Tests.Data;

/// <summary>
/// The attributes that size a DICOM file's pixels (rows, columns, bits allocated and stored, high bit) are checked before a
/// sample is read: a damaged or hand-edited header is refused with the attribute it got wrong, not decoded into noise.
/// Each case edits one value of ct12s.dcm (explicit VR little endian, 24x20, 12 bits stored in 16, high bit 11).
/// </summary>
public class DicomPixelAttributesTests
{
    private static byte[] Edited(int element, int from, int to, string fixture = "ct12s.dcm")
    {
        byte[] file = File.ReadAllBytes(Fixture(fixture));
        Patch(file, Us(element, from), Us(element, to));
        return file;
    }

    [Theory]
    [InlineData(0x0101, 12, 17, "17-bit samples in 16 bits")]     // more bits stored than allocated
    [InlineData(0x0101, 12, 0, "0-bit samples in 16 bits")]
    [InlineData(0x0100, 16, 12, "12-bit samples in 12 bits")]     // allocated neither 8 nor 16
    [InlineData(0x0102, 11, 10, "high bit at 10 for 12-bit samples in 16 bits")]   // the stored bits would not fit under it
    [InlineData(0x0102, 11, 16, "high bit at 16 for 12-bit samples in 16 bits")]   // above the word
    [InlineData(0x0010, 20, 21, "960 bytes of pixel data where one 24x21 frame needs")]
    public void Pixel_attributes_at_odds_with_each_other_or_the_data_are_refused_by_what_is_wrong(int element, int from, int to, string expected)
    {
        byte[] file = Edited(element, from, to);

        Assert.Contains(expected, Refusal(file));
    }

    [Fact]
    public void A_size_that_claims_gigabytes_is_refused_before_anything_is_allocated()
    {
        byte[] file = Edited(0x0010, 20, 65535);
        Patch(file, Us(0x0011, 24), Us(0x0011, 65535));

        Assert.Contains("is too large (65535x65535, 1 samples per pixel)", Refusal(file));
    }

    [Fact]
    public void Without_a_high_bit_the_stored_bits_are_the_lowest()
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s.dcm"));
        // (0028,0102) renamed to (0028,0104), an attribute the reader skips: the file no longer states its high bit.
        Patch(file, Us(0x0102, 11), Us(0x0104, 11));

        AssertPixels(ImageFile.DecodeResized(file, 1, 20, 24), 1, (_, x, y) => CtShown(x, y), 1e-6);
    }

    [Fact]
    public void A_single_row_is_an_image()
    {
        byte[] file = Edited(0x0010, 20, 1);

        Assert.Equal((24, 1), ImageFile.ReadSize(file));
        var image = ImageFile.DecodeResized(file, 1, 1, 24);
        for (int x = 0; x < 24; x++) Assert.Equal(CtShown(x, 0), image[0, 0, x], 1e-6);
    }

    /// <summary>A compressed frame carries its own size, which must be the image's: a frame of another size is refused, not
    /// cropped, padded or read past.</summary>
    [Theory]
    [InlineData("ct12s-jpeg-sv1.dcm", "holds a 24x20 JPEG of 1 components for a 24x21 image of 1")]   // lossless JPEG
    [InlineData("rgb-jpeg.dcm", "holds a 24x20 JPEG for a 24x21 image")]                               // baseline JPEG
    [InlineData("ct12s-jpegls.dcm", "its frame is 24x20 with 1 components, the file's image 24x21 with 1")]
    [InlineData("ct12s-rle.dcm", "holds RLE pixel data that cannot be decoded")]   // RLE states no size: its segments run out first
    public void A_compressed_frame_of_another_size_than_the_image_is_refused(string fixture, string expected)
    {
        byte[] file = Edited(0x0010, 20, 21, fixture);

        Assert.Contains(expected, Refusal(file));
    }

    [Theory]
    [InlineData("rgb.dcm", "RGB ", "HSV ", "in HSV with 3 samples per pixel")]                           // a colour model not read here
    [InlineData("ct12s.dcm", "MONOCHROME2 ", "RGB         ", "in RGB with 1 samples per pixel")]         // colour with one sample
    public void A_colour_model_not_read_here_or_at_odds_with_the_samples_is_refused_by_name(string fixture, string from, string to, string expected)
    {
        byte[] file = File.ReadAllBytes(Fixture(fixture));
        Patch(file, System.Text.Encoding.ASCII.GetBytes(from), System.Text.Encoding.ASCII.GetBytes(to));

        string refusal = Refusal(file);
        Assert.Contains(expected, refusal);
        Assert.Contains("this reader takes MONOCHROME1, MONOCHROME2, RGB, YBR_FULL and YBR_FULL_422", refusal);
    }
}
