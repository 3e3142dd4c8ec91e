using Microsoft.ML;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

/// <summary>A model trained on images of several sizes corrects for size, and every scoring path gives it the original size.</summary>
public sealed class SizeCorrectionTests : IDisposable
{
    private readonly TempFolder temp = new();
    private string folder => temp.Path;

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Batched_Transform_and_PredictionEngine_agree_on_images_of_several_sizes()
    {
        const int size = PathModelFixture.Size;
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = size, TrainCount = 30, TestGoodCount = 6, TestDefectCount = 3, Seed = 11 });
        int[] sides = [16, 24, 40];
        List<string> Write(IEnumerable<FloatImage> images, string prefix) => images.Select((image, i) =>
        {
            string name = $"{prefix}{i}.png";
            ImageFile.Save(ImageResize.Resize(image, sides[i % 3], sides[i % 3]), Path.Combine(folder, name));
            return name;
        }).ToList();
        var train = Write(data.Train, "train");
        var test = Write(data.Test.Select(t => t.Image), "test");

        var context = new MLContext(seed: 3);
        var log = new List<string>();
        context.Log += (_, e) => { if (e.Source.Contains("Ssm")) lock (log) log.Add(e.RawMessage); };
        var options = PathModelFixture.Options(folder);
        options.HoldoutFraction = 0.4;   // 12 of 30 held out: the size correction is fitted from 10 on
        using var model = context.Transforms.DetectAnomaliesSsm(options)
            .Fit(context.Data.LoadFromEnumerable(PathModelFixture.Rows(train)));
        Assert.NotNull(model.Calibration.SizeEffect);   // the held-out images came at three sizes
        Assert.Contains(log, m => m.StartsWith("SSM: calibrated on") && m.Contains("raw score mean 0 (after the size correction), std"));   // not -4.371E-07

        using var engine = context.Model.CreatePredictionEngine<PathRow, PathPrediction>(model);
        var one = test.Select(p => engine.Predict(new PathRow { ImagePath = p }).Score).ToList();
        var predictions = context.Data.CreateEnumerable<PathPrediction>(model.Transform(context.Data.LoadFromEnumerable(PathModelFixture.Rows(test))),
            reuseRowObject: false).ToList();
        for (int i = 0; i < test.Count; i++) Assert.Equal(one[i], predictions[i].Score, 3);

        // At every size the map's maximum stands to MapThreshold as the score to Threshold: a contour drawn there is the verdict.
        for (int i = 0; i < test.Count; i++)
        {
            var p = predictions[i];
            float mapThreshold = model.MapThreshold(sides[i % 3], sides[i % 3]);
            Assert.Equal((p.Score - model.Threshold) * model.Calibration.NormalStd, p.AnomalyMap.Max() - mapThreshold, 3);
            Assert.Equal(p.PredictedLabel, p.AnomalyMap.Max() >= mapThreshold);
        }
        Assert.NotEqual(model.MapOffset(16, 16), model.MapOffset(40, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.MapThreshold(0, -5));   // was a 1-pixel image's threshold
        // And the pictures show it: a white contour exactly on the flagged images (the overlay's colours are never white),
        // also with the threshold a hair below or above an image's score, where an enlarged map's lowered peak lost it.
        // A picture smaller than its image (maxSide 12) draws the line of the image's size, not of its own.
        bool Outlined(SsmAnomalyTransformer m, int i, int maxSide = 300)
        {
            using var picture = SkiaSharp.SKBitmap.Decode(SsmHeatMap.ToPng(m, Path.Combine(folder, test[i]), predictions[i].AnomalyMap, maxSide));
            return picture.Pixels.Contains(SkiaSharp.SKColors.White);
        }
        for (int i = 0; i < test.Count; i++) Assert.Equal(predictions[i].PredictedLabel, Outlined(model, i));
        for (int i = 0; i < test.Count; i++)
        {
            using var below = model.WithThreshold(predictions[i].Score - 1e-3f);
            using var above = model.WithThreshold(predictions[i].Score + 1e-3f);
            foreach (int maxSide in new[] { 300, 12 })
            {
                Assert.True(Outlined(below, i, maxSide), $"image {i} flagged 0.001 above the threshold shows no contour at {maxSide}");
                Assert.False(Outlined(above, i, maxSide), $"image {i} passed 0.001 below the threshold shows a contour at {maxSide}");
            }
        }
        // To the last bit, where the size correction's offset is added too: at a threshold equal to an image's score its
        // map reaches the line, one float step above it does not.
        for (int i = 0; i < test.Count; i++)
            foreach (float threshold in new[] { predictions[i].Score, MathF.BitIncrement(predictions[i].Score) })
            {
                using var at = model.WithThreshold(threshold);
                Assert.Equal(threshold == predictions[i].Score, predictions[i].AnomalyMap.Max() >= at.MapThreshold(sides[i % 3], sides[i % 3]));
            }

        // A picture smaller than its image keeps the image's colours and contour (its size's scale and line, not the
        // picture's), from a file as from an image column; the scale's green is where the map reaches the default verdict.
        var mapSize = (model.MapWidth, model.MapHeight);
        for (int i = 0; i < test.Count; i++)
        {
            int side = sides[i % 3];
            string path = Path.Combine(folder, test[i]);
            var map = predictions[i].AnomalyMap;
            Assert.Equal(model.MapThreshold(side, side), HeatScale.Of(model, side, side).Limit, 4);
            byte[] Expected(FloatImage picture) => SsmHeatMap.Overlay(picture, SsmHeatMap.Enlarged(map, mapSize, 12, 12),
                HeatScale.Of(model, side, side), model.MaskThresholdFor(side, side));
            Assert.Equal(Expected(ImageFile.LoadResized(path, 3, 12, 12)), SsmHeatMap.ToPng(model, path, map, maxSide: 12));
            using var image = Microsoft.ML.Data.MLImage.CreateFromFile(path);
            Assert.Equal(Expected(SsmInput.FromMLImage(image, 3, (12, 12))), SsmHeatMap.ToPng(model, image, map, maxSide: 12));
        }

        // The correction is what the size predicts: the same picture at another size scores differently.
        Assert.NotEqual(model.Calibration.SizeEffect!.Score(Math.Log(16 * 16)), model.Calibration.SizeEffect.Score(Math.Log(40 * 40)));
    }
}
