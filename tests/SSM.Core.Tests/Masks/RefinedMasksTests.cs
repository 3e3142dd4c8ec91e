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
}
