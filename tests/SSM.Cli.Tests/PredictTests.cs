using SSM.Cli.Outputs;

namespace SSM.Cli.Tests;

/// <summary>ssm predict: rows, heat maps, thresholds, folders and names, progress and stops.</summary>
[Collection("cli")]
public sealed class PredictTests(TrainedModelFixture fx)
{
    /// <summary>A model reads its channels whatever the files are: a grey model converts colour files, a colour model sees grey
    /// files as grey colour images. Both are said, not done silently.</summary>
    [Fact]
    public void Channels_TheFilesDoNotHave_AreSaid()
    {
        string colour = Path.Combine(fx.Root, "colour-data"), input = Path.Combine(fx.Root, "gray-input");
        Directory.CreateDirectory(colour);
        Directory.CreateDirectory(input);
        var good = Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Take(8).ToList();
        foreach (var file in good)   // the generated images are grey: tint them
        {
            var grey = SSM.Core.Data.ImageFile.Load(file, channels: 1).Pixels;
            SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(3, 32, 32, [.. grey, .. grey.Select(v => 0.9f * v), .. grey.Select(v => 0.8f * v)]),
                Path.Combine(colour, Path.GetFileName(file)));
        }
        string[] tiny = TrainedModelFixture.TinyTrainingOf(1);
        var greyModel = Cli.Run(["train", colour, .. tiny, "--channels", "1", "-o", Path.Combine(fx.Root, "grey-of-colour")]);
        Assert.True(greyModel.Code == 0, greyModel.Output);
        Assert.Contains("8 of 8 images are colour files: --channels 1 reads them as grey", greyModel.Output);
        Assert.DoesNotContain("are in colour, and the model reads grey", Cli.Flat(greyModel.Output));   // said once, by train
        // The default, --channels auto, trains in colour when every file is a colour file.
        string colourRun = Path.Combine(fx.Root, "colour-run");
        var colourModel = Cli.Run(["train", colour, .. tiny, "-o", colourRun]);
        Assert.True(colourModel.Code == 0, colourModel.Output);
        Assert.Contains("All 8 images are colour files: training in colour (--channels auto)", colourModel.Output);
        Assert.Equal(3, MetricsFile.Read(Path.Combine(colourRun, "metrics.json")).Settings.Channels);

        File.Copy(Path.Combine(colour, Path.GetFileName(good[0])), Path.Combine(input, "colour.png"));
        File.Copy(good[0], Path.Combine(input, "gray.png"));
        var (code, text) = Cli.Run("predict", Path.Combine(colourRun, "model.zip"), input, "-o", Path.Combine(fx.Root, "gray-predict"));
        Assert.True(code == 0, text);
        Assert.Contains("1 of 2 images are grayscale files, and this model reads colour", text);
        Assert.DoesNotContain("this model reads grey", text);
        Assert.Contains("3 (colour)", text);
        var byGreyModel = Cli.Run("predict", fx.Model, input, "-o", Path.Combine(fx.Root, "gray-predict-2"));
        Assert.True(byGreyModel.Code == 0, byGreyModel.Output);
        Assert.DoesNotContain("grayscale files", byGreyModel.Output);
        // A grey model given colour files reads their luminance: said to whoever runs it, who may not have trained it.
        Assert.Contains("1 of 2 images are colour files, and this model reads grey (it was trained with 1 channel): it reads them by " +
                        "their luminance, so a defect of colour alone is invisible to it.", Cli.Flat(byGreyModel.Output));
        Assert.Contains("1 (grey)", Cli.Flat(byGreyModel.Output));
        var greyOnGrey = Cli.Run("predict", fx.Model, Path.Combine(input, "gray.png"), "-o", Path.Combine(fx.Root, "gray-predict-3"));
        Assert.True(greyOnGrey.Code == 0, greyOnGrey.Output);
        Assert.DoesNotContain("colour files, and this model", greyOnGrey.Output);
        // A colour file of grey pixels (a grey camera's image saved as RGB) holds no colour to miss: nothing said.
        string greyRgb = Path.Combine(fx.Root, "grey-rgb");
        Directory.CreateDirectory(greyRgb);
        var plane = SSM.Core.Data.ImageFile.Load(good[0], channels: 1).Pixels;
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(3, 32, 32, [.. plane, .. plane, .. plane]), Path.Combine(greyRgb, "rgb.png"));
        Assert.Equal(false, SSM.Core.Data.ImageFile.StoresGray(Path.Combine(greyRgb, "rgb.png")));
        var greyRgbRun = Cli.Run("predict", fx.Model, greyRgb, "-o", Path.Combine(fx.Root, "gray-predict-4"));
        Assert.True(greyRgbRun.Code == 0, greyRgbRun.Output);
        Assert.DoesNotContain("colour files, and this model", greyRgbRun.Output);
        Assert.DoesNotContain("pixels are grey", Cli.Flat(greyRgbRun.Output));
        // Given to the colour model, they are said: it is likely to flag them, for a colour the line no longer has.
        var greyRgbByColour = Cli.Run("predict", Path.Combine(colourRun, "model.zip"), greyRgb, "-o", Path.Combine(fx.Root, "gray-predict-5"));
        Assert.True(greyRgbByColour.Code == 0, greyRgbByColour.Output);
        Assert.Contains("1 of 1 images are colour files whose pixels are grey (each looked at: ", Cli.Flat(greyRgbByColour.Output));
        Assert.DoesNotContain("pixels are grey", Cli.Flat(text));   // a tinted file among them: colour seen, nothing said
        // evaluate says it too, and its report says the panels show colour the model does not see.
        string colourSet = Path.Combine(fx.Root, "colour-set"), evaluated = Path.Combine(fx.Root, "grey-of-colour-eval");
        Directory.CreateDirectory(Path.Combine(colourSet, "test", "good"));
        Directory.CreateDirectory(Path.Combine(colourSet, "test", "tinted"));
        foreach (var file in Directory.GetFiles(colour).Order().Take(3)) File.Copy(file, Path.Combine(colourSet, "test", "good", Path.GetFileName(file)));
        foreach (var file in Directory.GetFiles(colour).Order().Skip(3).Take(2)) File.Copy(file, Path.Combine(colourSet, "test", "tinted", Path.GetFileName(file)));
        var evaluation = Cli.Run("evaluate", Path.Combine(fx.Root, "grey-of-colour", "model.zip"), colourSet, "-o", evaluated);
        Assert.True(evaluation.Code == 0, evaluation.Output);
        Assert.Contains("5 of 5 images are colour files, and this model reads grey", Cli.Flat(evaluation.Output));
        Assert.Contains("this model reads them in grey, by their luminance", File.ReadAllText(Path.Combine(evaluated, "report.html")));
        Assert.DoesNotContain("this model reads them in grey", File.ReadAllText(Path.Combine(colourRun, "report.html")));
    }

    [Fact]
    public void Predict_says_which_images_were_flagged_for_their_contrast_alone()
    {
        // A blank frame is flagged (per-image normalisation made it a flat image that restored well: normal) but its map
        // is flat: the user is told why, and no peak is made up for it.
        string input = Path.Combine(fx.Root, "blank-frames");
        Directory.CreateDirectory(input);
        string good = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First();
        File.Copy(good, Path.Combine(input, "good.png"), overwrite: true);
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(3, 32, 32), Path.Combine(input, "black.png"));
        string output = Path.Combine(fx.Root, "predict-blank");
        var (code, text) = Cli.Run("predict", fx.Model, input, "-o", output);
        Assert.True(code == 0, text);
        var rows = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(r => Path.GetFileName(r[0]));
        Assert.Equal("anomalous", rows["black.png"][2]);
        Assert.Equal(("", ""), (rows["black.png"][3], rows["black.png"][4]));
        Assert.NotEqual("", rows["good.png"][3]);
        Assert.Contains("1 image(s) flagged for a contrast far below the training images'", text);
        Assert.Contains("black.png", text);
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
        Assert.Equal("path,score,label,peak_x,peak_y,heatmap", lines[0]);
        Assert.Equal(images, lines.Length - 1);
        Assert.Matches(@"time\W+\d+\.\d s", text);   // how long the run took, for a log read later
        Assert.All(lines.Skip(1), l => Assert.Matches(@",-?[\d.E+-]+,(normal|anomalous),\d+,\d+,[^,]+_heatmap\d*\.png$", l));
        // The peak in the image's own pixels (32 x 32 here, the model's side too): where the model's map is highest.
        var mlContext = new Microsoft.ML.MLContext(seed: 0);
        var model = SSM.Cli.Models.ModelRunner.Load(mlContext, fx.Model);
        using (model as IDisposable)
        {
            var peaks = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => Path.GetFileName(f[0]), f => (int.Parse(f[3]), int.Parse(f[4])));
            foreach (var s in SSM.Cli.Models.ModelRunner.Score(mlContext, model, [.. Directory.GetFiles(input, "*.png")]))
            {
                int top = Array.IndexOf(s.Map, s.Map.Max());
                Assert.Equal((top % s.MapWidth, top / s.MapWidth), peaks[Path.GetFileName(s.Path)]);
            }
        }
        Assert.All(lines.Skip(1), l => Assert.True(File.Exists(Path.Combine(output, l.Split(',')[^1])), l));
        Assert.Equal(images, Directory.GetFiles(output, "*_heatmap.png").Length);
        // The summary's max score is the highest of the rows, wherever it comes.
        float highest = lines.Skip(1).Max(l => float.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches($@"max score[\s│]+{System.Text.RegularExpressions.Regex.Escape(SSM.Cli.Commands.Summary.F(highest))}\s", text);
        var heat = SSM.Core.Data.ImageFile.Load(Directory.GetFiles(output, "*_heatmap.png")[0]);
        Assert.Equal((32, 32), (heat.Width, heat.Height));   // the image's own size (under 512)
        // --heatmap-max-side draws smaller (never larger); out of range is refused.
        Assert.Equal(0, Cli.Run("predict", fx.Model, input, "--heatmap-max-side", "16", "-o", output + "-16").Code);
        var small = SSM.Core.Data.ImageFile.Load(Directory.GetFiles(output + "-16", "*_heatmap.png")[0]);
        Assert.Equal((16, 16), (small.Width, small.Height));
        var tooSmall = Cli.Run("predict", fx.Model, input, "--heatmap-max-side", "4", "-o", output + "-4");
        Assert.Equal(2, tooSmall.Code);
        Assert.Contains("--heatmap-max-side must be 0 (the image's own size) or at least 8 pixels (got 4)", Cli.Flat(tooSmall.Output));
        // Heat maps are drawn on as many threads as the network has: the same files on one.
        var one = Cli.Run("predict", fx.Model, input, "--threads", "1", "-o", output + "-1");
        Assert.True(one.Code == 0, one.Output);
        foreach (string file in Directory.GetFiles(output).Where(f => Path.GetFileName(f) != PredictionRun.FileName))   // it holds the run's time
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(output + "-1", Path.GetFileName(file))));
        Assert.DoesNotContain("from an earlier run", Cli.Flat(one.Output));   // a new folder, and the same names replaced, say nothing
        Assert.DoesNotContain("from an earlier run", Cli.Flat(Cli.Run("predict", fx.Model, input, "-o", output).Output));
        // Another folder's images into it: the earlier heat maps stay beside a CSV that does not list them, and that is said.
        var other = Cli.Run("predict", fx.Model, Directory.GetFiles(input, "*.png").Order().First(), "-o", output);
        Assert.True(other.Code == 0, other.Output);
        Assert.Contains($"{images - 1} heat map(s) in '{output}' are from an earlier run", Cli.Flat(other.Output));
        // Another predict's output inside it keeps its own heat maps beside its own predictions.csv: not counted.
        Assert.True(Cli.Run("predict", fx.Model, input, "-o", Path.Combine(output, "nested")).Code == 0);
        Assert.DoesNotContain("from an earlier run", Cli.Flat(Cli.Run("predict", fx.Model, input, "-o", output).Output));
        // A single earlier heat map is said too.
        string pair = Directory.CreateDirectory(output + "-pair-input").FullName;
        foreach (string file in Directory.GetFiles(input, "*.png").Order().Take(2)) File.Copy(file, Path.Combine(pair, Path.GetFileName(file)));
        Assert.Equal(0, Cli.Run("predict", fx.Model, pair, "-o", output + "-pair").Code);
        var single = Cli.Run("predict", fx.Model, Directory.GetFiles(pair).Order().First(), "-o", output + "-pair");
        Assert.Contains($"1 heat map(s) in '{output}-pair' are from an earlier run", Cli.Flat(single.Output));
    }

    /// <summary>Scripted runs: a name too long for its heat map's is cut short (it failed the whole run after every image was
    /// scored and drawn), and a second command writing the same output while one runs is refused (overlapping cron runs left
    /// one run's predictions.csv beside both runs' heat maps).</summary>
    [Fact]
    public void Predict_handles_overlong_names_and_refuses_a_second_writer()
    {
        string input = Path.Combine(fx.Root, "long-names");
        Directory.CreateDirectory(input);
        string good = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First();
        string longName = new string('x', 245) + ".png";
        File.Copy(good, Path.Combine(input, longName), overwrite: true);
        File.Copy(good, Path.Combine(input, "ok.png"), overwrite: true);
        string output = Path.Combine(fx.Root, "predict-long");
        var (code, text) = Cli.Run("predict", fx.Model, input, "-o", output);
        Assert.True(code == 0, text);
        var rows = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(r => Path.GetFileName(r[0]));
        Assert.Matches(@"^x+~[0-9a-f]{8}_heatmap\.png$", rows[longName][^1]);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(rows[longName][^1]) <= 255);
        Assert.True(File.Exists(Path.Combine(output, rows[longName][^1])));
        Assert.Equal("ok_heatmap.png", rows["ok.png"][^1]);
        Assert.Equal("ok", SSM.Cli.Scoring.PredictionsTable.FitsName("ok"));
        // A name cut inside a character of two UTF-16 units (an emoji) keeps whole characters: half of one is no file name.
        string emoji = SSM.Cli.Scoring.PredictionsTable.FitsName("a" + string.Concat(Enumerable.Repeat("\U0001F600", 100)));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(emoji + "_heatmap99.png") <= 255);
        _ = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(emoji);   // throws on half a character

        using (new SSM.Cli.Outputs.OutputStaging(output))   // another command writing there now
        {
            var second = Cli.Run("predict", fx.Model, input, "-o", output);
            Assert.Equal(1, second.Code);
            Assert.Contains($"Another ssm command is writing '{output}' now", Cli.Flat(second.Output));
        }
        var after = Cli.Run("predict", fx.Model, input, "-o", output);   // and accepted once it is done
        Assert.True(after.Code == 0, after.Output);
    }

    [Theory]
    [InlineData("-1000", "anomalous")]
    [InlineData("1000", "normal")]
    public void Predict_decides_by_the_given_threshold(string threshold, string label)
    {
        // Below every score, every image is flagged; above every score, none: the model's own threshold is not used.
        string input = Path.Combine(fx.Data, "test", "good");
        string output = Path.Combine(fx.Root, $"predict-threshold{threshold}");
        var (code, text) = Cli.Run("predict", fx.Model, input, "--threshold", threshold, "--no-heatmaps", "-o", output);
        Assert.True(code == 0, text);
        var lines = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal(label, l.Split(',')[2]));
        Assert.Matches($@"threshold[\s│|]+{System.Text.RegularExpressions.Regex.Escape(threshold)}[\s│|]", text);   // the summary's row
        // And its record, for a run archived and read later: which model labelled them, at which threshold.
        var run = PredictionRun.Read(Path.Combine(output, PredictionRun.FileName));
        var trained = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal(("predict", Path.GetFullPath(fx.Model), trained.NetworkSha256, float.Parse(threshold, System.Globalization.CultureInfo.InvariantCulture)),
            (run.Command, run.Model, run.NetworkSha256, run.Threshold));
        Assert.Equal((Path.GetFullPath(input), lines.Count, label == "anomalous" ? lines.Count : 0, 0), (run.Input, run.Images, run.Anomalous, run.Unreadable));
        Assert.Equal((0, (int?)null), (run.HeatMaps, run.Masks));   // --no-heatmaps, no --masks
        // A line script's pass/fail: --fail-on-anomaly exits 3 when something is flagged, after writing the same outputs.
        var strict = Cli.Run("predict", fx.Model, input, "--threshold", threshold, "--no-heatmaps", "--fail-on-anomaly", "-o", output + "-strict");
        Assert.True(strict.Code == (label == "anomalous" ? 3 : 0), strict.Output);
        Assert.Equal(File.ReadAllLines(Path.Combine(output, "predictions.csv")), File.ReadAllLines(Path.Combine(output + "-strict", "predictions.csv")));
        // Heat maps of the flagged images only: all of them or none here, and the CSV's heatmap column says which.
        var flaggedOnly = Cli.Run("predict", fx.Model, input, "--threshold", threshold, "--anomalous-heatmaps", "-o", output + "-maps");
        Assert.True(flaggedOnly.Code == 0, flaggedOnly.Output);
        var rows = File.ReadAllLines(Path.Combine(output + "-maps", "predictions.csv")).Skip(1).ToList();
        Assert.All(rows, r => Assert.Equal(label == "anomalous", r.Split(',')[^1].EndsWith("_heatmap.png", StringComparison.Ordinal)));
        Assert.Equal(label == "anomalous" ? rows.Count : 0, Directory.GetFiles(output + "-maps", "*_heatmap*.png").Length);
        // --masks: every image's predicted mask at its own size, white where flagged (everywhere or nowhere here), named in
        // a last column; the other columns as without it.
        var masked = Cli.Run("predict", fx.Model, input, "--threshold", threshold, "--no-heatmaps", "--masks", "-o", output + "-masks");
        Assert.True(masked.Code == 0, masked.Output);
        var maskRows = File.ReadAllLines(Path.Combine(output + "-masks", "predictions.csv"));
        Assert.Equal("path,score,label,peak_x,peak_y,heatmap,mask", maskRows[0]);
        Assert.Equal((0, (int?)lines.Count), (PredictionRun.Read(Path.Combine(output + "-masks", PredictionRun.FileName)) is var m ? (m.HeatMaps, m.Masks) : default));
        Assert.Equal(lines, maskRows.Skip(1).Select(r => r[..r.LastIndexOf(',')]));
        foreach (var row in maskRows.Skip(1).Select(r => r.Split(',')))
        {
            Assert.Equal(Path.GetFileNameWithoutExtension(row[0]) + "_mask.png", row[^1]);
            var mask = SSM.Core.Data.ImageFile.Load(Path.Combine(output + "-masks", row[^1]), channels: 1, upright: false);
            Assert.Equal(SSM.Core.Data.ImageFile.ReadSize(row[0]), (mask.Width, mask.Height));
            Assert.All(mask.Pixels, v => Assert.Equal(label == "anomalous" ? 1f : 0f, v));
        }
    }

    [Fact]
    public void Predict_anomalous_heatmaps_draws_exactly_the_flagged_images()
    {
        // A threshold between the scores: some flagged, some not, and each row's heat map field follows its own label.
        string input = Path.Combine(fx.Data, "test");
        string output = Path.Combine(fx.Root, "predict-mixed-maps");
        var all = Cli.Run("predict", fx.Model, input, "--recursive", "--no-heatmaps", "-o", output + "-scores");
        Assert.True(all.Code == 0, all.Output);
        var scores = File.ReadAllLines(Path.Combine(output + "-scores", "predictions.csv")).Skip(1)
            .Select(l => float.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        string threshold = ((scores[scores.Count / 2 - 1] + scores[scores.Count / 2]) / 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var run = Cli.Run("predict", fx.Model, input, "--recursive", "--threshold", threshold, "--anomalous-heatmaps", "-o", output);
        Assert.True(run.Code == 0, run.Output);
        var rows = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        int flagged = rows.Count(r => r[2] == "anomalous");
        Assert.InRange(flagged, 1, rows.Count - 1);
        Assert.All(rows, r => Assert.Equal(r[2] == "anomalous", r[^1].Length > 0));
        Assert.Equal(flagged, Directory.GetFiles(output, "*_heatmap*.png", SearchOption.AllDirectories).Length);
        Assert.Contains($"{flagged}, of the anomalous images, in", Cli.Flat(run.Output));

        // --masks beside them: every image's mask in its category's subfolder, marking pixels exactly where the image is
        // flagged, and the heat maps' names as without it (names do not depend on which pictures are drawn).
        var masked = Cli.Run("predict", fx.Model, input, "--recursive", "--threshold", threshold, "--anomalous-heatmaps", "--masks", "-o", output + "-masks");
        Assert.True(masked.Code == 0, masked.Output);
        var maskRows = File.ReadAllLines(Path.Combine(output + "-masks", "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(rows.Select(r => r[^1]), maskRows.Select(r => r[^2]));
        foreach (var r in maskRows)
        {
            Assert.Equal(Path.GetFileName(Path.GetDirectoryName(r[0])), Path.GetDirectoryName(r[^1]));
            var mask = SSM.Core.Data.ImageFile.Load(Path.Combine(output + "-masks", r[^1]), channels: 1, upright: false).Pixels;
            Assert.True(r[2] == "anomalous" == mask.Any(v => v > 0.5f), $"{r[0]}: {r[2]}, {mask.Count(v => v > 0.5f)} mask pixels");
            Assert.All(mask, v => Assert.True(v is 0f or 1f));
        }
        // Run again into the same folder with heat maps of every image: the earlier run's masks are not counted twice.
        var again = Cli.Run("predict", fx.Model, Path.Combine(input, "good"), "--threshold", threshold, "-o", output + "-masks");
        Assert.True(again.Code == 0, again.Output);
        Assert.Contains($"{flagged} heat map(s) and {maskRows.Count} mask(s) in", Cli.Flat(again.Output));   // this run's are at the top
    }

    [Fact]
    public void Predict_refuses_no_heatmaps_with_anomalous_heatmaps()
    {
        var (code, text) = Cli.Run("predict", fx.Model, Path.Combine(fx.Data, "test", "good"), "--no-heatmaps", "--anomalous-heatmaps", "-o", Path.Combine(fx.Root, "both-maps"));
        Assert.Equal(2, code);
        Assert.Contains("--no-heatmaps and --anomalous-heatmaps contradict each other", text);
    }

    [Fact]
    public void Predict_SaysWhatTheFolderHoldsBesidesImages_AndReadsTheImages()
    {
        string input = Path.Combine(fx.Root, "predict-mixed-in");
        Directory.CreateDirectory(Path.Combine(input, "2024-01"));
        var goods = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order(StringComparer.Ordinal).ToArray();
        File.Copy(goods[0], Path.Combine(input, "a.png"), overwrite: true);
        File.Copy(goods[0], Path.Combine(input, "._a.png"), overwrite: true);   // a macOS companion: not an image
        File.WriteAllText(Path.Combine(input, "scan.nii"), "");
        File.WriteAllText(Path.Combine(input, "Thumbs.db"), "");
        var (code, text, errors) = Cli.RunSplit("predict", fx.Model, input, "-o", Path.Combine(fx.Root, "predict-mixed-out"));
        Assert.True(code == 0, text + errors);
        // A warning is about the run, not a result: it goes with the errors (standard error on a terminal).
        Assert.Contains($"warning: not read in '{input}': 3 other entries: ._a.png, 2024-01/, scan.nii", errors);
        Assert.DoesNotContain("warning", text);
        Assert.Contains("Scoring 1 image", text);
        Assert.DoesNotContain("Thumbs.db", text + errors);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(fx.Root, "predict-mixed-out", "predictions.csv")).Length);
    }

    [Fact]
    public void Predict_NonSquareImages_GetHeatmapsOfTheirShape_CappedAt512()
    {
        string input = Path.Combine(fx.Root, "non-square");
        Directory.CreateDirectory(input);
        var source = SSM.Core.Data.ImageFile.Load(Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First());
        SSM.Core.Data.ImageFile.Save(SSM.Core.Data.ImageResize.Resize(source, 128, 320), Path.Combine(input, "wide.png"));
        SSM.Core.Data.ImageFile.Save(SSM.Core.Data.ImageResize.Resize(source, 1500, 600), Path.Combine(input, "tall.png"));
        string output = Path.Combine(fx.Root, "predict-non-square");
        var (code, text) = Cli.Run("predict", fx.Model, input, "-o", output);
        Assert.True(code == 0, text);
        var wide = SSM.Core.Data.ImageFile.Load(Path.Combine(output, "wide_heatmap.png"));
        Assert.Equal((320, 128), (wide.Width, wide.Height));
        var tall = SSM.Core.Data.ImageFile.Load(Path.Combine(output, "tall_heatmap.png"));
        Assert.Equal((205, 512), (tall.Width, tall.Height));   // 600 x 1500 reduced to 512 high: 204.8 wide
    }

    [Fact]
    public void Predict_HeatmapColours_DoNotDependOnTheOtherImagesOfTheRun()
    {
        string alone = Path.Combine(fx.Root, "colours-alone"), together = Path.Combine(fx.Root, "colours-together");
        Directory.CreateDirectory(alone);
        Directory.CreateDirectory(together);
        string good = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First();
        string defect = Directory.GetDirectories(Path.Combine(fx.Data, "test")).Where(d => !d.EndsWith("good")).SelectMany(Directory.GetFiles).Order().First();
        File.Copy(good, Path.Combine(alone, "a.png"));
        File.Copy(good, Path.Combine(together, "a.png"));
        File.Copy(defect, Path.Combine(together, "b.png"));   // a defect stretches a run-wide colour range the most
        var one = Cli.Run("predict", fx.Model, alone, "-o", Path.Combine(fx.Root, "colours-alone-out"));
        Assert.True(one.Code == 0, one.Output);
        var two = Cli.Run("predict", fx.Model, together, "-o", Path.Combine(fx.Root, "colours-together-out"));
        Assert.True(two.Code == 0, two.Output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(fx.Root, "colours-alone-out", "a_heatmap.png")),
                     File.ReadAllBytes(Path.Combine(fx.Root, "colours-together-out", "a_heatmap.png")));
    }

    [Fact]
    public void Predict_Recursive_ScoresEverySubfolder_AndMirrorsThemInTheOutput()
    {
        string input = Path.Combine(fx.Root, "predict-tree");
        foreach (string folder in new[] { "2024-01", Path.Combine("2024-01", "line-b"), ".cache" })
            Directory.CreateDirectory(Path.Combine(input, folder));
        var goods = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order(StringComparer.Ordinal).ToArray();
        File.Copy(goods[0], Path.Combine(input, "a.png"));
        File.Copy(goods[1], Path.Combine(input, "2024-01", "a.png"));               // the same name in a subfolder
        File.Copy(goods[2], Path.Combine(input, "2024-01", "line-b", "c.png"));
        File.Copy(goods[3], Path.Combine(input, ".cache", "d.png"));                 // a hidden folder: not read
        Directory.CreateSymbolicLink(Path.Combine(input, "2024-01", "loop"), input);  // a link to a folder: not followed

        string output = Path.Combine(fx.Root, "predict-tree-out");
        var (code, text, errors) = Cli.RunSplit("predict", fx.Model, input, "--recursive", "-o", output);
        Assert.True(code == 0, text + errors);
        Assert.Contains("Scoring 3 images", text);
        Assert.Contains($"warning: not read in '{input}': 2 other entries: .cache/, 2024-01/loop/", Cli.Flat(errors));
        var rows = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        string[] expected = ["a_heatmap.png", Path.Combine("2024-01", "a_heatmap.png"), Path.Combine("2024-01", "line-b", "c_heatmap.png")];
        Assert.Equal(expected, rows.Select(r => r[^1]));
        Assert.Equal([Path.Combine(input, "a.png"), Path.Combine(input, "2024-01", "a.png"), Path.Combine(input, "2024-01", "line-b", "c.png")], rows.Select(r => r[0]));
        Assert.All(expected, h => Assert.True(File.Exists(Path.Combine(output, h)), h));
        // A subfolder's image scores as it does alone (to the batch's rounding: alone it is scored in a batch of one).
        var alone = Cli.Run("predict", fx.Model, Path.Combine(input, "2024-01", "line-b", "c.png"), "-o", output + "-alone");
        Assert.True(alone.Code == 0, alone.Output);
        Assert.Equal(double.Parse(rows[2][1], System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(File.ReadAllLines(Path.Combine(output + "-alone", "predictions.csv"))[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 3);

        // A run without --recursive into that output writes no subfolder: the tree's heat maps there are an earlier run's.
        var topOnly = Cli.RunSplit("predict", fx.Model, Path.Combine(input, "a.png"), "-o", output);
        Assert.True(topOnly.Code == 0, topOnly.Output + topOnly.Errors);
        Assert.Contains($"2 heat map(s) in '{output}' are from an earlier run", Cli.Flat(topOnly.Errors));

        // Without --recursive the subfolders are named and the option is suggested.
        var flat = Cli.RunSplit("predict", fx.Model, input, "-o", output + "-flat");
        Assert.True(flat.Code == 0, flat.Output + flat.Errors);
        Assert.Contains("Scoring 1 image", flat.Output);
        Assert.Contains("--recursive reads subfolders", Cli.Flat(flat.Errors));
        // An output inside the tree would be read by the next recursive run.
        var inside = Cli.Run("predict", fx.Model, input, "--recursive", "-o", Path.Combine(input, "2024-01", "results"));
        Assert.Equal(2, inside.Code);
        Assert.Contains("is inside", Cli.Flat(inside.Output));
        Assert.False(Directory.Exists(Path.Combine(input, "2024-01", "results")));
        // A run on one folder may write there; its heat maps are then no input of a recursive run on the tree.
        var oneFolder = Cli.Run("predict", fx.Model, Path.Combine(input, "2024-01"), "-o", Path.Combine(input, "2024-01", "results"));
        Assert.True(oneFolder.Code == 0, oneFolder.Output);
        var again = Cli.RunSplit("predict", fx.Model, input, "--recursive", "-o", output + "-again");
        Assert.True(again.Code == 0, again.Output + again.Errors);
        Assert.Contains("Scoring 3 images", again.Output);
        Assert.Contains("earlier predict outputs", Cli.Flat(again.Errors));
        Assert.Contains("results/", Cli.Flat(again.Errors));
    }

    [Fact]
    public void Predict_SameBaseName_GetsNumberedHeatmaps_NamedInTheCsv()
    {
        string input = Path.Combine(fx.Root, "same-name");
        Directory.CreateDirectory(input);
        string source = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First();
        File.Copy(source, Path.Combine(input, "a.png"));
        File.Copy(source, Path.Combine(input, "a.PNG"));
        File.Copy(source, Path.Combine(input, "A.png"));
        string output = Path.Combine(fx.Root, "predict-same-name");
        var (code, text) = Cli.Run("predict", fx.Model, input, "-o", output);
        Assert.True(code == 0, text);
        var heatmaps = File.ReadAllLines(Path.Combine(output, "predictions.csv")).Skip(1).Select(l => l.Split(',')[^1]).ToArray();
        // Names that differ in case alone are one file on Windows and macOS, where the output may be copied: numbered too.
        Assert.Equal(["a_heatmap.png", "a_heatmap2.png", "a_heatmap3.png"], heatmaps.Select(h => h.ToLowerInvariant()).Order());
        Assert.All(heatmaps, h => Assert.True(File.Exists(Path.Combine(output, h))));
    }

    /// <summary>predict's progress lines ("scored 40 of 100 (...)"), trimmed.</summary>
    private static string[] ScoredLines(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("scored ", StringComparison.Ordinal))];

    /// <summary>The count a progress line gives: 40 of "scored 40 of 100 (...)".</summary>
    private static int ScoredCount(string line) => int.Parse(line["scored ".Length..line.IndexOf(" of ", StringComparison.Ordinal)]);

    /// <summary>--keep-going counts the files it cannot read as done: after them the count goes on from where it was, not
    /// from the images scored alone, and the tenths keep coming.</summary>
    [Fact]
    public void Predict_keep_going_counts_the_unreadable_files_as_done()
    {
        string input = Cli.TempFolder("keep-going-progress");
        string source = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First();
        for (int i = 0; i < 100; i++)
        {
            string file = Path.Combine(input, $"img{i:D3}.png");
            if (i is >= 30 and < 50) Cli.WriteTruncated(source, file);   // its header reads: found only in the scoring
            else File.Copy(source, file);
        }
        var (code, text) = Cli.Run("predict", fx.Model, input, "--keep-going", "--no-heatmaps", "-o", Path.Combine(fx.Root, "predict-keep-going-progress"));
        Assert.True(code == 0, text);
        Assert.Contains("20 of 100 images cannot be used", Cli.Flat(text));
        int[] counts = [.. ScoredLines(text).Select(ScoredCount)];
        Assert.Contains(counts, c => c is >= 90 and < 100);
        Assert.Equal(100, counts[^1]);
    }

    [Fact]
    public void Predict_ManyImages_ReportsProgressEveryTenth()
    {
        string input = Path.Combine(fx.Root, "many");
        Directory.CreateDirectory(input);
        string source = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().First();
        for (int i = 0; i < 100; i++) File.Copy(source, Path.Combine(input, $"img{i:D3}.png"));
        // Two threads: at most 5 images scored and not yet drawn (a queue of 2, 2 being drawn, 1 waiting to join the queue).
        var (code, text) = Cli.Run("predict", fx.Model, input, "--threads", "2", "-o", Path.Combine(fx.Root, "predict-many"));
        Assert.True(code == 0, text);
        Assert.Contains("Scoring 100 images...", text);
        string[] lines = ScoredLines(text);
        // An image is done once its heat map is written, and the pictures are drawn beside the scoring, a few at a time: one
        // line as the count passes each tenth, with the count it has then.
        int[] counts = [.. lines.Select(ScoredCount)];
        Assert.Equal(10, counts.Length);
        Assert.All(Enumerable.Range(1, 10), k => Assert.InRange(counts[k - 1], 10 * k, Math.Min(100, 10 * k + 6)));
        // With the pace, for a log read later: elapsed, images per second, and (but for the last) what is left.
        const string Time = @"(\d+ h )?(\d+ min )?\d+ (s|min)", Pace = @"[\d.]+ (per second|s each)";
        Assert.All(lines[..^1], l => Assert.Matches($@" \({Time}, {Pace}, about {Time} left\)$", l));
        Assert.Matches($@"^scored 100 of 100 \({Time}, {Pace}\)$", lines[^1]);
        // The heat maps are drawn beside the scoring, and an image is done once its picture is: no second pass to wait for.
        Assert.DoesNotContain("Drawing", text);
        Assert.Equal(100, Directory.GetFiles(Path.Combine(fx.Root, "predict-many"), "*_heatmap.png").Length);
    }

    /// <summary>A run killed outright leaves its staging folder; the next run beside it removes it, unless its process still
    /// runs.</summary>
    [Fact]
    public void Predict_RemovesTheStagingFolderOfAKilledRun()
    {
        string root = Cli.TempFolder("abandoned"), output = Path.Combine(root, "out");
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        string abandoned = Directory.CreateDirectory(Path.Combine(root, ".out.tmp-abandoned")).FullName;
        File.WriteAllText(Path.Combine(abandoned, ".owner"), gone.Id.ToString());
        File.WriteAllText(Path.Combine(abandoned, "predictions.csv"), "half");
        string live = Directory.CreateDirectory(Path.Combine(root, ".out.tmp-live")).FullName;
        File.WriteAllText(Path.Combine(live, ".owner"), Environment.ProcessId.ToString());
        // Another output's, killed too (a script writing each run to a new folder), and a folder ssm did not write.
        string otherRun = Directory.CreateDirectory(Path.Combine(root, ".run-0100.tmp-abandoned")).FullName;
        File.WriteAllText(Path.Combine(otherRun, ".owner"), gone.Id.ToString());
        string notOurs = Directory.CreateDirectory(Path.Combine(root, ".cache.tmp-x")).FullName;
        // A live run of another container on a shared volume: its process id is unknown here, its owner file held open.
        string elsewhere = Directory.CreateDirectory(Path.Combine(root, ".run-0200.tmp-elsewhere")).FullName;
        File.WriteAllText(Path.Combine(elsewhere, ".owner"), gone.Id.ToString());
        using var held = new FileStream(Path.Combine(elsewhere, ".owner"), FileMode.Open, FileAccess.Write, FileShare.Read);
        var (code, text) = Cli.Run("predict", fx.Model, Path.Combine(fx.Data, "test", "good"), "--no-heatmaps", "-o", output);
        Assert.True(code == 0, text);
        Assert.False(Directory.Exists(abandoned));
        Assert.False(Directory.Exists(otherRun));
        Assert.True(Directory.Exists(notOurs));
        Assert.True(Directory.Exists(elsewhere));
        Assert.True(Directory.Exists(live));
        Assert.False(File.Exists(Path.Combine(output, ".owner")));
    }

    [Fact]
    public void Predict_NoHeatmaps_WritesTheScoresOnly()
    {
        string input = Path.Combine(fx.Data, "test", "good"), output = Path.Combine(fx.Root, "predict-no-heatmaps");
        var (code, text) = Cli.Run("predict", fx.Model, input, "--no-heatmaps", "-o", output);
        Assert.True(code == 0, text);
        Assert.Equal(["predictions.csv", "summary.json"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var lines = File.ReadAllLines(Path.Combine(output, "predictions.csv"));
        Assert.All(lines.Skip(1), l => Assert.Matches(@",-?[\d.E+-]+,(normal|anomalous),\d+,\d+,$", l));
        // The same scores and peaks as with heat maps.
        var withMaps = Cli.Run("predict", fx.Model, input, "-o", output + "-with");
        Assert.True(withMaps.Code == 0, withMaps.Output);
        Assert.Equal(File.ReadAllLines(Path.Combine(output + "-with", "predictions.csv")).Select(l => l[..l.LastIndexOf(',')]),
            lines.Select(l => l[..l.LastIndexOf(',')]));
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
