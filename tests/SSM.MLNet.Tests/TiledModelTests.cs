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
        Assert.NotNull(m.PixelAuroc);
        Assert.InRange(m.PixelAuroc!.Value, 0, 1);
        // The strip's peak, as a pixel of the 32 x 16 file: the map's cell in its place, not a square's.
        var map = Scored().GetColumn<VBuffer<float>>("AnomalyMap").First().DenseValues().ToArray();
        int peak = Array.IndexOf(map, map.Max());
        Assert.Equal((peak % 32, peak / 32, map.Max()), SsmHeatMap.Peak(map, (32, 16), 32, 16));
        Assert.Equal((peak % 32, peak / 32, map.Max()), SsmHeatMap.Peak(fx.Model, fx.Test[0].ImagePath, map));
        var mask = SsmHeatMap.PredictedMask(fx.Model, map, 64, 32);
        Assert.Equal((64, 32), (mask.Width, mask.Height));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, SsmHeatMap.ToPng(fx.Model, fx.Test[0].ImagePath, map)[..4]);   // a PNG
    }
}
