using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>A colour model fed by a float vector column (CHW), trained on a context that asks for a GPU with CPU fallback.</summary>
public sealed class VectorColourTests
{
    private const int Size = 16;

    private sealed class VectorRow
    {
        [VectorType(3 * Size * Size)] public float[] Pixels { get; set; } = [];
    }

    private sealed class VectorPrediction
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
        [VectorType(Size * Size)] public float[] AnomalyMap { get; set; } = [];
    }

    [Fact]
    public void Colour_vector_input_trains_scores_and_round_trips()
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, Channels = 3, TrainCount = 8, TestGoodCount = 2, TestDefectCount = 1, Seed = 9 });
        var context = new MLContext(seed: 2) { GpuDeviceId = 0, FallbackToCpu = true };
        // values in [0, 255], declared with VectorScale
        var train = context.Data.LoadFromEnumerable(data.Train.Select(i => new VectorRow { Pixels = i.Pixels.Select(v => v * 255f).ToArray() }));
        var estimator = context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            InputColumnName = "Pixels", ImageSize = Size, Channels = 3, BaseWidth = 4, Depth = 2, Epochs = 1, RefinementRounds = 1,
            VectorWidth = Size, VectorHeight = Size, VectorScale = 1 / 255f, ScoreNormalization = SsmScoreNormalization.Raw,
        });
        using var model = estimator.Fit(train);
        Assert.Equal(SsmInputKind.Vector, model.InputKind);
        Assert.Equal(3, model.Channels);
        Assert.Equal(model.Calibration.NormalMean + 3 * model.Calibration.NormalStd, model.Threshold, 5);

        var test = context.Data.LoadFromEnumerable(data.Test.Select(t => new VectorRow { Pixels = t.Image.Pixels.Select(v => v * 255f).ToArray() }));
        var rows = Scored.Read(model.Transform(test));
        Assert.Equal(data.Test.Count, rows.Count);
        Assert.All(rows, r => Assert.Equal(Size * Size, r.Map.Length));
        // Raw normalisation: Score is the engine's own image score
        var engine = model.Model.Score(data.Test.Select(t => t.Image).ToList());
        for (int i = 0; i < rows.Count; i++) Assert.Equal(engine[i].Score, rows[i].Score, 5);

        string zip = Path.Combine(Path.GetTempPath(), $"ssm-vector-{Guid.NewGuid():N}.zip");
        try
        {
            context.Model.Save(model, train.Schema, zip);
            using var loaded = Assert.IsType<SsmAnomalyTransformer>(new MLContext().Model.Load(zip, out _));
            Assert.Equal(SsmInputKind.Vector, loaded.InputKind);
            var again = Scored.Read(loaded.Transform(test));
            Assert.Equal(rows.Select(r => r.Score), again.Select(r => r.Score));
            using var pe = context.Model.CreatePredictionEngine<VectorRow, VectorPrediction>(loaded);
            // Transform scored the rows as one batch, the engine scores one: equal up to float rounding.
            Close.Score(loaded, pe.Predict(new VectorRow { Pixels = data.Test[0].Image.Pixels.Select(v => v * 255f).ToArray() }).Score, rows[0].Score);
            // A grey image's vector given to the colour model: refused, saying so.
            var grey = context.Data.LoadFromEnumerable(new[] { new GreyRow { Pixels = new float[Size * Size] } });
            var refused = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => loaded.Transform(grey));
            Assert.Contains($"'Pixels': expected Vector<Single, {3 * Size * Size}> (3x{Size}x{Size} CHW; {Size * Size} is a grey image's size: this model reads colour (3 channels))", refused.Message);
        }
        finally { File.Delete(zip); }
    }

    private sealed class GreyRow
    {
        [VectorType(Size * Size)] public float[] Pixels { get; set; } = [];
    }

    private sealed class WideRow
    {
        [VectorType(8 * 16)] public float[] Pixels { get; set; } = [];
    }

    [Fact]
    public void A_vector_wider_than_high_keeps_its_shape_through_save_and_load()
    {
        // Every other saved vector model is square, where width and height read in either order give the same image.
        var random = new Random(6);
        WideRow Row() => new() { Pixels = Enumerable.Range(0, 8 * 16).Select(i => (i % 16 < 8 ? 0.2f : 0.7f) + 0.1f * random.NextSingle()).ToArray() };
        var context = new MLContext(seed: 3);
        var train = context.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(_ => Row()).ToList());
        using var model = context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            InputColumnName = nameof(WideRow.Pixels), VectorWidth = 16, VectorHeight = 8, ImageSize = 16, BaseWidth = 4, Depth = 2, Epochs = 1,
        }).Fit(train);
        var test = context.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(_ => Row()).ToList());
        var rows = Scored.Read(model.Transform(test));
        string zip = Path.Combine(Path.GetTempPath(), $"ssm-wide-{Guid.NewGuid():N}.zip");
        try
        {
            context.Model.Save(model, train.Schema, zip);
            using var loaded = Assert.IsType<SsmAnomalyTransformer>(new MLContext().Model.Load(zip, out _));
            var again = Scored.Read(loaded.Transform(test));
            Assert.Equal(rows.Select(r => r.Score), again.Select(r => r.Score));
            Assert.Equal(rows.Select(r => r.Map), again.Select(r => r.Map));
        }
        finally { File.Delete(zip); }
    }
}
