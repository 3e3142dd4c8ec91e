using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

public class ImageResizeTests
{
    [Theory]
    [InlineData(40, 40, 10, 10)]   // shrink
    [InlineData(37, 23, 11, 7)]    // non-integer shrink
    [InlineData(5, 7, 31, 29)]     // enlarge
    [InlineData(20, 8, 9, 30)]     // shrink one axis, enlarge the other
    public void Constant_image_stays_constant(int srcH, int srcW, int dstH, int dstW)
    {
        var src = new FloatImage(3, srcH, srcW, Enumerable.Repeat(0.37f, 3 * srcH * srcW).ToArray());

        FloatImage dst = ImageResize.Resize(src, dstH, dstW);

        Assert.Equal((3, dstH, dstW), (dst.Channels, dst.Height, dst.Width));
        Assert.All(dst.Pixels, v => Assert.Equal(0.37f, v, 1e-6f));
    }

    /// <summary>One side kept, the other changed: the image is resized, not returned as it was.</summary>
    [Fact]
    public void A_change_of_one_side_only_resizes()
    {
        var src = new FloatImage(1, 2, 4, [0f, 0.2f, 0.4f, 0.6f, 1f, 1f, 1f, 1f]);
        ImageFileTests.AssertClose(new FloatImage(1, 2, 2, [0.1f, 0.5f, 1f, 1f]), ImageResize.Resize(src, 2, 2), 1e-6f);
        var taller = ImageResize.Resize(src, 4, 4);
        Assert.Equal((4, 4), (taller.Height, taller.Width));
    }

    [Fact]
    public void Halving_averages_each_two_by_two_block_exactly()
    {
        var src = new FloatImage(1, 4, 4, [
            0.0f, 0.2f, 1.0f, 1.0f,
            0.4f, 0.6f, 0.5f, 0.5f,
            0.1f, 0.1f, 0.9f, 0.3f,
            0.1f, 0.1f, 0.7f, 0.1f]);

        FloatImage dst = ImageResize.Resize(src, 2, 2);

        Assert.Equal(0.3f, dst[0, 0, 0], 1e-6f);
        Assert.Equal(0.75f, dst[0, 0, 1], 1e-6f);
        Assert.Equal(0.1f, dst[0, 1, 0], 1e-6f);
        Assert.Equal(0.5f, dst[0, 1, 1], 1e-6f);
    }

    [Fact]
    public void Shrinking_by_a_non_integer_factor_preserves_the_mean()
    {
        var src = new FloatImage(1, 50, 70);
        var rng = new Random(1);
        for (int i = 0; i < src.Pixels.Length; i++) src.Pixels[i] = rng.NextSingle();

        FloatImage dst = ImageResize.Resize(src, 17, 23);

        Assert.Equal(src.Pixels.Average(), dst.Pixels.Average(), 1e-4);
    }

    [Fact]
    public void Enlarging_interpolates_bilinearly_between_pixel_centres()
    {
        var src = new FloatImage(1, 1, 2, [0f, 1f]);

        FloatImage dst = ImageResize.Resize(src, 3, 4);

        Assert.Equal((1, 3, 4), (dst.Channels, dst.Height, dst.Width));
        for (int y = 0; y < 3; y++)
        {
            Assert.Equal(0f, dst[0, y, 0], 1e-6f);
            Assert.Equal(0.25f, dst[0, y, 1], 1e-6f);
            Assert.Equal(0.75f, dst[0, y, 2], 1e-6f);
            Assert.Equal(1f, dst[0, y, 3], 1e-6f);
        }
        // Away from the first pixel too: 0, 1, 0 doubled is 0, 0.25, 0.75, 0.75, 0.25, 0.
        ImageFileTests.AssertClose(new FloatImage(1, 1, 6, [0f, 0.25f, 0.75f, 0.75f, 0.25f, 0f]),
            ImageResize.Resize(new FloatImage(1, 1, 3, [0f, 1f, 0f]), 1, 6), 1e-6f);
    }

    [Fact]
    public void Channels_are_resized_independently()
    {
        var src = new FloatImage(3, 6, 6);
        Array.Fill(src.Pixels, 0.2f, 0, 36);
        Array.Fill(src.Pixels, 0.5f, 36, 36);
        Array.Fill(src.Pixels, 0.9f, 72, 36);

        FloatImage dst = ImageResize.Resize(src, 4, 9);

        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 9; x++)
            {
                Assert.Equal(0.2f, dst[0, y, x], 1e-6f);
                Assert.Equal(0.5f, dst[1, y, x], 1e-6f);
                Assert.Equal(0.9f, dst[2, y, x], 1e-6f);
            }
    }

    [Fact]
    public void Same_size_returns_an_equal_copy()
    {
        FloatImage src = ImageFileTests.Gradient(3, 5, 7);
        FloatImage dst = ImageResize.Resize(src, 5, 7);
        Assert.NotSame(src.Pixels, dst.Pixels);
        Assert.Equal(src.Pixels, dst.Pixels);
    }

    [Fact]
    public void ResizeMask_uses_nearest_neighbour_and_keeps_zero_one()
    {
        var mask = new FloatImage(1, 2, 2, [1f, 0f, 0f, 1f]);

        FloatImage up = ImageResize.ResizeMask(mask, 4, 6);
        FloatImage down = ImageResize.ResizeMask(ImageResize.ResizeMask(mask, 8, 8), 2, 2);

        Assert.Equal((1, 4, 6), (up.Channels, up.Height, up.Width));
        Assert.All(up.Pixels, v => Assert.True(v is 0f or 1f));
        Assert.Equal(1f, up[0, 0, 0]); Assert.Equal(0f, up[0, 0, 5]);
        Assert.Equal(0f, up[0, 3, 0]); Assert.Equal(1f, up[0, 3, 5]);
        Assert.Equal(mask.Pixels, down.Pixels);
    }

    [Fact]
    public void Non_positive_size_is_rejected()
    {
        var src = new FloatImage(1, 4, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResize.Resize(src, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResize.ResizeMask(src, 4, -1));
    }
}
