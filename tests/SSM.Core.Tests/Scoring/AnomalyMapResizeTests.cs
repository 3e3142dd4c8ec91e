using SSM.Core.Scoring;

namespace SSM.Core.Tests.Scoring;

public class AnomalyMapResizeTests
{
    [Fact]
    public void MapIsBroughtBackToTheOriginalSizeKeepingWhereTheAnomalyIs()
    {
        // 4x4 map, hot top-left quadrant; the original image was 40 wide and 20 high.
        var map = new float[16];
        map[0] = map[1] = map[4] = map[5] = 1f;
        var resized = AnomalyMapResize.ToImageSize(map, 4, 20, 40);
        Assert.Equal(20 * 40, resized.Length);
        Assert.Equal(1f, resized[2 * 40 + 2], 5);          // inside the hot quadrant
        Assert.Equal(0f, resized[17 * 40 + 37], 5);        // far corner stays cold
        Assert.True(resized[2 * 40 + 2] > resized[2 * 40 + 30]);
    }

    [Fact]
    public void ShrinkingAveragesAndSameSizeCopies()
    {
        var map = Enumerable.Range(0, 16).Select(i => i / 16f).ToArray();   // maps are 1 - GMS, in [0, 1]
        var same = AnomalyMapResize.ToImageSize(map, 4, 4, 4);
        Assert.Equal(map, same);
        Assert.NotSame(map, same);
        var half = AnomalyMapResize.ToImageSize(map, 4, 2, 2);
        Assert.Equal((0 + 1 + 4 + 5) / 64f, half[0], 5);
    }

    [Fact]
    public void StandardisedValuesKeepTheirRange()
    {
        // Maps in standard deviations: 6 and -2 must survive enlarging and shrinking, where an image's values are clamped.
        var map = Enumerable.Range(0, 16).Select(i => i < 8 ? 6f : -2f).ToArray();
        var large = AnomalyMapResize.ToImageSize(map, 4, 40, 40);
        Assert.Equal(6f, large[0], 5);
        Assert.Equal(-2f, large[^1], 5);
        Assert.Equal(2f, AnomalyMapResize.ToImageSize(map, 4, 1, 1)[0], 5);
    }

    /// <summary>An image that keeps one side of the map is still resized along the other: the map must overlay it.</summary>
    [Fact]
    public void AnImageOfTheMapsHeightButAnotherWidthIsResizedAlongItsWidth()
    {
        var map = Enumerable.Range(0, 16).Select(i => (float)(i / 4)).ToArray();   // each row its own value
        var wide = AnomalyMapResize.ToImageSize(map, 4, 4, 12);
        Assert.Equal(4 * 12, wide.Length);
        for (int y = 0; y < 4; y++) Assert.All(wide[(y * 12)..((y + 1) * 12)], v => Assert.Equal(y, v, 5));
        Assert.Equal(4 * 2, AnomalyMapResize.ToImageSize(map, 4, 4, 2).Length);
        Assert.Equal(8 * 4, AnomalyMapResize.ToImageSize(map, 4, 8, 4).Length);
    }

    [Fact]
    public void WrongLengthIsRejectedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => AnomalyMapResize.ToImageSize(new float[10], 4, 8, 8));
        Assert.Equal("map", e.ParamName);
        Assert.StartsWith("A 4x4 map has 16 values, got 10.", e.Message);
        Assert.Throws<ArgumentNullException>(() => AnomalyMapResize.ToImageSize(null!, 4, 8, 8));
    }
}
