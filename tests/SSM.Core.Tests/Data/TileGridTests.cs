using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

public class TileGridTests
{
    private static FloatImage Numbered(int channels, int width, int height) =>
        new(channels, height, width, [.. Enumerable.Range(0, channels * width * height).Select(i => i / (float)(channels * width * height))]);

    [Fact]
    public void CutTilesLeftToRightThenDown_AndStitchPutsThemBack()
    {
        var image = Numbered(3, 24, 16);   // read size of 3 x 2 tiles of 8: not resized
        var grid = new TileGrid(3, 2, Overlapping: false);
        var tiles = grid.Cut(image, 8);
        Assert.Equal(6, tiles.Length);
        for (int t = 0; t < 6; t++)
        {
            int row = t / 3, column = t % 3;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                        Assert.Equal(image[c, row * 8 + y, column * 8 + x], tiles[t][c, y, x]);
        }
        // The map of each tile back in its place: the image's first plane, 24 wide and 16 high.
        var maps = tiles.Select(t => t.Pixels[..64]).ToList();
        Assert.Equal(image.Pixels[..(24 * 16)], grid.Stitch(maps, 8));
    }

    /// <summary>Overlapping tiles start half a tile apart, so a defect on a side-by-side border lies whole inside one; the
    /// stitched map shows each pixel at the highest value of the tiles that cover it, at the image's read size.</summary>
    [Fact]
    public void OverlappingTilesStartHalfATileApart_AndStitchShowsEachPixelsHighestTile()
    {
        var image = Numbered(1, 24, 16);
        var grid = new TileGrid(3, 2, Overlapping: true);
        Assert.Equal((5, 3, 15), (grid.Across, grid.Down, grid.Count));
        var tiles = grid.Cut(image, 8);
        Assert.Equal(15, tiles.Length);
        for (int t = 0; t < 15; t++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    Assert.Equal(image[0, t / 5 * 4 + y, t % 5 * 4 + x], tiles[t][0, y, x]);
        // Each tile's map holds its tile's number, so the stitched map names, for every pixel, the last row and column of
        // tiles (starting every 4 px) that covers it.
        var maps = Enumerable.Range(0, 15).Select(t => Enumerable.Repeat((float)t, 64).ToArray()).ToList();
        var map = grid.Stitch(maps, 8);
        Assert.Equal(24 * 16, map.Length);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 24; x++)
                Assert.Equal(Math.Min(2, y / 4) * 5 + Math.Min(4, x / 4), map[y * 24 + x]);
        // The pixels are put back: every tile that holds a pixel holds its value.
        Assert.Equal(image.Pixels, grid.Stitch([.. tiles.Select(t => t.Pixels)], 8));
    }

    /// <summary>A tile's value near its own edge, where a tile beside it covers the pixel more centrally, still shows: the
    /// map's maximum is the highest tile's, the image's score, whatever order the tiles are placed in.</summary>
    [Fact]
    public void AnOverlappingTilesEdgeValueShows_SoTheMapsMaximumIsTheHighestTiles()
    {
        var grid = new TileGrid(2, 1, Overlapping: true);   // tiles at 0, 4 and 8 of a 16 px length
        var maps = Enumerable.Range(0, 3).Select(_ => Enumerable.Repeat(-1f, 64).ToArray()).ToList();
        maps[0][3 * 8 + 7] = 5f;   // tile 0's right edge, x = 7: the middle tile (x 4-11) lies around it
        maps[2][0] = float.NaN;    // tile 2's left edge, x = 8, y = 0
        var inOrder = grid.Stitch(maps, 8);
        Assert.Equal(5f, inOrder[3 * 16 + 7]);
        Assert.True(float.IsNaN(inOrder[8]));   // kept, as the tile's own score keeps it
        Assert.Equal(-1f, inOrder[3 * 16 + 6]);
        var reversed = grid.EmptyMap(8);
        for (int t = 2; t >= 0; t--) grid.Place(reversed, t, maps[t], 8);
        Assert.Equal(inOrder, reversed);
    }

    [Fact]
    public void A_grid_of_one_column_or_one_row_is_in_range()
    {
        Assert.True(new TileGrid(1, 3, false).InRange);
        Assert.True(new TileGrid(3, 1, false).InRange);
        Assert.True(TileGrid.Whole.InRange);
        Assert.False(new TileGrid(0, 3, false).InRange);
        Assert.False(new TileGrid(3, 0, false).InRange);
        Assert.False(new TileGrid(TileGrid.MaxTiles + 1, 1, false).InRange);
    }

    [Fact]
    public void OverlapAddsNoTilesAlongASideOfOne() =>
        Assert.Equal((15, 1, 15), (new TileGrid(8, 1, true).Across, new TileGrid(8, 1, true).Down, new TileGrid(8, 1, true).Count));

    [Fact]
    public void CutResizesToTheGridFirst_AndEachTileKeepsItsShareOfTheSourceSize()
    {
        var strip = new FloatImage(1, 50, 400, [.. Enumerable.Range(0, 400 * 50).Select(i => i % 400 < 200 ? 0.2f : 0.8f)]);
        var tiles = new TileGrid(4, 1, Overlapping: false).Cut(strip, 16);
        Assert.All(tiles, t => Assert.Equal((16, 16), (t.Width, t.Height)));
        Assert.All(tiles, t => Assert.Equal((100, 50), t.SourceSize));   // the size correction judges a tile by its pixels
        Assert.All(tiles[0].Pixels, v => Assert.Equal(0.2f, v, 1e-5f));   // the strip's left half in the first two tiles
        Assert.All(tiles[3].Pixels, v => Assert.Equal(0.8f, v, 1e-5f));
    }

    [Fact]
    public void StitchRefusesMapsThatAreNotTheGrids()
    {
        var grid = new TileGrid(2, 1, Overlapping: false);
        Assert.Throws<ArgumentException>(() => grid.Stitch([new float[64]], 8));
        Assert.Throws<ArgumentException>(() => grid.Stitch([new float[64], new float[63]], 8));
    }

    [Theory]
    [InlineData("8x1", 8, 1)]
    [InlineData(" 2X3 ", 2, 3)]
    [InlineData("8 x 1", 8, 1)]
    [InlineData("4", 4, 4)]
    [InlineData("16x16", 16, 16)]
    public void ParseReadsAcrossThenDown(string text, int columns, int rows) => Assert.Equal(new TileGrid(columns, rows), TileGrid.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0x1")]
    [InlineData("17x1")]
    [InlineData("x")]
    [InlineData("8x")]
    [InlineData("-1x2")]
    [InlineData("1.5x2")]
    [InlineData("2x2x2")]
    [InlineData(null)]
    public void ParseRefusesWhatIsNotAGrid(string? text) => Assert.Null(TileGrid.Parse(text));

    [Fact]
    public void OptionsRefuseAnEmptyOrHugeGridByName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SsmOptions { Tiles = new TileGrid(0, 1) }.Validate());
        Assert.Equal("Tiles", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SsmOptions { Tiles = new TileGrid(1, TileGrid.MaxTiles + 1) }.Validate());
        var tiled = new SsmOptions { ImageSize = 32, Tiles = new TileGrid(8, 1) };
        Assert.Equal((256, 32), tiled.ReadSize);
        Assert.Equal((64, 64), new SsmOptions().ReadSize);
        Assert.Null(new SsmOptions { Tiles = TileGrid.Whole }.Tiles);   // one tile is the whole image: no grid to record
    }

    /// <summary>An epoch over tiles takes as many steps as that many epochs of whole images: the default is divided, a given
    /// number is kept.</summary>
    [Fact]
    public void TheDefaultEpochsAreDividedByTheTiles()
    {
        var cpu = TorchSharp.torch.CPU;
        var whole = new SsmOptions { Training = new TrainingOptions { Precision = NetworkPrecision.BFloat16 } };
        Assert.Equal(TrainingOptions.BFloat16Epochs, whole.EpochsOn(cpu));
        Assert.Equal(13, (whole with { Tiles = new TileGrid(8, 1, Overlapping: false) }).EpochsOn(cpu));    // 105 / 8
        Assert.Equal(7, (whole with { Tiles = new TileGrid(8, 1) }).EpochsOn(cpu));                         // 105 / 15 overlapping
        Assert.Equal(3, (whole with { Tiles = new TileGrid(16, 2, Overlapping: false) }).EpochsOn(cpu));    // 105 / 32
        Assert.Equal(1, (whole with { Tiles = new TileGrid(16, 16) }).EpochsOn(cpu));   // never none
        Assert.Equal(40, (whole with { Tiles = new TileGrid(8, 1), Training = whole.Training with { Epochs = 40 } }).EpochsOn(cpu));
    }

    [Fact]
    public void ACacheStoresEachImagesTilesTogether()
    {
        var cache = new ImageCache(8, 1, new TileGrid(2, 2, Overlapping: false));
        cache.Add(Numbered(1, 16, 16), "a");
        cache.Add(Numbered(1, 32, 32), "b");
        Assert.Equal(8, cache.Count);
        Assert.Equal(2, cache.ImageCount);
        Assert.Equal([4, 5, 6, 7, 0, 1, 2, 3], cache.EntriesOf([1, 0]));
        Assert.Equal(Math.Log(16 * 16), cache.LogArea(5), 6);   // a quarter of b's 32 x 32
        // The same pixels as cutting by hand: tile 1 of a is its top right corner.
        using var batch = cache.Batch([1]);
        Assert.Equal(new TileGrid(2, 2, Overlapping: false).Cut(Numbered(1, 16, 16), 8)[1].Pixels, batch.data<float>().ToArray(), new FloatNear(1e-4f));
        Assert.Equal(cache.Count, cache.Subset(cache.EntriesOf([0, 1])).Count);
    }

    [Fact]
    public void ACacheRefusesAnImageTooSmallForItsTiles_NamingIt()
    {
        var cache = new ImageCache(8, 1, new TileGrid(4, 1));
        var e = Assert.Throws<ArgumentException>(() => cache.Add(Numbered(1, 20, 20), "row 3"));
        Assert.Equal("Image row 3 is 20x20 pixels: too small to cut into 4x1 tiles of at least 8x8 (at most 2x1 tiles fit it).", e.Message);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void AnImageScoresItsHighestTile() =>
        Assert.Equal([5f, 4f], new TileGrid(3, 1, Overlapping: false).ImageScores([1f, 5f, 2f, 3f, 0f, 4f]));

    private sealed class FloatNear(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }
}
