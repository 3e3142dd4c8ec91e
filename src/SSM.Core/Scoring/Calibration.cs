using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Training;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>
/// What the model learnt from held-out normal images after training: the pixel threshold that
/// progressive refinement uses, and the distribution of normal image scores that score normalisation
/// and the decision threshold start from.
/// </summary>
public sealed record Calibration
{
    /// <summary>Normal/suspicious pixel threshold of refinement (a high quantile of first-round normal pixel scores).</summary>
    public float RefinementThreshold { get; init; }

    /// <summary>Per-pixel statistics of the held-out normal maps, when <see cref="ScoringOptions.StandardizeMaps"/> is on
    /// (and at least 3 images were held out); null otherwise.</summary>
    public NormalMapStatistics? MapStatistics { get; init; }

    /// <summary>Normal map level and score by original image size, when <see cref="ScoringOptions.SizeCorrection"/> is on and the
    /// held-out images' sizes vary; null otherwise.</summary>
    public SizeEffect? SizeEffect { get; init; }

    /// <summary>The training images' contrast, when the model normalises each image (<see cref="InputNormalization.PerImage"/>):
    /// a frame far below it scores high however well it restores. <see cref="Training.SsmTrainer"/> fits it on all the
    /// training images; <see cref="Compute(InpaintingNetwork, SsmOptions, ImageCache, IProgress{CalibrationProgress}?, int, CancellationToken, ContrastRange?)"/>
    /// on the held-out ones unless given one. Null for models saved before it was recorded (format 10) and for those that
    /// keep the pixels as loaded, whose maps see brightness and contrast themselves.</summary>
    public ContrastRange? Contrast { get; init; }

    /// <summary>True when the model was calibrated again after training, on other normal images than the held-out ones
    /// (<see cref="SsmModel.Recalibrated"/>); null for a training's own calibration. Not written when null, so a trained
    /// model's file is what it was before this was recorded, and older readers ignore it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Recalibrated { get; init; }

    /// <summary>Final image scores of the held-out normal images (size-corrected when <see cref="SizeEffect"/> is set), ascending;
    /// of a tiled model (<see cref="SsmOptions.Tiles"/>), each image's highest tile score.</summary>
    /// <remarks>Read-only, and copied when set: every score a model gives is normalised by them, and a transformer's copies
    /// share its calibration.</remarks>
    public IReadOnlyList<float> NormalImageScores
    {
        get => normalImageScores;
        init
        {
            float[] scores = [.. value ?? []];   // a file's null reads as none, as before, not as an ArgumentNullException
            normalImageScores = Array.AsReadOnly(scores);
            (NormalMean, NormalStd) = MeanAndStd(scores);
        }
    }

    private readonly IReadOnlyList<float> normalImageScores = Array.AsReadOnly(Array.Empty<float>());

    /// <summary>Mean of <see cref="NormalImageScores"/>.</summary>
    [JsonIgnore]
    public float NormalMean { get; private init; }

    /// <summary>Standard deviation of <see cref="NormalImageScores"/>, never below a small floor so z-scores stay finite.</summary>
    [JsonIgnore]
    public float NormalStd { get; private init; } = 1e-6f;

    /// <summary>The first part holding NaN, an infinity or (the contrast) a value no images give, by name; null when there is
    /// none. Every score a model gives goes through these: a model file's contrast of 1e308 made every score NaN.</summary>
    internal string? Invalid()
    {
        static bool Bad(double v) => !double.IsFinite(v);
        if (Bad(RefinementThreshold)) return nameof(RefinementThreshold);
        if (NormalImageScores.Any(v => Bad(v))) return nameof(NormalImageScores);
        if (MapStatistics is { } m && (m.Mean.Any(v => Bad(v)) || m.Scale.Any(v => Bad(v)))) return nameof(MapStatistics);
        if (SizeEffect is { } e && new[] { e.LevelIntercept, e.LevelSlope, e.ScoreIntercept, e.ScoreSlope, e.MinLogArea ?? 0, e.MaxLogArea ?? 0 }.Any(Bad))
            return nameof(SizeEffect);
        // The log of a standard deviation of values in [0, 1]: at most log 0.5, and far above log 1e-20.
        if (Contrast is { } c && !(c.MeanLogStd is >= -50 and <= 0 && c.SpreadLogStd is >= 0 and <= 50)) return nameof(Contrast);
        return null;
    }

    private static (float Mean, float Std) MeanAndStd(float[] scores)
    {
        if (scores.Length == 0) return (0, 1e-6f);
        float mean = scores.Average();
        if (scores.Length < 2) return (mean, 1e-6f);
        double variance = scores.Sum(v => ((double)v - mean) * ((double)v - mean)) / (scores.Length - 1);
        return (mean, (float)Math.Max(Math.Sqrt(variance), 1e-6));
    }

    /// <summary>A scorer of <paramref name="network"/> under <paramref name="options"/> with this calibration: the given
    /// refinement threshold, the map statistics when the options standardise maps, and the contrast floor when they
    /// normalise each image.</summary>
    public AnomalyScorer CreateScorer(InpaintingNetwork network, SsmOptions options, float? refinementThreshold) =>
        new(network, options, refinementThreshold, options.Scoring.StandardizeMaps ? MapStatistics : null,
            options.Scoring.SizeCorrection ? SizeEffect : null,
            options.Normalization == InputNormalization.PerImage && Contrast is { } contrast ? (contrast, NormalMean, NormalStd) : null);

    /// <summary>
    /// Computes the calibration: first-round maps give the refinement threshold; the final maps (the same pass when
    /// refinement is off, else a second pass with all rounds) give the map statistics and the normal image scores. The
    /// contrast is <paramref name="contrast"/>, else the model's own (<see cref="Contrast"/>), else the held-out images'.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; checked between batches.</exception>
    public static Calibration Compute(SsmModel model, ImageCache heldOut, IProgress<CalibrationProgress>? progress, int batchSize = 8,
        CancellationToken cancellation = default, ContrastRange? contrast = null) =>
        Compute(model.Network, model.Options, heldOut, progress, batchSize, cancellation, contrast ?? model.Calibration?.Contrast);

    /// <summary>
    /// The calibration of a trained network under other scoring settings (<paramref name="options"/>' <see cref="ScoringOptions"/>:
    /// rounds, restoration error, smoothing, precision), e.g. to compare them on one network; the network must match
    /// <paramref name="options"/>' image size and shape. <paramref name="heldOut"/> should be the trainer's held-out images
    /// (<see cref="Training.SsmTrainer.Split"/>): the network has not seen them.
    /// <paramref name="contrast"/> is the training images' contrast (<see cref="ContrastRange.Fit"/>), kept when the options
    /// normalise each image; null fits it on <paramref name="heldOut"/>, so a recalibrated model keeps a floor for blank frames.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; checked between batches.</exception>
    public static Calibration Compute(InpaintingNetwork network, SsmOptions options, ImageCache heldOut, IProgress<CalibrationProgress>? progress, int batchSize = 8,
        CancellationToken cancellation = default, ContrastRange? contrast = null)
    {
        // Tiles grouped by another grid would calibrate a tiled network on whole images, or the reverse, without a word.
        if (heldOut.Tiles != options.Grid)
            throw new ArgumentException($"The held-out images are read as {heldOut.Tiles.Describe()}; the model reads {options.Grid.Describe()} (SsmOptions.Tiles): " +
                "cache them with the model's tiles.", nameof(heldOut));
        var scoring = options.Scoring;
        int kinds = scoring.ErrorKinds;
        bool refining = scoring.RefinementRounds > 1;
        // Images, not tiles, from 3 on: an image's tiles share its lighting, so 2 images of 9 tiles each had their maps
        // standardised by one other image, which the warning said was off. The size line counts images too (SizeEffect.Fit).
        bool standardizing = scoring.StandardizeMaps && heldOut.ImageCount >= 3;
        int total = refining ? 2 * heldOut.Count : heldOut.Count;
        var pixels = new List<float>();
        progress?.Report(new CalibrationProgress(0, total));
        // The refinement threshold is a quantile of every pixel, or of every k-th where they would be many (tiles): 961
        // overlapping tiles of 128 px on 10 held-out images are 157 million pixels.
        int every = (int)Math.Max(1, Math.Ceiling((double)heldOut.Count * options.ImageSize * options.ImageSize / MaxQuantilePixels));
        var firstRound = RawMaps(network, options, null, heldOut, batchSize, (pixels, every), done => progress?.Report(new CalibrationProgress(done, total)), cancellation);
        float threshold = Quantile(pixels, scoring.RefinementQuantile);
        // The final maps come from all rounds, which need the threshold just found.
        var final = refining
            ? RawMaps(network, options, threshold, heldOut, batchSize, (null, 1), done => progress?.Report(new CalibrationProgress(heldOut.Count + done, total)), cancellation)
            : firstRound;
        // A refined round leaves the cells it judged normal visible, where a map is about 0 on every held-out image: their
        // spread over a few images is about nothing, and 3 held-out images standardised to scores of 1e8, which flagged
        // nothing (a boundary sweep). A hidden cell errs as in the first round, so a pixel's spread is at least its first round's.
        var floor = standardizing && refining ? NormalMapStatistics.Compute(firstRound.Maps, kinds).Scale : null;
        var statistics = standardizing ? NormalMapStatistics.Compute(final.Maps, kinds, floor) : null;
        var scores = standardizing ? NormalMapStatistics.LeaveOneOutScores(final.Maps, kinds, scoring.PlanesOf(scoring.ImageScoreError), heldOut.Tiles.Count, floor) : final.Scores;
        var sizeEffect = scoring.SizeCorrection ? FitSizeEffect(final.Maps, scores, heldOut, statistics, scoring) : null;
        if (sizeEffect is not null)
            for (int i = 0; i < scores.Length; i++) scores[i] -= sizeEffect.Score(heldOut.LogArea(i));
        // Tiles were scored as images; an image scores its highest tile, so the threshold counts images, not tiles.
        scores = heldOut.Tiles.ImageScores(scores);
        Array.Sort(scores);
        return new Calibration
        {
            RefinementThreshold = threshold, MapStatistics = statistics, SizeEffect = sizeEffect, NormalImageScores = scores,
            Contrast = options.Normalization == InputNormalization.PerImage ? contrast ?? ContrastRange.Fit(heldOut, options.NormalizationStdFloor) : null,
        };
    }

    /// <summary>Map level (mean of the final map) and score of each held-out image against its original size.</summary>
    private static SizeEffect? FitSizeEffect(List<float[]> maps, float[] scores, ImageCache heldOut, NormalMapStatistics? statistics, ScoringOptions scoring)
    {
        var planes = scoring.PlanesOf(scoring.Error);
        var levels = maps.Select(m => statistics?.MeanStandardized(m, planes)
            ?? m.AsSpan(planes.Start * m.Length / scoring.ErrorKinds, planes.Count * m.Length / scoring.ErrorKinds).ToArray().Average()).ToArray();
        return SizeEffect.Fit([.. Enumerable.Range(0, heldOut.Count).Select(heldOut.LogArea)], levels, scores, heldOut.ImageCount);
    }

    /// <summary>
    /// Raw maps (K x S x S per image) of every image and the scores of their unstandardised maps (the maximum of the
    /// image score's planes, as the scorer); optionally collects the values of the unstandardised anomaly maps.
    /// </summary>
    private static (List<float[]> Maps, float[] Scores) RawMaps(InpaintingNetwork network, SsmOptions options, float? threshold,
        ImageCache images, int batchSize, (List<float>? Values, int Every) pixels, Action<int> done, CancellationToken cancellation)
    {
        var maps = new List<float[]>();
        var scores = new List<float>();
        int length = options.Scoring.ErrorKinds * options.ImageSize * options.ImageSize;
        using var scorer = new AnomalyScorer(network, options, threshold);
        foreach (var chunk in Enumerable.Range(0, images.Count).Chunk(batchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            using var batch = images.Batch(chunk);
            using var onDevice = scorer.RawMaps(batch, threshold is null ? 1 : options.Scoring.RefinementRounds);
            using var raw = onDevice.cpu();   // data<T>() reads CPU memory only: a network on CUDA leaves its maps there
            using var map = AnomalyScorer.MeanOf(raw, options.Scoring.PlanesOf(options.Scoring.Error));
            using var scoreMap = AnomalyScorer.MeanOf(raw, options.Scoring.PlanesOf(options.Scoring.ImageScoreError));
            using var maxima = scoreMap.amax([1, 2, 3]);
            if (pixels.Values is { } kept)
            {
                var values = map.data<float>().ToArray();
                if (pixels.Every == 1) kept.AddRange(values);
                else for (int p = 0; p < values.Length; p += pixels.Every) kept.Add(values[p]);
            }
            scores.AddRange(maxima.data<float>().ToArray());
            var rawValues = raw.data<float>().ToArray();
            for (int i = 0; i < chunk.Length; i++) maps.Add(rawValues.AsSpan(i * length, length).ToArray());
            done(chunk[^1] + 1);
        }
        return (maps, scores.ToArray());
    }

    /// <summary>Most pixels the refinement threshold's quantile is taken over: 16.8 million (64 MB).</summary>
    private const int MaxQuantilePixels = 1 << 24;

    /// <summary>Linear-interpolated quantile (as numpy's default).</summary>
    internal static float Quantile(List<float> values, double q)
    {
        values.Sort();
        double pos = q * (values.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, values.Count - 1);
        return (float)(values[lo] + (pos - lo) * (values[hi] - values[lo]));
    }
}
