using SkiaSharp;
using SSM.Cli.Report;
using SSM.Core.Data;
using SSM.MLNet;

namespace SSM.Cli.Tests;

/// <summary>The pictures of heat maps: their shape and their colours.</summary>
public sealed class ImagePanelTests
{
    private static SKBitmap Decode(string dataUri) => SKBitmap.Decode(Convert.FromBase64String(dataUri[(dataUri.IndexOf(',') + 1)..]));

    [Fact]
    public void ReportPanel_KeepsTheImagesAspectRatio()
    {
        string folder = Cli.TempFolder("panel");
        string path = Path.Combine(folder, "wide.png");
        ImageFile.Save(new FloatImage(1, 128, 320, [.. Enumerable.Repeat(0.5f, 128 * 320)]), path);
        var (image, overlay) = ImagePanel.Panel(path, new float[16 * 16], (16, 16), new HeatScale(1), 0.5f, null);
        using var plain = Decode(image);
        using var heat = Decode(overlay);
        Assert.Equal((253, 101), (plain.Width, plain.Height));   // 320 x 128 reduced to about the area of 160 x 160
        Assert.Equal((253, 101), (heat.Width, heat.Height));
    }

    [Fact]
    public void ReportPanel_OutlinesTheGroundTruth_WhenItHasAMask()
    {
        string folder = Cli.TempFolder("panel-mask");
        string path = Path.Combine(folder, "part.png"), maskPath = Path.Combine(folder, "part_mask.png");
        ImageFile.Save(new FloatImage(1, 32, 32, [.. Enumerable.Repeat(0.5f, 32 * 32)]), path);
        ImageFile.Save(new FloatImage(1, 32, 32, [.. Enumerable.Range(0, 32 * 32).Select(i => i / 32 is >= 8 and < 24 && i % 32 is >= 8 and < 24 ? 1f : 0f)]), maskPath);
        // The 32 px image is drawn at 160 px, 5 to a pixel: the mask's square spans 40 to 119 there.
        List<(int X, int Y)> Green(string? mask)
        {
            using var drawn = Decode(ImagePanel.Panel(path, new float[16 * 16], (16, 16), new HeatScale(1), 0.5f, mask).Overlay);
            Assert.Equal((160, 160), (drawn.Width, drawn.Height));
            return [.. from y in Enumerable.Range(0, 160) from x in Enumerable.Range(0, 160) where drawn.GetPixel(x, y) == new SKColor(0, 230, 0) select (x, y)];
        }
        Assert.Empty(Green(null));
        var outline = Green(maskPath);
        bool NearEdge(int v) => Math.Abs(v - 40) <= 3 || Math.Abs(v - 119) <= 3;
        Assert.All(outline, p => Assert.True((NearEdge(p.X) || NearEdge(p.Y)) && p.X is >= 37 and <= 122 && p.Y is >= 37 and <= 122, $"green at {p}"));
        Assert.Contains(outline, p => p.X < 50);    // each side drawn: left,
        Assert.Contains(outline, p => p.X > 110);   // right,
        Assert.Contains(outline, p => p.Y < 50);    // top
        Assert.Contains(outline, p => p.Y > 110);   // and bottom
    }

    [Theory]
    [InlineData(300, 300, 160)]     // square: the panel side
    [InlineData(20, 10, 226)]       // small images are enlarged too
    [InlineData(2048, 256, 453)]    // a line-scan strip keeps rows enough to show a pinhole
    [InlineData(256, 2048, 453)]
    [InlineData(16000, 100, 640)]   // at most MaxPanelSide
    public void ReportPanel_OblongImagesKeepTheAreaOfASquarePanel(int width, int height, int longest) =>
        Assert.Equal(longest, ImagePanel.LongestSide(width, height));

    [Fact]
    public void MapValuesAboveOne_KeepTheirColour_WhenTheMapIsResized()
    {
        // Standardised maps are in standard deviations: a resize must not clamp them to [0, 1] (the image resizer does).
        float[] map = [.. Enumerable.Repeat(6f, 8 * 8)];
        float[] resized = SSM.Core.Scoring.AnomalyMapResize.ToImageSize(map, 8, 20, 50);   // what the panels draw with
        Assert.Equal(20 * 50, resized.Length);
        Assert.All(resized, v => Assert.Equal(6f, v, 1e-4f));
        var scale = new HeatScale(4);   // red from 8: 6 is three quarters up the scale
        Assert.Equal(0.75f, scale.Fraction(6f), 1e-6f);
        Assert.Equal(8f, scale.High);
    }
}
