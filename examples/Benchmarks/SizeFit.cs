using Microsoft.ML;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;
using SSM.Core.Training;
using SSM.MLNet;

namespace SSM.Benchmarks;

/// <summary>
/// `size-fit`: how many held-out images the size correction (<see cref="SizeEffect"/>) needs. A trained model is calibrated
/// again on its own training's held-out images and on draws of 3 to 30 other good images, each with and without the
/// correction, and the labelled test set's image AUROC is printed beside the fitted score slope. A walkthrough's fine-tuning
/// of 30 images, 3 held out, ranked its test set worse than chance through that line alone.
/// </summary>
internal static class SizeFit
{
    public static int Run(Arguments a)
    {
        string modelPath = a.String("model") ?? throw new ArgumentException("--model <model.zip> is required.");
        string trainFolder = a.String("train") ?? throw new ArgumentException("--train <the folder the model trained on> is required.");
        string goodFolder = a.String("good") ?? throw new ArgumentException("--good <a folder of other good images> is required.");
        string labels = a.String("labels") ?? throw new ArgumentException("--labels <a labels CSV, as ssm evaluate reads> is required.");
        int draws = a.Int("draws") ?? 3;
        a.RejectUnknown();

        using var ssm = SsmAnomalyTransformer.From(new MLContext().Model.Load(modelPath, out _));
        var model = ssm.Model;
        var options = model.Options;
        int channels = options.Network.InputChannels;
        var items = LabelsCsv.Load(labels).TestItems;
        var test = items.Select(t => ImageFile.Load(t.Path, channels)).ToList();
        bool[] anomalous = [.. items.Select(t => t.IsAnomalous)];
        // The training's own split: the files it read, in the order it read them (empty files it refused are not among them).
        var trained = MvtecFolder.ListImages(trainFolder).Images.Where(p => new FileInfo(p).Length > 0).ToList();
        var (heldOut, _) = SsmTrainer.Split(trained.Count, model.LastTrainingOptions.Training);
        var good = MvtecFolder.ListImages(goodFolder).Images.ToList();

        Console.WriteLine($"Model {modelPath}; test set {labels}: {anomalous.Count(x => !x)} good, {anomalous.Count(x => x)} defective; load {Machine.LoadAverage()}.");
        var table = new MarkdownTable("calibrated on", "images", "image AUROC", "without the correction", "score slope");
        var noCorrection = options with { Scoring = options.Scoring with { SizeCorrection = false } };
        void Row(string name, IReadOnlyList<string> paths)
        {
            var cache = new ImageCache(options.ImageSize, channels, options.Tiles);
            foreach (var p in paths) cache.Add(ImageFile.Load(p, channels), p);
            double Auroc(SsmOptions o, out SizeEffect? effect)
            {
                var calibration = Calibration.Compute(model.Network, o, cache, null);
                effect = calibration.SizeEffect;
                using var calibrated = new SsmModel(model.CopyNetwork(), o, calibration);
                return Roc.Auroc([.. calibrated.Score(test).Select(s => s.Score)], anomalous);
            }
            double with = Auroc(options, out var fitted), without = Auroc(noCorrection, out _);
            table.Add(name, paths.Count.ToString(), Format.F3(with), Format.F3(without), fitted is null ? "not fitted" : Format.F1(fitted.ScoreSlope));
        }
        Row("its training's held-out images", [.. heldOut.Select(i => trained[i])]);
        foreach (int n in new[] { 3, 5, 8, 10, 12, 30 }.Where(n => n <= good.Count))
            for (int draw = 0; draw < (n < good.Count ? draws : 1); draw++)
                Row($"{n} other good images (draw {draw})", [.. good.Shuffle(new Random(draw)).Take(n)]);
        Console.WriteLine(table);
        return 0;
    }

    private static IEnumerable<T> Shuffle<T>(this IEnumerable<T> items, Random random)
    {
        var list = items.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }
}
