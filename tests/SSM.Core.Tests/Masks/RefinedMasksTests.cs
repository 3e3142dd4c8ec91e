using SSM.Core.Masks;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Masks;

public class RefinedMasksTests
{
    [Fact]
    public void CellIsNormalWhenEnoughPixelsAreBelowThreshold()
    {
        // 4x4 map, 2x2 cells. Top-left cell: 1 of 4 pixels high (75 % below) -> suspicious at 80 %, normal at 75 %.
        var values = new float[16];
        values[0] = 1f;                       // top-left cell
        values[2] = values[3] = 1f;           // top-right cell: 2 of 4 high
        using var map = tensor(values, [1, 1, 4, 4]);
        using var strict = RefinedMasks.NormalPixels(map, 2, 0.5f, 0.8);
        using var lenient = RefinedMasks.NormalPixels(map, 2, 0.5f, 0.75);
        var s = strict.data<float>().ToArray();
        var l = lenient.data<float>().ToArray();
        Assert.Equal(0f, s[0]); Assert.Equal(0f, s[5]);       // top-left suspicious
        Assert.Equal(1f, l[0]); Assert.Equal(1f, l[5]);       // ... unless 75 % suffices
        Assert.Equal(0f, l[2]);                               // top-right suspicious either way
        Assert.Equal(1f, s[10]); Assert.Equal(1f, s[15]);     // bottom cells normal
    }

    /// <summary>A cell cut off by the image's border (a 6 x 6 map in cells of 4) is judged by the pixels it has: 7 of its
    /// 8 below the threshold is 87.5 %, normal at 80 %, where counting the missing pixels would make it 7 of 16.</summary>
    [Fact]
    public void BorderCellsAreJudgedByThePixelsTheyHave()
    {
        var values = new float[36];
        values[0 * 6 + 5] = 1f;               // right border cell (rows 0-3, columns 4-5): 1 of 8 high
        values[5 * 6 + 5] = 1f;               // corner cell (rows 4-5, columns 4-5): 1 of 4 high, 75 %
        using var map = tensor(values, [1, 1, 6, 6]);
        using var normal = RefinedMasks.NormalPixels(map, 4, 0.5f, 0.8);
        Assert.Equal(new long[] { 1, 1, 6, 6 }, normal.shape);
        var n = normal.data<float>().ToArray();
        float At(int row, int column) => n[row * 6 + column];
        Assert.Equal(1f, At(0, 0));            // the whole cell, all below
        Assert.Equal(1f, At(3, 4)); Assert.Equal(1f, At(0, 5));   // right border cell: 7 of 8
        Assert.Equal(1f, At(5, 0));            // bottom border cell: 8 of 8
        Assert.Equal(0f, At(4, 4)); Assert.Equal(0f, At(5, 5));   // corner cell: 3 of 4
    }

    [Fact]
    public void UncoveredPixelsAreVisibleInEveryMaskAndSuspiciousOnesHiddenOnce()
    {
        using var g = new TorchSharp.torch.Generator(2);
        using var masks = ComplementaryMasks.Generate(8, 2, 3, g);
        var normalValues = Enumerable.Range(0, 64).Select(i => i < 32 ? 1f : 0f).ToArray(); // top half normal
        using var normal = tensor(normalValues, [1, 1, 8, 8]);
        using var refined = RefinedMasks.Uncover(masks, normal);            // [1, 3, 1, 8, 8]
        Assert.Equal(new long[] { 1, 3, 1, 8, 8 }, refined.shape);
        using var visibleEverywhere = refined.prod(dim: 1).squeeze();       // [8, 8]
        using var hiddenCount = refined.neg().add(1).sum(dim: 1).squeeze();
        var v = visibleEverywhere.data<float>().ToArray();
        var h = hiddenCount.data<float>().ToArray();
        for (int i = 0; i < 64; i++)
        {
            if (i < 32) Assert.Equal(1f, v[i]);
            else Assert.Equal(1f, h[i]);
        }
    }

    [Fact]
    public void UncoverRefusesMasksOrNormalPixelsWithoutTheirFourDimensions()
    {
        using var masks = ones(3, 1, 8, 8);
        using var normal = ones(1, 1, 8, 8);
        Assert.Throws<ArgumentException>(() => RefinedMasks.Uncover(masks[0], normal));
        Assert.Throws<ArgumentException>(() => RefinedMasks.Uncover(masks, normal[0]));
    }
}
