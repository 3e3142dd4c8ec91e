using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using SSM.MLNet;

namespace SSM.WebApi;

/// <summary>The model's input: a whole image file as uploaded (PNG, JPEG, BMP, WebP, TIFF, JPEG 2000 or DICOM), decoded strictly by the model.</summary>
public sealed class Upload
{
    public byte[] File { get; set; } = [];
}

/// <summary>The model's output columns.</summary>
public sealed class Verdict
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
    public float[] AnomalyMap { get; set; } = [];   // the model's MapWidth x MapHeight (ImageSize squared without tiles), row-major
}

/// <summary>What the API answers: the score, the decision, and where the anomaly map is highest (in map pixels of a
/// MapWidth x MapHeight map: a tiled model's is as wide as its tiles).</summary>
public sealed record Answer(float Score, bool Anomalous, int HottestX, int HottestY, int MapWidth, int MapHeight)
{
    public static Answer Of(Verdict v, SsmAnomalyTransformer model)
    {
        int hottest = v.AnomalyMap.AsSpan().IndexOf(v.AnomalyMap.Max());
        return new Answer(v.Score, v.PredictedLabel, hottest % model.MapWidth, hottest / model.MapWidth, model.MapWidth, model.MapHeight);
    }
}

/// <summary>Makes PredictionEngines that leave the shared model alone when they are dropped.</summary>
public sealed class EnginePolicy(MLContext mlContext, ITransformer model) : PooledObjectPolicy<PredictionEngine<Upload, Verdict>>
{
    public override PredictionEngine<Upload, Verdict> Create() =>
        mlContext.Model.CreatePredictionEngine<Upload, Verdict>(model, new PredictionEngineOptions { OwnsTransformer = false });

    public override bool Return(PredictionEngine<Upload, Verdict> engine) => true;
}
