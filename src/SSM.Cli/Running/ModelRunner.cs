using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.MLNet;

namespace SSM.Cli.Running;

/// <summary>Trains, saves, loads and scores through the ML.NET API (LoadImages → DetectAnomaliesSsm), as a user would.</summary>
public static class ModelRunner
{
    /// <summary>The pipeline every model is trained with; its input is an <see cref="ImageRow"/>.</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext mlContext, SsmAnomalyDetectionOptions options) =>
        mlContext.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath))
            .Append(mlContext.Transforms.DetectAnomaliesSsm(options));

    /// <summary>Trains on the given defect-free images.</summary>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<string> trainPaths, SsmAnomalyDetectionOptions options)
    {
        var data = mlContext.Data.LoadFromEnumerable(trainPaths.Select(p => new ImageRow { ImagePath = p }));
        try
        {
            return Pipeline(mlContext, options).Fit(data);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(ex.Message, ex);
        }
    }

    /// <summary>Saves the model as an ML.NET zip.</summary>
    public static void Save(MLContext mlContext, ITransformer model, string path) =>
        mlContext.Model.Save(model, mlContext.Data.LoadFromEnumerable(Array.Empty<ImageRow>()).Schema, path);

    /// <summary>Loads a model saved by <see cref="Save"/>; a missing or foreign file becomes a <see cref="CliException"/>.</summary>
    public static ITransformer Load(MLContext mlContext, string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new CliException($"Model file '{full}' does not exist.");
        try
        {
            var model = mlContext.Model.Load(full, out _);
            _ = SsmOf(model);
            return model;
        }
        catch (CliException) { throw; }
        catch (Exception ex)
        {
            throw new CliException($"'{full}' is not a model written by ssm train: {ex.Message}", ex);
        }
    }

    /// <summary>The SSM transformer inside a model.</summary>
    public static SsmAnomalyTransformer SsmOf(ITransformer model) => model switch
    {
        SsmAnomalyTransformer t => t,
        IEnumerable<ITransformer> chain => chain.OfType<SsmAnomalyTransformer>().SingleOrDefault()
            ?? throw new CliException("The model holds no SSM anomaly detector."),
        _ => throw new CliException("The model holds no SSM anomaly detector."),
    };

    /// <summary>Replaces the threshold of the SSM step of a saved chain (no retraining).</summary>
    public static ITransformer WithThreshold(ITransformer model, float threshold)
    {
        if (model is SsmAnomalyTransformer t) return t.WithThreshold(threshold);
        var chain = (IEnumerable<ITransformer>)model;
        return new TransformerChain<ITransformer>(chain.Select(x => x is SsmAnomalyTransformer s ? s.WithThreshold(threshold) : x).ToArray());
    }

    /// <summary>Scores images: score, decision and anomaly map of each, in input order.</summary>
    public static List<ScoredImage> Score(MLContext mlContext, ITransformer model, IReadOnlyList<string> paths, Action<int>? progress = null)
    {
        var ssm = SsmOf(model);
        int side = ssm.ImageSize;
        var scored = model.Transform(mlContext.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { ImagePath = p })));
        var schema = scored.Schema;
        using var cursor = scored.GetRowCursor(schema);
        var score = cursor.GetGetter<float>(schema[ssm.ScoreColumnName]);
        var predicted = cursor.GetGetter<bool>(schema[ssm.PredictedLabelColumnName]);
        var map = cursor.GetGetter<VBuffer<float>>(schema[ssm.AnomalyMapColumnName ?? "AnomalyMap"]);
        var results = new List<ScoredImage>(paths.Count);
        float s = 0; bool p = false; VBuffer<float> m = default;
        while (cursor.MoveNext())
        {
            score(ref s); predicted(ref p); map(ref m);
            results.Add(new ScoredImage(paths[results.Count], s, p, m.DenseValues().ToArray(), side));
            progress?.Invoke(results.Count);
        }
        return results;
    }
}
