using Microsoft.ML;
using SSM.Core;
using SSM.Core.Data;
using SSM.MLNet;

namespace SSM.WebApi;

/// <summary>A small model trained on generated images, so the example runs with no data of its own.</summary>
public static class DemoModel
{
    public static string Train()
    {
        // One folder per server, so two copies (on two ports) do not delete each other's files; removed at shutdown.
        string folder = Path.Combine(Path.GetTempPath(), $"ssm-webapi-{Environment.ProcessId}");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 32, TrainCount = 40, TestGoodCount = 4, TestDefectCount = 1, Seed = 7 })
            .WriteMvtec(folder);
        var mlContext = new MLContext(seed: 1);
        var good = Directory.GetFiles(Path.Combine(folder, "train", "good"), "*.png").Order()
            .Select(f => new Upload { File = File.ReadAllBytes(f) });
        Console.WriteLine($"Training a demo model on the generated images in {folder} ...");
        var model = mlContext.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            InputColumnName = nameof(Upload.File), ImageSize = 32, BaseWidth = 8, Depth = 3, Epochs = 15,
            // Generated images have fixed lighting and intensity defects (see examples/QuickStart).
            InputNormalization = InputNormalization.None, ImageScoreError = RestorationError.Both, RestorationError = RestorationError.Both,
        }).Fit(mlContext.Data.LoadFromEnumerable(good));
        string path = Path.Combine(folder, "model.zip");
        mlContext.Model.Save(model, null, path);
        model.Dispose();
        Console.WriteLine($"Model: {path}; images to send: {Path.Combine(folder, "test")}");
        return path;
    }

    /// <summary>Removes the folder <see cref="Train"/> wrote the model and its images to.</summary>
    public static void Delete(string modelPath)
    {
        string? folder = Path.GetDirectoryName(modelPath);
        if (folder is not null && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
