using Microsoft.ML;
using SSM.Cli.Commands;
using SSM.Cli.Inputs;
using SSM.Cli.Models;
using SSM.Cli.Outputs;
using SSM.Cli.Training;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core;
using SSM.MLNet;

namespace SSM.Cli.Tests;

[Collection("cli")]
public sealed class TrainTests(TrainedModelFixture fx)
{
    /// <summary>A time budget that binds (the other tests' budgets never do): the run stops long before its epochs, says
    /// how far it got in its summary and its record, and warns that a budget this short finds less.</summary>
    [Fact]
    public void Train_stops_where_its_time_budget_is_spent()
    {
        string output = Path.Combine(Cli.TempFolder("train-budget"), "out");
        var (code, text) = Cli.Run(["train", fx.Data, .. TrainedModelFixture.OneEpoch[..^1], "100000", "--time-budget", "0.02", "-o", output]);
        Assert.True(code == 0, text);
        string flat = Cli.Flat(text);
        Assert.Contains("up to 100000 epochs or 1.2 s,", flat);
        Assert.Contains("warning: the time budget (1.2 s) affords about", flat);   // as the line above says it
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal(0.02, metrics.Settings.TimeBudgetMinutes);
        Assert.InRange(metrics.EpochsRun!.Value, 1, 99_999);
        Assert.Matches($@"epochs run\s*│\s*{metrics.EpochsRun} of 100000\s*│", flat);
    }

    /// <summary>A training that diverges is said as a failure the user can act on, in the options' names, not as the
    /// engine's InvalidOperationException; no output is written. A fine-tuning the same.</summary>
    [Fact]
    public void Train_that_diverges_says_which_options_to_change()
    {
        string root = Cli.TempFolder("train-diverged");
        const string Said = "error: The training diverged in epoch 1: its loss is NaN, and the network's weights are no longer numbers. " +
                            "A lower --learning-rate (it is 1E+30) trains; so does another --seed, when the rate is the default.";
        string[][] runs =
        [
            ["train", fx.Data, .. TrainedModelFixture.OneEpoch, "--learning-rate", "1e30", "-o", Path.Combine(root, "new")],
            ["train", fx.Data, "--from", fx.Model, "--epochs", "1", "--learning-rate", "1e30", "-o", Path.Combine(root, "tuned")],
        ];
        foreach (var run in runs)
        {
            var (code, text) = Cli.Run(run);
            Assert.True(code == 1, text);
            Assert.Contains(Said, Cli.Flat(text));
            Assert.DoesNotContain("Exception", text);
            Assert.False(Directory.Exists(run[^1]), text);
        }
    }

    [Fact]
    public void Generate_WritesMvtecLayout()
    {
        Assert.True(fx.GenerateCode == 0, fx.GenerateOutput);
        Assert.Equal(24, Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Length);
        Assert.True(Directory.Exists(Path.Combine(fx.Data, "ground_truth")));
        Assert.Contains("Writing 38 images...", fx.GenerateOutput);   // 24 + 6 + 4 x 2: its progress
        Assert.Contains("generated", fx.GenerateOutput);
        Assert.Contains("test defects", fx.GenerateOutput);
        Assert.Matches(@"8 \(2 of each of 4 kinds\)", fx.GenerateOutput);   // --test-defect counts per kind
        // The next command trains at the generated size: train's default (64) would enlarge these 32 px images.
        Assert.Contains("--normalization None --image-size 32", Cli.Flat(fx.GenerateOutput));
    }

    [Fact]
    public void Generate_Channels3_WritesColourImages()
    {
        string data = Path.Combine(Cli.TempFolder("generate-colour"), "data");
        var run = Cli.Run("generate", "--image-size", "16", "--train-count", "2", "--test-good", "1", "--test-defect", "1", "--channels", "3", "-o", data);
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("3 (colour)", run.Output);
        var files = Directory.GetFiles(data, "*.png", SearchOption.AllDirectories).Where(f => !f.Contains("ground_truth")).ToList();
        Assert.Equal(2 + 1 + 4, files.Count);
        Assert.All(files, f => Assert.False(SSM.Core.Data.ImageFile.ReadHeader(f)!.Value.StoresGray, f));
        var first = SSM.Core.Data.ImageFile.Load(files[0], channels: 3);   // colour, not grey written as RGB
        int plane = first.Width * first.Height;
        Assert.Contains(Enumerable.Range(0, plane), i => first.Pixels[i] != first.Pixels[plane + i]);
        Assert.Contains("1 (grey)", Cli.Flat(fx.GenerateOutput));   // the default stays grey
        var wrong = Cli.Run("generate", "--channels", "2", "-o", data + "-2");
        Assert.Equal(2, wrong.Code);
        Assert.Contains("--channels must be 1 (grey) or 3 (colour) (got 2)", Cli.Flat(wrong.Output));
    }

    /// <summary>A second dataset written over a first would leave the first's extra images for train to read: refused; the
    /// same command again replaces every file, so it runs.</summary>
    [Fact]
    public void Generate_RefusesAFolderHoldingFilesItWouldNotReplace()
    {
        string data = Path.Combine(Cli.TempFolder("regenerate"), "data");
        string[] small = ["generate", "--image-size", "16", "--train-count", "3", "--test-good", "1", "--test-defect", "1", "-o", data];
        Assert.Equal(0, Cli.Run(small).Code);
        File.WriteAllText(Path.Combine(data, "train", "good", ".DS_Store"), "");   // what a Finder visit leaves: not a dataset file
        Assert.Equal(0, Cli.Run(small).Code);
        var fewer = Cli.Run(["generate", "--image-size", "16", "--train-count", "2", "--test-good", "1", "--test-defect", "1", "-o", data]);
        Assert.Equal(2, fewer.Code);
        Assert.Contains($"holds 1 dataset file(s) this run would not replace (e.g. {Path.Combine("train", "good", "002.png")})", Cli.Flat(fewer.Output));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(data, "train", "good"), "*.png").Length);   // the first set as it was
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(data)!, ".data.tmp-*"));
        // A plain folder of the user's images would read as the dataset's train/good afterwards, and they not at all.
        string mine = Path.Combine(Path.GetDirectoryName(data)!, "mine");
        Directory.CreateDirectory(mine);
        File.Copy(Directory.GetFiles(Path.Combine(data, "train", "good"))[0], Path.Combine(mine, "part.png"));
        var intoMine = Cli.Run(["generate", "--image-size", "16", "--train-count", "3", "--test-good", "1", "--test-defect", "1", "-o", mine]);
        Assert.Equal(2, intoMine.Code);
        Assert.Contains("holds 1 image(s) of its own (e.g. part.png)", Cli.Flat(intoMine.Output));
        Assert.False(Directory.Exists(Path.Combine(mine, "train")));
    }

    [Fact]
    public void Train_SaysHowManyImagesTrainTheNetwork_AndHowManyCalibrate()
    {
        var match = System.Text.RegularExpressions.Regex.Match(fx.TrainOutput, @"24 images \((\d+) to train the network, (\d+) held out to calibrate the scores\)");
        Assert.True(match.Success, fx.TrainOutput);
        int held = int.Parse(match.Groups[2].Value);
        Assert.Equal(24, int.Parse(match.Groups[1].Value) + held);
        Assert.Equal(SSM.Core.Training.SsmTrainer.Split(24, new SsmOptions().Training).HeldOut.Length, held);
        Assert.DoesNotContain("colour files", fx.TrainOutput);   // the generated images are grayscale files
    }

    /// <summary>Good images kept by camera and hour, each hour folder reusing the names: --recursive trains on them all.</summary>
    [Fact]
    public void Train_Recursive_ReadsEverySubfolderOfAPlainFolder()
    {
        string tree = Path.Combine(fx.Root, "by-hour");
        var good = Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Take(12).ToList();
        for (int i = 0; i < good.Count; i++)
        {
            string hour = Path.Combine(tree, $"cam{i % 2}", $"h{i % 3:D2}");
            Directory.CreateDirectory(hour);
            File.Copy(good[i], Path.Combine(hour, $"img_{i / 6}.png"));
        }
        string output = Path.Combine(fx.Root, "by-hour-run");
        var run = Cli.Run(["train", tree, "--recursive", .. TrainedModelFixture.TinyTrainingOf(1), "-o", output]);
        Assert.True(run.Code == 0, run.Output);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal(12, metrics.TrainImages);
        Assert.True(metrics.Recursive);   // what the next run must give to read the same images
        Assert.Contains($"{tree} (with its subfolders: --recursive)", Cli.Flat(Cli.Run("info", Path.Combine(output, "model.zip")).Output));
        // Fine-tuned on a plain folder, the note gives what reads the tree again.
        string later = Path.Combine(fx.Root, "by-hour-later");
        Directory.CreateDirectory(later);
        foreach (string file in Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Skip(12).Take(6)) File.Copy(file, Path.Combine(later, Path.GetFileName(file)));
        var tuned = Cli.Run("train", later, "--from", Path.Combine(output, "model.zip"), "--epochs", "1", "-o", output + "-later");
        Assert.True(tuned.Code == 0, tuned.Output);
        Assert.Contains($"give them with --add-good \"{tree}\" --recursive (on MTD", Cli.Flat(tuned.Output));
        // An MVTec <DATA> refuses --recursive: the note says what to give instead.
        var mvtecTuned = Cli.Run("train", fx.Data, "--from", Path.Combine(output, "model.zip"), "--epochs", "1", "-o", output + "-mvtec-later");
        Assert.True(mvtecTuned.Code == 0, mvtecTuned.Output);
        Assert.Contains($"--add-good \"{tree}\" and --recursive, which refuses an MVTec dataset as <DATA>: give '{Path.Combine(fx.Data, "train", "good")}' as <DATA> then",
            Cli.Flat(mvtecTuned.Output));
        // New images inside the tree: the tree holds them, so it is not offered (--add-good would refuse them as <DATA>'s).
        string newInTree = Path.Combine(tree, "new");
        Directory.CreateDirectory(newInTree);
        foreach (string file in Directory.GetFiles(later)) File.Copy(file, Path.Combine(newInTree, Path.GetFileName(file)));
        var inTreeTuned = Cli.Run("train", newInTree, "--from", Path.Combine(output, "model.zip"), "--epochs", "1", "-o", output + "-in-tree");
        Assert.True(inTreeTuned.Code == 0, inTreeTuned.Output);
        Assert.DoesNotContain("may forget", inTreeTuned.Output);
        Directory.Delete(newInTree, recursive: true);
        // Without it, the folder's subfolders are not read, and the error says so; the MVTec layout does not take it.
        var flat = Cli.Run(["train", tree, .. TrainedModelFixture.TinyTraining, "-o", output + "-flat"]);
        Assert.Equal(1, flat.Code);
        Assert.Contains("subfolders are not searched (train --recursive reads them)", Cli.Flat(flat.Output));
        var mvtec = Cli.Run(["train", fx.Data, "--recursive", .. TrainedModelFixture.TinyTraining, "-o", output + "-mvtec"]);
        Assert.Equal(2, mvtec.Code);
        Assert.Contains("holds folders of the MVTec layout ('ground_truth')", Cli.Flat(mvtec.Output));
        // Nor an MVTec dataset further down (the download's categories): its defects and masks would train as good images.
        string download = Path.Combine(fx.Root, "download");
        foreach (string sub in new[] { "train/good", "test/good" }) Directory.CreateDirectory(Path.Combine(download, "woven", sub));
        for (int i = 0; i < 5; i++) File.Copy(good[i], Path.Combine(download, "woven", i < 4 ? "train/good" : "test/good", $"{i}.png"));
        var parent = Cli.Run(["train", download, "--recursive", .. TrainedModelFixture.TinyTraining, "-o", Path.Combine(fx.Root, "download-run")]);
        Assert.Equal(2, parent.Code);
        Assert.Contains("holds folders of the MVTec layout ('woven/test')", Cli.Flat(parent.Output));
        // Without --recursive, such a root is named for what it is: the dataset to give is one of its folders.
        string giveOne = $"holds 1 dataset(s) of the MVTec layout in its subfolders (woven): give one, as '{Path.Combine(download, "woven")}', or train each with --each-category.";
        Assert.Contains(giveOne, Cli.Flat(parent.Output));
        var root = Cli.Run(["train", download, .. TrainedModelFixture.TinyTraining, "-o", Path.Combine(fx.Root, "download-run")]);
        Assert.Equal(1, root.Code);
        Assert.Contains(giveOne, Cli.Flat(root.Output));
        Assert.DoesNotContain("--recursive reads them", root.Output);
        // evaluate has no --each-category: it names the folder to give alone.
        string evaluateOne = giveOne.Replace(", or train each with --each-category.", ".");
        Assert.Contains(evaluateOne, Cli.Flat(Cli.Run("evaluate", fx.Model, download, "-o", Path.Combine(fx.Root, "download-eval")).Output));
        // Fewer images than a training needs are said as without --recursive, and an output inside the tree is refused.
        var few = Path.Combine(fx.Root, "few", "cam");
        Directory.CreateDirectory(few);
        File.Copy(good[0], Path.Combine(few, "a.png"));
        var tooFew = Cli.Run(["train", Path.GetDirectoryName(few)!, "-r", .. TrainedModelFixture.TinyTraining, "-o", output + "-few"]);
        Assert.Equal(1, tooFew.Code);
        Assert.Contains("hold 1 training image(s); at least 4", Cli.Flat(tooFew.Output));
        var inside = Cli.Run(["train", tree, "-r", .. TrainedModelFixture.TinyTraining, "-o", Path.Combine(tree, "models")]);
        Assert.Equal(2, inside.Code);
    }

    /// <summary>A line retrained into last month's output replaces its model: said, with the model it was (a lifecycle
    /// walkthrough's model.zip was replaced without a word); the same training again is the same model, and says nothing.</summary>
    [Fact]
    public void Train_IntoAnEarlierTrainingsOutput_SaysItsModelIsReplaced()
    {
        string output = Path.Combine(Cli.TempFolder("replace"), "out");
        string[] train = ["train", fx.Data, .. TrainedModelFixture.OneEpoch, "--threads", "1", "-o", output];
        Assert.Equal(0, Cli.Run([.. train, "--seed", "1"]).Code);
        string first = MetricsFile.Read(Path.Combine(output, "metrics.json")).NetworkSha256!;
        var again = Cli.Run([.. train, "--seed", "1"]);
        Assert.True(again.Code == 0, again.Output);
        Assert.DoesNotContain("replaced an earlier", Cli.Flat(again.Output));
        // The same network with a threshold set since (evaluate --threshold, the copy put back): trained again, that is lost.
        string evaluated = Path.Combine(Path.GetDirectoryName(output)!, "evaluated");
        Assert.Equal(0, Cli.Run("evaluate", Path.Combine(output, "model.zip"), fx.Data, "--threshold", "0.5", "-o", evaluated).Code);
        File.Copy(Path.Combine(evaluated, "model.zip"), Path.Combine(output, "model.zip"), overwrite: true);
        var reset = Cli.Run([.. train, "--seed", "1"]);
        Assert.Contains("replaced an earlier training's model (the same network, with the threshold 0.5 set since, 3 now)", Cli.Flat(reset.Output));
        var other = Cli.Run([.. train, "--seed", "2"]);
        Assert.True(other.Code == 0, other.Output);
        Assert.Contains($"replaced an earlier training's model (network sha256 {first[..16]}...): give each training its own --output", Cli.Flat(other.Output));
        // A model.zip no ssm reads is replaced too, and said as such.
        File.WriteAllText(Path.Combine(output, "model.zip"), "not a model");
        var overText = Cli.Run([.. train, "--seed", "2"]);
        Assert.True(overText.Code == 0, overText.Output);
        Assert.Contains("replaced an earlier training's model (not a model ssm reads)", Cli.Flat(overText.Output));
    }

    /// <summary>Ctrl+C keeps the training's last checkpoint beside the output; the same command continues from it and ends
    /// with the model of an uninterrupted run (the fixture's, trained with the same settings in one go).</summary>
    [Fact]
    public void Train_StoppedAndRunAgain_ContinuesToTheUninterruptedModel()
    {
        string root = Cli.TempFolder("resume"), output = Path.Combine(root, "out");
        string[] train = ["train", fx.Data, .. TrainedModelFixture.TinyTraining, "--seed", "1", "--checkpoint-every", "2", "-o", output];
        var stopped = Cli.RunUntil(train, "epoch 3/");
        Assert.Equal(130, stopped.Code);
        string kept = Assert.Single(CheckpointFolders(root));
        Assert.Contains($"The training up to epoch 2 of 5 is kept in '{kept}': the same command continues after it.", Cli.Flat(stopped.Output));
        Assert.DoesNotContain("Fit", stopped.Output);   // the library's message for its users, not the command line's
        Assert.False(Directory.Exists(output));
        Assert.True(File.Exists(Path.Combine(kept, "ssm-training.checkpoint")));

        var resumed = Cli.Run(train);
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains($"Continuing the stopped training kept in '{kept}' after epoch 2 of 5.", Cli.Flat(resumed.Output));
        Assert.DoesNotContain("continuing the training kept in", resumed.Output);   // the library's line, said in the command's words alone
        Assert.DoesNotContain("epoch 2/5", resumed.Output);
        Assert.Contains("epoch 3/5", resumed.Output);
        Assert.Empty(CheckpointFolders(root));   // the output is written: nothing left to continue
        var expected = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        var actual = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal(expected.FinalLoss, actual.FinalLoss);
        Assert.Equal(expected.Images.Select(i => i.Score), actual.Images.Select(i => i.Score));
        // The same network, as its identity says (the zips differ by their entries' dates), and the file says it went on.
        Assert.Matches("^[0-9a-f]{64}$", actual.NetworkSha256);
        Assert.Equal(expected.NetworkSha256, actual.NetworkSha256);
        Assert.NotEqual(File.ReadAllBytes(fx.Model), File.ReadAllBytes(Path.Combine(output, "model.zip")));
        Assert.Equal((null, 2), (expected.ContinuedAfterEpoch, actual.ContinuedAfterEpoch));
        string report = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("(continued from epoch 2)", report);
        // The loss chart has every epoch, the kept run's with this one's: it is the uninterrupted run's.
        static string LossChart(string html)
        {
            int start = html.IndexOf("<h2>Training</h2>", StringComparison.Ordinal);
            return html[start..html.IndexOf("</figure>", start, StringComparison.Ordinal)];
        }
        Assert.Equal(LossChart(File.ReadAllText(Path.Combine(fx.Run, "report.html"))), LossChart(report));
        Assert.Contains("(this run; epochs 1-2 ran before)", Cli.Flat(resumed.Output));   // the epoch lines' clock runs from the first start
        Assert.Contains("(the last run's; epochs 1-2 ran before)", Cli.Flat(Cli.Run("info", Path.Combine(output, "model.zip")).Output));
        Assert.DoesNotContain("thread(s) and this run", Cli.Flat(resumed.Output));
    }

    /// <summary>A stopped training continued with another thread count ends with the model of neither count: said.</summary>
    [Fact]
    public void Train_ContinuedWithAnotherThreadCount_SaysSo()
    {
        string root = Cli.TempFolder("resume-threads"), output = Path.Combine(root, "out");
        string[] train = ["train", fx.Data, .. TrainedModelFixture.TinyTraining, "--seed", "1", "--checkpoint-every", "1", "-o", output];
        var stopped = Cli.RunUntil([.. train, "--threads", "2"], "epoch 2/");
        Assert.Equal(130, stopped.Code);
        string kept = Assert.Single(CheckpointFolders(root));
        var resumed = Cli.Run([.. train, "--threads", "1"]);
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains($"the stopped training kept in '{kept}' was trained with 2 thread(s) and this run trains with 1", Cli.Flat(resumed.Output));
        Assert.Contains("Give --threads 2 to continue as it began.", Cli.Flat(resumed.Output));
    }

    [Theory]
    [InlineData("2 0|1 2", 3, 5, 2, "was trained with 2 and 1 thread(s) and this run trains with 2", "Give --threads 2")]   // began with 2, one epoch with 1
    [InlineData("2 0|1 2", 2, 5, 2, null, null)]     // the run with 1 was stopped before its first checkpoint: it trained nothing
    [InlineData("2 0|1 2", 2, 5, 1, "was trained with 2 thread(s) and this run trains with 1", "Give --threads 2")]
    [InlineData("0 0|2 3", 4, 5, 1, "was trained with 2 thread(s)", null)]   // kept by a version before the counts: no advice
    [InlineData("2 0", 5, 5, 1, null, null)]          // no epoch left: calibration and scores do not depend on the count
    [InlineData("2 0|2 1", 3, 5, 2, null, null)]
    public void ThreadsNote_CountsTheRunsThatTrained(string runs, int done, int planned, int threads, string? says, string? advice)
    {
        var parsed = runs.Split('|').Select(r => r.Split(' ')).Select(p => (int.Parse(p[0]), int.Parse(p[1]))).ToList();
        string? note = CheckpointFolder.ThreadsNote(parsed, done, planned, threads);
        if (says is null) { Assert.Null(note); return; }
        Assert.NotNull(note);
        Assert.Contains(says, note);
        if (advice is null) Assert.DoesNotContain("Give --threads", note);
        else Assert.Contains(advice, note);
    }

    /// <summary>Stopped after the training (while scoring the test set): the whole training is kept, and the same command
    /// only scores and writes.</summary>
    [Fact]
    public void Train_StoppedAfterTraining_KeepsItWhole()
    {
        string root = Cli.TempFolder("resume-late"), output = Path.Combine(root, "out");
        string[] train = ["train", fx.Data, .. TrainedModelFixture.TinyTraining, "--seed", "1", "-o", output];
        var stopped = Cli.RunUntil(train, "SSM: decision threshold");
        Assert.Equal(130, stopped.Code);
        Assert.Contains("The training up to epoch 5 of 5 is kept in", Cli.Flat(stopped.Output));
        var resumed = Cli.Run(train);
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains("after epoch 5 of 5.", Cli.Flat(resumed.Output));
        Assert.DoesNotContain("epoch 5/5", resumed.Output);
        Assert.Equal(MetricsFile.Read(Path.Combine(fx.Run, "metrics.json")).Images.Select(i => i.Score),
            MetricsFile.Read(Path.Combine(output, "metrics.json")).Images.Select(i => i.Score));
    }

    /// <summary>A stopped training of other settings is not continued, and not destroyed: another command for the output
    /// starts from the beginning in a folder of its own, so a mistyped command stopped at once leaves the first one to
    /// continue. Once the output is written, every checkpoint of it is gone.</summary>
    [Fact]
    public void Train_AfterAStopWithOtherSettings_StartsOver_AndKeepsTheFirst()
    {
        string root = Cli.TempFolder("resume-other"), output = Path.Combine(root, "out");
        string[] tiny = ["train", fx.Data, "--image-size", "32", "--width", "8", "--depth", "3", "--checkpoint-every", "1", "-o", output];
        Assert.Equal(130, Cli.RunUntil([.. tiny, "--epochs", "3"], "epoch 2/").Code);
        string first = Assert.Single(CheckpointFolders(root));
        var other = Cli.RunUntil([.. tiny, "--epochs", "2"], "epoch 1/");
        Assert.Equal(130, other.Code);
        Assert.Contains($"'{first}' holds a stopped training of other settings, images or library version for this output (after epoch 2 of 3): this one starts from the beginning",
            Cli.Flat(other.Output));
        Assert.Contains("epoch 1/2", other.Output);
        Assert.Equal(2, CheckpointFolders(root).Length);
        var again = Cli.Run([.. tiny, "--epochs", "3"]);
        Assert.True(again.Code == 0, again.Output);
        Assert.Contains("after epoch 2 of 3.", Cli.Flat(again.Output));
        Assert.Empty(CheckpointFolders(root));
    }

    private static string[] CheckpointFolders(string root) => Directory.GetDirectories(root, ".out.checkpoint-*");

    /// <summary>Images smaller than the model's side are enlarged: said, with the side that fits them when all are.</summary>
    [Fact]
    public void Train_SaysWhichImagesAreEnlarged()
    {
        string folder = Cli.TempFolder("small");
        // Colour files hold colour (a reddish grey); greyPixels writes a colour file whose channels are equal.
        string Write(string name, int channels, int width, int height, bool greyPixels = false)
        {
            string path = Path.Combine(folder, name);
            int plane = width * height;
            SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(channels, height, width,
                [.. Enumerable.Range(0, channels * plane).Select(i => greyPixels || i >= plane ? 0.5f : 0.7f)]), path);
            return path;
        }
        List<string> small = [Write("a.png", 1, 20, 16), Write("b.png", 1, 17, 9), Write("c.png", 3, 12, 12)];
        IEnumerable<string> Notes(List<string> files, int? channels, SSM.Core.Data.TileGrid? tiles = null)
        {
            var headers = ImageHeaders.Headers(files);
            return ImageHeaders.TrainingNotes(headers, files.Count, channels ?? ImageHeaders.ChannelsOf(headers, files), channels is null, imageSize: 64, sizeMultiple: 8,
                tiles ?? SSM.Core.Data.TileGrid.Whole);
        }
        var notes = Notes(small, 1).ToList();
        Assert.Equal(["1 of 3 images are colour files: --channels 1 reads them as grey, by their luminance; --channels 3 keeps colour.",
                      "3 of 3 images are smaller than 64 x 64 (the smallest 12 x 12) and are enlarged to it, which adds no detail: " +
                      "--image-size 24 trains on them at their own size, with 7.1 times fewer pixels."], notes);
        // One image at least as wide as the side: it is not enlarged across, and the others are only named.
        List<string> mixed = [.. small, Write("d.png", 1, 64, 30)];
        Assert.Equal(["3 of 4 images are grey files: --channels 3 reads each as three equal channels.",
                      "3 of 4 images are smaller than 64 x 64 (the smallest 12 x 12) and are enlarged to it, which adds no detail."],
            Notes(mixed, 3));
        Assert.Equal("All 2 images are grey files: --channels 3 reads each as three equal channels, so the model learns no colour; --channels 1 reads them as grey.",
            Notes([mixed[3], Write("g.png", 1, 64, 64)], 3).Single());
        // Shrunk and squashed images are the model's warnings (ResizeWarningsTests), said once they are read: not notes too.
        Assert.Empty(Notes([mixed[3]], 1));   // 64 x 30: not enlarged, squashed
        Assert.Empty(Notes([Write("strip.png", 1, 2048, 256)], 1, new(4, 1)));
        // --channels auto: grey when any file is grey, colour when all are colour files.
        Assert.DoesNotContain(Notes(mixed, null), n => n.Contains("colour"));   // said as a warning, naming the grey files
        Assert.StartsWith("3 of 4 images are grey files (a.png, b.png, d.png) and 1 colour: --channels auto trains in grey",
            ImageHeaders.GreyAmongColour(mixed, ImageHeaders.HeadersOf(mixed)));
        Assert.Null(ImageHeaders.GreyAmongColour(small[..2], ImageHeaders.HeadersOf(small[..2])));   // grey alone
        Assert.Equal(1, ImageHeaders.ChannelsOf(ImageHeaders.Headers(mixed), mixed));
        List<string> colour = [Write("e.png", 3, 64, 64), Write("f.png", 3, 80, 64)];
        Assert.Equal(3, ImageHeaders.ChannelsOf(ImageHeaders.Headers(colour), colour));
        Assert.Equal(["All 2 images are colour files: training in colour (--channels auto); --channels 1 would read them as grey."], Notes(colour, null));
        // Colour files of grey pixels (a grey camera's images saved as RGB): grey, and said; one file of colour among them: colour.
        List<string> greyRgb = [Write("m.png", 3, 64, 64, greyPixels: true), Write("n.png", 3, 64, 64, greyPixels: true)];
        Assert.True(ImageHeaders.Headers(greyRgb).All(h => !h.StoresGray));
        Assert.Equal(1, ImageHeaders.ChannelsOf(ImageHeaders.Headers(greyRgb), greyRgb));
        Assert.Equal(["All 2 images are colour files whose pixels are grey (R = G = B): training in grey (--channels auto); --channels 3 would " +
                      "read them as colour."], Notes(greyRgb, null));
        Assert.Equal(3, ImageHeaders.ChannelsOf(ImageHeaders.Headers([.. greyRgb, colour[0]]), [.. greyRgb, colour[0]]));
        // Files of several frames (a DICOM cine loop): said first, whatever else is said.
        string cine = Path.Combine(folder, "cine.dcm");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Dicom", "frames.dcm"), cine);
        Assert.Equal("1 of 3 images are files of several frames or pages (up to 2): only the first of each is read. To use the others, " +
                     "write each frame as an image of its own.", Notes([.. colour, cine], 3).First());
    }

    [Fact]
    public void Train_FewHeldOutImages_Warns_AndRecordsTheHoldout()
    {
        // 24 images at the default 0.1: 2 held out, the engine's minimum.
        Assert.Contains("warning: only 2 held-out images calibrate the threshold; its false-alarm rate is a rough guess: " +
                        "add normal images or raise --holdout", fx.TrainOutput);
        Assert.Contains("(the correction for the images' sizes is off below 10, the anomaly maps' standardisation below 3)", Cli.Flat(fx.TrainOutput));   // fewer than 3: raw maps, no size correction
        Assert.Equal(0.1, MetricsFile.Read(Path.Combine(fx.Run, "metrics.json")).Settings.Holdout);
    }

    [Fact]
    public void Report_NamesEverySetting_ByAnOptionOfTrain()
    {
        var options = typeof(TrainSettings).GetProperties()
            .Select(p => p.GetCustomAttributes(typeof(Spectre.Console.Cli.CommandOptionAttribute), true).Cast<Spectre.Console.Cli.CommandOptionAttribute>().SingleOrDefault())
            .OfType<Spectre.Console.Cli.CommandOptionAttribute>().SelectMany(a => a.LongNames).Select(n => "--" + n).ToHashSet();
        var settings = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json")).Settings;
        var rows = settings.Rows().ToList();
        string html = File.ReadAllText(Path.Combine(fx.Run, "report.html"));
        foreach (var (key, value) in rows)
        {
            var (option, shown) = SSM.Cli.Commands.TrainCommand.ReportRow(key, value);
            Assert.Contains(option.Split(' ')[0], options);
            Assert.Contains($"<tr><th>{System.Net.WebUtility.HtmlEncode(option)}</th><td>{System.Net.WebUtility.HtmlEncode(shown)}</td></tr>", html);
        }
        Assert.Equal(("--raw-maps", "false"), SSM.Cli.Commands.TrainCommand.ReportRow("standardizeMaps", "true"));
        // Auto is recorded with what it chose on this machine, and the file with the ssm that wrote it.
        Assert.Equal("Auto", settings.Precision);
        Assert.Contains(settings.PrecisionUsed, new[] { "Float32", "BFloat16" });
        // The threads it trained on (libtorch's own count without --threads): the same seed trains another model on another count.
        Assert.Equal(TorchSharp.torch.get_num_threads(), settings.Threads);
        // The file holds each setting as what it is (a script reads settings.imageSize as a number), under the report's names.
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.Run, "metrics.json")));
        var inFile = json.RootElement.GetProperty("settings");
        Assert.Equal(System.Text.Json.JsonValueKind.Number, inFile.GetProperty("imageSize").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, inFile.GetProperty("learningRate").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.True, inFile.GetProperty("standardizeMaps").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.String, inFile.GetProperty("normalization").ValueKind);
        Assert.False(inFile.TryGetProperty("timeBudgetMinutes", out _));   // no --time-budget: left out, "none" in the report
        Assert.Contains(("timeBudgetMinutes", "none"), rows);
        Assert.Equal(rows.Select(r => r.Key).Where(k => k != "timeBudgetMinutes"), inFile.EnumerateObject().Select(p => p.Name));
        Assert.Equal(CliApp.Version, MetricsFile.Read(Path.Combine(fx.Run, "metrics.json")).Version);
        Assert.Matches(@"^\d+\.\d+\.\d+", CliApp.Version);
    }

    [Fact]
    public void Version_IsPrinted()
    {
        var (code, text) = Cli.Run("--version");
        Assert.Equal(0, code);
        Assert.Equal(CliApp.Version, text.Trim());
    }

    [Fact]
    public void Train_InAGermanShell_WritesNumbersAsScriptsReadThem()
    {
        string output = Path.Combine(Cli.TempFolder("culture"), "run");
        var german = Cli.DecimalComma();
        var shell = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = german;
        try
        {
            var (code, text) = Cli.Run(["train", Path.Combine(fx.Data, "train", "good"), .. TrainedModelFixture.OneEpoch, "--time-budget", "2.5", "-o", output]);
            Assert.True(code == 0, text);
            Assert.Equal(2.5, MetricsFile.Read(Path.Combine(output, "metrics.json")).Settings.TimeBudgetMinutes);
            Assert.Matches(@"training time\s+\S?\s*\d+\.\d s", text);   // "0.4 s", not "0,4 s"
            Assert.Equal(german, System.Globalization.CultureInfo.CurrentCulture);   // the caller's culture is given back
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = shell; }
    }

    [Fact]
    public void Train_Holdout_SetsTheCalibrationSplit()
    {
        string output = Path.Combine(Cli.TempFolder("holdout"), "run");
        var (code, text) = Cli.Run(["train", Path.Combine(fx.Data, "train", "good"), .. TrainedModelFixture.OneEpoch, "--holdout", "0.5", "-o", output]);
        Assert.True(code == 0, text);
        Assert.Contains("24 images (12 to train the network, 12 held out to calibrate the scores)", text);
        // 12 held out: enough; the one warning a machine may add is about its libtorch (OneDnnCheck), not the data.
        Assert.Equal(SSM.Core.Torch.OneDnnCheck.Finding is null ? 0 : 1, System.Text.RegularExpressions.Regex.Count(text, "warning:"));
        Assert.Equal(0.5, MetricsFile.Read(Path.Combine(output, "metrics.json")).Settings.Holdout);
        using var model = (IDisposable)new MLContext().Model.Load(Path.Combine(output, "model.zip"), out _);
        Assert.Equal(12, ModelRunner.SsmOf((ITransformer)model).Calibration.NormalImageScores.Count);
    }

    /// <summary>--sigma is the model's smoothing, kept in the zip and written with the settings; the default is the
    /// image size / 32.</summary>
    [Fact]
    public void Train_Sigma_IsTheModelsSmoothing()
    {
        string output = Path.Combine(Cli.TempFolder("sigma"), "run");
        var (code, text) = Cli.Run(["train", Path.Combine(fx.Data, "train", "good"), .. TrainedModelFixture.OneEpoch, "--sigma", "0.25", "-o", output]);
        Assert.True(code == 0, text);
        Assert.Equal(0.25, MetricsFile.Read(Path.Combine(output, "metrics.json")).Settings.Sigma);
        using var model = (IDisposable)new MLContext().Model.Load(Path.Combine(output, "model.zip"), out _);
        Assert.Equal(0.25, ModelRunner.SsmOf((ITransformer)model).Model.Options.Scoring.SmoothingSigma);
        Assert.Equal(1, MetricsFile.Read(Path.Combine(fx.Run, "metrics.json")).Settings.Sigma);   // 32 px / 32
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
    public void Train_ModelReadsThePathColumnItself_WithTheLibraryDefaults()
    {
        Assert.True(fx.TrainCode == 0, fx.TrainOutput);
        using var model = (IDisposable)new MLContext().Model.Load(fx.Model, out var schema);
        var ssm = ModelRunner.SsmOf((ITransformer)model);
        // Path input: no LoadImages step; the model reads the files named by the ImagePath text column.
        Assert.Equal(SsmInputKind.Path, ssm.InputKind);
        Assert.Equal(nameof(ImageRow.ImagePath), ssm.InputColumnName);
        Assert.Null(ssm.ImageFolder);
        Assert.Equal(Microsoft.ML.Data.TextDataViewType.Instance, schema[nameof(ImageRow.ImagePath)].Type);
        // Without the switches, the CLI trains with the library's defaults.
        var defaults = new SsmAnomalyDetectionOptions();
        var options = ssm.Model.Options;
        Assert.Equal(defaults.InputNormalization, options.Normalization);
        Assert.Equal(defaults.RestorationError, options.Scoring.Error);
        Assert.Null(defaults.ImageScoreError);   // the map's own: RestorationError's
        Assert.Equal(defaults.RestorationError, options.Scoring.ImageScoreError);
        Assert.Equal(defaults.StandardizeMaps, options.Scoring.StandardizeMaps);
        Assert.Equal(defaults.RefinementRounds, options.Scoring.RefinementRounds);
        Assert.Equal(defaults.Flip, options.Training.Flip);
        Assert.Equal(defaults.ScoringPrecision, options.Scoring.Precision);
        Assert.Equal(defaults.TrainingPrecision, options.Training.Precision);
        var settings = new TrainSettings();
        Assert.Equal(defaults.InputNormalization, settings.InputNormalization);
        Assert.Equal(defaults.RestorationError, settings.RestorationError);
        Assert.Equal(defaults.RestorationError, settings.ImageScoreError);
        Assert.Equal(defaults.StandardizeMaps, !settings.RawMaps);
        Assert.Equal(defaults.RefinementRounds, settings.Rounds);
        Assert.Equal(defaults.Flip, settings.Flip);
        Assert.Equal(defaults.ScoringPrecision, settings.NetworkPrecision);
        Assert.Equal(defaults.TrainingPrecision, settings.NetworkPrecision);
    }

    [Fact]
    public void Train_WarnsOfATestFolderWithoutImages()
    {
        string data = Path.Combine(Cli.TempFolder("empty-test"), "data");
        Assert.Equal(0, Cli.Run("generate", "--image-size", "16", "--train-count", "8", "--test-good", "0", "--test-defect", "0", "-o", data).Code);
        Directory.CreateDirectory(Path.Combine(data, "test", "good"));
        var (code, text) = Cli.Run(["train", data, .. TrainedModelFixture.OneEpoch, "-o", Path.Combine(data, "..", "run")]);
        Assert.True(code == 0, text);
        Assert.Contains($"'{Path.Combine(data, "test")}' holds no test images, so the model is trained but not evaluated.", Cli.Flat(text));
    }

    [Fact]
    public void Train_EngineSwitches_ReachTheSavedModel()
    {
        string root = Cli.TempFolder("switches");
        // 30 images: 3 held out, the fewest with which maps are standardised, so --raw-maps makes a visible difference.
        var generate = Cli.Run("generate", "--image-size", "16", "--train-count", "30", "--test-good", "0", "--test-defect", "0", "-o", Path.Combine(root, "data"));
        Assert.True(generate.Code == 0, generate.Output);
        string images = Path.Combine(root, "data", "train", "good");
        string[] tiny = TrainedModelFixture.OneEpoch;

        var (code, text) = Cli.Run(["train", images, .. tiny, "-o", Path.Combine(root, "default")]);
        Assert.True(code == 0, text);
        using (var model = (IDisposable)new MLContext().Model.Load(Path.Combine(root, "default", "model.zip"), out _))
            Assert.NotNull(ModelRunner.SsmOf((ITransformer)model).Calibration.MapStatistics);   // standardised maps by default

        // Lower and mixed case on purpose: the values are case-insensitive.
        (code, text) = Cli.Run(["train", images, .. tiny, "--normalization", "none", "--error", "msGMS", "--score-error", "sQuarederror", "--raw-maps", "--rounds", "2",
            "--precision", "bfloat16", "--flip", "--learning-rate", "0.002", "--batch-size", "4", "-o", Path.Combine(root, "switched")]);
        Assert.True(code == 0, text);
        using (var model = (IDisposable)new MLContext().Model.Load(Path.Combine(root, "switched", "model.zip"), out _))
        {
            var ssm = ModelRunner.SsmOf((ITransformer)model);
            var options = ssm.Model.Options;
            Assert.Equal(InputNormalization.None, options.Normalization);
            Assert.Equal(RestorationError.MsGms, options.Scoring.Error);
            Assert.Equal(RestorationError.SquaredError, options.Scoring.ImageScoreError);
            Assert.False(options.Scoring.StandardizeMaps);
            Assert.Equal(2, options.Scoring.RefinementRounds);
            Assert.Equal(NetworkPrecision.BFloat16, options.Scoring.Precision);
            Assert.Equal(NetworkPrecision.BFloat16, options.Training.Precision);
            Assert.True(options.Training.Flip);
            Assert.Equal(0.002, options.Training.LearningRate);
            Assert.Equal(4, options.Training.BatchSize);
            Assert.Null(ssm.Calibration.MapStatistics);                                        // behaviour: raw maps
        }
        var settings = MetricsFile.Read(Path.Combine(root, "switched", "metrics.json")).Settings;
        Assert.Equal("None", settings.Normalization);
        Assert.Equal("MsGms", settings.Error);
        Assert.Equal("SquaredError", settings.ScoreError);
        Assert.False(settings.StandardizeMaps);
        Assert.Equal(2, settings.Rounds);
        Assert.Equal("BFloat16", settings.Precision);
        Assert.Equal("BFloat16", settings.PrecisionUsed);
        Assert.True(settings.Flip);
        Assert.Equal(0.002, settings.LearningRate);
        Assert.Equal(4, settings.BatchSize);
        string trainingReport = File.ReadAllText(Path.Combine(root, "switched", "report.html"));
        Assert.Contains("normalization", trainingReport);
        Assert.Contains("<p>No labelled test set (test/ folder): run <code>ssm evaluate model.zip &lt;dataset&gt;</code> for metrics and panels.</p>", trainingReport);
        // Its evaluation's report says the map drawn is not the one that scores.
        string evaluated = Path.Combine(root, "switched-evaluated");
        var evaluation = Cli.Run("evaluate", Path.Combine(root, "switched", "model.zip"), fx.Data, "-o", evaluated);
        Assert.True(evaluation.Code == 0, evaluation.Output);
        Assert.Contains("the score comes from another map than the one drawn (<code>--score-error</code> differs from <code>--error</code>)",
            File.ReadAllText(Path.Combine(evaluated, "report.html")));
    }

    [Fact]
    public void TrainHelp_ListsTheEngineSwitches_WithDefaults()
    {
        var (code, text) = Cli.Run("train", "--help");
        Assert.Equal(0, code);
        foreach (string option in new[] { "--normalization", "--error", "--score-error", "--raw-maps", "--rounds", "--precision", "--learning-rate", "--batch-size" }) Assert.Contains(option, text);
        Assert.Contains("PerImage", text);
        Assert.Contains("SquaredError", text);
    }

    [Fact]
    public void Train_MetricsJson_HasImageAndPixelMetrics()
    {
        var metrics = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal("train", metrics.Command);
        Assert.Equal(24, metrics.TrainImages);
        Assert.Equal(5, metrics.EpochsRun);
        Assert.True(metrics.TestImages > 0 && metrics.TestAnomalous > 0);
        // The image figure is the test images' own scores ranked (not, say, the pixel figure in the image field); the tiny
        // model finds the generated defects' pixels, which maps paired with the wrong masks would not.
        Assert.Equal(Roc.Auroc([.. metrics.Images.Select(i => i.Score)], [.. metrics.Images.Select(i => i.Category != "good")]), metrics.ImageAuroc!.Value, 12);
        Assert.True(metrics.PixelAuroc > 0.75, $"pixel AUROC {metrics.PixelAuroc}");
        Assert.True(metrics.Aupro > 0.3, $"AUPRO {metrics.Aupro}");
        Assert.Equal(metrics.TestImages, metrics.Images.Count);
        // Bootstrap intervals hold their figure; the summary and the report show them.
        foreach (var (value, interval) in new[] { (metrics.ImageAuroc, metrics.ImageAurocInterval), (metrics.PixelAuroc, metrics.PixelAurocInterval), (metrics.Aupro, metrics.AuproInterval) })
        {
            Assert.NotNull(interval);
            Assert.InRange(value!.Value, interval[0], interval[1]);
        }
        // 8 defective test images leave room for another test set to rank otherwise; a perfect ranking is perfect in every redraw.
        var imageInterval = metrics.ImageAurocInterval!;
        if (metrics.ImageAuroc == 1) Assert.Equal([1.0, 1.0], imageInterval);
        else Assert.True(imageInterval[1] > imageInterval[0], $"interval {imageInterval[0]}-{imageInterval[1]}");
        Assert.Contains($"95 % interval {imageInterval[0]:F3}-{imageInterval[1]:F3}", fx.TrainOutput);
        Assert.Contains("95 % interval", File.ReadAllText(Path.Combine(fx.Run, "report.html")));
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
        var (code, text) = Cli.Run(["train", folder, .. TrainedModelFixture.OneEpoch, "-o", output]);
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
        Assert.Contains("test set", File.ReadAllText(Path.Combine(output, "report.html")).Replace("Test set", "test set"));
        // --channels auto trains such a mix in grey: said, as a defect of colour alone would go unseen.
        Assert.Contains("5 of 8 images are grey files (img1.png, img2.png, img4.png, img5.png, img7.png) and 3 colour: --channels auto trains in grey", Cli.Flat(text));
    }
}
