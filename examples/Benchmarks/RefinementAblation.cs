using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Training;

namespace SSM.Benchmarks;

/// <summary>
/// Progressive refinement on vs off across the generated textures: one tiny model per (texture, seed), trained
/// for a fixed number of epochs, scored with R = 1 and R = 2 (same network, same calibration).
/// </summary>
internal static class RefinementAblation
{
    public static int Run(Arguments a)
    {
        int size = a.Int("size") ?? 32, epochs = a.Int("epochs") ?? 20, seeds = a.Int("seeds") ?? 2;
        a.RejectUnknown();
        Console.WriteLine($"Refinement ablation: synthetic {size} px, 40 training images, 16 good + 16 defective test images, widths 8-16-32, {epochs} epochs.");
        Console.WriteLine("| texture | seed | image AUROC R=1 | R=2 | pixel AUROC R=1 | R=2 |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var texture in Enum.GetValues<TextureKind>())
            for (int seed = 0; seed < seeds; seed++)
            {
                var data = SyntheticDataset.Generate(new SyntheticDatasetOptions
                    { ImageSize = size, TrainCount = 40, TestGoodCount = 16, TestDefectCount = 4, Texture = texture, Seed = seed });
                var options = new SsmOptions { ImageSize = size, Network = new() { BaseWidth = 8, Depth = 3 }, Training = new() { Epochs = epochs, Seed = seed } };
                using var model = SsmTrainer.Train(data.Train, options);
                var labels = data.Test.Select(t => t.IsAnomalous).ToArray();
                var masks = data.Test.Select(t => t.Mask?.Pixels.Select(v => v > 0.5f).ToArray() ?? new bool[size * size]).ToList();
                var cache = new ImageCache(size, 1);
                foreach (var t in data.Test) cache.Add(t.Image, t.Name);
                var image = new List<string>();
                var pixel = new List<string>();
                foreach (int rounds in new[] { 1, 2 })
                {
                    using var scorer = model.CreateScorer(model.Calibration!.RefinementThreshold);
                    using var batch = cache.Batch(Enumerable.Range(0, cache.Count).ToArray());
                    using var scored = scorer.Score(batch, rounds, [.. Enumerable.Range(0, cache.Count).Select(cache.LogArea)]);
                    var scores = scored.Scores.data<float>().ToArray();
                    var maps = scored.Maps.data<float>().ToArray();
                    int plane = size * size;
                    image.Add(Roc.Auroc(scores, labels).ToString("F3"));
                    pixel.Add(PixelMetrics.Auroc(Enumerable.Range(0, scores.Length).Select(i => maps[(i * plane)..((i + 1) * plane)]).ToList(), masks).ToString("F3"));
                }
                Console.WriteLine($"| {texture} | {seed} | {image[0]} | {image[1]} | {pixel[0]} | {pixel[1]} |");
            }
        return 0;
    }
}
