// Shared by QuickStart and RealFolder: train on an MVTec-layout folder through the ML.NET API, evaluate on its test split,
// print the metrics and write a self-contained report.html with the CLI's report writer.
using System.Diagnostics;
using Microsoft.ML;
using SSM.Cli.Report;
using SSM.Cli.Running;
using SSM.Core.Data;
using SSM.MLNet;

/// <summary>Settings of a demo run.</summary>
public sealed record DemoSettings(int ImageSize, int BaseWidth, int Depth, int Epochs, double? TimeBudgetMinutes, int Seed, int RefinementRounds = 1,
    InputNormalization InputNormalization = InputNormalization.PerImage, SSM.Core.RestorationError? Error = null,
    SSM.Core.RestorationError? ScoreError = null);

public static class Demo
{
    public static int Run(string dataFolder, string outputFolder, DemoSettings s)
    {
        // 1. The files (MVTec layout: train/good, test/<class>, ground_truth/<class>/<name>_mask.png).
        MvtecDataset data = MvtecFolder.Load(dataFolder);
        Console.WriteLine($"{data.TrainPaths.Count} normal training images, {data.TestItems.Count} test images " +
                          $"({data.TestItems.Count(t => t.IsAnomalous)} defective) in {data.Root}");

        // 2. The ML.NET pipeline: load the images, train SSM on the defect-free ones.
        var mlContext = new MLContext(seed: s.Seed);
        mlContext.Log += (_, e) =>
        {
            if (e.Source.Contains("Ssm") && e.RawMessage.StartsWith("SSM:")) Console.WriteLine("  " + e.RawMessage);
        };
        var options = new SsmAnomalyDetectionOptions
        {
            ImageSize = s.ImageSize, BaseWidth = s.BaseWidth, Depth = s.Depth, Epochs = s.Epochs,
            RefinementRounds = s.RefinementRounds,   // 1 = no progressive refinement: half the scoring time
            InputNormalization = s.InputNormalization,
            RestorationError = s.Error ?? new SsmAnomalyDetectionOptions().RestorationError,
            ImageScoreError = s.ScoreError ?? new SsmAnomalyDetectionOptions().ImageScoreError,
            TrainingTime = s.TimeBudgetMinutes is { } m ? TimeSpan.FromMinutes(m) : null,
        };
        // ML.NET's LoadImages reads PNG, JPEG, BMP and WebP; TIFF and DICOM files (scans, camera frames) the model reads from
        // the path column itself instead.
        var unreadable = data.TrainPaths.Concat(data.TestItems.Select(t => t.Path)).FirstOrDefault(p => !LoadImagesReads(p));
        IEstimator<ITransformer> pipeline;
        if (unreadable is null)
            pipeline = mlContext.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath))
                .Append(mlContext.Transforms.DetectAnomaliesSsm(options));
        else
        {
            Console.WriteLine($"LoadImages reads no {Path.GetFileName(unreadable)}: the model reads the files of the path column itself.");
            options.InputColumnName = nameof(ImageRow.ImagePath);
            pipeline = mlContext.Transforms.DetectAnomaliesSsm(options);
        }
        var train = mlContext.Data.LoadFromEnumerable(data.TrainPaths.Select(p => new ImageRow { ImagePath = p }));
        var clock = Stopwatch.StartNew();
        ITransformer model = pipeline.Fit(train);
        var trainTime = clock.Elapsed;

        // 3. Save the model as an ordinary ML.NET zip (loadable with mlContext.Model.Load anywhere).
        Directory.CreateDirectory(outputFolder);
        string zip = Path.Combine(outputFolder, "model.zip");
        mlContext.Model.Save(model, train.Schema, zip);

        // 4. Score the test split (Score, PredictedLabel, AnomalyMap columns) and evaluate.
        clock.Restart();
        var scored = ModelRunner.Score(mlContext, model, [.. data.TestItems.Select(t => t.Path)]);
        var scoreTime = clock.Elapsed;
        var ssm = ModelRunner.SsmOf(model);
        var evaluation = EvaluationResult.Compute(data.TestItems, scored, ssm.Threshold);

        // 5. Report.
        List<(string, string)> rows =
        [
            ("dataset", data.Root), ("training images", data.TrainPaths.Count.ToString()),
            ("settings", $"{s.ImageSize} px, width {s.BaseWidth}, depth {s.Depth}, {s.Epochs} epochs" + (s.TimeBudgetMinutes is { } b ? $" or {b} min" : "")),
            ("training time", $"{trainTime.TotalSeconds:F0} s"),
            ("scoring time", $"{scoreTime.TotalMilliseconds / Math.Max(1, scored.Count):F0} ms / image"),
            .. TestSetRun.Rows(evaluation),
        ];
        string report = Path.Combine(outputFolder, "report.html");
        HtmlReport.Write(report, "SSM quick start", rows, evaluation, [], ssm);
        Console.WriteLine();
        foreach (var (k, v) in rows) Console.WriteLine($"  {k,-20} {v}");
        Console.WriteLine();
        Console.WriteLine($"Model:  {zip}");
        Console.WriteLine($"Report: {report}");
        (model as IDisposable)?.Dispose();
        return 0;
    }

    private static bool LoadImagesReads(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp" or ".webp";
}
