using System.Globalization;
using SSM.Core;

namespace SSM.Cli.Outputs;

/// <summary>
/// The <c>settings</c> of metrics.json and the report, from the engine's options: <c>train</c> lists those it trains with,
/// <c>evaluate</c> those its model was trained with (saved in the model), under the same names. Typed, so a script reads
/// <c>settings.imageSize</c> as the number it is.
/// </summary>
public sealed record RecordedSettings
{
    public int ImageSize { get; init; }
    /// <summary>The tiles each image is cut into ("8x1": across x down); null for whole images, so the file leaves it out
    /// and the stamps of untiled runs stay as they were.</summary>
    public string? Tiles { get; init; }
    /// <summary>How the tiles overlap: "half" (a tile across every border) or "none" (side by side); null for whole images.</summary>
    public string? TileOverlap { get; init; }
    public int Width { get; init; }
    public int Depth { get; init; }
    /// <summary>The epochs planned (train) or run (a saved model's options hold the number its training resolved).</summary>
    public int? Epochs { get; init; }
    public double LearningRate { get; init; }
    public int BatchSize { get; init; }
    public double Holdout { get; init; }
    public int Channels { get; init; }
    public int Seed { get; init; }
    /// <summary>Where train ran the network; null for evaluate (a saved model does not record it), so the file leaves it out.</summary>
    public string? Device { get; init; }
    /// <summary>The threads libtorch trained on (--threads, else libtorch's default, the machine's cores): the same seed trains another model on
    /// another count, as the gradients are summed in another order. Null for evaluate (a saved model does not record it).</summary>
    public int? Threads { get; init; }
    /// <summary>train's --time-budget in minutes; null without one, and for evaluate.</summary>
    public double? TimeBudgetMinutes { get; init; }
    public string Normalization { get; init; } = "";
    public string Error { get; init; } = "";
    public string ScoreError { get; init; } = "";
    public bool StandardizeMaps { get; init; }
    public int Rounds { get; init; }
    /// <summary>The map's smoothing σ in pixels at the model's size, resolved (the default is ImageSize / 32).</summary>
    public double Sigma { get; init; }
    public string Precision { get; init; } = "";
    /// <summary>What <see cref="NetworkPrecision.Auto"/> chose where the training ran; unknown for a saved model.</summary>
    public string? PrecisionUsed { get; init; }
    public bool Flip { get; init; }

    /// <param name="epochs">The epochs planned (train) or run (a saved model).</param>
    /// <param name="run">What only the training command knows: device, time budget, the precision Auto chose; null for a saved model.</param>
    public static RecordedSettings Of(SsmOptions o, int? epochs, (string Device, int Threads, double? TimeBudgetMinutes, string PrecisionUsed)? run = null) => new()
    {
        ImageSize = o.ImageSize, Tiles = o.Tiles?.ToString(), TileOverlap = o.Tiles?.OverlapName, Width = o.Network.BaseWidth, Depth = o.Network.Depth, Epochs = epochs,
        LearningRate = o.Training.LearningRate, BatchSize = o.Training.BatchSize, Holdout = o.Training.HoldoutFraction,
        Channels = o.Network.InputChannels, Seed = o.Training.Seed,
        Device = run?.Device, Threads = run?.Threads, TimeBudgetMinutes = run?.TimeBudgetMinutes,
        Normalization = o.Normalization.ToString(), Error = o.Scoring.Error.ToString(), ScoreError = o.Scoring.ImageScoreError.ToString(),
        StandardizeMaps = o.Scoring.StandardizeMaps, Rounds = o.Scoring.RefinementRounds, Sigma = o.Scoring.ResolveSigma(o.ImageSize),
        Precision = o.Scoring.Precision.ToString(), PrecisionUsed = run?.PrecisionUsed, Flip = o.Training.Flip,
    };

    /// <summary>The settings as the file names them, each as text ("none" for train without a time budget), in the file's order:
    /// the report's rows and the checkpoint folder's stamp (which these exact strings keep from one version to the next).</summary>
    /// <param name="withThreads">False for the stamp: the checkpoint keeps the thread counts beside it instead, so that a
    /// stopped training goes on on another count (with a note), as it did before the count was recorded.</param>
    public IEnumerable<(string Key, string Value)> Rows(bool withThreads = true)
    {
        yield return ("imageSize", Text(ImageSize));
        if (Tiles is not null) yield return ("tiles", Tiles);
        if (TileOverlap is not null) yield return ("tileOverlap", TileOverlap);
        yield return ("width", Text(Width));
        yield return ("depth", Text(Depth));
        if (Epochs is { } e) yield return ("epochs", Text(e));
        yield return ("learningRate", Text(LearningRate));
        yield return ("batchSize", Text(BatchSize));
        yield return ("holdout", Text(Holdout));
        yield return ("channels", Text(Channels));
        yield return ("seed", Text(Seed));
        if (Device is not null)
        {
            yield return ("device", Device);
            if (withThreads && Threads is { } t) yield return ("threads", Text(t));
            yield return ("timeBudgetMinutes", TimeBudgetMinutes is { } m ? Text(m) : "none");
        }
        yield return ("normalization", Normalization);
        yield return ("error", Error);
        yield return ("scoreError", ScoreError);
        yield return ("standardizeMaps", StandardizeMaps ? "true" : "false");
        yield return ("rounds", Text(Rounds));
        yield return ("sigma", Text(Sigma));
        yield return ("precision", Precision);
        if (PrecisionUsed is not null) yield return ("precisionUsed", PrecisionUsed);
        yield return ("flip", Flip ? "true" : "false");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
