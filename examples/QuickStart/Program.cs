// Quick start: generate a synthetic inspection dataset (woven texture, four defect kinds), train an
// SSM model on its normal images, and report image- and pixel-level accuracy on its test split.
//   dotnet run -c Release --project examples/QuickStart [-- --size 64 --epochs 30 --texture Woven --seed 0]
using System.Diagnostics;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Training;

var settings = QuickStartSettings.Parse(args);
Console.WriteLine($"Generating a {settings.Texture} dataset at {settings.Size} px (seed {settings.Seed})...");
var data = SyntheticDataset.Generate(new SyntheticDatasetOptions
{
    ImageSize = settings.Size, Texture = settings.Texture, Seed = settings.Seed, TrainCount = 80, TestGoodCount = 24, TestDefectCount = 8,
});
Console.WriteLine($"  {data.Train.Count} normal training images, {data.Test.Count} test images ({data.Test.Count(t => t.IsAnomalous)} defective)");

var options = new SsmOptions { ImageSize = settings.Size, Training = new TrainingOptions { Epochs = settings.Epochs, Seed = settings.Seed } };
var clock = Stopwatch.StartNew();
using var model = SsmTrainer.Train(data.Train, options, new Progress<TrainingProgress>(p =>
    Console.WriteLine($"  epoch {p.Epoch,3}/{p.PlannedEpochs}  loss {p.Loss.Total:F4} (mse {p.Loss.Mse:F4}, ms-gms {p.Loss.MsGms:F4}, 1-ssim {p.Loss.Ssim:F4}, mask {p.Loss.Mask:F4})  lr {p.LearningRate:G2}  {p.Elapsed.TotalSeconds:F0} s elapsed, ~{p.Remaining.TotalSeconds:F0} s left")));
var trainTime = clock.Elapsed;

var images = data.Test.Select(t => t.Image).ToList();
var labels = data.Test.Select(t => t.IsAnomalous).ToArray();
var masks = data.Test.Select(t => t.Mask?.Pixels.Select(v => v > 0.5f).ToArray() ?? new bool[settings.Size * settings.Size]).ToList();

Console.WriteLine();
Console.WriteLine($"Trained in {trainTime.TotalSeconds:F0} s. Test split:");
Console.WriteLine("| scoring                    | image AUROC | pixel AUROC | AUPRO | pixel F1-max | ms / image |");
Console.WriteLine("|----------------------------|-------------|-------------|-------|--------------|------------|");
foreach (int rounds in new[] { 1, options.Scoring.RefinementRounds }.Distinct().Order())
{
    using var scorer = model.CreateScorer(model.Calibration!.RefinementThreshold);
    var scores = new List<ImageScore>();
    clock.Restart();
    var cache = new ImageCache(settings.Size, 1);
    for (int i = 0; i < images.Count; i++) cache.Add(images[i], data.Test[i].Name);
    foreach (var chunk in Enumerable.Range(0, images.Count).Chunk(8))
    {
        using var batch = cache.Batch(chunk);
        using var scored = scorer.Score(batch, rounds);
        var maps = scored.Maps.data<float>().ToArray();
        var values = scored.Scores.data<float>().ToArray();
        int plane = settings.Size * settings.Size;
        for (int i = 0; i < chunk.Length; i++) scores.Add(new ImageScore(values[i], maps[(i * plane)..((i + 1) * plane)]));
    }
    double ms = clock.Elapsed.TotalMilliseconds / images.Count;
    double imageAuroc = Roc.Auroc(scores.Select(s => s.Score).ToArray(), labels);
    var pixel = PixelMetrics.Evaluate(scores.Select(s => s.Map).ToList(), masks, settings.Size, settings.Size);
    string name = rounds == 1 ? "one round (no refinement)" : $"{rounds} rounds (refinement)";
    Console.WriteLine($"| {name,-26} | {imageAuroc,11:F3} | {pixel.Auroc,11:F3} | {pixel.Aupro,5:F3} | {pixel.F1Max,12:F3} | {ms,10:F1} |");
}

internal sealed record QuickStartSettings(int Size, int Epochs, TextureKind Texture, int Seed)
{
    public static QuickStartSettings Parse(string[] args)
    {
        var s = new QuickStartSettings(64, 30, TextureKind.Woven, 0);
        for (int i = 0; i + 1 < args.Length; i += 2)
            s = args[i] switch
            {
                "--size" => s with { Size = int.Parse(args[i + 1]) },
                "--epochs" => s with { Epochs = int.Parse(args[i + 1]) },
                "--texture" => s with { Texture = Enum.Parse<TextureKind>(args[i + 1], ignoreCase: true) },
                "--seed" => s with { Seed = int.Parse(args[i + 1]) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --size, --epochs, --texture or --seed."),
            };
        return s;
    }
}
