using System.Text.Json;
using SSM.Cli.Outputs;
using SSM.Core.Data;

namespace SSM.Cli.Tests;

/// <summary><c>ssm evaluate --calibrate-on</c>: the fixture's model calibrated on good images under a dimmer lamp.</summary>
[Collection("cli")]
public sealed class CalibrateOnTests(TrainedModelFixture fx)
{
    /// <summary>Good images the model has not trained on (another seed's), at a third of their contrast, in two folders:
    /// 12 to calibrate on and 8 to test with.</summary>
    /// <summary>A folder <paramref name="name"/> beside <paramref name="calibration"/> holding copies of three of its images.</summary>
    private static string ThreeOf(string calibration, string name)
    {
        string folder = Directory.CreateDirectory(Path.Combine(calibration, "..", name)).FullName;
        foreach (var f in Directory.GetFiles(calibration).Order().Take(3)) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        return folder;
    }

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
        Assert.Contains("12 normal images after training, in place of its 2 held-out ones", Cli.Flat(output));
        var metrics = MetricsFile.Read(Path.Combine(after, "metrics.json"));
        Assert.True(metrics.FalsePositives <= 2, $"{metrics.FalsePositives} of 8 flagged");
        Assert.Equal((calibration, 12), (metrics.CalibratedOn, metrics.CalibrationImages));
        // The copy keeps the new calibration, and says so.
        var info = Cli.Run("info", Path.Combine(after, "model.zip"));
        Assert.True(info.Code == 0, info.Output);
        Assert.Contains("calibrated on", info.Output);
        Assert.Contains("standard deviations of the calibration images' scores", Cli.Flat(info.Output));
        var facts = JsonSerializer.Deserialize<SSM.Cli.Commands.InfoCommand.ModelFacts>(Cli.Run("info", Path.Combine(after, "model.zip"), "--json").Output, MetricsFile.Json)!;
        Assert.Equal(12, facts.CalibrationImages);
        var again = Cli.Run("evaluate", Path.Combine(after, "model.zip"), test, "-o", Path.Combine(fx.Root, "dim-again"));
        Assert.True(again.Code == 0, again.Output);
        Assert.Equal(metrics.FalsePositives, MetricsFile.Read(Path.Combine(fx.Root, "dim-again", "metrics.json")).FalsePositives);
    }

    [Fact]
    public void Calibrating_on_test_images_even_renamed_too_few_images_or_a_file_is_refused()
    {
        var (calibration, test) = DimGoodImages();
        // A test image under another name, in a subfolder (searched too), is the same image.
        string copies = Directory.CreateDirectory(Path.Combine(calibration, "..", "with-a-test-image", "sub")).FullName;
        foreach (var f in Directory.GetFiles(calibration).Take(5)) File.Copy(f, Path.Combine(copies, Path.GetFileName(f)));
        File.Copy(Directory.GetFiles(test).Order().First(), Path.Combine(copies, "renamed.png"));
        string withTest = Path.GetDirectoryName(copies)!;
        var shared = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", withTest, "-o", Path.Combine(fx.Root, "dim-shared"));
        Assert.Equal(2, shared.Code);
        Assert.Contains($"1 of the 6 images of --calibrate-on is a test image too ('{Path.Combine(copies, "renamed.png")}' is", Cli.Flat(shared.Output));
        Assert.False(Directory.Exists(Path.Combine(fx.Root, "dim-shared")));
        string one = Directory.CreateDirectory(Path.Combine(calibration, "..", "one")).FullName;
        File.Copy(Directory.GetFiles(calibration)[0], Path.Combine(one, "a.png"));
        var few = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", one, "-o", Path.Combine(fx.Root, "dim-one"));
        Assert.Equal(1, few.Code);
        Assert.Contains($"--calibrate-on needs at least 2 good images; '{one}' holds 1.", Cli.Flat(few.Output));
        string file = Directory.GetFiles(calibration)[0];
        var single = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", file, "-o", Path.Combine(fx.Root, "dim-file"));
        Assert.Equal(2, single.Code);
        Assert.Contains("--calibrate-on takes a folder of good images", Cli.Flat(single.Output));
        // A dataset's folder: its defects and masks would count as good.
        var dataset = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", fx.Data, "-o", Path.Combine(fx.Root, "dim-dataset"));
        Assert.Equal(2, dataset.Code);
        Assert.Contains("holds folders of the MVTec layout", Cli.Flat(dataset.Output));
        // The images are held to --max-megapixels (32 x 32 = 0.001 MP), as the test set is.
        var large = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", calibration, "--max-megapixels", "0.0005", "-o", Path.Combine(fx.Root, "dim-large"));
        Assert.Equal(1, large.Code);
        Assert.Contains("12 of 12 images of --calibrate-on cannot be used", Cli.Flat(large.Output));
        // A file whose header reads and whose pixels do not fails in the calibration itself: named in the same words.
        string broken = ThreeOf(calibration, "broken");
        Cli.WriteTruncated(Directory.GetFiles(calibration).Order().Last(), Path.Combine(broken, "zz-truncated.png"));
        var cut = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", broken, "-o", Path.Combine(fx.Root, "dim-broken"));
        Assert.Equal(1, cut.Code);
        Assert.Contains("1 of 4 images of --calibrate-on cannot be used", Cli.Flat(cut.Output));
        Assert.Contains("zz-truncated.png", cut.Output);
        // A mistyped model is said as loading says it, not as the look for its training's record failed.
        var typo = Cli.Run("evaluate", fx.Model + "x", test, "--calibrate-on", calibration, "-o", Path.Combine(fx.Root, "dim-typo"));
        Assert.Equal(1, typo.Code);
        Assert.Contains("does not exist", Cli.Flat(typo.Output));
        var folderModel = Cli.Run("evaluate", fx.Run + Path.DirectorySeparatorChar, test, "--calibrate-on", calibration, "-o", Path.Combine(fx.Root, "dim-folder"));
        Assert.Equal(1, folderModel.Code);
        Assert.Contains("is a folder; give the model file", Cli.Flat(folderModel.Output));
    }

    [Fact]
    public void Training_images_few_images_and_a_threshold_set_before_are_warned_of()
    {
        var (calibration, test) = DimGoodImages();
        string strict = Path.Combine(fx.Root, "dim-strict");
        var kept = Cli.Run("evaluate", fx.Model, test, "--threshold", "4", "--mask-threshold", "2", "-o", strict);
        Assert.True(kept.Code == 0, kept.Output);
        string few = ThreeOf(calibration, "three");
        var (code, output) = Cli.Run("evaluate", Path.Combine(strict, "model.zip"), test, "--calibrate-on", few, "-o", Path.Combine(fx.Root, "dim-few"));
        Assert.True(code == 0, output);
        string flat = Cli.Flat(output);
        Assert.Contains("the model's threshold 4 and mask threshold 2 were chosen against its old calibration", flat);
        Assert.Contains("only 3 images calibrate the threshold", flat);
        Assert.Equal(3f, MetricsFile.Read(Path.Combine(fx.Root, "dim-few", "metrics.json")).Threshold);
        // A threshold given with it is set on the calibrated copy (in its units), and only the mask threshold not given is spoken of.
        var set = Cli.Run("evaluate", Path.Combine(strict, "model.zip"), test, "--calibrate-on", few, "--threshold", "5", "-o", Path.Combine(fx.Root, "dim-few-set"));
        Assert.True(set.Code == 0, set.Output);
        Assert.Equal(5f, MetricsFile.Read(Path.Combine(fx.Root, "dim-few-set", "metrics.json")).Threshold);
        Assert.Contains("the model's mask threshold 2 was chosen against its old calibration", Cli.Flat(set.Output));
        // The images the network trained on: its training's metrics.json beside the model names their folder.
        var seen = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", Path.Combine(fx.Data, "train", "good"), "-o", Path.Combine(fx.Root, "dim-seen"));
        Assert.True(seen.Code == 0, seen.Output);
        Assert.Contains("24 of the 24 images of --calibrate-on are this model's training images (", Cli.Flat(seen.Output));
        Assert.DoesNotContain("' is '", Cli.Flat(seen.Output));   // the same files: each named once
        // By content: copies under other names are the same images.
        string copies = Directory.CreateDirectory(Path.Combine(fx.Root, "dim-copies")).FullName;
        string[] trained = [.. Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order(StringComparer.Ordinal).Take(2)];
        for (int i = 0; i < trained.Length; i++) File.Copy(trained[i], Path.Combine(copies, $"copy{i}.png"));
        foreach (var f in Directory.GetFiles(calibration).Take(2)) File.Copy(f, Path.Combine(copies, Path.GetFileName(f)));
        var copied = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", copies, "-o", Path.Combine(fx.Root, "dim-copied"));
        Assert.True(copied.Code == 0, copied.Output);
        Assert.Contains($"2 of the 4 images of --calibrate-on are this model's training images ('{Path.Combine(copies, "copy0.png")}' is '{trained[0]}', and others;", Cli.Flat(copied.Output));
        // One is warned of too.
        File.Delete(Path.Combine(copies, "copy1.png"));
        var one = Cli.Run("evaluate", fx.Model, test, "--calibrate-on", copies, "-o", Path.Combine(fx.Root, "dim-one-copy"));
        Assert.True(one.Code == 0, one.Output);
        Assert.Contains($"1 of the 3 images of --calibrate-on is one of this model's training images ('{Path.Combine(copies, "copy0.png")}' is '{trained[0]}';", Cli.Flat(one.Output));
    }
}
