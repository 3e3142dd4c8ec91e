using SSM.Core.Data;
using SSM.Core.Training;
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

    /// <summary>Final image scores of the held-out normal images, ascending.</summary>
    public float[] NormalImageScores { get; init; } = [];

    /// <summary>Mean of <see cref="NormalImageScores"/>.</summary>
    public float NormalMean => NormalImageScores.Length == 0 ? 0 : NormalImageScores.Average();

    /// <summary>Standard deviation of <see cref="NormalImageScores"/>, never below a small floor so z-scores stay finite.</summary>
    public float NormalStd
    {
        get
        {
            if (NormalImageScores.Length < 2) return 1e-6f;
            double mean = NormalMean;
            double variance = NormalImageScores.Sum(v => (v - mean) * (v - mean)) / (NormalImageScores.Length - 1);
            return (float)Math.Max(Math.Sqrt(variance), 1e-6);
        }
    }

    /// <summary>
    /// Computes the calibration: first-round maps give the refinement threshold; the normal image scores come
    /// from the same pass when refinement is off, else from a second pass with all rounds.
    /// </summary>
    public static Calibration Compute(SsmModel model, ImageCache heldOut, IProgress<CalibrationProgress>? progress, int batchSize = 8)
    {
        var indices = Enumerable.Range(0, heldOut.Count).ToArray();
        bool refining = model.Options.Scoring.RefinementRounds > 1;
        int total = refining ? 2 * heldOut.Count : heldOut.Count;
        var pixels = new List<float>();
        var scores = new List<float>();
        using (var firstRound = model.CreateScorer(refinementThreshold: null))
            foreach (var chunk in indices.Chunk(batchSize))
            {
                using var images = heldOut.Batch(chunk);
                using var scored = firstRound.Score(images, rounds: 1);
                pixels.AddRange(scored.Maps.data<float>().ToArray());
                scores.AddRange(scored.Scores.data<float>().ToArray());
                progress?.Report(new CalibrationProgress(chunk[^1] + 1, total));
            }
        float threshold = Quantile(pixels, model.Options.Scoring.RefinementQuantile);
        if (refining)
        {
            // The final scores come from all rounds, which need the threshold just found.
            scores.Clear();
            using var scorer = model.CreateScorer(threshold);
            foreach (var chunk in indices.Chunk(batchSize))
            {
                using var images = heldOut.Batch(chunk);
                using var scored = scorer.Score(images);
                scores.AddRange(scored.Scores.data<float>().ToArray());
                progress?.Report(new CalibrationProgress(heldOut.Count + chunk[^1] + 1, total));
            }
        }
        scores.Sort();
        return new Calibration { RefinementThreshold = threshold, NormalImageScores = scores.ToArray() };
    }

    /// <summary>Linear-interpolated quantile (as numpy's default).</summary>
    internal static float Quantile(List<float> values, double q)
    {
        values.Sort();
        double pos = q * (values.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, values.Count - 1);
        return (float)(values[lo] + (pos - lo) * (values[hi] - values[lo]));
    }
}
