using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>An input row of the image pipeline.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    public bool Label { get; set; }
    public float LabelSingle { get; set; }
    public string MaskPath { get; set; } = "";
}

/// <summary>What PredictionEngine reads back.</summary>
public sealed class Prediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
    [VectorType(32 * 32)]
    public float[] AnomalyMap { get; set; } = [];
}

/// <summary>
/// One tiny grayscale model trained once for all tests that need it: a synthetic MVTec folder on disk,
/// LoadImages -> DetectAnomaliesSsm, fitted on the train/good images.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public const int Size = 32;

    public TrainedModelFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "ssm-mlnet-tests-" + Guid.NewGuid().ToString("N")[..8]);
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 40, TestGoodCount = 8, TestDefectCount = 3, Seed = 3 });
        data.WriteMvtec(Folder);
        Train = Directory.GetFiles(Path.Combine(Folder, "train", "good"), "*.png").Order().Select(p => new ImageRow { ImagePath = p }).ToList();
        Test = [];
        foreach (var dir in Directory.GetDirectories(Path.Combine(Folder, "test")).Order())
        {
            string category = Path.GetFileName(dir);
            foreach (var path in Directory.GetFiles(dir, "*.png").Order())
            {
                string mask = Path.Combine(Folder, "ground_truth", category, Path.GetFileNameWithoutExtension(path) + "_mask.png");
                if (category == "good")
                {
                    mask = Path.Combine(Folder, "black_mask.png");
                    if (!File.Exists(mask)) ImageFile.Save(new FloatImage(1, Size, Size), mask);
                }
                bool anomalous = category != "good";
                Test.Add(new ImageRow { ImagePath = path, Label = anomalous, LabelSingle = anomalous ? 1 : 0, MaskPath = mask });
            }
        }

        Context = new MLContext(seed: 5);
        Context.Log += (_, e) => Log.Enqueue(e.Message);
        Pipeline = Context.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath))
            .Append(Context.Transforms.DetectAnomaliesSsm(Options()));
        var started = DateTime.UtcNow;
        Model = Pipeline.Fit(Context.Data.LoadFromEnumerable(Train));
        FitTime = DateTime.UtcNow - started;
        Ssm = Model.LastTransformer;
    }

    public static SsmAnomalyDetectionOptions Options() => new()
    {
        ImageSize = Size, BaseWidth = 8, Depth = 3, Epochs = 20, RefinementRounds = 1,
    };

    public string Folder { get; }
    public List<ImageRow> Train { get; }
    public List<ImageRow> Test { get; }
    public MLContext Context { get; }
    public ConcurrentQueue<string> Log { get; } = new();
    public EstimatorChain<SsmAnomalyTransformer> Pipeline { get; }
    public TransformerChain<SsmAnomalyTransformer> Model { get; }
    public SsmAnomalyTransformer Ssm { get; }
    public TimeSpan FitTime { get; }

    public IDataView TestData => Context.Data.LoadFromEnumerable(Test);

    public void Dispose()
    {
        Ssm.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedModelCollection : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "Trained model";
}

internal static class Scored
{
    /// <summary>Reads Score, PredictedLabel and AnomalyMap of every row through a cursor.</summary>
    public static List<(float Score, bool Predicted, float[] Map)> Read(IDataView data, string score = "Score", string predicted = "PredictedLabel", string map = "AnomalyMap")
    {
        var rows = new List<(float, bool, float[])>();
        using var cursor = data.GetRowCursor(data.Schema);
        var gs = cursor.GetGetter<float>(data.Schema[score]);
        var gp = cursor.GetGetter<bool>(data.Schema[predicted]);
        var gm = cursor.GetGetter<VBuffer<float>>(data.Schema[map]);
        float s = 0; bool p = false; VBuffer<float> m = default;
        while (cursor.MoveNext())
        {
            gs(ref s); gp(ref p); gm(ref m);
            rows.Add((s, p, m.DenseValues().ToArray()));
        }
        return rows;
    }
}
