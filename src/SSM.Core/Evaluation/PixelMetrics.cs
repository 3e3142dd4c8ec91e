namespace SSM.Core.Evaluation;

/// <summary>
/// Pixel-level metrics over many anomaly maps at once. The maps are concatenated into one flat
/// score array (and one label array) before the single sort, so millions of pixels cost two
/// allocations, not one object each.
/// </summary>
public static class PixelMetrics
{
    /// <summary>Pixel AUROC over all pixels of all images; each map must be as long as its mask (any layout).</summary>
    /// <exception cref="ArgumentException">Counts or lengths differ, a score is NaN, or all pixels are of one class.</exception>
    public static double Auroc(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks)
        => Roc.Auroc(Concatenate(anomalyMaps, groundTruthMasks));

    /// <summary>Pixel AUROC over images that may differ in size.</summary>
    /// <exception cref="ArgumentException">A score is NaN or all pixels are of one class.</exception>
    public static double Auroc(IReadOnlyList<LabeledAnomalyMap> images)
        => Roc.Auroc(Concatenate(images));

    /// <summary>Best pixel F1 and its threshold (see <see cref="Evaluation.F1Max.Compute(ReadOnlySpan{float}, ReadOnlySpan{bool})"/>).</summary>
    /// <exception cref="ArgumentException">Counts or lengths differ, a score is NaN, or no pixel is anomalous.</exception>
    public static (double F1, float Threshold) F1Max(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks)
        => Evaluation.F1Max.Compute(Concatenate(anomalyMaps, groundTruthMasks));

    /// <summary>Pixel ROC curve, optionally thinned to <paramref name="maxPoints"/> for reports.</summary>
    /// <exception cref="ArgumentException">Counts or lengths differ, a score is NaN, or all pixels are of one class.</exception>
    public static RocCurve RocCurve(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks, int? maxPoints = 1000)
    {
        var curve = Roc.Curve(Concatenate(anomalyMaps, groundTruthMasks));
        return maxPoints is { } max ? curve.Downsample(max) : curve;
    }

    /// <summary>
    /// Pixel AUROC, F1-max and AUPRO together from one sort of all pixels — cheaper than calling each.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Pro.Aupro(IReadOnlyList{LabeledAnomalyMap}, double)"/>.</exception>
    public static PixelEvaluation Evaluate(IReadOnlyList<LabeledAnomalyMap> images, double maxFpr = Pro.DefaultMaxFpr)
        => Evaluate(images, maxFpr, curvePoints: null).Metrics;

    /// <summary>
    /// <see cref="Evaluate(IReadOnlyList{float[]}, IReadOnlyList{bool[]}, int, int, double)"/> and the pixel ROC curve thinned to
    /// <paramref name="maxPoints"/>, from the same sort: a report's curve would otherwise copy and sort every pixel again.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Evaluate(IReadOnlyList{LabeledAnomalyMap}, double)"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPoints"/> is below 2.</exception>
    public static (PixelEvaluation Metrics, RocCurve Curve) EvaluateWithCurve(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks,
        int height, int width, int maxPoints = 1000, double maxFpr = Pro.DefaultMaxFpr)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        var (metrics, curve) = Evaluate(LabeledAnomalyMap.Zip(anomalyMaps, groundTruthMasks, height, width), maxFpr, maxPoints);
        return (metrics, curve!);
    }

    private static (PixelEvaluation Metrics, RocCurve? Curve) Evaluate(IReadOnlyList<LabeledAnomalyMap> images, double maxFpr, int? curvePoints)
    {
        var ranking = PixelRanking.Build(images);
        double aupro = Pro.Aupro(ranking, maxFpr);
        var ranked = ranking.ToRankedScores();
        var (f1, threshold) = Evaluation.F1Max.Compute(ranked);
        var metrics = new PixelEvaluation(Roc.Auroc(ranked), f1, threshold, aupro, maxFpr);
        return (metrics, curvePoints is { } points ? Roc.Curve(ranked).Downsample(points) : null);
    }

    /// <summary><see cref="Evaluate(IReadOnlyList{LabeledAnomalyMap}, double)"/> for same-size row-major maps and masks.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Pro.Aupro(IReadOnlyList{float[]}, IReadOnlyList{bool[]}, int, int, double)"/>.</exception>
    public static PixelEvaluation Evaluate(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks, int height, int width,
        double maxFpr = Pro.DefaultMaxFpr)
        => Evaluate(LabeledAnomalyMap.Zip(anomalyMaps, groundTruthMasks, height, width), maxFpr);

    private static RankedScores Concatenate(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks)
    {
        ArgumentNullException.ThrowIfNull(anomalyMaps);
        ArgumentNullException.ThrowIfNull(groundTruthMasks);
        if (anomalyMaps.Count != groundTruthMasks.Count)
            throw new ArgumentException(
                $"{anomalyMaps.Count} anomaly maps but {groundTruthMasks.Count} ground-truth masks were given; they must pair up.", nameof(groundTruthMasks));
        long total = 0;
        for (int i = 0; i < anomalyMaps.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(anomalyMaps[i], $"{nameof(anomalyMaps)}[{i}]");
            ArgumentNullException.ThrowIfNull(groundTruthMasks[i], $"{nameof(groundTruthMasks)}[{i}]");
            if (anomalyMaps[i].Length != groundTruthMasks[i].Length)
                throw new ArgumentException(
                    $"Image {i}: the map has {anomalyMaps[i].Length} values but the mask has {groundTruthMasks[i].Length}.", nameof(groundTruthMasks));
            total += anomalyMaps[i].Length;
        }
        var (scores, labels) = Allocate(total);
        int offset = 0;
        for (int i = 0; i < anomalyMaps.Count; i++)
        {
            anomalyMaps[i].CopyTo(scores, offset);
            groundTruthMasks[i].CopyTo(labels, offset);
            offset += anomalyMaps[i].Length;
        }
        return RankedScores.Own(scores, labels);
    }

    private static RankedScores Concatenate(IReadOnlyList<LabeledAnomalyMap> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        long total = 0;
        for (int i = 0; i < images.Count; i++)
        {
            images[i].RequireInitialized(i);
            total += images[i].Map.Length;
        }
        var (scores, labels) = Allocate(total);
        int offset = 0;
        for (int i = 0; i < images.Count; i++)
        {
            images[i].Map.CopyTo(scores, offset);
            images[i].Mask.CopyTo(labels, offset);
            offset += images[i].Map.Length;
        }
        return RankedScores.Own(scores, labels);
    }

    private static (float[] Scores, bool[] Labels) Allocate(long total)
    {
        if (total > Array.MaxLength)
            throw new ArgumentException($"{total} pixels exceed the largest array .NET allows ({Array.MaxLength}).");
        return (new float[total], new bool[total]);
    }
}
