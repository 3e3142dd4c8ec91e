using SSM.Cli.Outputs;
using SSM.Cli.Training;

namespace SSM.Cli.Tests;

/// <summary><c>train --each-category</c>: a root of MVTec datasets (MVTec AD's download) trained category by category, each as
/// <c>train</c> of it alone, with one table of them all; a category that fails is listed, the others still train.</summary>
[Collection("cli")]
public sealed class EachCategoryTests(TrainedModelFixture fx)
{
    [Fact]
    public void Each_category_trains_as_train_of_it_alone_and_one_table_lists_them_all()
    {
        string root = Path.Combine(fx.Root, "categories");
        foreach (string category in new[] { "tiles", "fabric" }) Cli.CopyTree(fx.Data, Path.Combine(root, category));
        // Too few good images: this one fails and says why; the others are not held up by it.
        string few = Path.Combine(root, "few", "train", "good");
        Directory.CreateDirectory(few);
        foreach (string image in Directory.GetFiles(Path.Combine(fx.Data, "train", "good"), "*.png").Order().Take(2)) File.Copy(image, Path.Combine(few, Path.GetFileName(image)));
        Directory.CreateDirectory(Path.Combine(root, "notes"));   // not a dataset: not trained, not listed

        // Without the option, the root is refused with the way to train them all.
        var plain = Cli.Run(["train", root, .. TrainedModelFixture.OneEpoch, "-o", Path.Combine(fx.Root, "categories-plain")]);
        Assert.Equal(1, plain.Code);
        Assert.Contains("or train each with --each-category", Cli.Flat(plain.Output));

        string output = Path.Combine(fx.Root, "categories-run");
        var (code, text, errors) = Cli.RunSplit(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", output]);
        Assert.True(code == 1, text + errors);   // one category failed
        string flat = Cli.Flat(text);
        Assert.Contains("fabric (1 of 3)", flat);
        // A category's error and the count of failures go to standard error, as the error that stops a command.
        Assert.Matches("error: .*few.* holds 2 training image\\(s\\)", Cli.Flat(errors));
        Assert.Contains("error: 1 of 3 categories failed; the others trained", Cli.Flat(errors));
        Assert.DoesNotContain("error:", text);
        string[] lines = File.ReadAllLines(Path.Combine(output, CategoryRuns.FileName));
        Assert.Equal("category,imageAuroc,pixelAuroc,aupro,imageF1Max,defectsFound,defects,goodFlagged,good,trainingSeconds,folder,error", lines[0]);
        Assert.Equal(["fabric", "few", "tiles", "mean"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Contains("holds 2 training image(s)", lines[2]);

        // Each trained category is what train of it alone writes: the same network, the same figures.
        string alone = Path.Combine(fx.Root, "categories-alone");
        var single = Cli.Run(["train", Path.Combine(root, "tiles"), .. TrainedModelFixture.OneEpoch, "-o", alone]);
        Assert.True(single.Code == 0, single.Output);
        var expected = MetricsFile.Read(Path.Combine(alone, "metrics.json"));
        var tiles = MetricsFile.Read(Path.Combine(output, "tiles", "metrics.json"));
        Assert.Equal((expected.NetworkSha256, expected.ImageAuroc, expected.PixelAuroc), (tiles.NetworkSha256, tiles.ImageAuroc, tiles.PixelAuroc));
        Assert.True(File.Exists(Path.Combine(output, "fabric", "model.zip")));
        var fabric = MetricsFile.Read(Path.Combine(output, "fabric", "metrics.json"));
        string[] tileRow = lines[3].Split(',');
        Assert.Equal(tiles.ImageAuroc!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), tileRow[1]);
        Assert.Equal($"{tiles.TruePositives},{tiles.TestAnomalous}", $"{tileRow[5]},{tileRow[6]}");
        double mean = (tiles.ImageAuroc.Value + fabric.ImageAuroc!.Value) / 2;
        Assert.Equal(mean, double.Parse(lines[4].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Contains("mean", flat);

        // A category is trained before only with the model its metrics.json names, written by train.
        string tilesOutput = Path.Combine(output, "tiles"), stamp = File.ReadAllText(Path.Combine(tilesOutput, CategoryRuns.StampFile));
        Assert.True(CategoryRuns.TrainedBefore(tilesOutput, stamp));
        string swapped = Path.Combine(fx.Root, "categories-swapped"), evaluated = Path.Combine(fx.Root, "categories-evaluated");
        Cli.CopyTree(tilesOutput, swapped);
        File.Copy(fx.Model, Path.Combine(swapped, "model.zip"), overwrite: true);   // fabric's is the same network: the same data and seed
        Assert.False(CategoryRuns.TrainedBefore(swapped, stamp));
        Cli.CopyTree(tilesOutput, evaluated);
        string metrics = Path.Combine(evaluated, "metrics.json");
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(metrics))!;
        record["command"] = "evaluate";
        File.WriteAllText(metrics, record.ToJsonString());
        Assert.Equal("evaluate", MetricsFile.Read(metrics).Command);
        Assert.False(CategoryRuns.TrainedBefore(evaluated, stamp));

        // The same command again (a stopped run's restart) keeps what was trained; other settings train again.
        byte[] before = File.ReadAllBytes(Path.Combine(output, "tiles", "metrics.json"));
        var again = Cli.Run(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", output]);
        Assert.Equal(1, again.Code);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(Cli.Flat(again.Output), "Trained before by this ssm with these settings on these files"));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(output, "tiles", "metrics.json")));
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(output, CategoryRuns.FileName)));
        // An image added to a category trains that one again, and keeps the other.
        string extra = Directory.GetFiles(Path.Combine(root, "tiles", "train", "good"), "*.png").Order().First();
        File.Copy(extra, Path.Combine(root, "tiles", "train", "good", "added.png"));
        var added = Cli.Run(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", output]);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(Cli.Flat(added.Output), "Trained before by this ssm"));
        Assert.NotEqual(tiles.NetworkSha256, MetricsFile.Read(Path.Combine(output, "tiles", "metrics.json")).NetworkSha256);
        File.Delete(Path.Combine(root, "tiles", "train", "good", "added.png"));
        // Other settings train every category again.
        var seed2 = Cli.Run(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "--seed", "2", "-o", output]);
        Assert.DoesNotContain("Trained before", Cli.Flat(seed2.Output));
        Assert.NotEqual(tiles.NetworkSha256, MetricsFile.Read(Path.Combine(output, "tiles", "metrics.json")).NetworkSha256);
    }

    /// <summary>What a category's training is includes its test images and their masks: one changed trains it again.</summary>
    [Fact]
    public void A_categorys_stamp_changes_with_its_test_images_and_masks()
    {
        string data = Path.Combine(fx.Root, "stamped");
        Cli.CopyTree(fx.Data, data);
        var settings = RecordedSettings.Of(new SSM.Core.SsmOptions(), 1);
        string Stamp() => CategoryRuns.Stamp(settings, SSM.Core.Data.MvtecFolder.Load(data));
        string first = Stamp();
        Assert.Equal(first, Stamp());
        string defective = Directory.GetFiles(Path.Combine(data, "test"), "*.png", SearchOption.AllDirectories).Order().First(f => !f.Contains("good", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(defective, DateTime.UtcNow.AddMinutes(1));
        string second = Stamp();
        Assert.NotEqual(first, second);
        File.SetLastWriteTimeUtc(Directory.GetFiles(Path.Combine(data, "ground_truth"), "*.png", SearchOption.AllDirectories).Order().First(), DateTime.UtcNow.AddMinutes(2));
        Assert.NotEqual(second, Stamp());
    }

    /// <summary>Stopped in a category, --each-category writes the table of the categories done and says so: the output
    /// is not "no output", and the same command keeps them.</summary>
    [Fact]
    public void A_stopped_each_category_keeps_the_categories_done_and_says_so()
    {
        string root = Path.Combine(fx.Root, "categories-stopped"), output = Path.Combine(fx.Root, "categories-stopped-run");
        foreach (string category in new[] { "fabric", "tiles" }) Cli.CopyTree(fx.Data, Path.Combine(root, category));
        var stopped = Cli.RunUntil(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", output], "(2 of 2)");
        Assert.True(stopped.Code == 130, stopped.Output);
        string flat = Cli.Flat(stopped.Output);
        Assert.Contains("stopped before it finished. In category 'tiles'.", flat);
        Assert.DoesNotContain("no output was written", flat);
        Assert.Contains("The category trained before it (fabric) is in", flat);
        Assert.Contains("the same command keeps it and trains the rest.", flat);
        string[] lines = File.ReadAllLines(Path.Combine(output, CategoryRuns.FileName));
        Assert.Equal(["fabric"], lines.Skip(1).Select(l => l.Split(',')[0]));   // no mean of a single category
        Assert.True(File.Exists(Path.Combine(output, "fabric", "model.zip")));
    }

    /// <summary>A category without good test images has no false alarms to count, one without defective ones no defects to
    /// find: the table says n/a and categories.csv leaves those fields empty, not "0 of 0". A category named like a formula
    /// is written as a path, as every file name in our tables.</summary>
    [Fact]
    public void Each_category_leaves_out_the_counts_a_category_has_no_images_for()
    {
        string root = Path.Combine(fx.Root, "categories-partial"), output = Path.Combine(fx.Root, "categories-partial-run");
        string goodless = Path.Combine(root, "=goodless"), defectless = Path.Combine(root, "defectless");
        Cli.CopyTree(fx.Data, goodless);
        Directory.Delete(Path.Combine(goodless, "test", "good"), recursive: true);
        Cli.CopyTree(fx.Data, defectless);
        foreach (string kind in Directory.GetDirectories(Path.Combine(defectless, "test")).Where(d => Path.GetFileName(d) != "good"))
            Directory.Delete(kind, recursive: true);
        Directory.Delete(Path.Combine(defectless, "ground_truth"), recursive: true);
        var (code, text, errors) = Cli.RunSplit(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", output]);
        Assert.True(code == 0, text + errors);
        // category,imageAuroc,pixelAuroc,aupro,imageF1Max,defectsFound,defects,goodFlagged,good,trainingSeconds,folder,error
        var rows = File.ReadAllLines(Path.Combine(output, CategoryRuns.FileName)).Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[0]);
        string formula = "." + Path.DirectorySeparatorChar + "=goodless";
        Assert.Equal([formula, "defectless", "mean"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Matches(@"^\d+$", rows[formula][5]);
        Assert.Equal(("", "0"), (rows[formula][7], rows[formula][8]));
        Assert.Equal(("", "0"), (rows["defectless"][5], rows["defectless"][6]));
        Assert.Matches(@"^\d+$", rows["defectless"][7]);
        string table = text[text.LastIndexOf("train --each-category", StringComparison.Ordinal)..];
        Assert.DoesNotMatch(@"\d+ of 0\b", table);
    }

    [Fact]
    public void Generate_all_writes_one_dataset_per_texture_as_generate_of_each_alone()
    {
        string root = Path.Combine(fx.Root, "generated-all"), striped = Path.Combine(fx.Root, "generated-striped");
        string[] small = ["--image-size", "16", "--train-count", "21", "--test-good", "1", "--test-defect", "1", "--seed", "5"];
        var all = Cli.Run(["generate", "--texture", "all", .. small, "-o", root]);
        Assert.True(all.Code == 0, all.Output);
        // One count over the four datasets of 26 images (21 + 1 + 4 defects), said by the tenth from 100 images on.
        Assert.Contains("Writing 104 images...", all.Output);
        Assert.Contains("written 104 of 104", all.Output);
        Assert.Contains("--each-category", Cli.Flat(all.Output));   // what to run next
        Assert.Equal(["brushedmetal", "grainy", "striped", "woven"], SSM.Cli.Inputs.DatasetInput.CategoryFolders(root, needTrain: true).Select(Path.GetFileName));
        var alone = Cli.Run(["generate", "--texture", "Striped", .. small, "-o", striped]);
        Assert.True(alone.Code == 0, alone.Output);
        var files = Directory.GetFiles(striped, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(striped, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(Path.Combine(root, "striped"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(root, "striped"), f)).Order());
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(striped, f)), File.ReadAllBytes(Path.Combine(root, "striped", f))));
    }

    [Fact]
    public void Each_category_refuses_what_it_cannot_do()
    {
        // A dataset folder itself, an output among the datasets, and --recursive with it.
        var itself = Cli.Run(["train", fx.Data, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", Path.Combine(fx.Root, "each-itself")]);
        Assert.Equal(1, itself.Code);
        Assert.Contains("has no subfolder of the MVTec layout (<category>/train/good)", Cli.Flat(itself.Output));
        string root = Path.Combine(fx.Root, "categories-refused");
        Cli.CopyTree(fx.Data, Path.Combine(root, "tiles"));
        var inside = Cli.Run(["train", root, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", Path.Combine(root, "out")]);
        Assert.Equal(2, inside.Code);
        Assert.Contains("is inside", Cli.Flat(inside.Output));
        // A file, and a folder that is not there.
        string file = Path.Combine(fx.Root, "each-file.txt"), missing = Path.Combine(fx.Root, "each-missing");
        File.WriteAllText(file, "not a folder");
        var onFile = Cli.Run(["train", file, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", Path.Combine(fx.Root, "each-file")]);
        Assert.Equal(1, onFile.Code);
        Assert.Contains($"'{file}' is a file; --each-category takes the folder that holds the datasets.", Cli.Flat(onFile.Output));
        var none = Cli.Run(["train", missing, "--each-category", .. TrainedModelFixture.OneEpoch, "-o", Path.Combine(fx.Root, "each-none")]);
        Assert.Equal(1, none.Code);
        Assert.Contains($"Dataset folder '{missing}' does not exist.", Cli.Flat(none.Output));
        var both = Cli.Run(["train", root, "--each-category", "--recursive", "-o", Path.Combine(fx.Root, "each-both")]);
        Assert.Equal(2, both.Code);
        Assert.Contains("--each-category trains each MVTec dataset", Cli.Flat(both.Output));
    }
}
