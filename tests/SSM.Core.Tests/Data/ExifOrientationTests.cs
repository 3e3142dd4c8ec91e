using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>
/// Files come as photo viewers show them: a phone's EXIF orientation turns or mirrors the stored pixels, on every way in
/// (whole, resized from a path, resized from bytes) and in the size read from the header.
/// </summary>
public class ExifOrientationTests
{
    private const int StoredWidth = 48, StoredHeight = 32;

    /// <summary>Where the stored top-left (white) and top-right (black) corners are shown, per EXIF 2.3's definition of
    /// the tag: which sides the stored first row and first column become.</summary>
    public static TheoryData<int, string, string> Corners => new()
    {
        { 1, "top-left", "top-right" },       // as stored
        { 2, "top-right", "top-left" },       // mirrored left to right
        { 3, "bottom-right", "bottom-left" }, // half a turn
        { 4, "bottom-left", "bottom-right" }, // mirrored top to bottom
        { 5, "top-left", "bottom-left" },     // row 0 on the left, column 0 on top
        { 6, "top-right", "bottom-right" },   // row 0 on the right, column 0 on top: a portrait phone photo
        { 7, "bottom-right", "top-right" },   // row 0 on the right, column 0 at the bottom
        { 8, "bottom-left", "top-left" },     // row 0 on the left, column 0 at the bottom
    };

    [Theory]
    [MemberData(nameof(Corners))]
    public void Every_way_in_shows_the_photo_upright(int orientation, string white, string black)
    {
        using var temp = new TempFolder();
        byte[] jpeg = ExifJpeg.Marked(StoredWidth, StoredHeight, orientation);
        string path = temp.File("photo.jpg");
        File.WriteAllBytes(path, jpeg);
        bool turned = orientation >= 5;
        var (width, height) = turned ? (StoredHeight, StoredWidth) : (StoredWidth, StoredHeight);

        Assert.Equal((width, height), ImageFile.ReadSize(path));
        Assert.Equal((width, height), ImageFile.ReadSize(jpeg));
        var whole = ImageFile.Load(path, channels: 1);
        Assert.Equal((width, height), (whole.Width, whole.Height));
        AssertCorners(whole, white, black);
        // Resized to the same size, the streamed and byte readers must give exactly the whole image.
        Assert.Equal(whole.Pixels, ImageFile.LoadResized(path, 1, height, width).Pixels);
        Assert.Equal(whole.Pixels, ImageFile.DecodeResized(jpeg, 1, height, width).Pixels);
        var square = ImageFile.DecodeResized(jpeg, 3, 24, 24);
        Assert.Equal((width, height), square.SourceSize);
        AssertCorners(square, white, black);
    }

    /// <summary>A PNG's eXIf chunk turns it as JPEG's EXIF does (SkiaSharp reads only JPEG's: until 2026-12-03 these PNGs
    /// came out as stored), 8- and 16-bit, either byte order, its tag first or after another, on every way in; and is
    /// read as stored when asked.</summary>
    [Theory]
    [MemberData(nameof(Corners))]
    public void A_png_s_exif_chunk_turns_it_too(int orientation, string white, string black)
    {
        using var temp = new TempFolder();
        bool turned = orientation >= 5;
        var (width, height) = turned ? (StoredHeight, StoredWidth) : (StoredWidth, StoredHeight);
        foreach (var (sixteen, little, secondTag) in new[] { (false, false, false), (true, true, false), (false, true, true), (true, false, true) })
        {
            byte[] png = ExifPng.Marked(StoredWidth, StoredHeight, orientation, sixteen, little, secondTag);
            string path = temp.File($"photo-{sixteen}.png");
            File.WriteAllBytes(path, png);
            Assert.Equal((width, height), ImageFile.ReadSize(path));
            Assert.Equal(orientation != 1, ImageFile.IsTurned(path));
            var whole = ImageFile.Load(path, channels: 1);
            Assert.Equal((width, height), (whole.Width, whole.Height));
            AssertCorners(whole, white, black);
            Assert.Equal(whole.Pixels, ImageFile.LoadResized(path, 1, height, width).Pixels);
            Assert.Equal(whole.Pixels, ImageFile.DecodeResized(png, 1, height, width).Pixels);
            // As stored when asked.
            Assert.Equal((StoredWidth, StoredHeight), ImageFile.ReadSize(path, upright: false));
            var stored = ImageFile.Load(path, channels: 1, upright: false);
            Assert.Equal((StoredWidth, StoredHeight), (stored.Width, stored.Height));
            AssertCorners(stored, "top-left", "top-right");
        }
    }

    [Fact]
    public void IsTurned_reads_the_tag()
    {
        using var temp = new TempFolder();
        string Write(string name, byte[] bytes) { string path = temp.File(name); File.WriteAllBytes(path, bytes); return path; }
        Assert.True(ImageFile.IsTurned(Write("six.jpg", ExifJpeg.Marked(16, 8, 6))));
        Assert.True(ImageFile.IsTurned(Write("two.jpg", ExifJpeg.Marked(16, 8, 2))));
        Assert.False(ImageFile.IsTurned(Write("one.jpg", ExifJpeg.Marked(16, 8, 1))));
        Assert.False(ImageFile.IsTurned(Write("none.jpg", ExifJpeg.Marked(16, 8, null))));
        Assert.False(ImageFile.IsTurned(Write("text.jpg", "not an image"u8.ToArray())));
        Assert.False(ImageFile.IsTurned(temp.File("missing.jpg")));
        // The header read whole: the size as shown (turned a quarter: width and height swap), in one opening of the file.
        Assert.Equal(new ImageHeader(8, 16, StoresGray: false, Turned: true), ImageFile.ReadHeader(Write("six-h.jpg", ExifJpeg.Marked(16, 8, 6))));
        Assert.Equal(new ImageHeader(16, 8, StoresGray: false, Turned: false), ImageFile.ReadHeader(Write("none-h.jpg", ExifJpeg.Marked(16, 8, null))));
        Assert.Null(ImageFile.ReadHeader(temp.File("missing.jpg")));
        // The same from an upload's bytes; bytes that are no image have no header.
        Assert.Equal(new ImageHeader(8, 16, StoresGray: false, Turned: true), ImageFile.ReadHeader(ExifJpeg.Marked(16, 8, 6)));
        Assert.Null(ImageFile.ReadHeader("not an image"u8.ToArray()));
    }

    [Fact]
    public void An_upright_tag_reads_exactly_as_no_tag()
    {
        byte[] plain = ExifJpeg.Marked(StoredWidth, StoredHeight, orientation: null);
        byte[] tagged = ExifJpeg.WithOrientation(plain, 1);
        Assert.Equal(ImageFile.DecodeResized(plain, 3, 16, 16).Pixels, ImageFile.DecodeResized(tagged, 3, 16, 16).Pixels);
    }

    private static void AssertCorners(FloatImage image, string white, string black)
    {
        Assert.True(Corner(image, white) > 0.9f, $"white corner expected {white}: {Describe(image)}");
        Assert.True(Corner(image, black) < 0.1f, $"black corner expected {black}: {Describe(image)}");
    }

    private static string Describe(FloatImage image) =>
        string.Join(", ", new[] { "top-left", "top-right", "bottom-left", "bottom-right" }.Select(c => $"{c} {Corner(image, c):F2}"));

    /// <summary>The value of the first channel one pixel in from the named corner.</summary>
    private static float Corner(FloatImage image, string corner)
    {
        int x = corner.EndsWith("left") ? 1 : image.Width - 2, y = corner.StartsWith("top") ? 1 : image.Height - 2;
        return image.Pixels[y * image.Width + x];
    }
}
