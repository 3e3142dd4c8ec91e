using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;

namespace SSM.Benchmarks;

/// <summary>
/// `explore --refine` rows beyond the library's own scoring: the same maps and scores formed differently (errors mixed,
/// the image score spread over the map, a coarse copy added, each map centred, the size effect taken away), where
/// pooled pixel AUROC is lost and where the maps peak. Each prints table rows or indented lines under the library's row.
/// </summary>
internal static class MapVariants
{
    /// <summary>Rows of standardised MS-GMS maps mixed with standardised squared-error maps at several weights: how much of
    /// each restoration error the image score and the pixel metrics want.</summary>
    public static void Mixes(SsmModel model, SsmOptions msGms, ImageCache heldOut, ImageCache test, float[][] msGmsMaps,
        List<bool[]> masks, List<string> cats, int rounds)
    {
        int size = msGms.ImageSize;
        var squared = msGms with { Scoring = msGms.Scoring with { Error = RestorationError.SquaredError } };
        var calibration = Calibration.Compute(model.Network, squared, heldOut, progress: null);
        using var scorer = calibration.CreateScorer(model.Network, squared, calibration.RefinementThreshold);
        var (squaredMaps, _) = BatchScoring.Score(scorer, test, rounds: rounds, batchSize: 16);
        foreach (var w in new[] { 0.5f, 0.6f, 0.7f, 0.8f, 0.9f })
        {
            var mixed = msGmsMaps.Select((m, i) => m.Select((v, p) => w * v + (1 - w) * squaredMaps[i][p]).ToArray()).ToList();
            var px = PixelMetrics.Evaluate(mixed, masks, size, size);
            Console.WriteLine($"| {w} MS-GMS + {1 - w:0.0} squared error | {Explore.AurocCells(mixed.Select(m => m.Max()).ToArray(), cats)} | {px.Auroc:F3} | {px.Aupro:F3} |");
        }
    }

    /// <summary>Pixel metrics of maps with a share of the image score added to every pixel: how much of the pooled pixel
    /// AUROC is lost to image-level evidence (defects such as MTD's "uneven" that cover most of an image).</summary>
    public static void ScoreSpread(float[][] maps, float[] scores, List<bool[]> masks, List<string> cats)
    {
        int size = (int)Math.Sqrt(maps[0].Length);
        foreach (var w in new[] { 0.25f, 0.5f, 0.75f })
        {
            var spread = maps.Select((m, i) => m.Select(v => (1 - w) * v + w * scores[i]).ToArray()).ToList();
            var px = PixelMetrics.Evaluate(spread, masks, size, size);
            var perCategory = PerCategory.Pixels(spread, masks, cats, "good");
            Console.WriteLine($"  {1 - w:0.00} map + {w:0.00} image score: pixel AUROC {px.Auroc:F3}, AUPRO {px.Aupro:F3}; " +
                string.Join(", ", perCategory.Select(p => $"{p.Category} {p.PixelAuroc:F3}")));
        }
    }

    /// <summary>Pixel metrics of maps plus a heavily smoothed copy of themselves: evidence spread over its neighbourhood
    /// (large defects such as "uneven" light up only where the finish changes).</summary>
    public static void Coarse(float[][] maps, List<bool[]> masks, List<string> cats)
    {
        int size = (int)Math.Sqrt(maps[0].Length);
        foreach (var sigma in new[] { size / 16.0, size / 8.0, size / 4.0 })
        {
            using var smoothing = new MapSmoothing(sigma);
            using var stacked = TorchSharp.torch.tensor(maps.SelectMany(m => m).ToArray()).reshape(maps.Length, 1, size, size);
            using var smooth = smoothing.Apply(stacked);
            var coarseMaps = smooth.data<float>().ToArray().Chunk(size * size).ToArray();
            foreach (var w in new[] { 0.5f, 1f, 2f })
            {
                var lifted = maps.Select((m, i) => m.Select((v, p) => v + w * coarseMaps[i][p]).ToArray()).ToList();
                var px = PixelMetrics.Evaluate(lifted, masks, size, size);
                var perCategory = PerCategory.Pixels(lifted, masks, cats, "good");
                Console.WriteLine($"  map + {w} x smoothed (sigma {sigma}): pixel AUROC {px.Auroc:F3}, AUPRO {px.Aupro:F3}; " +
                    string.Join(", ", perCategory.Select(p => $"{p.Category} {p.PixelAuroc:F3}")));
            }
        }
    }

    /// <summary>Pooled pixel AUROC of every defective pixel against two sets of normal pixels: those of the good images, and
    /// those of the defective images around their defects: which of them the pooled figure loses to.</summary>
    public static void WherePixelAurocIsLost(float[][] maps, List<bool[]> masks, List<string> cats)
    {
        foreach (var line in PixelNegatives.Lines(maps, masks, cats, "good")) Console.WriteLine("  " + line);
        var within = PerCategory.WithinImages(maps, masks, cats, "good");
        foreach (var (c, auroc) in within)
        {
            var own = Enumerable.Range(0, cats.Count).Where(i => cats[i] == c).ToList();
            var pos = own.SelectMany(i => maps[i].Where((_, p) => masks[i][p])).ToArray();
            var neg = own.SelectMany(i => maps[i].Where((_, p) => !masks[i][p])).ToArray();
            Console.WriteLine($"  {c}: {pos.Length} defective pixels; within its own images pixel AUROC {auroc:F3}; " +
                $"its normal pixels' mean {neg.Average():F2} (good images {maps.Where((_, i) => cats[i] == "good").SelectMany(m => m).Average():F2}), defective {pos.Average():F2}");
        }
    }

    /// <summary>Pixel metrics of maps from which each image's own level (a quantile of its map) is taken away, in part or whole:
    /// the normal pixels of MTD's defective tiles sit about one standard deviation above those of its good tiles.</summary>
    public static void Centered(float[][] maps, List<bool[]> masks, List<string> cats)
    {
        int size = (int)Math.Sqrt(maps[0].Length);
        foreach (var q in new[] { 0.1, 0.25, 0.5 })
        {
            var level = maps.Select(m => { var sorted = m.Order().ToArray(); return sorted[(int)(q * (sorted.Length - 1))]; }).ToArray();
            foreach (var w in new[] { 0.5f, 1f })
            {
                var centered = maps.Select((m, i) => m.Select(v => v - w * level[i]).ToArray()).ToList();
                var px = PixelMetrics.Evaluate(centered, masks, size, size);
                var perCategory = PerCategory.Pixels(centered, masks, cats, "good");
                Console.WriteLine($"  map - {w} x its {q:P0} quantile: pixel AUROC {px.Auroc:F3}, AUPRO {px.Aupro:F3}; " +
                    string.Join(", ", perCategory.Select(p => $"{p.Category} {p.PixelAuroc:F3}")));
            }
        }
    }

    /// <summary>Where the maps peak: how many peaks fall in each tenth of the map's width, and how many defective images'
    /// peaks lie within 3 map pixels of their defect. A scene lit unevenly along its width (a line-scan strip's ramp)
    /// showed as peaks piled at one end wherever the defects were.</summary>
    public static void Peaks(float[][] maps, List<bool[]> masks)
    {
        int size = (int)Math.Sqrt(maps[0].Length);
        var tenths = new int[10];
        int defective = 0, onDefect = 0;
        for (int i = 0; i < maps.Length; i++)
        {
            int peak = Array.IndexOf(maps[i], maps[i].Max()), x = peak % size, y = peak / size;
            tenths[x * 10 / size]++;
            if (!masks[i].Contains(true)) continue;
            defective++;
            if (Enumerable.Range(0, masks[i].Length).Any(p => masks[i][p] && Math.Abs(p % size - x) <= 3 && Math.Abs(p / size - y) <= 3)) onDefect++;
        }
        Console.WriteLine($"  map peaks by tenth of the width, left to right: {string.Join(", ", tenths)}; " +
            $"within 3 map pixels of the defect: {onDefect} of {defective} defective images");
    }

    /// <summary>Metrics after taking away what the tile's size predicts: on MTD the map of a small tile (more enlarged to S x S)
    /// sits higher everywhere. Level and score are regressed on log(width x height) over the held-out normals.</summary>
    public static void SizeCorrected(AnomalyScorer scorer, ImageCache heldOut, ImageCache test,
        float[][] maps, float[] scores, List<bool[]> masks, List<string> cats)
    {
        var (heldMaps, heldScores) = BatchScoring.Score(scorer, heldOut, batchSize: 16);
        // The library's fit, without its clamp to the held-out sizes (this post-hoc analysis came before it).
        var fit = SizeEffect.Fit([.. Enumerable.Range(0, heldOut.Count).Select(heldOut.LogArea)], [.. heldMaps.Select(m => m.Average())], heldScores)
            ?? throw new InvalidOperationException("The held-out images have one size: there is no size effect to fit.");
        fit = fit with { MinLogArea = null, MaxLogArea = null };
        Console.WriteLine($"  held-out normals: map level = {fit.LevelIntercept:F2} + {fit.LevelSlope:F2} log(area), score = {fit.ScoreIntercept:F2} + {fit.ScoreSlope:F2} log(area)");
        int size = (int)Math.Sqrt(maps[0].Length);
        foreach (var (name, w) in new[] { ("level", 1.0), ("half the level", 0.5) })
        {
            var corrected = maps.Select((m, i) => m.Select(v => (float)(v - w * fit.Level(test.LogArea(i)))).ToArray()).ToList();
            var correctedScores = scores.Select((v, i) => (float)(v - w * fit.Score(test.LogArea(i)))).ToArray();
            var px = PixelMetrics.Evaluate(corrected, masks, size, size);
            Console.WriteLine($"| minus {name} the size predicts | {Explore.AurocCells(correctedScores, cats)} | {px.Auroc:F3} | {px.Aupro:F3} |");
            Console.WriteLine($"  pixel AUROC per category: {string.Join(", ", PerCategory.Pixels(corrected, masks, cats, "good").Select(p => $"{p.Category} {p.PixelAuroc:F3}"))}");
        }
    }
}
