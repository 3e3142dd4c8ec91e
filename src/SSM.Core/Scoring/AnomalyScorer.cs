using SSM.Core.Data;
using SSM.Core.Losses;
using SSM.Core.Masks;
using SSM.Core.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>Anomaly maps [B, 1, S, S] (smoothed) and image scores [B] of a batch.</summary>
public sealed record ScoredBatch(Tensor Maps, Tensor Scores) : IDisposable
{
    public void Dispose()
    {
        Maps.Dispose();
        Scores.Dispose();
    }
}

/// <summary>
/// Inference (paper, sections 6 and 7): for every cell size, n complementary masks and one
/// restoration; the MS-GMS maps of all cell sizes combined and smoothed; the image score is the map's
/// maximum. Rounds after the first hide only the cells judged suspicious. All masked passes of all
/// images of a batch run in as few forward passes as <see cref="ScoringOptions.MaxForwardBatch"/> allows.
/// </summary>
public sealed class AnomalyScorer : IDisposable
{
    private readonly InpaintingNetwork network;
    private readonly SsmOptions options;
    private readonly MapSmoothing smoothing;
    private readonly int[] cellSizes;
    private readonly float[] cellWeights;
    private readonly Tensor[] scoringMasks;   // per cell size [n, 1, S, S], fixed by the mask seed

    /// <param name="network">A trained network; switched to evaluation mode.</param>
    /// <param name="options">Settings of the model.</param>
    /// <param name="refinementThreshold">Normal/suspicious pixel threshold; null (before calibration) scores one round only.</param>
    public AnomalyScorer(InpaintingNetwork network, SsmOptions options, float? refinementThreshold)
    {
        this.network = network;
        this.options = options;
        RefinementThreshold = refinementThreshold;
        int s = options.ImageSize;
        smoothing = new MapSmoothing(options.Scoring.ResolveSigma(s));
        cellSizes = options.Masking.ResolveCellSizes(s);
        cellWeights = cellSizes.Select(k => options.Scoring.CellWeighting == CellWeighting.Equal ? 1f : (float)k * k / ((float)s * s)).ToArray();
        float total = cellWeights.Sum();
        for (int i = 0; i < cellWeights.Length; i++) cellWeights[i] /= total;
        var device = network.parameters().First().device;
        using var generator = new Generator((ulong)options.Scoring.MaskSeed);
        scoringMasks = cellSizes.Select(k =>
        {
            using var m = ComplementaryMasks.Generate(s, k, options.Masking.Groups, generator);
            return m.to(device);
        }).ToArray();
    }

    /// <summary>The pixel threshold used by refinement, or null when refinement is off.</summary>
    public float? RefinementThreshold { get; }

    /// <summary>Scores a batch [B, C, S, S] of images in [0, 1] with all refinement rounds.</summary>
    public ScoredBatch Score(Tensor images) => Score(images, RefinementThreshold is null ? 1 : options.Scoring.RefinementRounds);

    /// <summary>Scores a batch with an explicit number of rounds (1 = no refinement), e.g. for calibration or ablation.</summary>
    public ScoredBatch Score(Tensor images, int rounds)
    {
        if (rounds > 1 && RefinementThreshold is null) throw new InvalidOperationException("Refinement needs a calibrated threshold.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        network.eval();
        var x = InputNormalizer.Apply(images.to(scoringMasks[0].device), options.Normalization);
        var imageGradients = MsGms.GradientPyramid(x);   // shared by every cell size and round
        Tensor? normal = null;
        Tensor map = RoundMap(x, imageGradients, normal);
        int refineCell = options.Scoring.ResolveRefinementCellSize(options.ImageSize);
        for (int r = 1; r < rounds; r++)
        {
            normal = RefinedMasks.NormalPixels(map, refineCell, RefinementThreshold!.Value, options.Scoring.NormalShare);
            map = RoundMap(x, imageGradients, normal);
        }
        var scores = map.amax([1, 2, 3]);
        return new ScoredBatch(map.MoveToOuterDisposeScope(), scores.MoveToOuterDisposeScope());
    }

    /// <summary>One round: the smoothed, weighted mean over cell sizes of the MS-GMS maps.</summary>
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
        Tensor combined = zeros_like(images[.., ..1]);
        for (int k = 0; k < masks.Length; k++)
        {
            var (restoration, _) = MaskedRestoration.Assemble(images, outputs.narrow(0, k * per, per), masks[k]);
            combined = combined.add(MsGms.Map(imageGradients, restoration).mul(cellWeights[k]));
        }
        return smoothing.Apply(combined).MoveToOuterDisposeScope();
    }

    private Tensor ForwardChunked(Tensor maskedImages, Tensor masks)
    {
        long total = maskedImages.shape[0];
        int chunk = options.Scoring.MaxForwardBatch;
        if (total <= chunk) return network.forward(maskedImages, masks);
        var parts = new List<Tensor>();
        for (long start = 0; start < total; start += chunk)
        {
            long len = Math.Min(chunk, total - start);
            parts.Add(network.forward(maskedImages.narrow(0, start, len), masks.narrow(0, start, len)));
        }
        return cat(parts, 0);
    }

    public void Dispose()
    {
        smoothing.Dispose();
        foreach (var m in scoringMasks) m.Dispose();
    }
}
