namespace SSM.Core.Evaluation;

/// <summary>A range of plausible values of a metric: the <see cref="Level"/> percentile interval of its bootstrap draws.</summary>
public readonly record struct ConfidenceInterval(double Low, double High, double Level)
{
    /// <summary>E.g. "95 % interval 0.907-0.948" (invariant culture).</summary>
    public override string ToString() => FormattableString.Invariant($"{Level:P0} interval {Low:F3}-{High:F3}");
}

/// <summary>The intervals of one evaluation; pixel ones only when maps and masks were given.</summary>
public sealed record BootstrapIntervals(int Draws, ConfidenceInterval ImageAuroc, ConfidenceInterval? PixelAuroc, ConfidenceInterval? Aupro);

/// <summary>
/// How much a test set's metrics owe to which images happened to be in it. A stratified bootstrap redraws the images of
/// every stratum (test category) with replacement, keeping each stratum's count, and recomputes the metrics on each draw;
/// the interval holds the middle <c>level</c> of them. With 20 test images an image AUROC of 0.95 may mean anything from
/// 0.85 to 1; with 600 it is known to about +-0.02. It says nothing about the luck of training (train another seed).
/// </summary>
public static class Bootstrap
{
    /// <summary>Draws unless told otherwise: enough for stable 95 % percentile bounds.</summary>
    public const int DefaultDraws = 1000;

    /// <summary>Intervals for image AUROC and, given maps and masks, pixel AUROC and AUPRO (FPR up to 0.3).</summary>
    /// <param name="scores">Image scores.</param>
    /// <param name="labels">True for a defective image; both classes must be present.</param>
    /// <param name="strata">Each image's stratum (its test category), or null for two: good and defective.</param>
    /// <param name="maps">Anomaly maps (<paramref name="height"/> x <paramref name="width"/>, row-major), or null.</param>
    /// <param name="masks">Ground truth for <paramref name="maps"/>, all false for a good image.</param>
    /// <param name="height">Rows of every map and mask.</param>
    /// <param name="width">Columns of every map and mask.</param>
    /// <param name="draws">Bootstrap draws (at least 100).</param>
    /// <param name="seed">Seed of the draws: the same seed gives the same intervals.</param>
    /// <param name="level">Share of the draws inside the interval, in (0, 1).</param>
    /// <exception cref="ArgumentException">Mismatched lengths, one class only, no defective pixel, or a setting out of range.</exception>
    /// <remarks>A draw in which a metric is undefined (strata that mix good and defective images can draw one class only) is
    /// left out of that metric's interval.</remarks>
    public static BootstrapIntervals Intervals(IReadOnlyList<float> scores, IReadOnlyList<bool> labels, IReadOnlyList<string>? strata = null,
        IReadOnlyList<float[]>? maps = null, IReadOnlyList<bool[]>? masks = null, int height = 0, int width = 0,
        int draws = DefaultDraws, int seed = 0, double level = 0.95)
    {
        if (labels.Count != scores.Count || strata is not null && strata.Count != scores.Count || maps is not null && (masks is null || maps.Count != scores.Count || masks.Count != scores.Count))
            throw new ArgumentException("Scores, labels, strata, maps and masks must have one entry per image.");
        if (!labels.Contains(true) || !labels.Contains(false)) throw new ArgumentException("Intervals need both good and defective images.", nameof(labels));
        if (maps is not null && !masks!.Any(m => m.Contains(true))) throw new ArgumentException("Pixel intervals need at least one defective pixel.", nameof(masks));
        if (draws < 100) throw new ArgumentOutOfRangeException(nameof(draws), draws, "At least 100 draws are needed for a percentile interval.");
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The level must be in (0, 1).");

        var metrics = new ResampledMetrics([.. scores], [.. labels], maps, masks, height, width);
        var weights = StratifiedDraws(strata ?? [.. labels.Select(l => l ? "defective" : "good")], draws, seed);
        var values = new double[draws][];
        Parallel.For(0, draws, b => values[b] = metrics.HasPixels
            ? [metrics.ImageAuroc(weights[b]), metrics.PixelAuroc(weights[b]), metrics.Aupro(weights[b])]
            : [metrics.ImageAuroc(weights[b])]);
        ConfidenceInterval Of(int m)
        {
            var sorted = values.Select(v => v[m]).Where(double.IsFinite).Order().ToArray();
            return new(Percentile(sorted, (1 - level) / 2), Percentile(sorted, 1 - (1 - level) / 2), level);
        }
        return new BootstrapIntervals(draws, Of(0), metrics.HasPixels ? Of(1) : null, metrics.HasPixels ? Of(2) : null);
    }

    /// <summary>Per draw, how often each image is taken: every stratum redrawn to its own count, with replacement.</summary>
    internal static int[][] StratifiedDraws(IReadOnlyList<string> strata, int draws, int seed)
    {
        var random = new Random(seed);
        var groups = strata.Select((s, i) => (s, i)).GroupBy(x => x.s, StringComparer.Ordinal).Select(g => g.Select(x => x.i).ToArray()).ToArray();
        var result = new int[draws][];
        for (int b = 0; b < draws; b++)
        {
            result[b] = new int[strata.Count];
            foreach (var g in groups)
                for (int k = 0; k < g.Length; k++) result[b][g[random.Next(g.Length)]]++;
        }
        return result;
    }

    /// <summary>Linear interpolation between the order statistics of an ascending array (numpy's default).</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double at = q * (sorted.Length - 1);
        int low = (int)Math.Floor(at), high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }
}
