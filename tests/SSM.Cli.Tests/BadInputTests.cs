using SSM.Cli.Inputs;


namespace SSM.Cli.Tests;

/// <summary>Bad input: one clear message, a non-zero exit code, no stack trace, and nothing left behind.</summary>
[Collection("cli")]
public sealed class BadInputTests(TrainedModelFixture fx)
{
    private static void AssertFails((int Code, string Output) run, string expected, string? output = null)
    {
        Assert.True(run.Code != 0, "exit code 0: " + run.Output);
        Assert.Contains("error:", run.Output);
        Assert.Contains(expected, Cli.Flat(run.Output));
        Assert.False(Cli.HasStackTrace(run.Output), run.Output);
        if (output is not null)
        {
            Assert.False(Directory.Exists(output), "output folder was created by a failed run");
            string parent = Path.GetDirectoryName(output)!;
            Assert.Empty(Directory.GetDirectories(parent, $".{Path.GetFileName(output)}.tmp-*"));
        }
    }

    /// <summary>Images above --max-megapixels are refused from their headers, by every command that reads images, before any
    /// is decoded (a 1 MB PNG declaring 20000 x 20000 took 5-16 GB to score). The fixture's images are 32 x 32: 0.001 MP.</summary>
    [Fact]
    public void Images_above_the_pixel_limit_are_refused_from_their_headers()
    {
        string root = Cli.TempFolder("pixels"), input = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "input"), 3);
        const string limit = "0.0005";
        string expected = "is 0.00102 megapixels (32 x 32), more than the 0.0005 ssm reads: give --max-megapixels 1 (or 0, no limit)";
        AssertFails(Cli.Run("predict", fx.Model, input, "--max-megapixels", limit, "-o", Path.Combine(root, "p")), expected, Path.Combine(root, "p"));
        var kept = Cli.Run("predict", fx.Model, input, "--max-megapixels", limit, "--keep-going", "-o", Path.Combine(root, "k"));
        Assert.Contains("3 of 3 images cannot be used", Cli.Flat(kept.Output));
        AssertFails(Cli.Run("evaluate", fx.Model, fx.Data, "--max-megapixels", limit, "-o", Path.Combine(root, "e")), expected, Path.Combine(root, "e"));
        AssertFails(Cli.Run(["train", fx.Data, .. TrainedModelFixture.OneEpoch, "--max-megapixels", limit, "-o", Path.Combine(root, "t")]), expected, Path.Combine(root, "t"));
        // The training images too, with no test set to check first.
        string trainOnly = Copy(Path.Combine(fx.Data, "train", "good"), Path.Combine(root, "good"), 8);
        AssertFails(Cli.Run(["train", trainOnly, .. TrainedModelFixture.OneEpoch, "--max-megapixels", limit, "-o", Path.Combine(root, "t2")]),
            "8 of 8 training images cannot be used", Path.Combine(root, "t2"));
        // A mask is decoded whole: one larger than the limit is refused too, its image within it (a mask of the image's
        // proportions at any size fits it; a 219 KB one declaring 15000 x 15000 took 2.5 GB).
        string masked = Path.Combine(root, "masked");
        Cli.CopyTree(fx.Data, masked);
        string mask = Enlarged(FirstPng(Path.Combine(masked, "ground_truth")));
        AssertFails(Cli.Run("evaluate", fx.Model, masked, "--max-megapixels", "0.002", "-o", Path.Combine(root, "m")),
            $"'{mask}' is 0.0041 megapixels (64 x 64), more than the 0.002 ssm reads", Path.Combine(root, "m"));
        // The default reads them, and 0 is no limit.
        Assert.Equal(0, Cli.Run("predict", fx.Model, input, "--max-megapixels", "0", "-o", Path.Combine(root, "none")).Code);
        AssertFails(Cli.Run("predict", fx.Model, input, "--max-megapixels", "-1"), "--max-megapixels must be from 0 (no limit) to 1000000 (got -1)");
    }

    /// <summary>train decodes its test set before training, after checking each test image and mask against the pixel limit
    /// and the tiles: a bad one found after the training would throw the training away.</summary>
    [Fact]
    public void Train_checks_its_test_images_and_masks_against_the_limit_and_the_tiles_first()
    {
        string root = Cli.TempFolder("train-test-set");
        string Data(string name)
        {
            string data = Path.Combine(root, name);
            Cli.CopyTree(fx.Data, data);
            return data;
        }
        string output = Path.Combine(root, "out");
        void RefusedBeforeTraining(string[] args, string expected)
        {
            var run = Cli.Run(["train", .. args, .. TrainedModelFixture.OneEpoch, "-o", output]);
            AssertFails(run, expected, output);
            Assert.DoesNotContain("epoch 1/1", run.Output);
        }
        string largeImage = Data("large-image"), image = Enlarged(FirstPng(Path.Combine(largeImage, "test")));
        RefusedBeforeTraining([largeImage, "--max-megapixels", "0.002"], $"'{image}' is 0.0041 megapixels (64 x 64), more than the 0.002 ssm reads");
        string largeMask = Data("large-mask"), mask = Enlarged(FirstPng(Path.Combine(largeMask, "ground_truth")));
        RefusedBeforeTraining([largeMask, "--max-megapixels", "0.002"], $"'{mask}' is 0.0041 megapixels (64 x 64), more than the 0.002 ssm reads");
        string smallImage = Data("small-image"), small = Path.Combine(smallImage, "test", "good", "small.png");
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 12, 12), small);
        RefusedBeforeTraining([smallImage, "--tiles", "2x1"], $"'{small}' is 12x12 pixels: too small to cut into 2x1 tiles of at least 8x8");
    }

    /// <summary>A file's name is shown, not obeyed: control characters in it are written out on the terminal (a name with
    /// ESC[2J cleared the screen when a warning named it), and a carriage return in it is quoted in predictions.csv (it
    /// split the row for Python's csv reader).</summary>
    [Fact]
    public void Control_characters_in_file_names_are_shown_not_obeyed()
    {
        string root = Cli.TempFolder("control"), input = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "input"), 1);
        File.Copy(Directory.GetFiles(input)[0], Path.Combine(input, "carriage\rreturn.png"));
        File.WriteAllText(Path.Combine(input, "bad\u001b[2J\u0007.png"), "not an image");
        var run = Cli.Run("predict", fx.Model, input, "--keep-going", "-o", Path.Combine(root, "out"));
        Assert.True(run.Code == 0, run.Output);
        Assert.Contains("bad\\x1B[2J\\x07.png", run.Output);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.DoesNotContain('\u0007', run.Output);
        string csv = File.ReadAllText(Path.Combine(root, "out", "predictions.csv"));
        Assert.Contains($"\"{Path.Combine(input, "carriage\rreturn.png")}\",", csv);
        Assert.Equal(Environment.NewLine, TerminalText.Printable(Environment.NewLine));   // Windows' line break is a line break
        Assert.Equal("a\\x0Db\tc\nd\\x9B", TerminalText.Printable("a\rb\tc\nd\u009b"));
    }

    /// <summary>A file's name is shown, not run: in predictions.csv a heat map named "=1+2_heatmap.png" was a formula to
    /// a spreadsheet. A name starting with =, +, -, @, a tab or a carriage return is written with "./" before it, which
    /// names the same file. An unreadable file's row (--keep-going) has as many fields as the others.</summary>
    [Fact]
    public void File_names_that_spreadsheets_read_as_formulas_are_written_as_paths()
    {
        string root = Cli.TempFolder("formula"), input = Path.Combine(root, "input");
        string image = Directory.GetFiles(Path.Combine(fx.Data, "test", "good")).Order().First();
        Directory.CreateDirectory(input);
        string[] names = ["=1+2", "+3", "-4", "@SUM(A1)", "\tTab", "plain"];
        foreach (var name in names) File.Copy(image, Path.Combine(input, name + ".png"));
        File.WriteAllText(Path.Combine(input, "zz-unreadable.png"), "not an image");
        var run = Cli.Run("predict", fx.Model, input, "--masks", "--keep-going", "-o", Path.Combine(root, "out"));
        Assert.True(run.Code == 0, run.Output);
        var rows = File.ReadAllLines(Path.Combine(root, "out", "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(names.Length + 1, rows.Count);
        Assert.All(rows, r => Assert.Equal(7, r.Length));   // an unreadable file's row has the mask column too
        Assert.Equal("zz-unreadable.png", Path.GetFileName(Assert.Single(rows, r => r[2] == "unreadable")[0]));
        rows.RemoveAll(r => r[2] == "unreadable");
        string dot = "." + Path.DirectorySeparatorChar;
        foreach (var name in names)
        {
            var row = Assert.Single(rows, r => r[0] == Path.Combine(input, name + ".png"));
            string prefix = name == "plain" ? "" : dot;
            Assert.Equal(prefix + name + "_heatmap.png", row[5]);
            Assert.Equal(prefix + name + "_mask.png", row[6]);
            Assert.True(File.Exists(Path.Combine(root, "out", row[5])), row[5]);
        }
        Assert.All(rows.SelectMany(r => r), field => Assert.DoesNotMatch("^[=+@\t]", field));
        // A carriage return first is one too; the field is quoted as well, as every field holding a line break.
        Assert.Equal($"\".{Path.DirectorySeparatorChar}\rx.png\"", SSM.Cli.Scoring.PredictionsTable.CsvFile("\rx.png"));
    }

    private static string Copy(string from, string to, int count)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from).Order().Take(count)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        return to;
    }

    private string Good => Path.Combine(fx.Data, "train", "good");

    /// <summary>The first PNG under <paramref name="folder"/> and its subfolders, by path.</summary>
    private static string FirstPng(string folder) => Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order().First();

    /// <summary>Writes a 32 x 32 grey file over itself at 64 x 64, each pixel doubled each way (the same proportions, four
    /// times the pixels); returns its path.</summary>
    private static string Enlarged(string file)
    {
        var image = SSM.Core.Data.ImageFile.Load(file, channels: 1);
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 64, 64, [.. Enumerable.Range(0, 64 * 64).Select(i => image.Pixels[(i / 64 / 2) * 32 + i % 64 / 2])]), file);
        return file;
    }

    [Theory]
    [InlineData("train", "--epoch", "3")]             // --epochs mistyped: would otherwise train 70 epochs on the defaults
    [InlineData("train", "--score-errors", "Both")]
    [InlineData("evaluate", "--treshold", "2")]
    [InlineData("predict", "--bogus")]
    public void MistypedOption_StopsTheCommand_BeforeAnyWork(string command, string option, string? value = null)
    {
        string root = Cli.TempFolder("typo");
        string output = Path.Combine(root, "out");
        string[] inputs = command == "train" ? [fx.Data] : [fx.Model, fx.Data];
        var run = Cli.Run([command, .. inputs, option, .. value is null ? Array.Empty<string>() : [value], "-o", output]);
        AssertFails(run, $"Unknown option '{option[2..]}'", output);
        Assert.Equal(2, run.Code);
    }

    [Fact]
    public void Cancelled_StopsBeforeWriting_WithExitCode130()
    {
        string root = Cli.TempFolder("cancel");
        string output = Path.Combine(root, "out");
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var run = Cli.Run(["train", fx.Data, .. TrainedModelFixture.TinyTraining, "-o", output], stop.Token);
        AssertFails(run, "stopped before it finished; no output was written", output);
        Assert.Equal(130, run.Code);
        Assert.DoesNotContain("epoch 1/", run.Output);
        Assert.Empty(Directory.GetDirectories(root, ".out.checkpoint*"));   // a stop before any checkpoint keeps none
        var evaluate = Cli.Run(["evaluate", fx.Model, fx.Data, "-o", output], stop.Token);
        AssertFails(evaluate, "no output was written", output);
        Assert.Equal(130, evaluate.Code);
        // generate stops between images too (it once wrote the whole dataset after Ctrl+C).
        var generate = Cli.Run(["generate", "--image-size", "16", "-o", output], stop.Token);
        AssertFails(generate, "no output was written", output);
        Assert.Equal(130, generate.Code);
    }

    [Theory]
    [InlineData("--epochs", "3", "--epochs", "5", "--epochs given twice")]   // a wrapper script's appended option
    [InlineData("-o", "{out}", "--output", "{out}2", "-o and --output given twice")]
    [InlineData("--epochs=3", null, "--epochs", "5", "--epochs given twice")]
    [InlineData("--flip", null, "--flip", null, "--flip given twice: give --flip once.")]
    public void RepeatedOption_StopsTheCommand_NamingIt(string option, string? value, string again, string? againValue, string message)
    {
        string output = Path.Combine(Cli.TempFolder("repeated"), "out");
        string[] Pair(string o, string? v) => v is null ? [o] : [o, v.Replace("{out}", output)];
        var run = Cli.Run(["train", fx.Data, .. Pair(option, value), .. Pair(again, againValue), .. option == "-o" ? [] : new[] { "-o", output }]);
        AssertFails(run, message, output);
        Assert.Equal(2, run.Code);
        Assert.DoesNotContain("epoch 1/", run.Output);
        Assert.False(Directory.Exists(output + "2"));
    }

    [Fact]
    public void ExtraArgument_StopsTheCommand()
    {
        string root = Cli.TempFolder("extra");
        string output = Path.Combine(root, "out");
        var run = Cli.Run("train", fx.Data, "second-folder", "-o", output);
        AssertFails(run, "second-folder", output);
        Assert.Equal(2, run.Code);
    }

    [Fact]
    public void MissingFolder()
    {
        string root = Cli.TempFolder("missing");
        string output = Path.Combine(root, "out");
        AssertFails(Cli.Run("train", Path.Combine(root, "nope"), "-o", output), "does not exist", output);
        Assert.DoesNotContain("Did you mean", Cli.Run("train", Path.Combine(root, "nope"), "-o", output).Output);
        // A slip of the keyboard names the folder that was meant.
        Directory.CreateDirectory(Path.Combine(root, "plant"));
        AssertFails(Cli.Run("train", Path.Combine(root, "plnat"), "-o", output), $"Did you mean '{Path.Combine(root, "plant")}'?", output);
        AssertFails(Cli.Run("predict", fx.Model, Path.Combine(root, "plnat"), "-o", output),
            $"Input '{Path.Combine(root, "plnat")}' does not exist. Did you mean '{Path.Combine(root, "plant")}'?", output);
    }

    [Fact]
    public void EmptyTrainingSet()
    {
        string root = Cli.TempFolder("empty");
        Directory.CreateDirectory(Path.Combine(root, "data", "train", "good"));
        string output = Path.Combine(root, "out");
        AssertFails(Cli.Run("train", Path.Combine(root, "data"), "-o", output), "holds no image files", output);
    }

    [Fact]
    public void TooFewImages()
    {
        string root = Cli.TempFolder("few");
        Copy(Good, Path.Combine(root, "data"), 2);
        string output = Path.Combine(root, "out");
        AssertFails(Cli.Run("train", Path.Combine(root, "data"), "-o", output), "at least 4", output);
    }

    [Fact]
    public void NonImageFilesOnly()
    {
        string root = Cli.TempFolder("nonimage");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.WriteAllText(Path.Combine(root, "data", "readme.txt"), "hello");
        File.WriteAllText(Path.Combine(root, "data", "table.csv"), "a,b");
        string output = Path.Combine(root, "out");
        AssertFails(Cli.Run("train", Path.Combine(root, "data"), "-o", output), "image files", output);
        // A labels list of another extension is said to need .csv, for evaluate; train reads folders.
        File.WriteAllText(Path.Combine(root, "labels.tsv"), "path\tlabel");
        AssertFails(Cli.Run("evaluate", fx.Model, Path.Combine(root, "labels.tsv"), "-o", output), "or a labels list as a .csv file", output);
    }

    [Fact]
    public void CorruptAndTruncatedTrainingImages_AreAllNamedInOneRun_BeforeAnyEpoch()
    {
        string root = Cli.TempFolder("corrupt");
        string data = Copy(Good, Path.Combine(root, "data"), 6);
        File.WriteAllText(Path.Combine(data, "a-broken.png"), "this is not a png");
        Cli.WriteTruncated(Directory.GetFiles(data, "*.png").Order().Last(), Path.Combine(data, "zz-truncated.png"));
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 4, 6), Path.Combine(data, "b-tiny.png"));
        string output = Path.Combine(root, "out");
        var run = Cli.Run(["train", data, .. TrainedModelFixture.TinyTraining, "-o", output]);
        AssertFails(run, "a-broken.png", output);
        AssertFails(run, "zz-truncated.png");
        AssertFails(run, "b-tiny.png' is 6x4 pixels; images must be at least 8x8.");
        AssertFails(run, "3 of 9 training images cannot be used");
        Assert.Contains("truncated", run.Output);
        Assert.DoesNotContain("epoch 1/", run.Output);
        Assert.Empty(Directory.GetDirectories(root, ".out.checkpoint*"));   // a run that failed before training leaves nothing behind
    }

    [Fact]
    public void TruncatedTestImage_FailsTrainBeforeTraining_AndEvaluate_NamingTheFile()
    {
        string root = Cli.TempFolder("trunc-test");
        string data = Path.Combine(root, "data");
        Copy(Good, Path.Combine(data, "train", "good"), 6);
        string testGood = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(data, "test", "good"), 2);
        Cli.WriteTruncated(Directory.GetFiles(testGood).Order().First(), Path.Combine(testGood, "zz-truncated.png"));
        string output = Path.Combine(root, "out");
        var train = Cli.Run(["train", data, .. TrainedModelFixture.TinyTraining, "-o", output]);
        AssertFails(train, "zz-truncated.png", output);
        Assert.DoesNotContain("epoch 1/", train.Output);    // found before the training, not after it
        // evaluate: the model reads the file itself (strictly) and the command names it.
        AssertFails(Cli.Run("evaluate", fx.Model, data, "-o", output), "zz-truncated.png", output);
    }

    [Fact]
    public void A_file_that_is_no_image_is_refused_before_anything_is_scored()
    {
        // A walkthrough's empty zzz.png after 608 good images was named only after they were all scored.
        string root = Cli.TempFolder("no-image-first");
        string data = Path.Combine(root, "data");
        string testGood = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(data, "test", "good"), 3);
        File.WriteAllBytes(Path.Combine(testGood, "zzz.png"), []);
        string output = Path.Combine(root, "out");
        var predict = Cli.Run("predict", fx.Model, testGood, "-o", output);
        AssertFails(predict, "zzz.png", output);
        AssertFails(predict, "1 of 4 images cannot be used");
        AssertFails(predict, "give --keep-going to score the others");
        Assert.DoesNotContain("Scoring", predict.Output);
        var evaluate = Cli.Run("evaluate", fx.Model, data, "-o", output);
        AssertFails(evaluate, "zzz.png", output);
        Assert.DoesNotContain("Scoring", evaluate.Output);
        // --keep-going: scored without it, and listed.
        var kept = Cli.Run("predict", fx.Model, testGood, "--keep-going", "-o", output);
        Assert.True(kept.Code == 0, kept.Output);
        Assert.Contains("1 of 4 images cannot be used", Cli.Flat(kept.Output));
        Assert.Contains(File.ReadAllLines(Path.Combine(output, "predictions.csv")), l => l.Contains("zzz.png") && l.Contains(",unreadable,"));
        // A line script tells a file it could not check (4) from a flagged part (3), which decides when both happen.
        string[] gate = ["--keep-going", "--fail-on-anomaly", "--no-heatmaps", "--threshold"];
        Assert.Equal(4, Cli.Run(["predict", fx.Model, testGood, .. gate, "1000", "-o", output + "-none-flagged"]).Code);
        Assert.Equal(3, Cli.Run(["predict", fx.Model, testGood, .. gate, "-1000", "-o", output + "-all-flagged"]).Code);
        Assert.Equal(3, Cli.Run(["predict", fx.Model, Directory.GetFiles(testGood).Order().First(), .. gate, "-1000", "-o", output + "-one-flagged"]).Code);
    }

    [Fact]
    public void TruncatedImage_FailsPredict_NamingTheFile()
    {
        string root = Cli.TempFolder("trunc-predict");
        string input = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "input"), 4);   // enough to train on, too
        Cli.WriteTruncated(Directory.GetFiles(input).Order().First(), Path.Combine(input, "b-truncated.png"));
        string output = Path.Combine(root, "out");
        var run = Cli.Run("predict", fx.Model, input, "-o", output);
        AssertFails(run, "b-truncated.png", output);
        AssertFails(run, "corrupt or truncated");
        AssertFails(run, "give --keep-going to score the others");
        // A single truncated file, too; with no others to score, no word of --keep-going.
        var single = Cli.Run("predict", fx.Model, Path.Combine(input, "b-truncated.png"), "-o", output);
        AssertFails(single, "b-truncated.png", output);
        Assert.DoesNotContain("--keep-going", single.Output);

        // --keep-going scores the others and lists the bad ones, none dropped silently; scoring resumes after a bad file.
        File.Copy(Directory.GetFiles(input).Order().First(), Path.Combine(input, "c-good.png"));
        File.WriteAllText(Path.Combine(input, "zz-not-an-image.png"), "hello");
        var kept = Cli.Run("predict", fx.Model, input, "--keep-going", "-o", output);
        Assert.True(kept.Code == 0, kept.Output);
        Assert.Contains("2 of 7 images cannot be used", Cli.Flat(kept.Output));
        var rows = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(7, rows.Count);
        Assert.Equal(["b-truncated.png", "zz-not-an-image.png"], rows.Where(r => r[2] == "unreadable").Select(r => Path.GetFileName(r[0])).Order());
        Assert.All(rows.Where(r => r[2] != "unreadable"), r => Assert.True(File.Exists(Path.Combine(output, r[5])), r[5]));
        Assert.Equal(5, rows.Count(r => r[2] != "unreadable"));
        Assert.Contains(rows, r => r[0].EndsWith("c-good.png", StringComparison.Ordinal) && r[2] != "unreadable");
        // Nothing readable at all is still an error.
        string bad = Directory.CreateDirectory(Path.Combine(root, "bad")).FullName;
        File.WriteAllText(Path.Combine(bad, "x.png"), "hello");
        AssertFails(Cli.Run("predict", fx.Model, bad, "--keep-going", "-o", Path.Combine(root, "out2")), "1 of 1 images cannot be used", Path.Combine(root, "out2"));
        // And so is a folder whose every file fails only once decoded, its header read.
        string truncated = Directory.CreateDirectory(Path.Combine(root, "truncated")).FullName;
        File.Copy(Path.Combine(input, "b-truncated.png"), Path.Combine(truncated, "b-truncated.png"));
        AssertFails(Cli.Run("predict", fx.Model, truncated, "--keep-going", "-o", Path.Combine(root, "out3")), "1 of 1 images cannot be used", Path.Combine(root, "out3"));
    }

    [Fact]
    public void DicomFiles_AreScored_FilesOfSeveralFramesAreSaidToGiveTheirFirst_AndUnreadableCompressionIsNamedWithWhatToDo()
    {
        string root = Cli.TempFolder("dicom");
        string input = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "input"), 1);
        string dicom = Path.Combine(AppContext.BaseDirectory, "Dicom");
        File.Copy(Path.Combine(dicom, "ct12s.dcm"), Path.Combine(input, "scan_0101.DCM"));
        File.Copy(Path.Combine(dicom, "ct12s.dcm"), Path.Combine(input, "IM000002"));   // scanners' names, without an extension
        File.Copy(Path.Combine(dicom, "frames.dcm"), Path.Combine(input, "cine.dcm"));
        File.Copy(Path.Combine(dicom, "ct12s.dcm"), Path.Combine(input, "1.2.840.113619.2.55.3"));   // named by its UID
        var (code, text, errors) = Cli.RunSplit("predict", fx.Model, input, "-o", Path.Combine(root, "out"));
        Assert.True(code == 0, text + errors);
        Assert.DoesNotContain("not read", errors);
        Assert.Contains("1 of 5 images are files of several frames or pages (up to 2): only the first of each is read", Cli.Flat(errors));
        Assert.Contains("Scoring 5 images", text);
        // The UID's last part is no extension: the heat map keeps the whole name.
        Assert.True(File.Exists(Path.Combine(root, "out", "1.2.840.113619.2.55.3_heatmap.png")));
        var rows = File.ReadAllLines(Path.Combine(root, "out", "predictions.csv"));
        Assert.Contains(rows, r => r.Contains("scan_0101.DCM"));
        Assert.Contains(rows, r => r.Contains("IM000002"));


        // JPEG 2000 is read; an encoding that is not (JPEG 2000 Part 2, here by its UID) is named with the way to decompress it.
        File.Copy(Path.Combine(dicom, "ct12s-j2k.dcm"), Path.Combine(input, "scan_0102.dcm"));
        byte[] part2 = File.ReadAllBytes(Path.Combine(dicom, "ct12s-j2k.dcm"));
        int at = part2.AsSpan().IndexOf("1.2.840.10008.1.2.4.90"u8);
        "1.2.840.10008.1.2.4.92"u8.CopyTo(part2.AsSpan(at));
        File.WriteAllBytes(Path.Combine(input, "scan_0103.dcm"), part2);
        var run = Cli.Run("predict", fx.Model, input, "-o", Path.Combine(root, "out2"));
        AssertFails(run, "1 of 7 images cannot be used", Path.Combine(root, "out2"));
        Assert.Contains("scan_0103.dcm' is compressed as JPEG 2000 Part 2", Cli.Flat(run.Output));
        Assert.DoesNotContain("scan_0102.dcm'", Cli.Flat(run.Output));
        Assert.Contains("gdcmconv --raw", Cli.Flat(run.Output));
    }

    [Fact]
    public void DefectWithoutMask()
    {
        string root = Cli.TempFolder("nomask");
        string data = Path.Combine(root, "data");
        Copy(Good, Path.Combine(data, "train", "good"), 6);
        Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(data, "test", "good"), 2);
        string defects = Directory.GetDirectories(Path.Combine(fx.Data, "test")).First(d => !d.EndsWith("good"));
        string copied = Copy(defects, Path.Combine(data, "test", Path.GetFileName(defects)), 2);
        // The second defect has a mask of the wrong proportions: both problems come in one message, not one per run.
        string second = Directory.GetFiles(copied).Order().Last();
        string maskFolder = Directory.CreateDirectory(Path.Combine(data, "ground_truth", Path.GetFileName(defects))).FullName;
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 6, 8), Path.Combine(maskFolder, Path.GetFileNameWithoutExtension(second) + "_mask.png"));
        string output = Path.Combine(root, "out");
        foreach (var run in new[] { Cli.Run("train", data, "-o", output), Cli.Run("evaluate", fx.Model, data, "-o", output) })
        {
            AssertFails(run, "2 of 4 test images cannot be used", output);
            AssertFails(run, "has no ground-truth mask");
            AssertFails(run, "or move the ground_truth folder away to evaluate the images without pixel metrics");
            AssertFails(run, "is 8x6 but image");
            AssertFails(run, "not the same proportions");
        }
        // A test set of one defect, its mask missing, has a test image: the mask is what is asked for.
        string alone = Path.Combine(root, "alone");
        Copy(Good, Path.Combine(alone, "train", "good"), 6);
        Copy(defects, Path.Combine(alone, "test", Path.GetFileName(defects)), 1);
        Directory.CreateDirectory(Path.Combine(alone, "ground_truth", Path.GetFileName(defects)));
        var lone = Cli.Run("evaluate", fx.Model, alone, "-o", output);
        AssertFails(lone, "1 of 1 test images cannot be used", output);
        AssertFails(lone, "has no ground-truth mask");
    }

    /// <summary>A root of test sets alone (MVTec layout, no train/good) is named for the one to give; --each-category, which
    /// trains each, is offered only where a category holds training images.</summary>
    [Fact]
    public void A_root_of_test_sets_alone_is_not_offered_to_each_category()
    {
        string root = Cli.TempFolder("test-sets"), output = Path.Combine(root, "out");
        Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "sets", "woven", "test", "good"), 2);
        var run = Cli.Run(["train", Path.Combine(root, "sets"), .. TrainedModelFixture.TinyTraining, "-o", output]);
        AssertFails(run, $"holds 1 dataset(s) of the MVTec layout in its subfolders (woven): give one, as '{Path.Combine(root, "sets", "woven")}'.", output);
        Assert.DoesNotContain("--each-category", run.Output);
        // Five are named, and "..." says there are more.
        foreach (string set in new[] { "a", "b", "c", "d", "e", "f" })
            Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "six", set, "test", "good"), 1);
        AssertFails(Cli.Run(["train", Path.Combine(root, "six"), .. TrainedModelFixture.TinyTraining, "-o", output]),
            "holds 6 dataset(s) of the MVTec layout in its subfolders (a, b, c, d, e, ...): give one", output);
    }

    /// <summary>A path that is not what the command reads is named for what it is, with what the command reads instead.</summary>
    [Fact]
    public void Paths_that_are_not_what_the_command_reads_are_named_for_what_they_are()
    {
        string root = Cli.TempFolder("not-read");
        string image = Directory.GetFiles(Good).Order().First(), labels = Path.Combine(root, "labels.csv"), output = Path.Combine(root, "out");
        File.WriteAllText(labels, $"path,label{Environment.NewLine}{image},good{Environment.NewLine}");
        AssertFails(Cli.Run(["train", image, "--recursive", .. TrainedModelFixture.TinyTraining, "-o", output]),
            $"'{image}' is a file; --recursive reads a folder of good images in subfolders.", output);
        // A folder without images, but for a subfolder: --recursive is offered, and once given, its search is not denied.
        string notes = Directory.CreateDirectory(Path.Combine(root, "notes", "2024")).FullName;
        File.WriteAllText(Path.Combine(notes, "readme.txt"), "no images");
        var flat = Cli.Run("predict", fx.Model, Path.Combine(root, "notes"), "-o", output);
        AssertFails(flat, $"'{Path.Combine(root, "notes")}' holds no image files", output);
        AssertFails(flat, "; subfolders are not searched (--recursive searches them), and it holds");
        var searched = Cli.Run("predict", fx.Model, Path.Combine(root, "notes"), "--recursive", "-o", output);
        AssertFails(searched, $"'{Path.Combine(root, "notes")}' holds no image files", output);
        Assert.DoesNotContain("subfolders are not searched", Cli.Flat(searched.Output));
        Assert.Contains("readme.txt", Cli.Flat(searched.Output));
        AssertFails(Cli.Run("evaluate", fx.Model, Path.Combine(root, "lables.csv"), "-o", output),
            $"Labels CSV '{Path.Combine(root, "lables.csv")}' does not exist. Did you mean '{labels}'?", output);
        // A dataset without its test folder is no test set of good images, even with an image beside its train folder.
        string noTest = Path.Combine(root, "no-test");
        Copy(Good, Path.Combine(noTest, "train", "good"), 4);
        File.Copy(image, Path.Combine(noTest, "stray.png"));
        AssertFails(Cli.Run("evaluate", fx.Model, noTest, "-o", output), $"'{noTest}' has no test folder", output);
        // The folder a labels CSV lies in, given instead of the CSV: the CSV is named.
        string listed = Directory.CreateDirectory(Path.Combine(root, "listed")).FullName;
        File.Copy(labels, Path.Combine(listed, "labels.csv"));
        AssertFails(Cli.Run("evaluate", fx.Model, listed, "-o", output),
            $"To evaluate on a labels CSV, give the file itself: '{Path.Combine(listed, "labels.csv")}'.", output);
    }

    [Fact]
    public void MissingOrForeignModel()
    {
        string root = Cli.TempFolder("model");
        string output = Path.Combine(root, "out");
        AssertFails(Cli.Run("predict", Path.Combine(root, "none.zip"), Good, "-o", output), "does not exist", output);
        File.WriteAllText(Path.Combine(root, "bad.zip"), "not a zip");
        AssertFails(Cli.Run("predict", Path.Combine(root, "bad.zip"), Good, "-o", output), "is not a model: a model is a zip file, and this is none, or one cut short", output);
        File.WriteAllBytes(Path.Combine(root, "empty.zip"), []);
        AssertFails(Cli.Run("predict", Path.Combine(root, "empty.zip"), Good, "-o", output), "is empty, not a model", output);
        using (var other = System.IO.Compression.ZipFile.Open(Path.Combine(root, "other.zip"), System.IO.Compression.ZipArchiveMode.Create))
            other.CreateEntry("readme.txt");
        AssertFails(Cli.Run("predict", Path.Combine(root, "other.zip"), Good, "-o", output), "is a zip file, but not a model written by ssm train", output);
        AssertFails(Cli.Run("predict", fx.Model, Path.Combine(root, "nothing-here"), "-o", output), "does not exist", output);
        // The model is checked first: a mistyped model is said before a test set is listed and hashed, or a missing one named instead.
        string none = Path.Combine(root, "none.zip");
        AssertFails(Cli.Run("evaluate", none, Path.Combine(root, "no-data"), "--calibrate-on", Path.Combine(root, "no-good"), "-o", output),
            $"Model file '{none}' does not exist.", output);
        AssertFails(Cli.Run("predict", none, Path.Combine(root, "no-input"), "-o", output), $"Model file '{none}' does not exist.", output);
        // A model's name mistyped names the file nearest it.
        string typo = Path.Combine(fx.Run, "modle.zip");
        AssertFails(Cli.Run("predict", typo, Good, "-o", output), $"Model file '{typo}' does not exist. Did you mean '{fx.Model}'?", output);

        // A model of a later version is one all the same: the message says to update, not that it is foreign.
        string newer = Path.Combine(root, "newer.zip");
        File.Copy(fx.Model, newer);
        using (var archive = System.IO.Compression.ZipFile.Open(newer, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = archive.Entries.Single(e => e.FullName.EndsWith("SsmModel.bin"));
            byte[] bytes;
            using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); bytes = m.ToArray(); }
            BitConverter.GetBytes(99).CopyTo(bytes, 8);   // the engine file's format version, after its 8-byte signature
            string name = entry.FullName;
            entry.Delete();
            using var w = archive.CreateEntry(name).Open();
            w.Write(bytes);
        }
        var run = Cli.Run("predict", newer, Good, "-o", output);
        AssertFails(run, "is a model of a newer SSM.MLNet than this ssm", output);
        Assert.Contains("dotnet tool update", run.Output);
        Assert.DoesNotContain("not a model written by ssm train", run.Output);
    }

    [Fact]
    public void BadOptions()
    {
        string root = Cli.TempFolder("options");
        string output = Path.Combine(root, "out");
        AssertFails(Cli.Run("train", Good, "--device", "tpu", "-o", output), "--device must be cpu, cuda or cuda:N (got 'tpu')", output);
        AssertFails(Cli.Run("train", Good, "--device", "cuda:x", "-o", output), "--device must be cpu, cuda or cuda:N", output);
        AssertFails(Cli.Run("generate", "--device", "cuda", "-o", output), "Unknown option 'device'", output);   // nothing to run there
        AssertFails(Cli.Run("evaluate", fx.Model, fx.Data, "--seed", "5", "-o", output), "Unknown option 'seed'", output);   // scoring draws nothing at random
        AssertFails(Cli.Run("evaluate", fx.Model, Path.Combine(fx.Data, "train"), "-o", output), "has no test folder: expected test/good and test/<defect> folders (MVTec layout), a folder of good images alone, or a labels CSV", output);
        // Evaluate into a training's output would replace its only record of the training.
        string record = File.ReadAllText(Path.Combine(fx.Run, "metrics.json"));
        AssertFails(Cli.Run("evaluate", fx.Model, fx.Data, "-o", fx.Run), "holds the model <MODEL> reads");   // its own model first
        string copy = Path.Combine(Cli.TempFolder("model-copy"), "model.zip");
        File.Copy(fx.Model, copy, overwrite: true);
        AssertFails(Cli.Run("evaluate", copy, fx.Data, "-o", fx.Run), "holds a training's output: evaluate would replace its metrics.json, the training's only record");
        Assert.Equal(record, File.ReadAllText(Path.Combine(fx.Run, "metrics.json")));
        // So would it a training's of a version before 2026-12-02, whose settings were text: no longer read whole, still a record.
        string earlier = Cli.TempFolder("earlier-training");
        string textSettings = System.Text.RegularExpressions.Regex.Replace(record, "\"imageSize\": (\\d+)", "\"imageSize\": \"$1\"");
        Assert.NotEqual(record, textSettings);
        File.WriteAllText(Path.Combine(earlier, "metrics.json"), textSettings);
        AssertFails(Cli.Run("evaluate", copy, fx.Data, "-o", earlier), "holds a training's output");
        Assert.Equal(textSettings, File.ReadAllText(Path.Combine(earlier, "metrics.json")));
        // The training's output folder for its model (a lifecycle check: "does not exist. Did you mean" the same path).
        AssertFails(Cli.Run("predict", fx.Run, Good, "-o", output), $"'{fx.Run}' is a folder; give the model file: '{fx.Model}'.", output);
        AssertFails(Cli.Run("info", root), $"'{root}' is a folder; give the model file (model.zip, written by ssm train).");
        AssertFails(Cli.Run("train", Good, "--depth", "20", "-o", output), "--depth must be between 2 and 8 (got 20)", output);
        AssertFails(Cli.Run("predict", fx.Model, Good, "--threads", "0", "-o", output), "--threads must be at least 1 (got 0)", output);
        var slip = Cli.Run("trian", Good, "-o", output);
        AssertFails(slip, "Unknown command 'trian'. Did you mean 'train'?", output);
        Assert.Equal(2, slip.Code);
        AssertFails(Cli.Run("generate", "--threads", "1", "-o", output), "Unknown option 'threads'", output);
        Assert.DoesNotContain("Did you mean", Cli.Run("generate", "--threads", "1", "-o", output).Output);   // no option of generate is near
        // An option's slip is named by the command's nearest option, as a command's is; another command's is not offered.
        var optionSlip = Cli.Run("train", Good, "--epoch", "3", "-o", output);
        AssertFails(optionSlip, "Unknown option 'epoch'. Did you mean '--epochs'?", output);
        // Capitals are a slip too: Spectre matches names as written.
        AssertFails(Cli.Run("TRAIN", Good, "-o", output), "Unknown command 'TRAIN'. Did you mean 'train'?", output);
        AssertFails(Cli.Run("train", Good, "--EPOCHS", "3", "-o", output), "Unknown option 'EPOCHS'. Did you mean '--epochs'?", output);
        Assert.Equal(2, optionSlip.Code);
        AssertFails(Cli.Run("predict", fx.Model, Good, "--treshold", "3", "-o", output), "Unknown option 'treshold'. Did you mean '--threshold'?", output);
        Assert.DoesNotContain("Did you mean", Cli.Run("predict", fx.Model, Good, "--epoch", "3", "-o", output).Output);
        AssertFails(Cli.Run("predict", fx.Model, Good, "--threads", "99999", "-o", output), $"--threads must be at most {4 * Environment.ProcessorCount}", output);
        AssertFails(Cli.Run("generate", "--image-size", "12", "-o", output), "--image-size must be from 16 to 4096 (got 12)", output);   // the generator's own range
        AssertFails(Cli.Run("generate", "--image-size", "65536", "-o", output), "--image-size must be from 16 to 4096 (got 65536)", output);
        AssertFails(Cli.Run("generate", "--texture", "foo", "-o", output), "--texture must be Woven, Grainy, Striped, BrushedMetal or All (any case; got 'foo')", output);
        AssertFails(Cli.Run("train", Good, "--epochs", "0", "-o", output), "--epochs must be positive (got 0)", output);
        AssertFails(Cli.Run("train", Good, "--epochs", "abc", "-o", output), "--epochs expects a whole number (got 'abc')", output);
        AssertFails(Cli.Run("train", Good, "--time-budget", "abc", "-o", output), "--time-budget expects a number (got 'abc')", output);   // an optional double
        AssertFails(Cli.Run("predict", fx.Model, Good, "--threshold", "abc", "-o", output), "--threshold expects a number (got 'abc')", output);
        // "--" ends the options: Spectre converted its name for the default command, and "'__default_command' is not a number" was said.
        AssertFails(Cli.Run("predict", fx.Model, Good, "-o", output, "--threshold", "--"), "--threshold expects a number (got '--')", output);
        AssertFails(Cli.Run("train", Good, "-o", output, "--epochs", "--", "3"), "--epochs expects a whole number (got '--')", output);
        AssertFails(Cli.Run("predict", fx.Model, Good, "--threshold", "NaN", "-o", output), "--threshold must be a finite number (got NaN;", output);
        AssertFails(Cli.Run("evaluate", fx.Model, fx.Data, "--threshold", "1e40", "-o", output), "--threshold must be a finite number (got Infinity; a score's largest size is 3.4E+38)", output);
        Assert.Equal(2, Cli.Run("predict", fx.Model, Good, "--threshold", "NaN", "-o", output).Code);
        AssertFails(Cli.Run("train", Good, "--image-size", "30", "-o", output), "--image-size", output);
        AssertFails(Cli.Run("train", Good, "--epochs", "many", "-o", output), "many", output);
        AssertFails(Cli.Run("train", Good, "--learning-rate", "0", "-o", output), "--learning-rate must be a positive number, at most 1E+37 (got 0)", output);
        AssertFails(Cli.Run("train", Good, "--learning-rate", "1e38", "-o", output), "--learning-rate must be a positive number, at most 1E+37 (got 1E+38)", output);
        AssertFails(Cli.Run("train", Good, "--batch-size", "0", "-o", output), "--batch-size must be positive (got 0)", output);
        AssertFails(Cli.Run("train", Good, "--normalization", "bright", "-o", output), "--normalization must be None or PerImage (any case; got 'bright')", output);
        AssertFails(Cli.Run("train", Good, "--normalization", "1", "-o", output), "--normalization must be", output);   // no enum numbers
        AssertFails(Cli.Run("train", Good, "--error", "L1", "-o", output), "--error must be MsGms, SquaredError or Both (any case; got 'L1')", output);
        AssertFails(Cli.Run("train", Good, "--score-error", "mse", "-o", output), "--score-error must be MsGms, SquaredError or Both (any case; got 'mse')", output);
        AssertFails(Cli.Run("train", Good, "--rounds", "0", "-o", output), "--rounds must be between 1 and 10 (got 0)", output);
        AssertFails(Cli.Run("train", Good, "--rounds", "11", "-o", output), "--rounds must be between 1 and 10", output);
        AssertFails(Cli.Run("train", Good, "--raw-maps", "yes", "-o", output), "yes", output);
        AssertFails(Cli.Run("train", Good, "--precision", "half", "-o", output), "--precision must be Float32, BFloat16 or Auto (any case; got 'half')", output);
        AssertFails(Cli.Run("train", Good, "--holdout", "0", "-o", output), "--holdout must be more than 0 and less than 0.9 (got 0)", output);
        AssertFails(Cli.Run("train", Good, "--holdout", "0.9", "-o", output), "--holdout must be more than 0 and less than 0.9 (got 0.9)", output);
        AssertFails(Cli.Run("train", Good, "--holdout", "10", "-o", output), "--holdout must be", output);   // a percentage by mistake
        AssertFails(Cli.Run("train", Good, "--holdout", "half", "-o", output), "--holdout expects a number (got 'half')", output);
        AssertFails(Cli.Run("train", Good, "--epochs", "99999999999", "-o", output), "--epochs expects a whole number up to 2147483647 (got '99999999999')", output);
        Assert.Equal(2, Cli.Run("train", Good, "--holdout", "0", "-o", output).Code);
        var huge = Cli.Run("train", Good, "--image-size", "2048", "-o", output);   // the library's limit, said before any work
        AssertFails(huge, "--image-size must be a multiple of 8 (for --depth 4), from 16 to 1024 (got 2048; 1024 is the largest)", output);
        Assert.Equal(2, huge.Code);
        AssertFails(Cli.Run("train", Good, "--image-size", "100", "-o", output), "(got 100; 96 or 104 are the nearest)", output);
        AssertFails(Cli.Run("train", Good, "--image-size", "4", "-o", output), "(got 4; 16 is the smallest)", output);
        // 8 at depth 4 leaves a 1 x 1 bottleneck, whose trainings diverged.
        AssertFails(Cli.Run("train", Good, "--image-size", "8", "-o", output), "from 16 to 1024 (got 8; 16 is the smallest)", output);
        AssertFails(Cli.Run("train", Good, "--image-size", "100", "--depth", "6", "-o", output), "must be a multiple of 32 (for --depth 6), from 64 to 1024 (got 100; 96 or 128 are the nearest)", output);
        AssertFails(Cli.Run("train", Good, "--width", "2000", "-o", output), "--width must be between 2 and 1024 (got 2000)", output);
        AssertFails(Cli.Run("train", Good, "--width", "1", "-o", output), "--width must be between 2 and 1024 (got 1)", output);   // width 1 diverged
        AssertFails(Cli.Run("train", Good, "--tiles", "8x0", "-o", output), "--tiles must be tiles across x down, each from 1 to 16, such as 8x1 or 4x4 (got '8x0')", output);
        AssertFails(Cli.Run("train", Good, "--tiles", "wide", "-o", output), "(got 'wide')", output);
        AssertFails(Cli.Run("train", Good, "--tiles", "8x1", "--tile-overlap", "quarter", "-o", output), "--tile-overlap must be half or none (got 'quarter')", output);
        AssertFails(Cli.Run("train", Good, "--tile-overlap", "none", "-o", output), "--tile-overlap applies to tiles, and --tiles is 1x1, the whole image: give --tiles too, such as 8x1.", output);
        AssertFails(Cli.Run("frobnicate"), "frobnicate");
        AssertFails(Cli.Run("train", Good, "-o", "/"), "--output must name a folder below '/', not the root itself (got '/')");
        AssertFails(Cli.Run("generate", "-o", "//"), "--output must name a folder below '/', not the root itself (got '//')");
        AssertFails(Cli.Run("train", Good, "--time-budget", "0", "-o", output), "--time-budget must be a positive number of minutes, at most 10,000,000 (got 0)", output);
        foreach (var budget in new[] { "NaN", "Infinity", "1e300" })
            AssertFails(Cli.Run("train", Good, "--time-budget", budget, "-o", output), "--time-budget must be a positive number of minutes", output);
        // Positive, and no time at all once a time span (which was refused by the model, as 'TrainingTime', exit code 1).
        AssertFails(Cli.Run("train", Good, "--time-budget", "1e-300", "-o", output), "--time-budget must be a positive number of minutes, at most 10,000,000 (got 1E-300, less than the 100 ns a time is counted in)", output);
        AssertFails(Cli.Run("train", Good, "--checkpoint-every", "-1", "-o", output), "--checkpoint-every must be 0 (none) or a number of epochs (got -1)", output);
        AssertFails(Cli.Run("train", Good, "--channels", "2", "-o", output), "--channels must be auto, 1 or 3 (got '2')", output);
        AssertFails(Cli.Run("train", Good, "--sigma", "-1", "-o", output), "--sigma must be from 0 (no smoothing) to --image-size (64) pixels (got -1)", output);
        AssertFails(Cli.Run("train", Good, "--sigma", "NaN", "-o", output), "--sigma must be from 0", output);
        AssertFails(Cli.Run("train", Good, "-o", " "), "--output must name a folder.");
        AssertFails(Cli.Run("generate", "--train-count", "0", "-o", output), "--train-count must be from 1 to 1,000,000 (got 0)", output);
        AssertFails(Cli.Run("generate", "--test-good", "-1", "-o", output), "--test-good must be from 0 to 1,000,000 (got -1)", output);
        // Past a million a count was a slip: 2147483647 defects of each kind began on 8.6 billion images (186,709 files in 35 s), without a word, before this check.
        AssertFails(Cli.Run("generate", "--test-defect", "2147483647", "-o", output), "--test-defect must be from 0 to 1,000,000 (got 2147483647)", output);
        AssertFails(Cli.Run("generate", "--train-count", "1000001", "-o", output), "--train-count must be from 1 to 1,000,000 (got 1000001)", output);
        AssertFails(Cli.Run("generate", "--test-defect", "-2", "-o", output), "--test-defect must be from 0 to 1,000,000 (got -2)", output);
    }

    /// <summary>A model saved before files were turned upright reads photos as stored: said, since its heat maps come out
    /// sideways and upright masks miss its maps. A model of today says nothing.</summary>
    [Fact]
    public void TurnedPhotos_ForAModelThatReadsFilesAsStored_AreSaid()
    {
        string root = Cli.TempFolder("turned");
        string turned = Path.Combine(root, "turned.jpg"), plain = Path.Combine(root, "plain.jpg");
        File.WriteAllBytes(turned, SSM.Core.Tests.Data.ExifJpeg.Marked(48, 32, orientation: 6));
        File.WriteAllBytes(plain, SSM.Core.Tests.Data.ExifJpeg.Marked(48, 32, orientation: null));
        string Warned(bool readsUpright)
        {
            var text = new StringWriter();
            ImageHeaders.WarnForModel(new Warnings(Cli.Captured(text)), [turned, plain], modelChannels: 1, readsUpright);
            return text.ToString();
        }
        Assert.Contains("1 of 2 images carry an EXIF orientation, and this model (saved before 2026-12-01) reads files as stored", Warned(false));
        Assert.Equal("", Warned(true));
    }

    [Fact]
    public void OutputFolder_ThatIsAnInputFolder_IsRefused()
    {
        string root = Cli.TempFolder("same-folder");
        string input = Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(root, "input"), 4);   // enough to train on, too
        // Another spelling of the same folder: compared as full, normalised paths.
        var predict = Cli.Run("predict", fx.Model, input, "-o", Path.Combine(input, "..", "input", "."));
        AssertFails(predict, $"--output '{input}' is a folder ssm predict reads images from");
        Assert.Equal(2, predict.Code);
        var onFile = Cli.Run("predict", fx.Model, input, "-o", Path.Combine(input, "..", "input", Path.GetFileName(Directory.GetFiles(input)[0])));
        AssertFails(onFile, "is a file; give a folder");
        Assert.Equal(2, onFile.Code);   // a usage error, as the other --output refusals
        string file = Directory.GetFiles(input)[0];
        var underFile = Cli.Run("predict", fx.Model, input, "-o", Path.Combine(file, "sub"));
        AssertFails(underFile, $"lies under '{file}', which is a file; give a folder");
        Assert.Equal(2, underFile.Code);
        // A link to the input folder is the input folder (a security review's outputs landed among the inputs through one),
        // and a folder below a link to it is inside it for --recursive.
        string link = Path.Combine(root, "link");
        Directory.CreateSymbolicLink(link, input);
        var linked = Cli.Run("predict", fx.Model, input, "-o", link);
        AssertFails(linked, $"--output '{link}' is a folder ssm predict reads images from");
        Assert.Equal(2, linked.Code);
        AssertFails(Cli.Run("predict", fx.Model, input, "--recursive", "-o", Path.Combine(link, "new", "out")), $"is inside '{input}', which ssm predict --recursive reads");
                var one = Cli.Run("predict", fx.Model, Directory.GetFiles(input)[0], "-o", input);   // one image: its folder is refused too
        AssertFails(one, "is a folder ssm predict reads images from");
        Assert.Equal(4, Directory.GetFiles(input).Length);    // nothing written among the inputs
        Assert.Empty(Directory.GetDirectories(root, ".input.tmp-*"));

        string data = Path.Combine(root, "data");
        Copy(Good, Path.Combine(data, "train", "good"), 6);
        Copy(Path.Combine(fx.Data, "test", "good"), Path.Combine(data, "test", "good"), 2);
        foreach (string folder in new[] { Path.Combine(data, "train", "good"), Path.Combine(data, "test", "good") + Path.DirectorySeparatorChar })
        {
            var train = Cli.Run(["train", data, .. TrainedModelFixture.TinyTraining, "-o", folder]);
            AssertFails(train, "is a folder ssm train reads images from");
            Assert.Equal(2, train.Code);
            Assert.DoesNotContain("epoch 1/", train.Output);
        }
        var evaluate = Cli.Run("evaluate", fx.Model, data, "-o", Path.Combine(data, "test", "good"));
        AssertFails(evaluate, "is a folder ssm evaluate reads images from");
        Assert.Equal(2, evaluate.Code);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(data, "test", "good")).Length);
        // A plain folder of good images is the folder train reads.
        var plain = Cli.Run(["train", input, .. TrainedModelFixture.TinyTraining, "-o", input]);
        AssertFails(plain, "is a folder ssm train reads images from");
        // The dataset's root is not refused: evaluate reads no images there.
        var besides = Cli.Run("evaluate", fx.Model, data, "-o", data);
        Assert.True(besides.Code == 0, besides.Output);
    }

    [Fact]
    public void CudaWithoutGpu_FailsCleanly_AndLeavesNothing_ThenANormalRunWorks()
    {
        string root = Cli.TempFolder("cuda");
        string data = Copy(Good, Path.Combine(root, "data"), 6);
        string output = Path.Combine(root, "out");
        var run = Cli.Run(["train", data, .. TrainedModelFixture.TinyTraining, "--device", "cuda", "-o", output]);
        // Asked after the run, which loaded libtorch. A machine with CUDA must train on it; a fallback to the CPU that
        // succeeds would pass an exit-code check, so the machine decides which half runs.
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.True(run.Code == 0, run.Output);
            Directory.Delete(output, recursive: true);
        }
        else
        {
            AssertFails(run, "--device cuda was asked for, but CUDA is not available", output);
            Assert.DoesNotContain("Found ", run.Output);   // refused before any work
            // evaluate and predict run the loaded model on --device too, and say so instead of calling the model foreign.
            var evaluate = Cli.Run("evaluate", fx.Model, fx.Data, "--device", "cuda:1", "-o", output);
            AssertFails(evaluate, "CUDA", output);
            Assert.DoesNotContain("not a model", evaluate.Output);
            AssertFails(Cli.Run("predict", fx.Model, data, "--device", "CUDA", "-o", output), "--device CUDA was asked for, but CUDA is not available", output);
        }
        // The failed run left nothing that trips the next one; device names take any letter case, as in the ML.NET options.
        // --threads sets libtorch's threads for the command only: the tests' own process keeps its count.
        int threads = TorchSharp.torch.get_num_threads();
        var ok = Cli.Run(["train", data, .. TrainedModelFixture.OneEpoch, "--device", "CPU", "--threads", "1", "-o", output]);
        Assert.True(ok.Code == 0, ok.Output);
        Assert.Equal(threads, TorchSharp.torch.get_num_threads());
    }
}
