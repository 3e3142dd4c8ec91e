using System.Text.Json;
using System.Text.Json.Serialization;
using SSM.Cli.Scoring;

namespace SSM.Cli.Outputs;

/// <summary>The content of metrics.json.</summary>
public sealed record MetricsFile
{
    public string Command { get; init; } = "";
    /// <summary>The ssm that wrote the file (<see cref="CliApp.Version"/>: version and commit); null in files written before 2026-12-01.</summary>
    public string? Version { get; init; }
    public string Model { get; init; } = OutputFiles.Model;
    /// <summary>The model file evaluate read, as a full path (its output's model.zip is a copy, with any new threshold); absent for train.</summary>
    public string? EvaluatedModel { get; init; }
    /// <summary>The model's <see cref="ModelIdentity"/>: the same for the same training, and for a copy with another threshold.
    /// Null in files written before 2026-12-04.</summary>
    public string? NetworkSha256 { get; init; }
    public string? Dataset { get; init; }
    /// <summary>True when train read <see cref="Dataset"/>'s subfolders too (<c>--recursive</c>); absent otherwise.</summary>
    public bool? Recursive { get; init; }
    public float Threshold { get; init; }
    /// <summary>The model's mask threshold (map units, <c>--mask-threshold</c>); absent when its masks mark where each image's verdict lies.</summary>
    public float? MaskThreshold { get; init; }
    /// <summary>How many images trained the model and calibrated it; null for evaluate of a model saved before 2026-12-01, which does not record it.</summary>
    public int? TrainImages { get; init; }
    /// <summary>evaluate <c>--calibrate-on</c>: the folder of normal images the model was calibrated on before scoring, and
    /// how many; absent otherwise.</summary>
    public string? CalibratedOn { get; init; }
    public int? CalibrationImages { get; init; }
    public int? EpochsRun { get; init; }
    public double? FinalLoss { get; init; }
    public double? TrainingSeconds { get; init; }
    /// <summary>train <c>--from</c>: the model file it went on from (a full path) and that model's <see cref="ModelIdentity"/>;
    /// absent otherwise.</summary>
    public string? FineTunedFrom { get; init; }
    public string? FineTunedFromSha256 { get; init; }
    /// <summary>train <c>--add-good</c>: the folders whose good images were trained on beside the dataset's (full paths, in the
    /// order given), and how many images they held together; absent otherwise.</summary>
    public List<string>? AddedGood { get; init; }
    public int? AddedGoodImages { get; init; }
    /// <summary>train <c>--from</c>: the folders the starting model's network had been trained on, as its own record said
    /// (<see cref="Models.TrainingRecord.DataFolders"/>), so that this record holds the network's whole history even where the
    /// earlier one is gone or replaced; absent otherwise, or when the starting model had no record.</summary>
    public List<Models.TrainedFolder>? TrainedBefore { get; init; }
    /// <summary>train only: the epoch a stopped training was continued after (its checkpoint); absent for a run from the start.</summary>
    public int? ContinuedAfterEpoch { get; init; }
    /// <summary>The training settings: train's own; evaluate's are those saved in the model (without device, time budget and precisionUsed).</summary>
    public RecordedSettings Settings { get; init; } = new();
    public int TestImages { get; init; }
    public int TestAnomalous { get; init; }
    public double? ImageAuroc { get; init; }
    public double? ImageF1Max { get; init; }
    public float? ImageF1Threshold { get; init; }
    public long? TruePositives { get; init; }
    public long? FalsePositives { get; init; }
    public long? TrueNegatives { get; init; }
    public long? FalseNegatives { get; init; }
    public double? PixelAuroc { get; init; }
    public double? PixelF1Max { get; init; }
    /// <summary>The anomaly-map value at which the pixel F1-max is reached (map units, as <c>MapThreshold</c>; a round value
    /// marking the same pixels, for <c>--mask-threshold</c>); null without masks.</summary>
    public float? PixelF1Threshold { get; init; }
    /// <summary>Precision, recall and F1 of the map's pixels where the model's masks mark (<see cref="MaskThreshold"/>, else
    /// each image's verdict line: what <c>predict --masks</c> marks); null without masks.</summary>
    public double? PixelPrecision { get; init; }
    public double? PixelRecall { get; init; }
    public double? PixelF1 { get; init; }
    public double? Aupro { get; init; }
    /// <summary>95 % bootstrap intervals of the metrics over the test images, [low, high] (see <see cref="EvaluationResult.Intervals"/>).</summary>
    public double[]? ImageAurocInterval { get; init; }
    public double[]? PixelAurocInterval { get; init; }
    public double[]? AuproInterval { get; init; }
    /// <summary>The thresholds that flag at most 1, 5 and 10 % of the good test images (none without good images), and what each decides
    /// (<see cref="EvaluationResult.FalseAlarmThresholds"/>); give one to <c>ssm evaluate --threshold</c> to keep it.</summary>
    public List<FalseAlarmPoint> FalseAlarmThresholds { get; init; } = [];
    /// <summary>Per test category: images, how many flagged at the threshold, image AUROC against the good images, and
    /// with masks pixel AUROC and AUPRO of its images with the good ones.</summary>
    public List<SSM.Core.Evaluation.CategoryMetrics> Categories { get; init; } = [];
    public List<ImageScore> Images { get; init; } = [];
    /// <summary>Defective test images whose masks keep no defect pixel at the model's size (thinner than one of its pixels):
    /// the pixel metrics see no defect in them.</summary>
    public List<string> MasksLostAtModelSize { get; init; } = [];
    /// <summary>Defective test images whose masks mark no pixel (all black): the pixel metrics see no defect in them.</summary>
    public List<string> MasksMarkingNothing { get; init; } = [];

    public sealed record ImageScore(string Path, string Category, float Score, bool Predicted);

    /// <param name="Rate">The largest share of good images flagged.</param>
    /// <param name="Threshold">The score threshold.</param>
    /// <param name="GoodFlagged">Good images flagged at it.</param>
    /// <param name="DefectsFound">Defective images flagged at it; null (left out) for a test set of good images alone.</param>
    public sealed record FalseAlarmPoint(double Rate, float Threshold, long GoodFlagged, long? DefectsFound);

    /// <summary>How the file is written (camelCase keys, nulls left out): <c>ssm info --json</c> writes the same way.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A file, not HTML: "1.0.0+8a82..." and non-ASCII paths as they are, where the default wrote \u002B (a grep for "+" missed it).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Fills the training fields from what the model recorded of its training (models saved before 2026-12-01 have nothing).</summary>
    public MetricsFile With(SSM.Core.Training.TrainingSummary? s) => s is null ? this : this with
    {
        TrainImages = s.TrainingImages, EpochsRun = s.EpochsRun, FinalLoss = s.FinalLoss,
    };

    /// <summary>Fills the test-set fields from an evaluation.</summary>
    public MetricsFile With(EvaluationResult? e) => e is null ? this : this with
    {
        TestImages = e.Images.Count,
        TestAnomalous = e.Images.Count(i => i.IsAnomalous),
        ImageAuroc = e.ImageAuroc, ImageF1Max = e.ImageF1Max, ImageF1Threshold = e.ImageF1Threshold,
        TruePositives = e.Confusion.TruePositives, FalsePositives = e.Confusion.FalsePositives,
        TrueNegatives = e.Confusion.TrueNegatives, FalseNegatives = e.Confusion.FalseNegatives,
        PixelAuroc = e.Pixel?.Auroc, PixelF1Max = e.Pixel?.F1Max, PixelF1Threshold = e.PixelThreshold,
        PixelPrecision = e.PixelsAtThreshold?.Precision, PixelRecall = e.PixelsAtThreshold?.Recall, PixelF1 = e.PixelsAtThreshold?.F1, Aupro = e.Pixel?.Aupro,
        ImageAurocInterval = Pair(e.Intervals?.ImageAuroc), PixelAurocInterval = Pair(e.Intervals?.PixelAuroc), AuproInterval = Pair(e.Intervals?.Aupro),
        FalseAlarmThresholds = [.. e.FalseAlarmThresholds.Select(f => new FalseAlarmPoint(f.Rate, f.Threshold, f.Counts.FalsePositives,
            e.Images.Any(i => i.IsAnomalous) ? f.Counts.TruePositives : null))],
        Categories = [.. e.Categories],
        Images = [.. e.Images.Select(i => new ImageScore(i.Path, i.Category, i.Score, i.Predicted))],
        MasksLostAtModelSize = [.. e.MasksLostAtModelSize],
        MasksMarkingNothing = [.. e.MasksMarkingNothing],
    };

    private static double[]? Pair(SSM.Core.Evaluation.ConfidenceInterval? i) => i is { } v ? [v.Low, v.High] : null;

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static MetricsFile Read(string path) =>
        JsonSerializer.Deserialize<MetricsFile>(File.ReadAllText(path), ReadJson) ?? throw new JsonException("The file holds null.");

    /// <summary>As <see cref="Json"/>, with a null refused where the file's fields cannot be null: an edited file's
    /// <c>"settings": null</c> stopped <c>ssm info</c> with a NullReferenceException.</summary>
    private static readonly JsonSerializerOptions ReadJson = new(Json) { RespectNullableAnnotations = true };

    /// <summary>The command that wrote the metrics.json at <paramref name="path"/> ("train", "evaluate"), read alone: a file
    /// of an earlier version (before 2026-12-02 its settings were text, "imageSize": "32") is no longer read whole, and is
    /// still a training's record. Null when there is none or it is not JSON with that field.</summary>
    public static string? CommandOf(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("command", out var command)
                   && command.ValueKind == JsonValueKind.String ? command.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The metrics.json at <paramref name="path"/>, or null when there is none or it cannot be read (then
    /// <paramref name="problem"/> says why, in the system's or the parser's words).</summary>
    public static MetricsFile? TryRead(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path)) return null;
        try { return Read(path); }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
            return null;
        }
    }
}
