namespace SSM.Cli.Tests;

/// <summary><c>generate --from</c>: a dataset made of a user's own good images, a share of them held out and painted.</summary>
public sealed class GenerateFromTests
{
    /// <summary>A generated dataset at 16 px, its train/good standing for a user's folder of good images.</summary>
    private static string GoodImages(string name, int count)
    {
        string data = Cli.TempFolder(name);
        var run = Cli.Run("generate", "--image-size", "16", "--train-count", count.ToString(), "--test-good", "0", "--test-defect", "0", "-o", data);
        Assert.True(run.Code == 0, run.Output);
        return data;
    }

    [Fact]
    public void A_folder_of_good_images_becomes_a_dataset_that_train_evaluates_on_its_painted_defects()
    {
        string good = Path.Combine(GoodImages("from-own", 10), "train", "good"), root = Cli.TempFolder("from-own-dataset");
        File.WriteAllText(Path.Combine(good, "notes.txt"), "not an image");

        var run = Cli.Run("generate", "--from", good, "--test-share", "0.3", "-o", root);

        Assert.True(run.Code == 0, run.Output);
        Assert.Matches(@"train/good\W+7 \(copied unchanged\)", run.Output);
        Assert.Matches(@"test/good\W+3 \(held out, as they are\)", run.Output);
        Assert.Matches(@"test defects\W+12 \(painted on the 3 held-out images, one of each of 4 kinds\)", run.Output);
        Assert.Contains("1 other entry: notes.txt", Cli.Flat(run.Output));   // what it did not read is said
        Assert.Equal(7, Directory.GetFiles(Path.Combine(root, "train", "good")).Length);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(root, "ground_truth", "scratch")).Length);

        var train = Cli.Run(["train", root, .. TrainedModelFixture.OneEpoch, "-o", Cli.TempFolder("from-own-model")]);
        Assert.True(train.Code == 0, train.Output);
        Assert.Matches(@"test images\W+15 \(12 defective\)", train.Output);
    }

    [Fact]
    public void A_dataset_folder_gives_its_train_good_images()
    {
        string data = GoodImages("from-dataset", 5), root = Cli.TempFolder("from-dataset-out");

        var run = Cli.Run("generate", "--from", data, "-o", root);

        Assert.True(run.Code == 0, run.Output);
        Assert.Contains(Path.Combine(data, "train", "good"), Cli.Flat(run.Output));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(root, "train", "good")).Length);
        Assert.Single(Directory.GetFiles(Path.Combine(root, "test", "good")));
    }

    /// <summary>A folder of the fewest images --from takes.</summary>
    private static string FewestImages(string name, string stem = "noise") => Cli.NoiseImages(name, SSM.Core.Data.PaintedTestSet.MinimumImages, seed: 1, stem);

    /// <summary>An --output inside --from's folder, written by a run before, is this command's, not an entry of the folder.</summary>
    [Fact]
    public void An_output_inside_the_folder_is_not_one_of_its_entries()
    {
        string folder = FewestImages("from-inside"), output = Path.Combine(folder, "dataset");
        Assert.Equal(0, Cli.Run("generate", "--from", folder, "-o", output).Code);
        var again = Cli.Run("generate", "--from", folder, "-o", output);
        Assert.True(again.Code == 0, again.Output);
        Assert.DoesNotContain("not images", Cli.Flat(again.Output));
    }

    /// <summary>Another run's dataset in the output, with files this run would not replace: train would read both, so refused.</summary>
    [Fact]
    public void An_output_holding_another_runs_dataset_is_refused()
    {
        string output = Path.Combine(Cli.TempFolder("from-over"), "dataset");
        Assert.Equal(0, Cli.Run("generate", "--from", FewestImages("from-first"), "-o", output).Code);
        var other = Cli.Run("generate", "--from", FewestImages("from-second", stem: "other"), "-o", output);
        Assert.Equal(2, other.Code);
        Assert.Contains("dataset file(s) this run would not replace (e.g. ", Cli.Flat(other.Output));
        Assert.Empty(Directory.GetFiles(output, "other*", SearchOption.AllDirectories));
    }

    [Fact]
    public void What_does_not_apply_or_cannot_work_is_refused()
    {
        string data = GoodImages("from-refused", 5), output = Path.Combine(Cli.TempFolder("from-refused-out"), "out");
        string Fails(string expected, params string[] args)
        {
            var run = Cli.Run([.. args, "-o", output]);
            Assert.True(run.Code != 0, run.Output);
            Assert.Contains(expected, Cli.Flat(run.Output));
            Assert.False(Directory.Exists(output), "a refused run wrote its output");
            return run.Output;
        }

        Fails("--from '/nonexistent' is not a folder", "generate", "--from", "/nonexistent");
        Fails("--image-size, --texture describe generated images and do not apply with --from", "generate", "--from", data, "--image-size", "32", "--texture", "Grainy");
        // Typed at their defaults they are refused too: typed, they are expected to act.
        Fails("--image-size describes generated images and does not apply with --from", "generate", "--from", data, "--image-size", "64");
        Fails("--channels describes generated images", "generate", "--from", data, "--channels=1");
        Fails("--test-share applies only with --from", "generate", "--test-share", "0.5");
        Fails("--test-share applies only with --from", "generate", "--test-share", "0.2");
        Fails("--test-share must lie between 0 and 1 (got 1.5)", "generate", "--from", data, "--test-share", "1.5");
        string four = Cli.TempFolder("from-four");
        foreach (string image in Directory.GetFiles(Path.Combine(data, "train", "good")).Take(4)) File.Copy(image, Path.Combine(four, Path.GetFileName(image)));
        Fails("holds 4 image(s): it needs at least 5 good images, 4 to train on", "generate", "--from", four);
        File.WriteAllText(Path.Combine(four, "e.png"), "not an image");   // refused by name, held out or not
        Assert.DoesNotContain("Writing", Fails("e.png", "generate", "--from", four));   // refused before it says it is writing
        // A plain folder of images as the output: train would read the dataset's train/good there, and not them.
        string mine = Cli.TempFolder("from-into-images");
        File.Copy(Directory.GetFiles(Path.Combine(data, "train", "good"))[0], Path.Combine(mine, "part.png"));
        var intoMine = Cli.Run("generate", "--from", data, "-o", mine);
        Assert.Equal(2, intoMine.Code);
        Assert.Contains("holds 1 image(s) of its own (e.g. part.png)", Cli.Flat(intoMine.Output));
        Assert.False(Directory.Exists(Path.Combine(mine, "train")));
    }
}
