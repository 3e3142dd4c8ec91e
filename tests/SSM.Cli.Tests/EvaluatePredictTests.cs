using SSM.Cli.Running;

namespace SSM.Cli.Tests;

[Collection("cli")]
public sealed class EvaluatePredictTests(TrainedModelFixture fx)
{
    [Fact]
    public void Evaluate_WritesMetricsReportAndModel_WithGivenThreshold()
    {
        string output = Path.Combine(fx.Root, "eval");
        var (code, text) = Cli.Run("evaluate", fx.Model, fx.Data, "--threshold", "1.5", "-o", output);
        Assert.True(code == 0, text);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal("evaluate", metrics.Command);
        Assert.Equal(1.5f, metrics.Threshold);
        var trained = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal(trained.ImageAuroc, metrics.ImageAuroc);     // same model, same scores
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
        Assert.Contains("pixel AUROC", text);
    }

    [Fact]
    public void Predict_Folder_WritesCsvAndHeatmaps()
    {
        string input = Path.Combine(fx.Data, "test", "good");
        string output = Path.Combine(fx.Root, "predict");
        var (code, text) = Cli.Run("predict", fx.Model, input, "-o", output);
        Assert.True(code == 0, text);
        var lines = File.ReadAllLines(Path.Combine(output, "predictions.csv"));
        int images = Directory.GetFiles(input, "*.png").Length;
        Assert.Equal("path,score,label", lines[0]);
        Assert.Equal(images, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Matches(@",-?[\d.E+-]+,(normal|anomalous)$", l));
        Assert.Equal(images, Directory.GetFiles(output, "*_heatmap.png").Length);
        var heat = SSM.Core.Data.ImageFile.Load(Directory.GetFiles(output, "*_heatmap.png")[0]);
        Assert.Equal(160, heat.Width);
    }

    [Fact]
    public void Predict_SingleImage()
    {
        string image = Directory.GetFiles(Path.Combine(fx.Data, "test")).Concat(Directory.GetDirectories(Path.Combine(fx.Data, "test"))
            .SelectMany(Directory.GetFiles)).First(p => !p.Contains("good"));
        string output = Path.Combine(fx.Root, "predict-one");
        var (code, text) = Cli.Run("predict", fx.Model, image, "-o", output);
        Assert.True(code == 0, text);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "predictions.csv")).Length);
    }
}
