using SSM.Core.Data;
using SSM.Core.Scoring;
using SSM.Core.Torch;
using static TorchSharp.torch;

namespace SSM.Benchmarks;

/// <summary>The library's scoring over a cached image set, in batches, copied out as one flat S x S map per image.</summary>
internal static class BatchScoring
{
    /// <summary>
    /// Maps and image scores (the scorer's own) of the images at <paramref name="indices"/> (default all). Test-time
    /// augmentation (<paramref name="tta"/> 2: each image and its horizontal flip; 4: and its three flips): the flipped
    /// copies' maps are flipped back and averaged, and the score is the maximum of that mean (so only for scorers whose
    /// score is their map's maximum).
    /// </summary>
    public static (float[][] Maps, float[] Scores) Score(AnomalyScorer scorer, ImageCache images, IReadOnlyList<int>? indices = null,
        int rounds = 1, int tta = 1, int batchSize = 8)
    {
        int[] order = indices?.ToArray() ?? Enumerable.Range(0, images.Count).ToArray();
        var maps = new float[order.Length][];
        var scores = new float[order.Length];
        int plane = images.ImageSize * images.ImageSize, done = 0;
        long[][] flips = tta >= 4 ? [[], [3], [2], [2, 3]] : tta >= 2 ? [[], [3]] : [[]];
        foreach (var chunk in order.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var batch = images.Batch(chunk);
            Tensor? sum = null, scores1 = null;
            foreach (var f in flips)
            {
                var input = f.Length == 0 ? batch : batch.flip(f);
                using var scored = scorer.Score(input, rounds, [.. chunk.Select(images.LogArea)]);
                scores1 ??= scored.Scores.clone();
                var m = f.Length == 0 ? scored.Maps.clone() : scored.Maps.flip(f);
                sum = sum is null ? m : sum.add_(m, Scalars.One);
            }
            var mean = sum!.div_(Scalars.Real(flips.Length)).contiguous();
            var data = mean.data<float>().ToArray();
            var maxima = (flips.Length == 1 ? scores1! : mean.amax([1, 2, 3])).data<float>().ToArray();
            for (int i = 0; i < chunk.Length; i++)
            {
                maps[done + i] = data.AsSpan(i * plane, plane).ToArray();
                scores[done + i] = maxima[i];
            }
            done += chunk.Length;
        }
        return (maps, scores);
    }
}
