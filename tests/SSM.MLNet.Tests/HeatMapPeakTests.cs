namespace SSM.MLNet.Tests;

/// <summary>A user locating defects (a walkthrough's 2048 x 1536 parts) needs the map's peak in the image's own pixels.</summary>
public sealed class HeatMapPeakTests
{
    [Fact]
    public void The_peak_is_the_centre_of_the_highest_cell_stretched_to_the_image()
    {
        var map = new float[16];
        map[1 * 4 + 3] = 5f;   // row 1, column 3
        map[2 * 4 + 0] = 5f;   // as high, later: the first one counts

        var (x, y, value) = SsmHeatMap.Peak(map, 4, width: 400, height: 200);

        Assert.Equal((350, 75, 5f), (x, y, value));   // (3.5 x 100, 1.5 x 50)
        Assert.Equal((0, 0, 1f), SsmHeatMap.Peak([1f], 1, 1, 1));
        Assert.Throws<ArgumentException>(() => SsmHeatMap.Peak(map, 3, 400, 200));
        Assert.Throws<ArgumentOutOfRangeException>(() => SsmHeatMap.Peak(map, 4, 0, 200));
        Assert.Equal("side", Assert.Throws<ArgumentOutOfRangeException>(() => SsmHeatMap.Peak(map, 0, 400, 200)).ParamName);
    }
}
