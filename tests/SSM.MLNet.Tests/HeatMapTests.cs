using Microsoft.ML;
using SkiaSharp;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>The library's heat-map pictures (what <c>ssm predict</c> writes): shape, colours and both inputs.</summary>
public sealed class HeatMapTests(PathModelFixture fx) : IClassFixture<PathModelFixture>
{
    private float[] MapOf(string path)
    {
        var scored = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows([path])));
        return Scored.Read(scored)[0].Map;
    }

    [Fact]
    public void A_file_and_its_bytes_give_the_same_picture_in_the_images_shape()
    {
        string path = Path.Combine(fx.Folder, "wide.png");
        ImageFile.Save(new FloatImage(3, 300, 1000, [.. Enumerable.Range(0, 3 * 300 * 1000).Select(i => i % 7 / 7f)]), path);
        var map = MapOf(path);
        byte[] fromFile = SsmHeatMap.ToPng(fx.Model, path, map);
        Assert.Equal(fromFile, SsmHeatMap.ToPng(fx.Model, File.ReadAllBytes(path), map));
        using (var picture = SKBitmap.Decode(fromFile))
            Assert.Equal((512, 154), (picture.Width, picture.Height));   // 1000 x 300 reduced to 512 wide
        using var small = SKBitmap.Decode(SsmHeatMap.ToPng(fx.Model, Path.Combine(fx.Folder, fx.Test[0]), MapOf(fx.Test[0])));
        Assert.Equal((PathModelFixture.Size, PathModelFixture.Size), (small.Width, small.Height));   // never enlarged
    }

    [Fact]
    public void Colours_follow_the_models_scale_and_the_contour_its_threshold()
    {
        var gray = new FloatImage(3, 8, 8, [.. Enumerable.Repeat(0.5f, 3 * 64)]);
        var scale = new HeatScale(2);
        using var cold = SKBitmap.Decode(SsmHeatMap.Overlay(gray, new float[64], scale, pixelThreshold: 100));
        using var hot = SKBitmap.Decode(SsmHeatMap.Overlay(gray, [.. Enumerable.Repeat(4f, 64)], scale, pixelThreshold: 100));
        Assert.True(cold.GetPixel(4, 4).Blue > cold.GetPixel(4, 4).Red);   // 0: blue
        Assert.True(hot.GetPixel(4, 4).Red > hot.GetPixel(4, 4).Blue);     // twice the limit: red
        float[] spot = new float[64];
        for (int y = 2; y < 6; y++) for (int x = 2; x < 6; x++) spot[y * 8 + x] = 4f;
        using var marked = SKBitmap.Decode(SsmHeatMap.Overlay(gray, spot, scale, pixelThreshold: 3));
        Assert.Equal(SKColors.White, marked.GetPixel(2, 2));   // the contour of the region above the threshold
        Assert.NotEqual(SKColors.White, marked.GetPixel(3, 3));
        Assert.NotEqual(SKColors.White, marked.GetPixel(0, 0));
    }

    [Fact]
    public void A_map_of_another_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SsmHeatMap.ToPng(fx.Model, Path.Combine(fx.Folder, fx.Test[0]), new float[10]));
        Assert.Contains("this model's maps have 16x16", e.Message);
    }
}
