using SSM.Core.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Masks;

public class ComplementaryMasksTests
{
    [Theory]
    [InlineData(16, 2, 3)]
    [InlineData(32, 4, 3)]
    [InlineData(30, 4, 2)]   // image side not a multiple of the cell
    [InlineData(64, 1, 4)]
    public void EveryPixelIsHiddenInExactlyOneMask(int size, int cell, int groups)
    {
        using var g = new Generator(7);
        using var masks = ComplementaryMasks.Generate(size, cell, groups, g);
        Assert.Equal(new long[] { groups, 1, size, size }, masks.shape);
        using var hiddenCount = masks.neg().add(1).sum(dim: 0);
        Assert.True(hiddenCount.eq(1).all().item<bool>());
        Assert.True(masks.eq(0).logical_or(masks.eq(1)).all().item<bool>());
    }

    [Fact]
    public void MasksAreConstantOverEachCell()
    {
        using var g = new Generator(3);
        using var masks = ComplementaryMasks.Generate(16, 4, 3, g);
        var m = masks.data<float>().ToArray();
        for (int i = 0; i < 3; i++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                    Assert.Equal(m[i * 256 + (y / 4 * 4) * 16 + x / 4 * 4], m[i * 256 + y * 16 + x]);
    }

    [Fact]
    public void GroupsHaveNearlyEqualSize()
    {
        using var g = new Generator(1);
        using var groups = ComplementaryMasks.CellGroups(20, 2, 3, g); // 100 cells -> 34, 33, 33
        var counts = groups.data<long>().ToArray().GroupBy(v => v).Select(x => x.Count()).OrderBy(c => c).ToArray();
        Assert.Equal(new[] { 33, 33, 34 }, counts);
    }

    [Fact]
    public void SameSeedSameMasksOtherSeedOtherMasks()
    {
        Tensor Draw(ulong seed)
        {
            using var g = new Generator(seed);
            return ComplementaryMasks.Generate(32, 2, 3, g);
        }
        using var a = Draw(5);
        using var b = Draw(5);
        using var c = Draw(6);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Theory]
    [InlineData(16, 0, 3, "cellSize")]
    [InlineData(16, 17, 3, "cellSize")]
    [InlineData(16, 2, 1, "groups")]
    [InlineData(0, 1, 2, "imageSize")]
    public void RejectsBadSettings(int size, int cell, int groups, string refused)
    {
        using var g = new Generator(1);
        Assert.Equal(refused, Assert.Throws<ArgumentOutOfRangeException>(() => ComplementaryMasks.Generate(size, cell, groups, g)).ParamName);
    }

    /// <summary>The limits themselves are allowed: a cell as large as the image (one cell, hidden by the first mask, so
    /// the second hides nothing), and an image of one pixel.</summary>
    [Theory]
    [InlineData(16, 16)]
    [InlineData(1, 1)]
    public void OneCellIsHiddenByTheFirstMaskAlone(int size, int cell)
    {
        using var g = new Generator(1);
        using var masks = ComplementaryMasks.Generate(size, cell, 2, g);
        Assert.Equal(new long[] { 2, 1, size, size }, masks.shape);
        Assert.True(masks[0].eq(0).all().item<bool>());
        Assert.True(masks[1].eq(1).all().item<bool>());
    }
}
