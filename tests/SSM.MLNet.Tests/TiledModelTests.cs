using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

/// <summary>What PredictionEngine reads back from a tiled model: its map's size is not declared.</summary>
public sealed class TiledPrediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
    public float[] AnomalyMap { get; set; } = [];
}

/// <summary>Strips of two texture squares (32 x 16 files), read by a model of 2 x 1 tiles of 16 px.</summary>
public sealed class TiledModelFixture : IDisposable
{
    public const int Size = 16;

    public TiledModelFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "ssm-mlnet-tiles-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Folder);
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 12, TestGoodCount = 2, TestDefectCount = 1, Seed = 5 });
        var blank = new FloatImage(1, Size, Size);
        string Write(string name, FloatImage image) { string path = Path.Combine(Folder, name); ImageFile.Save(image, path); return path; }
        Train = [.. data.Train.Select((image, i) => Write($"train{i}.png", Strips.SideBySide(image, data.Train[(i + 1) % data.Train.Count])))];
        foreach (var (item, i) in data.Test.Select((t, i) => (t, i)))
        {
            // The defect in the right tile: its mask lies in the strip's right half.
            Test.Add(new ImageRow
            {
                ImagePath = Write($"test{i}.png", Strips.SideBySide(data.Train[i], item.Image)), Label = item.IsAnomalous,
                MaskPath = Write($"test{i}_mask.png", Strips.SideBySide(blank, item.Mask ?? blank)),
            });
        }
        Context = new MLContext(seed: 1);
        Model = Context.Transforms.DetectAnomaliesSsm(Options()).Fit(Context.Data.LoadFromEnumerable(Train.Select(p => new PathRow { ImagePath = p })));
    }

    public static SsmAnomalyDetectionOptions Options() => new()
    {
        InputColumnName = nameof(PathRow.ImagePath), ImageSize = Size, Tiles = new TileGrid(2, 1), BaseWidth = 4, Depth = 2, Epochs = 2,
    };

    public string Folder { get; }
    public List<string> Train { get; }
    public List<ImageRow> Test { get; } = [];
    public MLContext Context { get; }
    public SsmAnomalyTransformer Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

public class TiledModelTests(TiledModelFixture fx) : IClassFixture<TiledModelFixture>
{
    private IDataView Scored() => fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(fx.Test));

    [Fact]
    public void TheMapColumnSaysItsHeightAndWidth()
    {
        Assert.Equal((32, 16, new TileGrid(2, 1)), (fx.Model.MapWidth, fx.Model.MapHeight, fx.Model.Tiles));
        var type = Assert.IsType<VectorDataViewType>(Scored().Schema["AnomalyMap"].Type);
        Assert.Equal([16, 32], type.Dimensions.ToArray());
        Assert.Equal(512, type.Size);
    }

    [Fact]
    public void PredictionEngine_TransformAndASavedModelGiveTheSameScoresAndMaps()
    {
        var scored = Scored();
        var maps = scored.GetColumn<VBuffer<float>>("AnomalyMap").Select(m => m.DenseValues().ToArray()).ToList();
        var scores = scored.GetColumn<float>("Score").ToList();
        using (var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, TiledPrediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false }))
        {
            var one = engine.Predict(fx.Test[^1]);
            Assert.Equal(maps[^1], one.AnomalyMap);
            Assert.Equal(scores[^1], one.Score, 4);
        }
        string zip = Path.Combine(fx.Folder, "model.zip");
        fx.Context.Model.Save(fx.Model, fx.Context.Data.LoadFromEnumerable(fx.Test).Schema, zip);
        using var loaded = (SsmAnomalyTransformer)new MLContext().Model.Load(zip, out _);
        Assert.Equal(new TileGrid(2, 1), loaded.Tiles);
        var again = loaded.Transform(fx.Context.Data.LoadFromEnumerable(fx.Test));
        Assert.Equal(scores, again.GetColumn<float>("Score"));
        Assert.Equal(maps, again.GetColumn<VBuffer<float>>("AnomalyMap").Select(m => m.DenseValues().ToArray()));
    }

    [Fact]
    public void PixelMetricsReadTheMasksAtTheMapsHeightAndWidth()
    {
        var m = fx.Context.AnomalyDetection.EvaluateSsm(Scored(), groundTruthMaskColumnName: nameof(ImageRow.MaskPath));
        // The masks as they are, 32 x 16 like the maps: a map read as 16 wide and 32 high would misplace every defect pixel.
        var maps = Scored().GetColumn<VBuffer<float>>("AnomalyMap").Select(v => v.DenseValues().ToArray()).ToList();
        var masks = fx.Test.Select(r => ImageResize.ResizeMaskToFlags(ImageFile.LoadMask(r.MaskPath), 16, 32)).ToList();
        var expected = SSM.Core.Evaluation.PixelMetrics.Evaluate(maps, masks, 16, 32);
        Assert.Equal((expected.Auroc, expected.Aupro), (m.PixelAuroc!.Value, m.Aupro!.Value));
        // The strip's peak, as a pixel of the 32 x 16 file: the map's cell in its place, not a square's.
        var map = maps[0];
        int peak = Array.IndexOf(map, map.Max());
        Assert.Equal((peak % 32, peak / 32, map.Max()), SsmHeatMap.Peak(map, (32, 16), 32, 16));
        Assert.Equal((peak % 32, peak / 32, map.Max()), SsmHeatMap.Peak(fx.Model, fx.Test[0].ImagePath, map));
        var mask = SsmHeatMap.PredictedMask(fx.Model, map, 64, 32);
        Assert.Equal((64, 32), (mask.Width, mask.Height));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, SsmHeatMap.ToPng(fx.Model, fx.Test[0].ImagePath, map)[..4]);   // a PNG
    }

    /// <summary>A mask of other proportions than its image is another image's: refused, naming the row and file (a walkthrough's
    /// one wrong mask took pixel AUROC from 1.000 to 0.594 without a word). A mask of the same proportions at another size fits.</summary>
    [Fact]
    public void A_mask_of_other_proportions_than_its_image_is_refused()
    {
        var defect = fx.Test.FindIndex(r => r.Label);
        string square = Path.Combine(fx.Folder, "square_mask.png"), larger = Path.Combine(fx.Folder, "larger_mask.png");
        var mask = ImageFile.LoadMask(fx.Test[defect].MaskPath);
        ImageFile.Save(new FloatImage(1, 16, 16, [.. Enumerable.Range(0, 256).Select(p => mask.Pixels[p / 16 * 32 + p % 16 + 16])]), square);
        ImageFile.Save(new FloatImage(1, 32, 64, [.. Enumerable.Range(0, 64 * 32).Select(p => mask.Pixels[p / 64 / 2 * 32 + p % 64 / 2])]), larger);
        List<ImageRow> With(string maskPath) => [.. fx.Test.Select((r, i) => i == defect ? new ImageRow { ImagePath = r.ImagePath, Label = r.Label, MaskPath = maskPath } : r)];
        IDataView Scored(List<ImageRow> rows) => fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(rows));

        var e = Assert.Throws<InvalidOperationException>(() => fx.Context.AnomalyDetection.EvaluateSsm(Scored(With(square)), groundTruthMaskColumnName: nameof(ImageRow.MaskPath)));
        Assert.Equal($"The mask at row {defect} of column 'MaskPath' ('{square}') is 16x16 but its image is 32x16: not the same proportions, so not the image's mask.", e.Message);
        var pictures = fx.Context.Transforms.LoadImages("MaskImage", "", nameof(ImageRow.MaskPath));
        var loaded = pictures.Fit(fx.Context.Data.LoadFromEnumerable(With(square)));
        var viaPictures = fx.Model.Transform(loaded.Transform(fx.Context.Data.LoadFromEnumerable(With(square))));
        Assert.Contains("is 16x16 but its image is 32x16", Assert.Throws<InvalidOperationException>(() =>
            fx.Context.AnomalyDetection.EvaluateSsm(viaPictures, groundTruthMaskColumnName: "MaskImage")).Message);

        // A picture resized to the map's size (ResizeImages), as the map squashes its image, is taken as it is: the square
        // mask stretched to 32 x 16, the others, 32 x 16 already, handed on by ResizeImages as LoadImages gave them (which
        // LoadImages disposes at its next row, while the model's batch still holds them: "Object is disposed" before).
        var squareRows = fx.Context.Data.LoadFromEnumerable(With(square));
        var resized = pictures.Append(fx.Context.Transforms.ResizeImages("MaskResized", 32, 16, "MaskImage")).Fit(squareRows);
        var viaResized = fx.Context.AnomalyDetection.EvaluateSsm(fx.Model.Transform(resized.Transform(squareRows)), groundTruthMaskColumnName: "MaskResized");

        var original = fx.Context.AnomalyDetection.EvaluateSsm(Scored(fx.Test), groundTruthMaskColumnName: nameof(ImageRow.MaskPath));
        var scaled = fx.Context.AnomalyDetection.EvaluateSsm(Scored(With(larger)), groundTruthMaskColumnName: nameof(ImageRow.MaskPath));
        Assert.Equal(original.PixelAuroc, scaled.PixelAuroc);
        // Taken as it is: as the same pixels saved as the row's mask file.
        string stretched = Path.Combine(fx.Folder, "stretched_mask.png");
        var pictureRows = resized.Transform(squareRows);
        using (var cursor = pictureRows.GetRowCursor([pictureRows.Schema["MaskResized"]]))
        {
            var picture = cursor.GetGetter<MLImage>(pictureRows.Schema["MaskResized"]);
            while (cursor.MoveNext())
            {
                if (cursor.Position != defect) continue;
                MLImage mask32x16 = null!;
                picture(ref mask32x16);
                ImageFile.Save(SsmInput.FromMLImage(mask32x16, 1), stretched);
            }
        }
        var viaFile = fx.Context.AnomalyDetection.EvaluateSsm(Scored(With(stretched)), groundTruthMaskColumnName: nameof(ImageRow.MaskPath));
        Assert.Equal(viaFile.PixelAuroc, viaResized.PixelAuroc);
        Assert.NotEqual(original.PixelAuroc, viaResized.PixelAuroc);   // its mask is another: a half of the original, stretched
    }
}
