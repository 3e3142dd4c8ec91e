// SSM.MLNet getting started: generate a small synthetic dataset in MVTec layout, train on the normal images through
// an ML.NET pipeline (LoadImages -> DetectAnomaliesSsm), save the model, load it back, score the test images, and
// calibrate it again on good images taken under a new lamp.
//
//   dotnet run -c Release --project examples/GettingStarted                        the demo
//   dotnet run -c Release --project examples/GettingStarted -- score <zip> <png>...  load a saved model and print one line per image
//                                       (path, score, flagged, SHA-256 of the map's floats; --map-values: then the map itself)
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;
using SSM.MLNet;

if (args.Length > 0 && args[0] == "score")
{
    bool mapValues = args.Contains("--map-values");
    args = [.. args.Where(a => a != "--map-values")];
    if (args.Length < 3)
    {
        Console.Error.WriteLine("usage: score <model.zip> <image.png>... [--map-values]");
        return 2;
    }
    if (!File.Exists(args[1]))
    {
        Console.Error.WriteLine($"error: the model '{Path.GetFullPath(args[1])}' does not exist.");
        return 2;
    }
    if (args[2..].FirstOrDefault(image => !File.Exists(image)) is { } missing)
    {
        Console.Error.WriteLine($"error: the image '{Path.GetFullPath(missing)}' does not exist.");
        return 2;
    }
    return Score(args[1], args[2..], mapValues);
}
if (args.Length > 0)
{
    Console.Error.WriteLine($"Unknown argument '{args[0]}'. Run without arguments for the demo, or: score <model.zip> <image.png>...");
    return 2;
}

var mlContext = new MLContext(seed: 1);
// The engine's own lines ("SSM: epoch 3/20 ..."), without ML.NET's channel bookkeeping.
mlContext.Log += (_, e) => { if (e.RawMessage.StartsWith("SSM:", StringComparison.Ordinal)) Console.WriteLine($"  {e.RawMessage}"); };

// 1. Data: 100 normal training images (10 of them held out to calibrate the threshold, the fewest the model does not
//    warn of) and a labelled test set, as PNG files in MVTec layout, in a folder of this run's own, removed at the end.
string folder = Path.Combine(Path.GetTempPath(), $"ssm-getting-started-{Environment.ProcessId}");
using var removeAtExit = new TemporaryFolder(folder);
SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 32, TrainCount = 100, TestGoodCount = 10, TestDefectCount = 4, Seed = 7 })
    .WriteMvtec(folder);
var train = Directory.GetFiles(Path.Combine(folder, "train", "good"), "*.png").Order()
    .Select(p => new ImageRow { ImagePath = p }).ToList();
// Each test image's sub-folder is its category: "good", or the kind of defect.
var test = Directory.GetDirectories(Path.Combine(folder, "test")).Order()
    .SelectMany(dir => Directory.GetFiles(dir, "*.png").Order()
        .Select(p => new ImageRow { ImagePath = p, Category = Path.GetFileName(dir), Label = Path.GetFileName(dir) != "good" }))
    .ToList();

// 2. Pipeline: load the images, then train SSM on them (tiny settings so the demo runs in well under a minute on a CPU).
var pipeline = mlContext.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath))
    .Append(mlContext.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
    {
        ImageSize = 32,
        BaseWidth = 8,
        Depth = 3,
        Epochs = 20,
        RefinementRounds = 1,
        // Generated images have fixed lighting and intensity defects (spots, holes, colour changes): keep absolute
        // brightness and score with squared error beside MS-GMS. Real cameras keep the defaults (src/SSM.Cli/README.md, "ssm generate").
        InputNormalization = InputNormalization.None,
        ImageScoreError = SSM.Core.RestorationError.Both,
    }));
Console.WriteLine($"Training on {train.Count} normal images...");
var model = pipeline.Fit(mlContext.Data.LoadFromEnumerable(train));

// 3. Save, and load back (what a scoring service would do).
string zip = Path.Combine(folder, "ssm-model.zip");
mlContext.Model.Save(model, mlContext.Data.LoadFromEnumerable(train).Schema, zip);
var loaded = mlContext.Model.Load(zip, out _);
var ssm = ((TransformerChain<ITransformer>)loaded).OfType<SsmAnomalyTransformer>().Single();
Console.WriteLine($"Saved {new FileInfo(zip).Length / 1024} KiB; loaded: {ssm.ImageSize}x{ssm.ImageSize}, {ssm.Channels} channel(s), " +
                  $"threshold {ssm.Threshold} ({ssm.ScoreNormalization} of the image score), normal raw score {ssm.Calibration.NormalMean:G4} ± {ssm.Calibration.NormalStd:G4}");

// 4. Score the test images and evaluate.
var scored = loaded.Transform(mlContext.Data.LoadFromEnumerable(test));
var metrics = mlContext.AnomalyDetection.EvaluateSsm(scored, labelColumnName: nameof(ImageRow.Label), categoryColumnName: nameof(ImageRow.Category));
Console.WriteLine($"Image AUROC {metrics.ImageAuroc:F3}, F1-max {metrics.ImageF1Max:F3} at score {metrics.ImageF1Threshold:F2}");
if (metrics.Confusion is { } c)   // null only when the scored view has no PredictedLabel column
    Console.WriteLine($"At the model's threshold: {c.TruePositives} of {c.TruePositives + c.FalseNegatives} defective images found, " +
                      $"{c.FalsePositives} of {c.FalsePositives + c.TrueNegatives} good images flagged (precision {c.Precision:F2}, recall {c.Recall:F2})");
foreach (var k in metrics.Categories!)   // each kind of defect ranked with the good images alone
    Console.WriteLine($"  {k.Category}: {k.Flagged} of {k.Images} flagged{(k.ImageAuroc is { } a ? $", image AUROC {a:F3}" : "")}");

// 5. One image at a time. One engine per thread; disposing it disposes `loaded` too (ML.NET's rule), unless it is
//    created with new PredictionEngineOptions { OwnsTransformer = false }.
using var engine = mlContext.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded);
var defective = test.First(t => t.Label);
var first = engine.Predict(defective);
Console.WriteLine($"{Path.GetRelativePath(Path.Combine(folder, "test"), defective.ImagePath)}: score {first.Score:F2}, anomalous {first.PredictedLabel}, map of {first.AnomalyMap.Length} values");

// 6. The line's lamp is replaced by one 30 % brighter. This model keeps absolute brightness (InputNormalization.None),
//    so it flags good images under the new lamp. Good images taken since calibrate it again in seconds, without
//    retraining: 20 to calibrate on, 10 to judge it by.
string lamp = Path.Combine(folder, "new-lamp");
Directory.CreateDirectory(lamp);
var underNewLamp = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 32, TrainCount = 30, TestGoodCount = 0, TestDefectCount = 0, Seed = 8 })
    .Train.Select((image, i) =>
    {
        string path = Path.Combine(lamp, $"{i:D3}.png");
        ImageFile.Save(new FloatImage(image.Channels, image.Height, image.Width, [.. image.Pixels.Select(v => Math.Min(1f, v * 1.3f))]), path);
        return new ImageRow { ImagePath = path };
    }).ToList();
int Flagged(ITransformer m) => m.Transform(mlContext.Data.LoadFromEnumerable(underNewLamp[20..]))
    .GetColumn<bool>("PredictedLabel").Count(flagged => flagged);
Console.WriteLine($"Under the new lamp: {Flagged(loaded)} of 10 good images flagged.");
var relit = mlContext.AnomalyDetection.RecalibrateSsm(loaded, mlContext.Data.LoadFromEnumerable(underNewLamp[..20]));
Console.WriteLine($"Calibrated again on 20 good images under it: {Flagged(relit)} of 10 flagged. " +
                  "Save it as any model; check it on labelled images from the new lamp before use.");
SsmAnomalyTransformer.From(relit).Dispose();   // its own copy of the network; the LoadImages step is loaded's
return 0;

// Loads a saved model in this (fresh) process and prints, per image: path, score (round-trip format), predicted label, SHA-256 of the map.
static int Score(string zip, string[] images, bool mapValues)
{
    var mlContext = new MLContext();
    var model = mlContext.Model.Load(zip, out _);
    var rows = images.Select(p => new ImageRow { ImagePath = p }).ToList();
    var scored = model.Transform(mlContext.Data.LoadFromEnumerable(rows));
    using var cursor = scored.GetRowCursor(scored.Schema);
    var score = cursor.GetGetter<float>(scored.Schema["Score"]);
    var predicted = cursor.GetGetter<bool>(scored.Schema["PredictedLabel"]);
    var map = cursor.GetGetter<VBuffer<float>>(scored.Schema["AnomalyMap"]);
    float s = 0; bool p = false; VBuffer<float> m = default;
    int i = 0;
    while (cursor.MoveNext())
    {
        score(ref s); predicted(ref p); map(ref m);
        float[] values = m.DenseValues().ToArray();
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        Console.WriteLine($"{images[i++]}\t{s.ToString("R", CultureInfo.InvariantCulture)}\t{p}\t{Convert.ToHexString(SHA256.HashData(bytes))}" +
                          (mapValues ? "\t" + string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) : ""));
    }
    return 0;
}

/// <summary>Deletes the demo's folder when the demo ends: at the end of its <c>using</c>, and on Ctrl+C or SIGTERM, which
/// end the process without running it.</summary>
sealed class TemporaryFolder : IDisposable
{
    private readonly string path;
    private readonly System.Runtime.InteropServices.PosixSignalRegistration[] signals;

    public TemporaryFolder(string path)
    {
        this.path = path;
        // The handlers run before the signal's default action, which still ends the process.
        signals = [.. new[] { System.Runtime.InteropServices.PosixSignal.SIGINT, System.Runtime.InteropServices.PosixSignal.SIGTERM }
            .Select(signal => System.Runtime.InteropServices.PosixSignalRegistration.Create(signal, _ => Delete()))];
    }

    public void Dispose()
    {
        foreach (var signal in signals) signal.Dispose();
        Delete();
    }

    private void Delete()
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a file still open elsewhere: the system's temp cleaning takes it
    }
}

/// <summary>An input row: the image file and, for test images, whether it is anomalous and its category.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    public bool Label { get; set; }
    public string Category { get; set; } = "";
}

/// <summary>What the model adds to a row.</summary>
public sealed class Prediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
    public float[] AnomalyMap { get; set; } = [];
}
