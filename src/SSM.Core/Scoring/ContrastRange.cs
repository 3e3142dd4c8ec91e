using SSM.Core.Data;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>
/// The contrast of the training images (the standard deviation of an image's values at the model's size), which per-image
/// normalisation takes away before the network sees an image. Without it a frame with no content (a dead camera, a lens
/// cap, an empty belt under flat light) is standardised to a flat image, restores perfectly and scores as normal: the MTD
/// model of docs/results.md scored 200 px black, grey and white frames 0.878 each against its threshold 3. With it such a
/// frame scores by how far its contrast lies below the training images': <see cref="Deficit"/>. An image within
/// <see cref="Margin"/> spreads of their mean keeps the score its map gives, so the map's maximum and the score keep their
/// relation (<c>MapThreshold</c>) for every ordinary image. Past the margin the floor starts at the normal scores' mean, so
/// an image just past it whose map scores below the mean rises to about the mean: a step in the Score column, not in the
/// verdict, which the floor decides only from 3 spreads past the margin (at the default threshold).
/// </summary>
/// <param name="MeanLogStd">Mean of the training images' log contrast.</param>
/// <param name="SpreadLogStd">Standard deviation of the training images' log contrast.</param>
public sealed record ContrastRange(double MeanLogStd, double SpreadLogStd)
{
    /// <summary>
    /// The least spread a deficit is counted in: images of one steady setup can vary in contrast by a few percent only, and
    /// a frame with a third less would then lie many spreads below them. With this floor a frame needs less than about half
    /// the typical contrast to reach the default threshold of 3 (e^-((3 + <see cref="Margin"/>) x 0.15) = 0.47).
    /// </summary>
    public const double MinimumSpread = 0.15;

    /// <summary>Spreads below the typical contrast that are not counted: MTD's good test tiles lie up to 3.2 below their
    /// training tiles' mean, and with this margin none of its 583 test scores changed (docs/results.md, "Frames without
    /// content", 2026-12-03).</summary>
    public const double Margin = 2;

    /// <summary>The range of <paramref name="images"/>' log contrast, each image's standard deviation taken as at least
    /// <paramref name="stdFloor"/> (as the normalisation does).</summary>
    public static ContrastRange Fit(ImageCache images, float stdFloor)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count < 2) throw new ArgumentException("The contrast range needs at least 2 images.", nameof(images));
        var logStds = new List<double>(images.Count);
        foreach (var chunk in Enumerable.Range(0, images.Count).Chunk(64))
        {
            using var batch = images.Batch(chunk);
            using var values = LogContrast(batch, stdFloor);
            logStds.AddRange(values.data<float>().ToArray().Select(v => (double)v));
        }
        double mean = logStds.Average();
        return new ContrastRange(mean, Math.Sqrt(logStds.Sum(v => (v - mean) * (v - mean)) / (logStds.Count - 1)));
    }

    /// <summary>Each image's log contrast, [B], of a batch [B, C, S, S] of values in [0, 1].</summary>
    public static Tensor LogContrast(Tensor images, float stdFloor)
    {
        // Its three intermediates are freed here, not left to the finaliser by a caller without a dispose scope.
        using var scope = NewDisposeScope();
        return images.to(float32).std([1, 2, 3]).clamp_min(stdFloor).log().MoveToOuterDisposeScope();
    }

    /// <summary>How many spreads (at least <see cref="MinimumSpread"/>) an image's log contrast lies below the training
    /// images' mean, less <see cref="Margin"/>: where positive, the score (in standard deviations of the normal image scores)
    /// an image of this contrast gets at least. Negative for nearly every ordinary image.</summary>
    public double Deficit(double logStd) => (MeanLogStd - logStd) / Math.Max(SpreadLogStd, MinimumSpread) - Margin;

    /// <summary>The raw image scores [B] of a batch [B, C, S, S] whose map scores are <paramref name="scores"/>: where an
    /// image's <see cref="Deficit"/> is positive, at least the normal scores' mean plus that many of their standard
    /// deviations; elsewhere the map's.</summary>
    public Tensor Floor(Tensor scores, Tensor images, float stdFloor, float normalMean, float normalStd)
    {
        using var scope = NewDisposeScope();
        // A batch's few values, on the CPU, through Deficit itself: one definition of the rule.
        var logStds = LogContrast(images, stdFloor).cpu();
        float[] floors = [.. logStds.data<float>().ToArray().Select(v => Deficit(v) is var d && d > 0 ? (float)(normalMean + d * normalStd) : float.NegativeInfinity)];
        return scores.maximum(tensor(floors, dtype: scores.dtype, device: scores.device)).MoveToOuterDisposeScope();
    }
}
