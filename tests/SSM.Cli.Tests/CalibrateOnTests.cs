using SSM.Cli.Outputs;
using SSM.Core.Data;

namespace SSM.Cli.Tests;

/// <summary><c>ssm evaluate --calibrate-on</c>: the fixture's model calibrated on good images under a dimmer lamp.</summary>
[Collection("cli")]
public sealed class CalibrateOnTests(TrainedModelFixture fx)
{
    /// <summary>Good images the model has not trained on (another seed's), at a third of their contrast, in two folders:
    /// 12 to calibrate on and 8 to test with.</summary>
    private (string Calibration, string Test) DimGoodImages()
    {
        string root = Cli.TempFolder("dim"), generated = Path.Combine(root, "generated");
        var generate = Cli.Run("generate", "--image-size", "32", "--train-count", "20", "--test-good", "1", "--test-defect", "1", "--seed", "11", "-o", generated);
        Assert.True(generate.Code == 0, generate.Output);
        string calibration = Directory.CreateDirectory(Path.Combine(root, "calibration")).FullName;
        string test = Directory.CreateDirectory(Path.Combine(root, "test")).FullName;
        var files = Directory.GetFiles(Path.Combine(generated, "train", "good")).Order().ToList();
        for (int i = 0; i < files.Count; i++)
        {
            var image = ImageFile.Load(files[i]);
            var dim = new FloatImage(image.Channels, image.Height, image.Width, [.. image.Pixels.Select(v => 0.4f + (v - 0.5f) / 3)]);
            ImageFile.Save(dim, Path.Combine(i < 12 ? calibration : test, Path.GetFileName(files[i])));
        }
        return (calibration, test);
    }

    [Fact]
    public void Calibrated_on_good_images_under_a_dimmer_lamp_the_model_passes_that_lamp_s_good_images()
    {
        var (calibration, test) = DimGoodImages();
        string before = Path.Combine(fx.Root, "dim-before"), after = Path.Combine(fx.Root, "dim-after");
        var old = Cli.Run("evaluate", fx.Model, test, "-o", before);
        Assert.True(old.Code == 0, old.Output);
        Assert.Equal(8, MetricsFile.Read(Path.Combine(before, "metrics.json")).FalsePositives);   // the contrast floor flags them all

        var (code, output) = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", calibration, "-o", after);
        Assert.True(code == 0, output);
        Assert.Contains($"Calibrating the model on the 12 images of '{calibration}'.", Cli.Flat(output));
        Assert.Contains("12 normal images after training (evaluate --calibrate-on), not its held-out ones", Cli.Flat(output));
        var metrics = MetricsFile.Read(Path.Combine(after, "metrics.json"));
        Assert.True(metrics.FalsePositives <= 2, $"{metrics.FalsePositives} of 8 flagged");
        Assert.Equal((calibration, 12), (metrics.CalibratedOn, metrics.CalibrationImages));
        // The copy keeps the new calibration, and says so.
        var info = Cli.Run("info", Path.Combine(after, "model.zip"));
        Assert.True(info.Code == 0, info.Output);
        Assert.Contains("calibrated on", info.Output);
        Assert.Contains("standard deviations of the calibration images' scores", Cli.Flat(info.Output));
        var again = Cli.Run("evaluate", Path.Combine(after, "model.zip"), test, "-o", Path.Combine(fx.Root, "dim-again"));
        Assert.True(again.Code == 0, again.Output);
        Assert.Equal(metrics.FalsePositives, MetricsFile.Read(Path.Combine(fx.Root, "dim-again", "metrics.json")).FalsePositives);
    }

    [Fact]
    public void Calibrating_on_test_images_or_a_file_is_refused()
    {
        var (calibration, test) = DimGoodImages();
        var shared = Cli.Run("evaluate", fx.Model, calibration, "--calibrate-on", calibration, "-o", Path.Combine(fx.Root, "dim-shared"));
        Assert.Equal(2, shared.Code);
        Assert.Contains("12 of the 12 images of --calibrate-on are in the test set too", Cli.Flat(shared.Output));
        Assert.False(Directory.Exists(Path.Combine(fx.Root, "dim-shared")));
        string file = Directory.GetFiles(calibration)[0];
        var one = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", file, "-o", Path.Combine(fx.Root, "dim-file"));
        Assert.Equal(2, one.Code);
        Assert.Contains("--calibrate-on takes a folder of good images", Cli.Flat(one.Output));
    }
}
