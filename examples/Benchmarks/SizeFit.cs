using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;
using SSM.Core.Training;

namespace SSM.Benchmarks;

/// <summary>
/// `size-fit`: how many held-out images the size correction (<see cref="SizeEffect"/>) needs. A trained model is calibrated
/// again on its own training's held-out images and on draws of 3 to 76 other good images, and the labelled test set's image
/// AUROC with and without the correction is printed beside the fitted score slope and its t statistic. A walkthrough's fine-tuning
/// of 30 images, 3 held out, ranked its test set worse than chance through that line alone.
/// </summary>
internal static class SizeFit
{
    public static int Run(Arguments a)
    {
        string modelPath = a.String("model") ?? throw new ArgumentException("--model <model.zip or SsmModel.bin> is required.");
        string trainFolder = a.String("train") ?? throw new ArgumentException("--train <the folder the model trained on> is required.");
        string goodFolder = a.String("good") ?? throw new ArgumentException("--good <a folder of other good images> is required.");
        string labels = a.String("labels") ?? throw new ArgumentException("--labels <a labels CSV, as ssm evaluate reads> is required.");
        int draws = a.Int("draws") ?? 3;
        a.RejectUnknown();

        var (model, owner) = SavedModel.Load(modelPath);
        using var _ = owner;
        var options = model.Options;
        if (options.Grid.Count > 1) throw new ArgumentException($"size-fit measures models of whole images; '{modelPath}' scores tiles.");
        int channels = options.Network.InputChannels;
        var items = LabelsCsv.Load(labels).TestItems;
        var test = items.Select(t => ImageFile.Load(t.Path, channels)).ToList();
        bool[] anomalous = [.. items.Select(t => t.IsAnomalous)];
        // The training's own split: the files it read, in the order it read them (empty files it refused are not among them).
        var trained = MvtecFolder.ListImages(trainFolder).Images.Where(p => new FileInfo(p).Length > 0).ToList();
        if (trained.Count < SsmTrainer.MinimumImages)
            throw new ArgumentException($"--train '{trainFolder}' holds {trained.Count} images: give the folder of the images the model trained on (train/good).");
        var (heldOut, _) = SsmTrainer.Split(trained.Count, model.LastTrainingOptions.Training);
        var good = MvtecFolder.ListImages(goodFolder).Images.ToList();

        Console.WriteLine($"Model {modelPath}; test set {labels}: {anomalous.Count(x => !x)} good, {anomalous.Count(x => x)} defective; load {Machine.LoadAverage()}.");
        var table = new MarkdownTable("calibrated on", "images", "image AUROC", "without the correction", "score slope", "its t");
        var noCorrection = options with { Scoring = options.Scoring with { SizeCorrection = false } };
        double[] testLogAreas = [.. test.Select(image => image.LogArea)];
        var started = System.Diagnostics.Stopwatch.StartNew();
        void Row(string name, IReadOnlyList<string> paths)
        {
            var cache = new ImageCache(options.ImageSize, channels, options.Tiles);
            foreach (var p in paths) cache.Add(ImageFile.Load(p, channels), p);
            var calibration = Calibration.Compute(model.Network, options, cache, null);
            var fitted = calibration.SizeEffect;
            // One scoring serves both columns: the correction takes the fitted line's score at each image's size away from
            // the uncorrected score, as the scorer does (AnomalyScorer.Score; its contrast floor, which raises frames without
            // contrast, aside). The map statistics are the same with and without it.
            using var uncorrected = new SsmModel(model.CopyNetwork(), noCorrection, calibration);
            float[] scores = [.. uncorrected.Score(test).Select(s => s.Score)];
            double without = Roc.Auroc(scores, anomalous);
            double with = fitted is null ? without : Roc.Auroc([.. scores.Select((s, i) => s - fitted.Score(testLogAreas[i]))], anomalous);
            double t = fitted is null ? double.NaN : SlopeT(fitted.ScoreSlope, calibration.NormalImageScores, cache);
            table.Add(name, paths.Count.ToString(), Format.F3(with), Format.F3(without), fitted is null ? "not fitted" : Format.F1(fitted.ScoreSlope),
                double.IsNaN(t) ? "-" : Format.F1(t));
            Console.Error.WriteLine($"{started.Elapsed.TotalSeconds:0} s: {name}, {paths.Count} images: {with:F3} / {without:F3}, t {t:F1}");
        }
        Row("its training's held-out images", [.. heldOut.Select(i => trained[i])]);
        foreach (int n in new[] { 3, 5, 8, 10, 12, 15, 20, 30, 50, 76 }.Where(n => n <= good.Count))
            for (int draw = 0; draw < (n < good.Count ? draws : 1); draw++)
                Row($"{n} other good images (draw {draw})", [.. good.Shuffle(new Random(draw)).Take(n)]);
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>The score slope over its standard error: the corrected scores of whole images are the line's residuals.
    /// NaN for tiled models, whose image scores are the maxima of tiles.</summary>
    private static double SlopeT(float slope, IReadOnlyList<float> residuals, ImageCache cache)
    {
        if (residuals.Count != cache.Count || cache.Count < 3) return double.NaN;
        var x = Enumerable.Range(0, cache.Count).Select(cache.LogArea).ToArray();
        double mean = x.Average(), sxx = x.Sum(v => (v - mean) * (v - mean));
        double variance = residuals.Sum(r => (double)r * r) / (residuals.Count - 2);
        return slope / Math.Sqrt(variance / sxx);
    }

    private static IEnumerable<T> Shuffle<T>(this IEnumerable<T> items, Random random)
    {
        var list = items.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }
}
