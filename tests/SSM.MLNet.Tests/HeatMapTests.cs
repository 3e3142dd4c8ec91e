using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

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
        Assert.Equal("maxSide", Assert.Throws<ArgumentOutOfRangeException>(() => SsmHeatMap.ToPng(fx.Model, path, map, maxSide: 0)).ParamName);
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
    public void A_phone_photo_is_scored_and_drawn_upright_before_and_after_saving()
    {
        // Stored 48 x 32 with a tag saying "turn a quarter clockwise": shown 32 wide and 48 tall.
        string turned = Path.Combine(fx.Folder, "turned.jpg"), asStored = Path.Combine(fx.Folder, "as-stored.jpg");
        File.WriteAllBytes(turned, ExifJpeg.Marked(48, 32, orientation: 6));
        File.WriteAllBytes(asStored, ExifJpeg.Marked(48, 32, orientation: 1));
        Assert.True(fx.Model.ReadsFilesUpright);
        var map = MapOf(turned);
        Assert.NotEqual(MapOf(asStored), map);   // the same stored pixels, turned: another image to the model
        byte[] drawn = SsmHeatMap.ToPng(fx.Model, turned, map);
        using (var picture = SKBitmap.Decode(drawn))
            Assert.Equal((32, 48), (picture.Width, picture.Height));
        Assert.Equal(drawn, SsmHeatMap.ToPng(fx.Model, File.ReadAllBytes(turned), map));   // an upload is turned as its file is

        using var saved = new MemoryStream();
        fx.Context.Model.Save(fx.Model, null, saved);
        saved.Position = 0;
        using var loaded = SsmAnomalyTransformer.From(fx.Context.Model.Load(saved, out _));
        Assert.True(loaded.ReadsFilesUpright);
        var reloaded = Scored.Read(loaded.Transform(fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows([turned]))))[0].Map;
        Assert.Equal(map, reloaded);
    }

    [Fact]
    public void The_contour_outlines_every_side_of_a_region_reaching_the_threshold_and_the_truth_in_green()
    {
        var gray = new FloatImage(3, 8, 8, [.. Enumerable.Repeat(0.5f, 3 * 64)]);
        float[] band = new float[64];
        for (int y = 2; y < 6; y++) for (int x = 0; x < 8; x++) band[y * 8 + x] = 3f;   // rows 2 to 5, edge to edge, at the threshold
        using (var marked = SKBitmap.Decode(SsmHeatMap.Overlay(gray, band, new HeatScale(2), pixelThreshold: 3)))
        {
            foreach (var (x, y) in new[] { (3, 2), (3, 5), (0, 3), (7, 4) })   // top, bottom, left and right
                Assert.Equal(SKColors.White, marked.GetPixel(x, y));
            Assert.NotEqual(SKColors.White, marked.GetPixel(3, 3));
            Assert.NotEqual(SKColors.White, marked.GetPixel(3, 1));
        }
        bool[] truth = new bool[64];
        for (int y = 2; y < 6; y++) for (int x = 2; x < 6; x++) truth[y * 8 + x] = true;
        using var outlined = SKBitmap.Decode(SsmHeatMap.Overlay(gray, new float[64], new HeatScale(2), pixelThreshold: 3, truth));
        Assert.Equal(new SKColor(0, 230, 0), outlined.GetPixel(2, 2));
        Assert.NotEqual(new SKColor(0, 230, 0), outlined.GetPixel(3, 3));
    }

    [Fact]
    public void The_colour_scale_is_blue_green_at_the_limit_and_red_at_twice_it()
    {
        // A jet map: dark blue, light blue, green, orange, dark red.
        Assert.Equal(new SKColor(0, 0, 127), HeatColors.At(0));
        Assert.Equal(new SKColor(0, 127, 255), HeatColors.At(0.25f));
        Assert.Equal(new SKColor(127, 255, 127), HeatColors.At(0.5f));
        Assert.Equal(new SKColor(255, 127, 0), HeatColors.At(0.75f));
        Assert.Equal(new SKColor(127, 0, 0), HeatColors.At(1));
        var scale = new HeatScale(2);
        Assert.Equal((0f, 0.5f, 1f, 1f), (scale.Fraction(0), scale.Fraction(2), scale.Fraction(4), scale.Fraction(9)));
        using var atLimit = SKBitmap.Decode(SsmHeatMap.Overlay(new FloatImage(3, 2, 2), [.. Enumerable.Repeat(2f, 4)], scale, pixelThreshold: 100));
        Assert.Equal(new SKColor(57, 115, 57), atLimit.GetPixel(0, 0));   // 0.45 of the green on black
    }

    [Fact]
    public void An_overlay_is_drawn_over_the_visible_image_and_refuses_what_does_not_fit()
    {
        var dim = new FloatImage(3, 4, 4, [.. Enumerable.Range(0, 48).Select(i => i / 48f * 0.05f)]);
        var heat = new float[16];
        Assert.Equal(SsmHeatMap.Overlay(SsmHeatMap.Visible(dim), heat, new HeatScale(2), 3), SsmHeatMap.Overlay(dim, heat, new HeatScale(2), 3));
        Assert.Equal("image", Assert.Throws<ArgumentException>(() => SsmHeatMap.Overlay(new FloatImage(1, 4, 4), heat, new HeatScale(2), 3)).ParamName);
        Assert.Equal("heat", Assert.Throws<ArgumentException>(() => SsmHeatMap.Overlay(dim, new float[15], new HeatScale(2), 3)).ParamName);
        Assert.Equal((512, 1), SsmHeatMap.Fit(2000, 1, 512));   // a hair of a picture, not none
        Assert.Equal((154, 512), SsmHeatMap.Fit(300, 1000, 512));   // 153.6 wide, rounded
    }

    [Fact]
    public void An_image_columns_picture_is_drawn_from_its_pixels()
    {
        string path = Path.Combine(fx.Folder, "wide-column.png");
        ImageFile.Save(new FloatImage(3, 30, 100, [.. Enumerable.Range(0, 3 * 30 * 100).Select(i => i % 5 / 5f)]), path);
        var map = MapOf(path);
        using var image = MLImage.CreateFromFile(path);
        // An opaque, untagged PNG: the same pixels, up to float rounding (x * (1/255) against x / 255).
        using var fromFile = SKBitmap.Decode(SsmHeatMap.ToPng(fx.Model, path, map));
        using var fromColumn = SKBitmap.Decode(SsmHeatMap.ToPng(fx.Model, image, map));
        Assert.Equal((100, 30), (fromColumn.Width, fromColumn.Height));
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 100; x++)
            {
                SKColor a = fromFile.GetPixel(x, y), b = fromColumn.GetPixel(x, y);
                Assert.True(Math.Abs(a.Red - b.Red) <= 1 && Math.Abs(a.Green - b.Green) <= 1 && Math.Abs(a.Blue - b.Blue) <= 1, $"({x}, {y}): {a} against {b}");
            }
    }

    [Fact]
    public void A_dim_scan_is_brightened_for_pictures_only_when_it_is_dim()
    {
        // A 12-bit scan in a 16-bit file: values up to 4095 / 65535.
        var dim = new FloatImage(1, 2, 2, [0f, 0.02f, 0.04f, 4095f / 65535]) { SourceSize = (4000, 3000) };
        var visible = SsmHeatMap.Visible(dim);
        Assert.Equal([0f, 0.02f / (4095f / 65535), 0.04f / (4095f / 65535), 1f], visible.Pixels);
        Assert.Equal((4000, 3000), visible.SourceSize);   // still the scan's own size
        var ordinary = new FloatImage(1, 2, 2, [0f, 0.1f, 0.2f, 0.3f]);
        Assert.Same(ordinary, SsmHeatMap.Visible(ordinary));
        var black = new FloatImage(1, 2, 2);
        Assert.Same(black, SsmHeatMap.Visible(black));
        var quarter = new FloatImage(1, 1, 2, [0f, 0.25f]);   // a quarter of full scale is not dim
        Assert.Same(quarter, SsmHeatMap.Visible(quarter));
    }

    [Fact]
    public void The_predicted_mask_is_the_verdict_at_the_images_size()
    {
        string wide = Path.Combine(fx.Folder, "wide-mask.png");
        ImageFile.Save(new FloatImage(1, 20, 50, [.. Enumerable.Range(0, 20 * 50).Select(i => i % 3 / 3f)]), wide);
        var paths = fx.Test.Append(wide).ToList();
        var rows = fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows(paths));
        // The tiny model flags every image at its own threshold: one between the scores checks both verdicts.
        var scores = Scored.Read(fx.Model.Transform(rows)).Select(s => s.Score).Order().ToList();
        using var model = fx.Model.WithThreshold((scores[scores.Count / 2 - 1] + scores[scores.Count / 2]) / 2);
        var scored = Scored.Read(model.Transform(rows));
        Assert.Contains(scored, s => s.Predicted);
        Assert.Contains(scored, s => !s.Predicted);
        for (int i = 0; i < paths.Count; i++)
        {
            var mask = SsmHeatMap.PredictedMask(model, paths[i], scored[i].Map);
            var (width, height) = ImageFile.ReadSize(Path.Combine(fx.Folder, paths[i]));
            Assert.Equal((width, height, width * height), (mask.Width, mask.Height, mask.Pixels.Length));
            // One restoration error for map and score (the default): a mask exactly where the image is flagged, at its peak.
            Assert.True(scored[i].Predicted == mask.Count > 0, $"{paths[i]}: score {scored[i].Score}, {mask.Count} pixels");
            var (x, y, _) = SsmHeatMap.Peak(fx.Model, paths[i], scored[i].Map);
            Assert.Equal(scored[i].Predicted, mask.Pixels[y * width + x]);
        }
        // To the last bit: at a threshold equal to an image's score it is flagged and has a mask, one float step above
        // neither (the line drawn as mean + threshold x std lay a step off the Score column's arithmetic for some images).
        // Not the wide image: its 3-pixel stripes shrink to a nearly flat square, which scores by its contrast alone.
        for (int i = 0; i < fx.Test.Count; i++)
            foreach (float threshold in new[] { scored[i].Score, MathF.BitIncrement(scored[i].Score) })
            {
                using var at = fx.Model.WithThreshold(threshold);
                Assert.Equal(threshold == scored[i].Score, SsmHeatMap.PredictedMask(at, paths[i], scored[i].Map).Count > 0);
            }
        // It follows the model's threshold, and the PNG is MVTec's: one channel, 0 or 255, the image's size.
        var map = scored[^1].Map;
        using (var everything = fx.Model.WithThreshold(-1000))
            Assert.Equal(20 * 50, SsmHeatMap.PredictedMask(everything, wide, map).Count);
        using (var nothing = fx.Model.WithThreshold(1000))
            Assert.Equal(0, SsmHeatMap.PredictedMask(nothing, wide, map).Count);
        var half = new SsmPredictedMask(4, 2, [true, false, true, false, false, false, false, true]);
        var png = ImageFile.DecodeResized(half.ToPng(), 1, 2, 4);   // at its own size: the pixels as stored
        Assert.Equal((4, 2), (png.Width, png.Height));
        Assert.Equal(half.Pixels.Select(p => p ? 1f : 0f), png.Pixels);
        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => new SsmPredictedMask(4, 2, new bool[7])).ParamName);
        Assert.Contains("this model's maps have 16x16", Assert.Throws<ArgumentException>(() => SsmHeatMap.PredictedMask(fx.Model, new float[10], 50, 20)).Message);
    }

    [Fact]
    public void A_mask_threshold_marks_every_map_value_from_it_in_every_image_and_is_saved()
    {
        var rows = fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows(fx.Test));
        using var passing = fx.Model.WithThreshold(1000);   // every image passes: the verdict's line marks nothing
        var scored = Scored.Read(passing.Transform(rows));
        var map = scored[0].Map;
        var (width, height) = ImageFile.ReadSize(Path.Combine(fx.Folder, fx.Test[0]));
        Assert.False(scored[0].Predicted);
        Assert.Equal(0, SsmHeatMap.PredictedMask(passing, fx.Test[0], map).Count);
        float median = map.Order().ElementAt(map.Length / 2);
        using var marking = passing.WithMaskThreshold(median);
        Assert.Equal((float?)median, marking.MaskThreshold);
        Assert.Equal(median, marking.MaskThresholdFor(width, height));
        Assert.Null(passing.MaskThreshold);
        var mask = SsmHeatMap.PredictedMask(marking, fx.Test[0], map);
        var expected = SsmHeatMap.Enlarged(map, marking.ImageSize, height, width).Select(v => v >= median).ToArray();
        Assert.Equal(expected, mask.Pixels);
        Assert.InRange(mask.Count, 1, width * height - 1);
        // The picture's contour follows it too; the verdicts do not move.
        Assert.NotEqual(SsmHeatMap.ToPng(passing, fx.Test[0], map), SsmHeatMap.ToPng(marking, fx.Test[0], map));
        Assert.Equal(scored.Select(s => (s.Score, s.Predicted)), Scored.Read(marking.Transform(rows)).Select(s => (s.Score, s.Predicted)));
        // Other copies keep it; null goes back to the verdict's line; a value that is no number is refused.
        using (var moved = marking.WithThreshold(2f)) Assert.Equal((float?)median, moved.MaskThreshold);
        using (var reset = marking.WithMaskThreshold(null)) Assert.Equal(0, SsmHeatMap.PredictedMask(reset, fx.Test[0], map).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => marking.WithMaskThreshold(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => marking.WithMaskThreshold(float.PositiveInfinity));
        foreach (var (model, kept) in new[] { (marking, (float?)median), (passing, null) })
        {
            using var saved = new MemoryStream();
            fx.Context.Model.Save(model, null, saved);
            saved.Position = 0;
            using var loaded = SsmAnomalyTransformer.From(fx.Context.Model.Load(saved, out _));
            Assert.Equal(kept, loaded.MaskThreshold);
            Assert.Equal(SsmHeatMap.PredictedMask(model, fx.Test[0], map).Pixels, SsmHeatMap.PredictedMask(loaded, fx.Test[0], map).Pixels);
        }
    }

    [Fact]
    public void A_map_of_another_size_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SsmHeatMap.ToPng(fx.Model, Path.Combine(fx.Folder, fx.Test[0]), new float[10]));
        Assert.Contains("this model's maps have 16x16", e.Message);
    }
}
