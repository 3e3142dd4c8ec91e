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
        var (image, overlay) = ImagePanel.Panel(path, new float[16 * 16], 16, new HeatScale(1), 0.5f, null);
        using var plain = Decode(image);
        using var heat = Decode(overlay);
        Assert.Equal((160, 64), (plain.Width, plain.Height));   // 320 x 128 reduced to 160 wide
        Assert.Equal((160, 64), (heat.Width, heat.Height));
    }

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
