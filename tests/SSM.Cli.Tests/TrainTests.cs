using Microsoft.ML;
using SSM.Cli.Running;
using SSM.MLNet;

namespace SSM.Cli.Tests;

[Collection("cli")]
public sealed class TrainTests(TrainedModelFixture fx)
{
    [Fact]
    public void Generate_WritesMvtecLayout()
    {
        Assert.True(fx.GenerateCode == 0, fx.GenerateOutput);
        Assert.Equal(24, Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Length);
        Assert.True(Directory.Exists(Path.Combine(fx.Data, "ground_truth")));
        Assert.Contains("generated", fx.GenerateOutput);
    }

    [Fact]
    public void Train_WritesEveryOutput_AndModelLoadsWithMLContext()
    {
        Assert.True(fx.TrainCode == 0, fx.TrainOutput);
        foreach (string file in new[] { "model.zip", "metrics.json", "report.html", "ConsumeModel.cs" })
            Assert.True(File.Exists(Path.Combine(fx.Run, file)), file);
        var mlContext = new MLContext();
        var model = mlContext.Model.Load(fx.Model, out _);
        var ssm = ModelRunner.SsmOf(model);
        Assert.Equal(32, ssm.ImageSize);
        Assert.Equal(8, ssm.Model.Options.Network.BaseWidth);
        // No staging folder left next to the output.
        Assert.Empty(Directory.GetDirectories(fx.Root, ".run.tmp-*"));
    }

    [Fact]
    public void Train_MetricsJson_HasImageAndPixelMetrics()
    {
        var metrics = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal("train", metrics.Command);
        Assert.Equal(24, metrics.TrainImages);
        Assert.Equal(5, metrics.EpochsRun);
        Assert.True(metrics.TestImages > 0 && metrics.TestAnomalous > 0);
        Assert.InRange(metrics.ImageAuroc!.Value, 0, 1);
        Assert.InRange(metrics.PixelAuroc!.Value, 0, 1);
        Assert.NotNull(metrics.Aupro);
        Assert.Equal(metrics.TestImages, metrics.Images.Count);
    }

    [Fact]
    public void Train_PrintsPlainProgressLines_AndSummaryTable_WhenNotInteractive()
    {
        Assert.Contains("epoch 1/5 loss", fx.TrainOutput);
        Assert.Contains("epoch 5/5 loss", fx.TrainOutput);
        Assert.Contains("ETA", fx.TrainOutput);
        Assert.Contains("image AUROC", fx.TrainOutput);
        Assert.Contains("report.html", fx.TrainOutput);
        Assert.DoesNotContain("\u001b[", fx.TrainOutput); // no ANSI escape codes when redirected
    }

    [Fact]
    public void Train_PlainFolderOfMixedSizesAndChannels_Works()
    {
        string folder = Cli.TempFolder("mixed");
        var goods = Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Take(8).ToArray();
        for (int i = 0; i < goods.Length; i++)
        {
            var image = SSM.Core.Data.ImageFile.Load(goods[i]);
            if (i % 2 == 1) image = SSM.Core.Data.ImageResize.Resize(image, 48, 40);                  // other sizes
            if (i % 3 == 0) image = new SSM.Core.Data.FloatImage(3, image.Height, image.Width,        // colour files among gray ones
                [.. image.Pixels, .. image.Pixels.Select(v => v * 0.9f), .. image.Pixels]);
            SSM.Core.Data.ImageFile.Save(image, Path.Combine(folder, $"img{i}.png"));
        }
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image; ignored");
        string output = Path.Combine(folder, "out");
        var (code, text) = Cli.Run("train", folder, "--image-size", "16", "--width", "4", "--depth", "2", "--epochs", "1", "-o", output);
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
        Assert.Contains("test set", File.ReadAllText(Path.Combine(output, "report.html")).Replace("Test set", "test set"));
    }
}
