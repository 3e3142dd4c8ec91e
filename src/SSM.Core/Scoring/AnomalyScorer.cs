using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Losses;
using SSM.Core.Masks;
using SSM.Core.Network;
using TorchSharp;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Scoring;

/// <summary>Anomaly maps [B, 1, S, S] (smoothed) and image scores [B] of a batch.</summary>
public sealed record ScoredBatch(Tensor Maps, Tensor Scores) : IDisposable
{
    /// <summary>Frees both tensors' native memory.</summary>
    public void Dispose()
    {
        Maps.Dispose();
        Scores.Dispose();
    }
}

/// <summary>
/// Inference (paper, sections 6 and 7): for every cell size, n complementary masks and one
/// restoration; the error maps (MS-GMS, squared error) of all cell sizes combined, smoothed and standardised; the
/// anomaly map averages <see cref="ScoringOptions.Error"/>'s, the image score is the maximum of
/// <see cref="ScoringOptions.ImageScoreError"/>'s. Rounds after the first hide only the cells judged suspicious. All masked passes of all
/// images of a batch run in as few forward passes as <see cref="ScoringOptions.ResolveForwardBatch(int, int, ScalarType)"/> allows.
/// </summary>
public sealed class AnomalyScorer : IDisposable
{
    private readonly InpaintingNetwork network;
    private readonly ScalarType format;   // the network's number format (ScoringOptions.Precision resolved)
    private readonly SsmOptions options;
    private readonly MapSmoothing smoothing;
    private readonly int[] cellSizes;
    private readonly float[] cellWeights;
    private readonly Tensor[] scoringMasks;   // per cell size [n, 1, S, S], fixed by the mask seed
    private readonly (Tensor Mean, Tensor Scale)? standardTensors;
    private readonly (int Start, int Count) mapPlanes, scorePlanes;   // of the raw maps: the anomaly map's errors, the image score's

    /// <param name="network">A trained network; switched to evaluation mode.</param>
    /// <param name="options">Settings of the model.</param>
    /// <param name="refinementThreshold">Normal/suspicious pixel threshold; null (before calibration) scores one round only.</param>
    /// <param name="standardization">Per-pixel normal statistics applied to the final map; null gives raw maps.</param>
    /// <param name="sizeEffect">Normal level and score by original image size, taken away when given; null leaves them.</param>
    /// <param name="lowContrast">The training images' contrast and the normal scores' mean and standard deviation: an image
    /// with a positive <see cref="ContrastRange.Deficit"/> scores at least that in those units; null scores by the map alone.</param>
    public AnomalyScorer(InpaintingNetwork network, SsmOptions options, float? refinementThreshold, NormalMapStatistics? standardization = null,
        SizeEffect? sizeEffect = null, (ContrastRange Range, float NormalMean, float NormalStd)? lowContrast = null)
    {
        SizeEffect = sizeEffect;
        LowContrast = lowContrast;
        this.network = network;
        this.options = options;
        RefinementThreshold = refinementThreshold;
        Standardization = standardization;
        int s = options.ImageSize;
        smoothing = new MapSmoothing(options.Scoring.ResolveSigma(s));
        cellSizes = options.Masking.ResolveCellSizes(s);
        mapPlanes = options.Scoring.PlanesOf(options.Scoring.Error);
        scorePlanes = options.Scoring.PlanesOf(options.Scoring.ImageScoreError);
        cellWeights = cellSizes.Select(k => options.Scoring.CellWeighting == CellWeighting.Equal ? 1f : (float)k * k / ((float)s * s)).ToArray();
        float total = cellWeights.Sum();
        for (int i = 0; i < cellWeights.Length; i++) cellWeights[i] /= total;
        var device = network.parameters().First().device;
        Precision = NativeBFloat16.Resolve(options.Scoring.Precision, device);
        format = NativeBFloat16.Format(options.Scoring.Precision, device);
        if (standardization is not null) standardTensors = standardization.ToTensors(s, options.Scoring.ErrorKinds, device);
        using var generator = new Generator((ulong)options.Scoring.MaskSeed);
        scoringMasks = cellSizes.Select(k =>
        {
            using var m = ComplementaryMasks.Generate(s, k, options.Masking.ScoringGroups, generator);
            return m.to(device);
        }).ToArray();
    }

    /// <summary>The number format the network runs in: <see cref="ScoringOptions.Precision"/> with Auto resolved for this device.</summary>
    public NetworkPrecision Precision { get; }

    /// <summary>The pixel threshold used by refinement, or null when refinement is off.</summary>
    public float? RefinementThreshold { get; }

    /// <summary>The statistics that standardise the final maps, or null for raw maps.</summary>
    public NormalMapStatistics? Standardization { get; }

    /// <summary>The size correction applied to maps and scores, or null for none.</summary>
    public SizeEffect? SizeEffect { get; }

    /// <summary>The floor a frame far below the training images' contrast raises its score to, or null for none.</summary>
    public (ContrastRange Range, float NormalMean, float NormalStd)? LowContrast { get; }

    /// <summary>Scores a batch of images with all refinement rounds.</summary>
    /// <param name="images">[B, C, S, S], values in [0, 1].</param>
    /// <param name="logAreas">Each image's log(width x height) before it was resized (<see cref="ImageCache.LogArea"/>);
    /// required when the scorer has a <see cref="SizeEffect"/>.</param>
    public ScoredBatch Score(Tensor images, IReadOnlyList<double>? logAreas = null) =>
        Score(images, RefinementThreshold is null ? 1 : options.Scoring.RefinementRounds, logAreas);

    /// <summary>Scores a batch with an explicit number of rounds (1 = no refinement), e.g. for calibration or ablation.</summary>
    public ScoredBatch Score(Tensor images, int rounds, IReadOnlyList<double>? logAreas = null)
    {
        if (SizeEffect is not null && (logAreas is null || logAreas.Count != images.shape[0]))
            throw new ArgumentException($"This model corrects its scores for the images' original size: give the log area of each of the {images.shape[0]} images.", nameof(logAreas));
        using var inference = InferenceMode();
        using var scope = NewDisposeScope();
        var raw = RawMaps(images, rounds);
        var standardized = standardTensors is { } standard ? raw.sub(standard.Mean).div(standard.Scale) : raw;
        var map = MeanOf(standardized, mapPlanes);
        bool oneError = scorePlanes == mapPlanes;
        var scoreMap = oneError ? map : MeanOf(standardized, scorePlanes);
        Tensor scores;
        float[]? offsetValues = null;
        if (SizeEffect is { } size)
        {
            // Each map gives up its normal level, and its score is its maximum less the map's offset (the normal maximum
            // less that level): the very float a contour's line adds (MapThreshold), so with one error a map reaches the
            // line exactly when its score reaches the threshold, to the last bit.
            using var levels = tensor(logAreas!.Select(size.Level).ToArray(), [logAreas!.Count, 1, 1, 1]).to(map.device);
            offsetValues = [.. logAreas!.Select(size.MapOffset)];
            using var offsets = tensor(offsetValues).to(map.device);
            map = map.sub(levels);
            scoreMap = oneError ? map : scoreMap.sub(levels);
            scores = scoreMap.amax([1, 2, 3]).sub(offsets);
        }
        else scores = scoreMap.amax([1, 2, 3]);
        // The map cannot see what the normalisation took away: a frame without content restores to a flat image.
        if (LowContrast is { } low)
        {
            var floored = low.Range.Floor(scores, images, options.NormalizationStdFloor, low.NormalMean, low.NormalStd);
            if (options.Grid.Count > 1) map = ShowRaisedTiles(map, scores, floored, offsetValues);
            scores = floored;
        }
        return new ScoredBatch(map.MoveToOuterDisposeScope(), scores.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Tiles (these images are a tiled model's tiles) whose contrast raised their score: each one's map at least that score
    /// in map units, the least float that reaches it (MapThreshold's arithmetic), so the heat map outlines the tile. A whole
    /// frame without contrast has nothing to locate; a tile does, where it lies: a flat area as large as a tile (a hole, a
    /// stain, a covered part of a large image) flagged images whose maps showed nothing (2 of 7 images of 16x16 tiles).
    /// </summary>
    /// <param name="map">The tiles' maps, [B, 1, S, S].</param>
    /// <param name="scores">Their scores from the maps, [B].</param>
    /// <param name="floored">Their scores with the contrast floor, [B].</param>
    /// <param name="offsets">Each tile's <see cref="SizeEffect.MapOffset"/>; null without a size correction.</param>
    private static Tensor ShowRaisedTiles(Tensor map, Tensor scores, Tensor floored, float[]? offsets)
    {
        using var fromMaps = scores.cpu();
        using var raised = floored.cpu();
        var (before, after) = (fromMaps.data<float>().ToArray(), raised.data<float>().ToArray());
        var lift = new float[before.Length];
        for (int i = 0; i < lift.Length; i++)
        {
            float score = after[i], offset = offsets?[i] ?? 0f;
            lift[i] = score > before[i] ? LeastFloat.Where(value => !(value - offset < score), score + offset) : float.NegativeInfinity;
        }
        using var floor = tensor(lift, [lift.Length, 1, 1, 1]).to(map.device);
        return map.maximum(floor);
    }

    /// <summary>
    /// The final round's smoothed maps before standardisation, [B, K, S, S] with one channel per restoration error
    /// (<see cref="ScoringOptions.ErrorKinds"/>): what calibration learns the normal statistics from.
    /// </summary>
    public Tensor RawMaps(Tensor images, int rounds)
    {
        if (rounds > 1 && RefinementThreshold is null) throw new InvalidOperationException("Refinement needs a calibrated threshold.");
        using var inference = InferenceMode();
        using var scope = NewDisposeScope();
        if (network.training) network.eval();   // the call walks every module: 9 KB an image
        var x = InputNormalizer.Apply(images.to(scoringMasks[0].device), options);
        var imageGradients = MsGms.GradientPyramid(x);   // shared by every cell size and round
        Tensor map = RoundMap(x, imageGradients, null);
        int refineCell = options.Scoring.ResolveRefinementCellSize(options.ImageSize);
        for (int r = 1; r < rounds; r++)
        {
            var normal = RefinedMasks.NormalPixels(MeanOf(map, mapPlanes), refineCell, RefinementThreshold!.Value, options.Scoring.NormalShare);
            map = RoundMap(x, imageGradients, normal);
        }
        return map.MoveToOuterDisposeScope();
    }

    /// <summary>Maps [B, K, S, S] to one map [B, 1, S, S]: the mean over the planes (first, count) of
    /// <see cref="ScoringOptions.PlanesOf"/>.</summary>
    public static Tensor MeanOf(Tensor maps, (int Start, int Count) planes)
    {
        if (maps.shape[1] == 1) return maps.alias();
        // The view is freed here, not left to the finaliser by a caller without a dispose scope: it keeps all the maps alive.
        using var chosen = maps.narrow(1, planes.Start, planes.Count);
        return chosen.mean([1], keepdim: true);
    }

    /// <summary>One round: per restoration error, the smoothed, weighted mean over cell sizes of the error maps.</summary>
    private Tensor RoundMap(Tensor images, Tensor[] imageGradients, Tensor? normalPixels)
    {
        using var scope = NewDisposeScope();
        // Masks per cell size, [n, B or 1, 1, S, S]; refined masks differ per image.
        var masks = scoringMasks.Select(m => normalPixels is null
            ? m.unsqueeze(1)
            : RefinedMasks.Uncover(m, normalPixels).transpose(0, 1)).ToArray();
        var inputs = masks.Select(m => MaskedRestoration.Inputs(images, m)).ToArray();
        var outputs = ForwardChunked(cat(inputs.Select(i => i.MaskedImages).ToArray(), 0), cat(inputs.Select(i => i.Masks).ToArray(), 0));
        long per = inputs[0].MaskedImages.shape[0];
        var error = options.Scoring.ComputedErrors;
        // Every cell size's restorations in one batch, so each error is computed once, not once per cell size: MS-GMS is
        // hundreds of small operations, and per cell size they were half the scorer's allocations (the same values).
        int cells = masks.Length;
        long b = images.shape[0];
        var restorations = cat([.. Enumerable.Range(0, cells).Select(k => MaskedRestoration.Assemble(images, outputs.narrow(0, k * per, per), masks[k]).Restoration)], 0);
        var errors = new List<Tensor>(2);
        if (error is RestorationError.MsGms or RestorationError.Both)
            errors.Add(MsGms.Map([.. imageGradients.Select(g => g.repeat(cells, 1, 1, 1))], restorations));
        if (error is RestorationError.SquaredError or RestorationError.Both)
            errors.Add(restorations.sub(images.repeat(cells, 1, 1, 1)).Squared().mean([1], keepdim: true));
        var errorMaps = cat(errors, 1);                                                            // [cells x B, K, S, S]
        Tensor combined = zeros(b, options.Scoring.ErrorKinds, images.shape[2], images.shape[3], device: images.device);
        for (int k = 0; k < cells; k++) combined = combined.Plus(errorMaps.narrow(0, k * b, b).Times(cellWeights[k]));
        long kinds = combined.shape[1], s = combined.shape[2];
        return smoothing.Apply(combined.reshape(b * kinds, 1, s, s)).reshape(b, kinds, s, s).MoveToOuterDisposeScope();
    }

    /// <summary>No autograd and no version counters: the network ran 6-9 % faster than under no_grad, to the same bits. What
    /// it returns cannot be changed in place outside scoring, and nothing here does.</summary>
    private static IDisposable InferenceMode() => inference_mode();

    private Tensor ForwardChunked(Tensor maskedImages, Tensor masks)
    {
        long total = maskedImages.shape[0];
        int most = options.Scoring.ResolveForwardBatch(options.ImageSize, network.Options.BaseWidth, format);
        if (total <= most) return network.ForwardIn(format, maskedImages, masks);
        var parts = new List<Tensor>();
        long start = 0;
        foreach (long size in PassSizes(total, most))
        {
            parts.Add(network.ForwardIn(format, maskedImages.narrow(0, start, size), masks.narrow(0, start, size)));
            start += size;
        }
        return cat(parts, 0);
    }

    /// <summary>
    /// How <paramref name="total"/> masked images are split into forward passes of at most <paramref name="most"/>: into
    /// passes as equal as can be, not full ones and a remainder. 144 masked images (8 images, 18 masks) in passes of at
    /// most 64 run as 3 x 48: MTD in float32 on the Xeon scored at 62-66 ms per image with a peak of 533-543 MB, against
    /// 67-69 ms and 620-664 MB as 64 + 64 + 16 (96 test images in batches of 8, 2026-12-01).
    /// </summary>
    internal static long[] PassSizes(long total, int most)
    {
        long passes = (total + most - 1) / most, size = total / passes, larger = total % passes;
        return [.. Enumerable.Range(0, (int)passes).Select(i => i < larger ? size + 1 : size)];
    }

    /// <summary>Frees the smoothing kernels and other native tensors the scorer holds (not the network: its owner frees it).</summary>
    public void Dispose()
    {
        smoothing.Dispose();
        standardTensors?.Mean.Dispose();
        standardTensors?.Scale.Dispose();
        foreach (var m in scoringMasks) m.Dispose();
    }
}
