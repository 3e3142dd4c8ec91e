using System.Text.Json;
using SSM.Cli.Outputs;
using SSM.Cli.Models;

namespace SSM.Cli.Tests;

/// <summary><c>ssm train --from</c>: the fixture's model fine-tuned on another generated dataset.</summary>
[Collection("cli")]
public sealed class FromModelTests(TrainedModelFixture fx)
{
    /// <summary>Another dataset (another seed), with a test set, to fine-tune on.</summary>
    private static string NewData()
    {
        string data = Path.Combine(Cli.TempFolder("from"), "data");
        var generate = Cli.Run("generate", "--image-size", "32", "--train-count", "20", "--test-good", "3", "--test-defect", "1", "--seed", "12", "-o", data);
        Assert.True(generate.Code == 0, generate.Output);
        return data;
    }

    [Fact]
    public void Going_on_from_a_model_fine_tunes_its_network_on_the_new_images_and_records_where_it_came_from()
    {
        string data = NewData(), output = Path.Combine(fx.Root, "from-run");
        var (code, output_) = Cli.Run("train", data, "--from", fx.Model, "--epochs", "2", "-o", output);
        Assert.True(code == 0, output_);
        string flat = Cli.Flat(output_);
        Assert.Contains($"Going on from {fx.Model} (network sha256 ", flat);
        Assert.Contains(": trained 5 epochs on 24 images.", flat);
        // Trained on new images alone, the network may forget the old: the fixture's training record names their folder.
        Assert.Contains($"may forget the images it was trained on that this training does not read: where they must stay normal too, give them with --add-good \"{fx.Data}\"", flat);
        Assert.Contains("SSM: fine-tuning on 20 images (18 for the network, 2 held out to calibrate), 2 epochs from learning rate 0.001", flat);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        var original = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal((fx.Model, original.NetworkSha256), (metrics.FineTunedFrom, metrics.FineTunedFromSha256));
        Assert.NotEqual(original.NetworkSha256, metrics.NetworkSha256);
        // The report names the model it went on from, as the summary does.
        Assert.Contains($"<th>fine-tuned from</th><td>{fx.Model} (network sha256 {original.NetworkSha256![..16]}...)</td>",
            File.ReadAllText(Path.Combine(output, "report.html")));
        // The model's shape and scoring, the fine-tuning's schedule; what it did, of the fine-tuning.
        Assert.Equal((32, 8, 3, 2, 0.001), (metrics.Settings.ImageSize, metrics.Settings.Width, metrics.Settings.Depth, metrics.Settings.Epochs, metrics.Settings.LearningRate));
        // Not given, the seed, batch size and held-out share are the model's (the fixture trained with --seed 1).
        Assert.Equal((1, 4, 0.1), (metrics.Settings.Seed, metrics.Settings.BatchSize, metrics.Settings.Holdout));
        Assert.Equal((2, 20), (metrics.EpochsRun, metrics.TrainImages));
        Assert.Equal(7, metrics.TestImages);   // 3 good, one of each of the 4 defect kinds
        var info = Cli.Run("info", Path.Combine(output, "model.zip"));
        Assert.True(info.Code == 0, info.Output);
        Assert.Contains("fine-tuned", info.Output);
        Assert.Contains("2 of 2 epochs on 20 images", info.Output);   // shorter than a table row, which may wrap
        Assert.Contains("learning rate 0.001", info.Output);
        // The first training in a row of its own: no "epochs run" row of the first training beside JSON whose epochsRun is 2.
        Assert.Contains("trained first", info.Output);
        Assert.Contains("5 of 5 epochs on 24 images", info.Output);
        Assert.DoesNotContain("epochs run", info.Output);
        Assert.Contains("(the last fine-tuning's, as are the settings below)", Cli.Flat(info.Output));   // the training time's
        // Its own learning rate and more epochs, and it goes on from the fine-tuned model too.
        string again = Path.Combine(fx.Root, "from-again");
        var second = Cli.Run("train", data, "--from", Path.Combine(output, "model.zip"), "--epochs", "1", "--learning-rate", "0.0005", "-o", again);
        Assert.True(second.Code == 0, second.Output);
        Assert.Contains(", fine-tuned once.", Cli.Flat(second.Output));
        Assert.Equal(0.0005, MetricsFile.Read(Path.Combine(again, "metrics.json")).Settings.LearningRate);
        // Its record names <DATA> alone; the record of the model it went on from names the fixture's images.
        Assert.Contains($"give them with --add-good \"{fx.Data}\" (on MTD", Cli.Flat(second.Output));
        // Each fine-tuning records what the network had been trained on before it.
        var history = MetricsFile.Read(Path.Combine(again, "metrics.json")).TrainedBefore!;
        Assert.Equal([new(fx.Data, false, false), new(data, false, false)], history);
    }

    /// <summary>A model is not replaced by the model made from it: a fine-tuning or an evaluate into its own folder would
    /// write its model.zip over it.</summary>
    [Fact]
    public void A_fine_tuning_or_evaluate_into_the_models_own_folder_is_refused_before_anything_runs()
    {
        string data = NewData(), inPlace = Cli.TempFolder("in-place");
        foreach (string file in new[] { "model.zip", "metrics.json" }) File.Copy(Path.Combine(fx.Run, file), Path.Combine(inPlace, file));
        string model = Path.Combine(inPlace, "model.zip");
        byte[] before = File.ReadAllBytes(model);
        var run = Cli.Run("train", data, "--from", model, "--epochs", "1", "-o", inPlace);
        Assert.Equal(2, run.Code);
        Assert.Contains($"--output '{inPlace}' holds the model --from reads ('{model}'): ssm train writes a model.zip of its own there", Cli.Flat(run.Output));
        File.Delete(Path.Combine(inPlace, "metrics.json"));   // a copied model alone: no training record to refuse by
        var evaluate = Cli.Run("evaluate", model, fx.Data, "--threshold", "1.5", "-o", inPlace + "/");
        Assert.Equal(2, evaluate.Code);
        Assert.Contains("holds the model <MODEL> reads", Cli.Flat(evaluate.Output));
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void Options_that_shape_the_network_a_missing_model_and_each_category_are_refused_with_from()
    {
        var shaped = Cli.Run("train", fx.Data, "--from", fx.Model, "--image-size", "16", "--width=4", "-o", Path.Combine(fx.Root, "from-shaped"));
        Assert.Equal(2, shaped.Code);
        Assert.Contains("--image-size, --width cannot go with --from", Cli.Flat(shaped.Output));
        // Given, an option is refused even at the value the model has: it would not have set it.
        var same = Cli.Run("train", fx.Data, "--from", fx.Model, "--image-size", "32", "-o", Path.Combine(fx.Root, "from-same"));
        Assert.Equal(2, same.Code);
        Assert.Contains("--image-size cannot go with --from", Cli.Flat(same.Output));
        var each = Cli.Run("train", fx.Data, "--from", fx.Model, "--each-category", "-o", Path.Combine(fx.Root, "from-each"));
        Assert.Equal(2, each.Code);
        Assert.Contains("--from goes on from one model", Cli.Flat(each.Output));
        string missing = Path.Combine(fx.Root, "no-such-model.zip");
        var none = Cli.Run("train", fx.Data, "--from", missing, "-o", Path.Combine(fx.Root, "from-none"));
        Assert.NotEqual(0, none.Code);
        Assert.Contains($"Model file '{missing}' does not exist.", Cli.Flat(none.Output));
        Assert.False(Cli.HasStackTrace(none.Output));
        Assert.False(File.Exists(Path.Combine(fx.Root, "from-none", "model.zip")));
    }

    /// <summary>After a camera move the old images must stay normal too: <c>--add-good</c> trains on them beside the new.</summary>
    [Fact]
    public void Add_good_trains_on_another_folders_good_images_beside_the_datas_and_records_it()
    {
        string data = NewData(), noise = Cli.NoiseImages("add-noise", 3, seed: 1), output = Path.Combine(fx.Root, "from-add-good");
        var (code, text) = Cli.Run("train", data, "--from", fx.Model, "--add-good", fx.Data, "--add-good", noise, "--epochs", "1", "-o", output);
        Assert.True(code == 0, text);
        string flat = Cli.Flat(text);
        Assert.Contains($"in {data} (24 of them in {fx.Data} and 3 in {noise}, from --add-good)", flat);
        Assert.Contains("SSM: fine-tuning on 47 images (", flat);
        Assert.DoesNotContain("may forget", flat);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal([fx.Data, noise], metrics.AddedGood!);
        Assert.Equal((27, 47), (metrics.AddedGoodImages, metrics.TrainImages));
        Assert.Equal(7, metrics.TestImages);   // <DATA>'s test set; --add-good's is not read
        Assert.Null(MetricsFile.Read(Path.Combine(fx.Run, "metrics.json")).AddedGood);
        // info says both folders and the model it went on from, not the new data alone.
        var info = Cli.Run("info", Path.Combine(output, "model.zip"), "--json");
        Assert.True(info.Code == 0, info.Output);
        var facts = JsonSerializer.Deserialize<SSM.Cli.Commands.InfoCommand.ModelFacts>(info.Output, MetricsFile.Json)!;
        Assert.Equal((data, 27), (facts.Dataset, facts.AddedGoodImages));
        Assert.Equal([fx.Data, noise], facts.AddedGood!);
        Assert.Equal([new(fx.Data, false, false)], facts.TrainedBefore!);
        Assert.Equal((fx.Model, metrics.FineTunedFromSha256), (facts.FineTunedFrom, facts.FineTunedFromSha256));
        Assert.NotNull(facts.FineTunedFromSha256);
        // Its table too: the added folders' row with their count, the model it went on from by its whole identity, the folders before.
        string table = Cli.Flat(Cli.Run("info", Path.Combine(output, "model.zip")).Output);
        Assert.Contains("added good", table);
        Assert.Contains("(27 images)", table);
        Assert.Contains(metrics.FineTunedFromSha256!, table);
        Assert.Contains("trained before on", table);
    }

    [Fact]
    public void Add_good_refuses_the_datas_own_images_its_test_images_under_other_names_and_each_category()
    {
        string data = NewData();
        var same = Cli.Run("train", data, "--add-good", data, "--epochs", "1", "-o", Path.Combine(fx.Root, "add-same"));
        Assert.Equal(2, same.Code);
        Assert.Contains($"20 of the 20 images of --add-good '{data}' are training images of <DATA> (", Cli.Flat(same.Output));
        Assert.Contains("they would be trained on twice", Cli.Flat(same.Output));
        // By content: copies under other names (or links, or the path spelt otherwise) are the same images.
        string twice = Cli.TempFolder("add-twice");
        string[] own = [.. Directory.GetFiles(Path.Combine(data, "train", "good")).Order(StringComparer.Ordinal)];
        File.Copy(own[0], Path.Combine(twice, "a.png"));
        File.Copy(own[1], Path.Combine(twice, "b.png"));
        File.Copy(Directory.GetFiles(Path.Combine(fx.Data, "train", "good"))[0], Path.Combine(twice, "c.png"));
        var copied = Cli.Run("train", data, "--add-good", twice, "--epochs", "1", "-o", Path.Combine(fx.Root, "add-twice"));
        Assert.Equal(2, copied.Code);
        Assert.Contains($"2 of the 3 images of --add-good '{twice}' are training images of <DATA> ('{Path.Combine(twice, "a.png")}' is '{own[0]}', and others)", Cli.Flat(copied.Output));
        // Nor may two --add-good folders share an image.
        string first = Cli.NoiseImages("add-first", 2, seed: 2), second = Cli.NoiseImages("add-second", 2, seed: 3);
        File.Copy(Path.Combine(first, "noise1.png"), Path.Combine(second, "shared.png"));
        var shared = Cli.Run("train", data, "--add-good", first, "--add-good", second, "--epochs", "1", "-o", Path.Combine(fx.Root, "add-shared"));
        Assert.Equal(2, shared.Code);
        Assert.Contains($"1 of the 3 images of --add-good '{second}' is a training image of the --add-good folder '{first}' ('{Path.Combine(second, "shared.png")}' is '{Path.Combine(first, "noise1.png")}')", Cli.Flat(shared.Output));
        // A test image copied among good ones would be trained on, and the test figures flattered.
        string copies = Path.Combine(Cli.TempFolder("add-copies"), "good");
        Directory.CreateDirectory(copies);
        foreach (string file in Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Take(3)) File.Copy(file, Path.Combine(copies, Path.GetFileName(file)));
        string test = Directory.GetFiles(Path.Combine(data, "test", "good"))[0];
        File.Copy(test, Path.Combine(copies, "renamed.png"));
        var leak = Cli.Run("train", data, "--add-good", copies, "--epochs", "1", "-o", Path.Combine(fx.Root, "add-leak"));
        Assert.Equal(2, leak.Code);
        Assert.Contains($"1 of the 4 images of --add-good '{copies}' is a test image of <DATA> ('{Path.Combine(copies, "renamed.png")}' is '{test}')", Cli.Flat(leak.Output));
        Assert.False(Cli.HasStackTrace(leak.Output));
        var each = Cli.Run("train", fx.Data, "--each-category", "--add-good", copies, "-o", Path.Combine(fx.Root, "add-each"));
        Assert.Equal(2, each.Code);
        Assert.Contains("--add-good adds images to one training", Cli.Flat(each.Output));
    }

    [Fact]
    public void Add_good_reads_a_dataset_by_its_train_good_takes_any_number_of_images_and_names_itself_in_errors()
    {
        // A dataset's train/good even where --recursive reads <DATA>'s subfolders (its test images would be trained as good).
        var (dataset, notRead) = SSM.Cli.Inputs.DatasetInput.OpenAddedGood(fx.Data, recursive: true);
        Assert.Equal(Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Length, dataset.TrainPaths.Count);
        Assert.Equal(SSM.Cli.Inputs.DatasetInput.FolderNotRead, notRead);
        // One image is enough: the training it joins needs its minimum, not it.
        string one = Cli.TempFolder("add-one");
        File.Copy(Directory.GetFiles(Path.Combine(fx.Data, "train", "good"))[0], Path.Combine(one, "a.png"));
        Assert.Single(SSM.Cli.Inputs.DatasetInput.OpenAddedGood(one, recursive: false).Images.TrainPaths);
        Assert.Single(SSM.Cli.Inputs.DatasetInput.OpenAddedGood(one, recursive: true).Images.TrainPaths);
        string missing = Path.Combine(one, "no-such-folder");
        var error = Assert.Throws<CliException>(() => SSM.Cli.Inputs.DatasetInput.OpenAddedGood(missing, recursive: false));
        Assert.StartsWith($"--add-good: Dataset folder '{missing}' does not exist.", error.Message);
        // A tree with a dataset below it, read with --recursive, is refused as a usage error (exit 2) with the option named.
        string tree = Cli.TempFolder("add-tree");
        Cli.CopyTree(fx.Data, Path.Combine(tree, "line1"));
        var layout = Assert.Throws<CliException>(() => SSM.Cli.Inputs.DatasetInput.OpenAddedGood(tree, recursive: true));
        Assert.StartsWith($"--add-good: '{tree}' holds folders of the MVTec layout", layout.Message);
        Assert.Equal(2, layout.ExitCode);
    }
}
