using SSM.Cli.Models;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.Cli.Scoring;

/// <summary>One test image with its label, score, map and (for defects) its ground-truth mask at map resolution.</summary>
public sealed record EvaluatedImage(string Path, string Category, bool IsAnomalous, float Score, bool Predicted, float[] Map, bool[]? Mask,
    int MapWidth, int MapHeight, string? MaskPath);

/// <summary>Image- and pixel-level results on a labelled test set, with the curves the report draws.</summary>
public sealed class EvaluationResult
{
    public required IReadOnlyList<EvaluatedImage> Images { get; init; }
    public required float Threshold { get; init; }
    /// <summary>The map value of the best pixel F1 on this test set (metrics.json's <c>pixelF1Threshold</c>), as a round
    /// value that marks the same pixels (<see cref="RoundThreshold"/>): what <c>--mask-threshold</c> takes; null without
    /// masks. The report names it; its contours are drawn where the model's masks mark
    /// (<see cref="SSM.MLNet.SsmAnomalyTransformer.MaskThresholdFor"/>), as predict draws them.</summary>
    public float? PixelThreshold { get; init; }
    /// <summary>The map's pixels against the masks where the model's masks mark (each image's <c>MaskThresholdFor</c>, at the
    /// map's resolution): what <c>predict --masks</c> marks, where the pixel metrics above rank every threshold. Null
    /// without masks, or without the thresholds.</summary>
    public ConfusionCounts? PixelsAtThreshold { get; init; }
    /// <summary>The model's mask threshold (<see cref="SSM.MLNet.SsmAnomalyTransformer.MaskThreshold"/>) that
    /// <see cref="PixelsAtThreshold"/> was counted at; null when each image's verdict line was (the default).</summary>
    public float? MaskThreshold { get; init; }
    public double? ImageAuroc { get; init; }
    public double? ImageF1Max { get; init; }
    /// <summary>The score threshold of the best image F1, as a round value that decides the same (<see cref="RoundThreshold"/>):
    /// what <c>--threshold</c> takes.</summary>
    public float? ImageF1Threshold { get; init; }
    /// <summary>True when the image F1-max is reached only by flagging every test image: the scores then separate the
    /// classes no better, for F1, than calling everything defective (F1 = 2p / (1 + p) for a defect share p).</summary>
    public bool ImageF1FlagsAll => ImageF1Threshold is { } t && Images.Count > 0 && t <= Images.Min(i => i.Score);
    public ConfusionCounts Confusion { get; init; }
    /// <summary>The thresholds that flag at most 1, 5 and 10 % of the good test images, and what each decides: how an
    /// inspection line picks its threshold ("at most 5 % of good parts rejected"). Empty without good images.</summary>
    public IReadOnlyList<FalseAlarmThreshold> FalseAlarmThresholds { get; init; } = [];
    public PixelEvaluation? Pixel { get; init; }
    public RocCurve? ImageRoc { get; init; }
    public RocCurve? PixelRoc { get; init; }
    /// <summary>Per test category (a test sub-folder), "good" first, then the defect categories in the order their images
    /// come; flagged at the model's threshold. Pooled pixel figures mix the categories: the pixels of a kind found well can
    /// hide a kind missed (a walkthrough asked for these).</summary>
    public IReadOnlyList<CategoryMetrics> Categories { get; init; } = [];
    /// <summary>95 % bootstrap intervals over the test images (each category redrawn to its own count): how far the
    /// metrics could move with another test set of the same make-up. Null with one class only.</summary>
    public BootstrapIntervals? Intervals { get; init; }

    /// <summary>Defective test images whose mask keeps no defect pixel at the model's side: defects thinner than a model
    /// pixel, which the pixel metrics then see as all normal.</summary>
    public IReadOnlyList<string> MasksLostAtModelSize { get; init; } = [];

    /// <summary>Defective images whose mask marks no pixel at all (an all-black mask): the pixel metrics see no defect in them.</summary>
    public IReadOnlyList<string> MasksMarkingNothing { get; init; } = [];

    /// <summary>Test sets with more map pixels than this (about 6000 images at 64 x 64) get no pixel-metric intervals.</summary>
    public const long MaxIntervalPixels = 25_000_000;

    /// <summary>Pairs scores with the dataset's labels and masks and computes the metrics.</summary>
    /// <param name="mapThresholdOf">Where the model's masks mark, in the map's units, for the i-th image (the verdict's line
    /// moves with the image's size); null: no <see cref="PixelsAtThreshold"/>.</param>
    /// <param name="maskThreshold">The model's own mask threshold, when it has one (<see cref="MaskThreshold"/>).</param>
    public static EvaluationResult Compute(IReadOnlyList<MvtecTestItem> items, IReadOnlyList<ScoredImage> scored, float threshold,
        Func<int, float>? mapThresholdOf = null, float? maskThreshold = null)
    {
        var images = new List<EvaluatedImage>(items.Count);
        var lost = new List<string>();
        var empty = new List<string>();
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var s = scored[i];
            bool[]? mask = null;
            if (item.MaskPath is not null)
            {
                var full = ImageFile.LoadMask(item.MaskPath);
                mask = ImageResize.ResizeMaskToFlags(full, s.MapHeight, s.MapWidth);
                if (item.IsAnomalous && !mask.Contains(true)) (full.Pixels.Contains(1f) ? lost : empty).Add(item.Path);
            }
            images.Add(new EvaluatedImage(item.Path, item.Category, item.IsAnomalous, s.Score, s.Predicted, s.Map, mask, s.MapWidth, s.MapHeight, item.MaskPath));
        }

        float[] scores = [.. images.Select(x => x.Score)];
        bool[] labels = [.. images.Select(x => x.IsAnomalous)];
        bool bothClasses = labels.Contains(true) && labels.Contains(false);
        double? auroc = null, f1 = null; float? f1Threshold = null;
        RocCurve? imageRoc = null, pixelRoc = null;
        PixelEvaluation? pixel = null;
        if (bothClasses)
        {
            auroc = Roc.Auroc(scores, labels);
            (double f, float t) = F1Max.Compute(scores, labels);
            f1 = f; f1Threshold = RoundThreshold.Between(scores, t);
            imageRoc = Roc.Curve(scores, labels);
        }
        float? pixelThreshold = null;
        var maps = images.Select(x => x.Map).ToList();
        var masks = images.Select(x => x.Mask ?? new bool[x.Map.Length]).ToList();
        if (images.Any(x => x.Mask is not null && x.Mask.Contains(true)))
        {
            (var metrics, pixelRoc) = PixelMetrics.EvaluateWithCurve(maps, masks, images[0].MapHeight, images[0].MapWidth, maxPoints: 400);
            pixel = metrics;
            pixelThreshold = RoundThreshold.Between(maps, pixel.Value.F1Threshold);
        }
        ConfusionCounts? atThreshold = pixel is null || mapThresholdOf is null ? null
            : Enumerable.Range(0, images.Count).Aggregate(default(ConfusionCounts), (sum, i) => sum + ConfusionCounts.At(maps[i], masks[i], mapThresholdOf(i)));
        // Seed 0: the same test set always gets the same intervals. Pixel intervals hold 16 bytes per map pixel while they
        // are computed, so very large test sets (over MaxIntervalPixels) get image intervals only.
        bool pixelIntervals = pixel is not null && maps.Sum(m => (long)m.Length) <= MaxIntervalPixels;
        var intervals = bothClasses
            ? Bootstrap.Intervals(scores, labels, [.. images.Select(x => x.Category)], pixelIntervals ? maps : null, pixelIntervals ? masks : null,
                images[0].MapHeight, images[0].MapWidth)
            : null;
        return new EvaluationResult
        {
            Images = images, Threshold = threshold, PixelThreshold = pixelThreshold, PixelsAtThreshold = atThreshold, MaskThreshold = maskThreshold, MasksLostAtModelSize = lost, MasksMarkingNothing = empty,
            ImageAuroc = auroc, ImageF1Max = f1, ImageF1Threshold = f1Threshold,
            FalseAlarmThresholds = [.. FalseAlarmThreshold.CommonRates.Select(r => FalseAlarmThreshold.For(scores, labels, r)).OfType<FalseAlarmThreshold>()],
            Confusion = ConfusionCounts.At(scores, labels, threshold),
            Pixel = pixel, ImageRoc = imageRoc?.Downsample(400), PixelRoc = pixelRoc,
            Categories = ByCategory(images), Intervals = intervals,
        };
    }

    /// <summary>Which kinds of defect the model finds: <see cref="CategoryMetrics.Compute"/> of the test images.</summary>
    public static IReadOnlyList<CategoryMetrics> ByCategory(IReadOnlyList<EvaluatedImage> images) =>
        CategoryMetrics.Compute([.. images.Select(i => i.Category)], [.. images.Select(i => i.IsAnomalous)], [.. images.Select(i => i.Score)],
            [.. images.Select(i => i.Predicted)], [.. images.Select(i => new LabeledAnomalyMap(i.Map, i.Mask ?? new bool[i.Map.Length], i.MapHeight, i.MapWidth))]);
}
