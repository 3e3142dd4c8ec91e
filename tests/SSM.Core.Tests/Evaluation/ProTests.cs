using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class ProTests
{
    private const int H = 4, W = 4;

    private static bool[] Mask(params (int Y, int X)[] anomalous)
    {
        var mask = new bool[H * W];
        foreach (var (y, x) in anomalous) mask[y * W + x] = true;
        return mask;
    }

    [Fact]
    public void PerfectMapIsOne()
    {
        var mask = Mask((0, 0), (0, 1), (3, 3));
        var map = mask.Select(m => m ? 1f : 0f).ToArray();
        var good = new bool[H * W];
        Assert.Equal(1.0, Pro.Aupro([map, new float[H * W]], [mask, good], H, W), 1e-12);
    }

    /// <summary>
    /// Two images, 27 normal pixels in all: image 1 has region A = {(0,0), (0,1)} (2 px) and region
    /// B = {(2,3), (3,2), (3,3)} (3 px, 8-connected) plus 11 normal pixels; image 2 is good (16 normal).
    /// Scores, descending: A1 = 0.9; six normal pixels 0.8 … 0.55; A2 tied with four normal pixels at 0.5;
    /// the other 17 normal pixels 0.2; B at 0.05, below every normal pixel, so B is never found before FPR 1.
    /// </summary>
    private static (float[][] Maps, bool[][] Masks) OneRegionFoundOtherNever()
    {
        var mask1 = Mask((0, 0), (0, 1), (2, 3), (3, 2), (3, 3));
        float[] map1 =
        [
            0.9f, 0.5f, 0.8f, 0.75f,
            0.7f, 0.65f, 0.6f, 0.55f,
            0.5f, 0.5f, 0.2f, 0.05f,
            0.2f, 0.2f, 0.05f, 0.05f,
        ];
        var map2 = Enumerable.Repeat(0.2f, H * W).ToArray();
        map2[5] = map2[10] = 0.5f;
        return ([map1, map2], [mask1, new bool[H * W]]);
    }

    [Fact]
    public void OneRegionFoundFullyTheOtherNever()
    {
        var (maps, masks) = OneRegionFoundOtherNever();
        // PRO = mean over the 2 regions; FPR in units of 1/27. The curve:
        //   (0, 0) -> t=0.9: A half found, PRO = (1/2 + 0)/2 = 0.25 at FPR 0 (vertical, no area)
        //   t=0.8 … 0.55: one normal pixel each -> (1/27, 0.25) … (6/27, 0.25)
        //   t=0.5: A2 and 4 normal pixels together, one diagonal segment (6/27, 0.25) -> (10/27, 0.5)
        // The limit 0.3 = 8.1/27 falls inside that segment, at fraction (8.1 - 6)/4 = 0.525 of it,
        // where PRO = 0.25 + 0.25 * 0.525 = 0.38125.
        // Area = 0.25 * 6/27 (flat part) + (0.25 + 0.38125)/2 * 2.1/27 (trapezoid up to the limit);
        // AUPRO = area / 0.3 = 2.1628125 / 8.1 = 0.2670138…
        double expected = (0.25 * 6 / 27 + (0.25 + 0.38125) / 2 * 2.1 / 27) / 0.3;
        Assert.Equal(0.26701388888888888, expected, 1e-15);
        Assert.Equal(expected, Pro.Aupro(maps, masks, H, W), 1e-12);
    }

    /// <summary>To FPR 1 the sweep must reach the lowest pixel, here a normal one scoring below all others.</summary>
    [Fact]
    public void IntegratedToFprOneTheLowestPixelCounts()
    {
        var mask = Mask((0, 0));
        var map = Enumerable.Range(0, H * W).Select(i => 1f - i / 16f).ToArray();   // the region first, then 15 distinct normals
        Assert.Equal(1.0, Pro.Aupro([map], [mask], H, W, maxFpr: 1.0), 1e-12);
    }

    [Fact]
    public void SameExampleIntegratedToFprOne()
    {
        var (maps, masks) = OneRegionFoundOtherNever();
        // As above, then flat at 0.5 from 10/27 to 27/27 (the 17 pixels at 0.2); B joins at FPR 1 (vertical).
        // Area = 0.25 * 6/27 + 0.375 * 4/27 + 0.5 * 17/27 = 11.5/27.
        Assert.Equal(11.5 / 27, Pro.Aupro(maps, masks, H, W, maxFpr: 1.0), 1e-12);
    }

    [Fact]
    public void DiagonalNeighboursAreOneRegion()
    {
        // (0,0) and (1,1) touch only at a corner: one region under 8-connectivity, plus region {(3,3)}.
        // Only (0,0) scores above the normal pixels, so PRO = (1/2 + 0) / 2 = 0.25 at every FPR < 1.
        // (With 4-connectivity there would be three regions and PRO = (1 + 0 + 0) / 3.)
        var mask = Mask((0, 0), (1, 1), (3, 3));
        var map = Enumerable.Repeat(0.5f, H * W).ToArray();
        map[0] = 1f;
        map[1 * W + 1] = map[3 * W + 3] = 0f;
        Assert.Equal(0.25, Pro.Aupro([map], [mask], H, W), 1e-12);
    }

    [Fact]
    public void InvariantToMonotonicTransform()
    {
        var images = Reference.RandomImages(seed: 21, count: 6, height: 12, width: 10, levels: 20);
        // exp keeps the 20-odd quantized levels distinct in float, so ranking and ties are unchanged.
        var transformed = images
            .Select(im => new LabeledAnomalyMap(im.Map.Select(v => MathF.Exp(3 * v) - 7f).ToArray(), im.Mask, im.Height, im.Width))
            .ToArray();
        Assert.Equal(Pro.Aupro(images), Pro.Aupro(transformed), 1e-12);
    }

    [Theory]
    [InlineData(31, 0.3)]
    [InlineData(32, 0.05)]
    [InlineData(33, 1.0)]
    public void AgreesWithPerThresholdRecount(int seed, double maxFpr)
    {
        // Mixed sizes, good images, ties between normal and anomalous pixels.
        var images = Reference.RandomImages(seed, count: 7, height: 9, width: 11, levels: 15);
        Assert.Equal(Reference.AuproByThresholds(images, maxFpr), Pro.Aupro(images, maxFpr), 1e-12);
    }

    [Fact]
    public void NoRegionThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => Pro.Aupro([new float[H * W]], [new bool[H * W]], H, W));
        Assert.Contains("no region", e.Message);
    }

    [Fact]
    public void NoNormalPixelThrows()
    {
        var all = Enumerable.Repeat(true, H * W).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Pro.Aupro([new float[H * W]], [all], H, W));
        Assert.Contains("no normal pixel", e.Message);
    }

    [Fact]
    public void ShapeAndArgumentErrors()
    {
        var map = new float[H * W];
        var mask = Mask((1, 1));
        Assert.Throws<ArgumentException>(() => Pro.Aupro([map, map], [mask], H, W));
        var wrongSize = Assert.Throws<ArgumentException>(() => Pro.Aupro([map, new float[5]], [mask, mask], H, W));
        Assert.Contains("Image 1: The map has 5 values", wrongSize.Message);
        Assert.Throws<ArgumentException>(() => Pro.Aupro([map], [new bool[5]], H, W));
        Assert.ThrowsAny<ArgumentException>(() => Pro.Aupro([map], [mask], 0, W));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pro.Aupro([map], [mask], H, W, maxFpr: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pro.Aupro([map], [mask], H, W, maxFpr: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pro.Aupro([map], [mask], H, W, maxFpr: double.NaN));
        var nan = new float[H * W];
        nan[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => Pro.Aupro([nan], [mask], H, W));
        Assert.Throws<ArgumentException>(() => Pro.Aupro([default(LabeledAnomalyMap)]));
        Assert.Throws<ArgumentException>(() => Pro.Aupro(Array.Empty<LabeledAnomalyMap>()));
    }
}
