using SSM.Cli.Outputs;

namespace SSM.Cli.Tests;

/// <summary>ssm evaluate: metrics, thresholds, the copy it writes, every kind of test set.</summary>
[Collection("cli")]
public sealed class EvaluateTests(TrainedModelFixture fx)
{
    [Fact]
    public void Evaluate_WritesMetricsReportAndModel_WithGivenThreshold()
    {
        string output = Path.Combine(fx.Root, "eval");
        var (code, text) = Cli.Run("evaluate", fx.Model, fx.Data, "--threshold", "1.50045", "-o", output);
        Assert.True(code == 0, text);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal("evaluate", metrics.Command);
        Assert.Equal(1.50045f, metrics.Threshold);
        Assert.Contains("1.50045: TP", Cli.Flat(text));   // as given, not rounded to 1.5, which a score between them would contradict
        var trained = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal(trained.ImageAuroc, metrics.ImageAuroc);     // same model, same scores
        // The model's settings, as train listed them, but for what only the training run knew.
        Assert.Equal(trained.Settings with { Device = null, Threads = null, TimeBudgetMinutes = null, PrecisionUsed = null }, metrics.Settings);
        // Which model this is about: the output's model.zip is a copy (here with another threshold).
        Assert.Equal(Path.GetFullPath(fx.Model), metrics.EvaluatedModel);
        Assert.Null(trained.EvaluatedModel);
        // And what the model recorded of its training, as train's own file has it.
        Assert.Equal((trained.TrainImages, trained.EpochsRun, trained.FinalLoss), (metrics.TrainImages, metrics.EpochsRun, metrics.FinalLoss));
        Assert.NotNull(metrics.FinalLoss);
        string report = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<tr><th>--image-size</th><td>32</td></tr>", report);
        Assert.Contains($"<tr><th>epochs run</th><td>{trained.EpochsRun} of 5</td></tr>", report);
        Assert.True(File.Exists(Path.Combine(output, "model.zip")));
        Assert.Contains("pixel AUROC", text);
    }

    /// <summary>The thresholds evaluate suggests can be pasted back: its F1-max threshold gives its F1-max, its pixel F1-max
    /// threshold (--mask-threshold) its pixel F1-max; the copy it writes keeps the mask threshold for predict and info.</summary>
    [Fact]
    public void The_suggested_thresholds_give_their_figures_when_pasted_and_the_copy_keeps_them()
    {
        var trained = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        float image = trained.ImageF1Threshold!.Value, pixel = trained.PixelF1Threshold!.Value;
        string output = Path.Combine(fx.Root, "eval-pasted");
        var (code, text) = Cli.Run("evaluate", fx.Model, fx.Data, "--threshold", SSM.Cli.Commands.Summary.T(image),
            "--mask-threshold", SSM.Cli.Commands.Summary.T(pixel), "-o", output);
        Assert.True(code == 0, text);
        var pasted = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal((image, (float?)pixel), (pasted.Threshold, pasted.MaskThreshold));
        long tp = pasted.TruePositives!.Value, fp = pasted.FalsePositives!.Value, fn = pasted.FalseNegatives!.Value;
        Assert.Equal(trained.ImageF1Max!.Value, 2.0 * tp / (2 * tp + fp + fn), 12);
        Assert.Equal(trained.PixelF1Max!.Value, pasted.PixelF1!.Value, 12);   // the masks now mark where the best pixel F1 lies
        Assert.Null(trained.MaskThreshold);
        string flat = Cli.Flat(text);
        Assert.Contains($"with --threshold {SSM.Cli.Commands.Summary.T(image)}", flat);
        Assert.Contains($"with --mask-threshold {SSM.Cli.Commands.Summary.T(pixel)}", flat);
        Assert.Contains("the model's mask threshold)", flat);
        Assert.Contains("from the model's mask threshold", File.ReadAllText(Path.Combine(output, "report.html")));
        // The copy keeps it: info says so, predict's masks and summary.json mark from it.
        string copy = Path.Combine(output, "model.zip");
        var info = Cli.Run("info", copy);
        Assert.Contains("mask threshold", Cli.Flat(info.Output));
        Assert.DoesNotContain("mask threshold", Cli.Flat(Cli.Run("info", fx.Model).Output));
        string input = Path.Combine(fx.Data, "test", "good");
        var predicted = Cli.Run("predict", copy, input, "--masks", "--no-heatmaps", "-o", Path.Combine(fx.Root, "predict-pasted"));
        Assert.True(predicted.Code == 0, predicted.Output);
        Assert.Equal((float?)pixel, PredictionRun.Read(Path.Combine(fx.Root, "predict-pasted", PredictionRun.FileName)).MaskThreshold);
        using (var model = SSM.MLNet.SsmAnomalyTransformer.From(new Microsoft.ML.MLContext().Model.Load(copy, out _)))
            Assert.Equal((float?)pixel, model.MaskThreshold);
        // Given to predict, it holds for that run alone, and a run with another one does not go on from this one's images.
        var lower = Cli.Run("predict", fx.Model, input, "--masks", "--no-heatmaps", "--mask-threshold", "-1000", "-o", Path.Combine(fx.Root, "predict-everything"));
        Assert.True(lower.Code == 0, lower.Output);
        string[] everything = Directory.GetFiles(Path.Combine(fx.Root, "predict-everything"), "*_mask.png");
        Assert.NotEmpty(everything);
        foreach (string mask in everything)
            Assert.All(SSM.Core.Data.ImageFile.LoadMask(mask).Pixels, p => Assert.Equal(1f, p));   // every pixel from -1000
        Assert.Contains("--mask-threshold must be a finite number, or 'none'", Cli.Flat(Cli.Run("predict", fx.Model, input, "--mask-threshold", "NaN").Output));
        // 'none' takes a copy's mask threshold away again.
        var back = Cli.Run("evaluate", copy, fx.Data, "--mask-threshold", "none", "--threshold", SSM.Cli.Commands.Summary.T(trained.Threshold),
            "-o", Path.Combine(fx.Root, "eval-none"));
        Assert.True(back.Code == 0, back.Output);
        var none = MetricsFile.Read(Path.Combine(fx.Root, "eval-none", "metrics.json"));
        Assert.Null(none.MaskThreshold);
        Assert.Equal(trained.PixelF1, none.PixelF1);   // the verdict's line again, as the trained model's
    }

    /// <summary>A nightly job's gate: exit 3 (after writing everything) when image AUROC is below --min-image-auroc or cannot
    /// be measured; 0 when it is met; a value outside 0-1 is a mistyped command.</summary>
    [Fact]
    public void Evaluate_min_image_auroc_gates_the_exit_code()
    {
        string output = Path.Combine(fx.Root, "eval-gate");
        var met = Cli.Run("evaluate", fx.Model, fx.Data, "--min-image-auroc", "0", "-o", output);
        Assert.True(met.Code == 0, met.Output);
        double auroc = MetricsFile.Read(Path.Combine(output, "metrics.json")).ImageAuroc!.Value;
        var exact = Cli.Run("evaluate", fx.Model, fx.Data, "--min-image-auroc", auroc.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "-o", output);
        Assert.True(exact.Code == 0, exact.Output);
        // A test set below AUROC 1 whatever the model: one good image also listed, as a copy, as a defect. The pair ties,
        // which AUROC counts as half (the fixture's model separates its own test set perfectly on the machines here, so
        // a check on it never ran).
        string tied = Cli.TempFolder("eval-gate-tied");
        string[] good = [.. Directory.GetFiles(Path.Combine(fx.Data, "test", "good")).Order().Take(2)];
        File.Copy(good[0], Path.Combine(tied, "a.png"));
        File.Copy(good[1], Path.Combine(tied, "b.png"));
        File.Copy(good[0], Path.Combine(tied, "a-again.png"));
        string labels = Path.Combine(tied, "labels.csv");
        File.WriteAllText(labels, "path,label\na.png,good\nb.png,good\na-again.png,scratch\n");
        var below = Cli.Run("evaluate", fx.Model, labels, "--min-image-auroc", "1", "-o", output + "-below");
        Assert.Equal(3, below.Code);   // the documented exit code of a failed check
        Assert.Contains("is below --min-image-auroc 1", Cli.Flat(below.Output));
        // Everything written first: the tie's half and b's pair (1 or 0) over two pairs.
        Assert.Contains(MetricsFile.Read(Path.Combine(output + "-below", "metrics.json")).ImageAuroc!.Value, new[] { 0.25, 0.75 });
        string goodOnly = Path.Combine(fx.Root, "good-only");
        Directory.CreateDirectory(Path.Combine(goodOnly, "test", "good"));
        foreach (var file in Directory.GetFiles(Path.Combine(fx.Data, "test", "good")).Order().Take(3))
            File.Copy(file, Path.Combine(goodOnly, "test", "good", Path.GetFileName(file)), overwrite: true);
        var unmeasured = Cli.Run("evaluate", fx.Model, goodOnly, "--min-image-auroc", "0.5", "-o", output + "-one-kind");
        Assert.Equal(3, unmeasured.Code);
        Assert.Contains("image AUROC cannot be measured on this test set", Cli.Flat(unmeasured.Output));
        Assert.Matches(@"image AUROC[\s│|]+n/a: needs good and defective test images", Cli.Flat(unmeasured.Output));   // the row says why
        Assert.Equal(2, Cli.Run("evaluate", fx.Model, fx.Data, "--min-image-auroc", "1.5", "-o", output).Code);
    }

    [Fact]
    public void Evaluate_ReportsEveryTestCategory_ConsistentWithTheImages()
    {
        string output = Path.Combine(fx.Root, "eval-categories");
        var (code, text) = Cli.Run("evaluate", fx.Model, fx.Data, "-o", output);
        Assert.True(code == 0, text);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        var folders = Directory.GetDirectories(Path.Combine(fx.Data, "test")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(folders, metrics.Categories.Select(c => c.Category).Order().ToArray());
        Assert.Equal("good", metrics.Categories[0].Category);
        Assert.Equal(metrics.FalsePositives, metrics.Categories[0].Flagged);
        Assert.Equal(metrics.TruePositives, metrics.Categories.Skip(1).Sum(c => c.Flagged));
        var good = metrics.Images.Where(i => i.Category == "good").Select(i => i.Score).ToArray();
        foreach (var c in metrics.Categories.Skip(1))
        {
            var own = metrics.Images.Where(i => i.Category == c.Category).Select(i => i.Score).ToArray();
            Assert.Equal(own.Length, c.Images);
            double expected = SSM.Core.Evaluation.Roc.Auroc([.. own, .. good], [.. own.Select(_ => true), .. good.Select(_ => false)]);
            Assert.Equal(expected, c.ImageAuroc!.Value, 1e-12);
            Assert.Contains($"{c.Category} images", text);
        }
        string report = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("By category", report);
        // The generated set has masks: each defect's row carries its pixel figures, as metrics.json does.
        Assert.Contains("<th>pixel AUROC</th><th>AUPRO</th>", report);
        foreach (var c in metrics.Categories.Skip(1))
            Assert.Contains($"<td>{SSM.Cli.Scoring.TestSetRun.Metric(c.PixelAuroc)}</td><td>{SSM.Cli.Scoring.TestSetRun.Metric(c.Aupro)}</td></tr>", report);

        // The thresholds for a false-alarm budget: each flags at most its share of the good images, as the scores say.
        Assert.Equal([0.01, 0.05, 0.10], metrics.FalseAlarmThresholds.Select(f => f.Rate));
        var all = metrics.Images;
        foreach (var f in metrics.FalseAlarmThresholds)
        {
            Assert.Equal(all.Count(i => i.Category == "good" && i.Score >= f.Threshold), f.GoodFlagged);
            Assert.Equal(all.Count(i => i.Category != "good" && i.Score >= f.Threshold), f.DefectsFound);
            Assert.True(f.GoodFlagged <= f.Rate * good.Length, $"{f.GoodFlagged} of {good.Length} good flagged at {f.Threshold}");
            Assert.Contains($"for ≤ {f.Rate * 100:0} % false alarms", Cli.Flat(text));
        }
    }

    /// <summary>A test set listed in a CSV of paths and labels (a walkthrough's photos sat in one folder beside one):
    /// evaluate scores it as the same images in MVTec layout, without pixel metrics; with a mask column, with them.</summary>
    [Fact]
    public void Evaluate_LabelsCsv_ScoresTheImagesItLists_AsTheFolderLayoutDoes()
    {
        string list = Path.Combine(fx.Root, "labels", "list.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(list)!);
        var rows = Directory.GetFiles(Path.Combine(fx.Data, "test"), "*.png", SearchOption.AllDirectories).Order()
            .Select(f => $"\"{Path.GetRelativePath(Path.GetDirectoryName(list)!, f)}\",{(Path.GetFileName(Path.GetDirectoryName(f)) == "good" ? "ok" : "defect")}");
        File.WriteAllLines(list, ["path,label", .. rows]);
        string output = Path.Combine(fx.Root, "eval-csv");

        var (code, text) = Cli.Run("evaluate", fx.Model, list, "-o", output);

        Assert.True(code == 0, text);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        var folders = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal(folders.ImageAuroc, metrics.ImageAuroc);
        Assert.Equal(folders.Images.Count, metrics.Images.Count);
        Assert.Null(metrics.PixelAuroc);
        Assert.Contains("defect images", text);
        File.AppendAllLines(list, ["gone.png,good"]);   // a file that does not exist
        var missing = Cli.Run("evaluate", fx.Model, list, "-o", Path.Combine(fx.Root, "eval-csv-2"));
        Assert.Equal(1, missing.Code);
        Assert.Contains($"1 of the {folders.Images.Count + 1} rows", Cli.Flat(missing.Output));
        Assert.Contains("gone.png", missing.Output);
        Assert.Equal(list, metrics.Dataset);   // the CSV, not its folder: two lists in one folder are two test sets
        File.WriteAllLines(list, ["path,label", .. rows.Select(r => r.Replace(",ok", ",good-ish"))]);
        var noGood = Cli.Run("evaluate", fx.Model, list, "-o", Path.Combine(fx.Root, "eval-csv-3"));
        Assert.Contains("has a normal label (good, normal, ok, pass, 0, false, in any case): every image counts as a defect", Cli.Flat(noGood.Output));
        var predict = Cli.Run("predict", fx.Model, list, "-o", Path.Combine(fx.Root, "predict-csv"));
        Assert.Contains("a labels CSV is a test set for evaluate", Cli.Flat(predict.Output));
        var train = Cli.Run("train", list, "-o", Path.Combine(fx.Root, "train-csv"));
        Assert.Contains("a labels CSV is a test set for evaluate", Cli.Flat(train.Output));

        // The masks from any folder, named in a third column: the pixel metrics of the folder layout.
        var masked = Directory.GetFiles(Path.Combine(fx.Data, "test"), "*.png", SearchOption.AllDirectories).Order().Select(f =>
        {
            string category = Path.GetFileName(Path.GetDirectoryName(f))!;
            string mask = category == "good" ? "" : Path.Combine(fx.Data, "ground_truth", category, Path.GetFileNameWithoutExtension(f) + "_mask.png");
            return $"{f},{category},{mask}";
        });
        File.WriteAllLines(list, ["path,label,mask", .. masked]);
        var withMasks = Cli.Run("evaluate", fx.Model, list, "-o", Path.Combine(fx.Root, "eval-csv-masks"));
        Assert.True(withMasks.Code == 0, withMasks.Output);
        var pixel = MetricsFile.Read(Path.Combine(fx.Root, "eval-csv-masks", "metrics.json"));
        Assert.NotNull(folders.PixelAuroc);
        Assert.Equal(folders.PixelAuroc, pixel.PixelAuroc);
        Assert.Equal(folders.Aupro, pixel.Aupro);
        Assert.Equal(folders.ImageAuroc, pixel.ImageAuroc);
        // A good row may name a mask only if it marks nothing: a defect's mask on a good image is a contradiction.
        string firstDefectMask = masked.First(r => !r.EndsWith(',')).Split(',')[2];
        File.WriteAllLines(list, ["path,label,mask", .. masked.Select(r => r.EndsWith(',') ? r + firstDefectMask : r)]);
        var contradiction = Cli.Run("evaluate", fx.Model, list, "-o", Path.Combine(fx.Root, "eval-csv-masks-2"));
        Assert.Equal(1, contradiction.Code);
        Assert.Contains("is labelled good, but its mask", Cli.Flat(contradiction.Output));
    }

    [Fact]
    public void Evaluate_WithoutGroundTruth_GivesTheImageMetrics_AndSaysWhyNoPixelMetrics()
    {
        string data = Path.Combine(fx.Root, "labels-only");
        Cli.CopyTree(Path.Combine(fx.Data, "test"), Path.Combine(data, "test"));
        string output = Path.Combine(fx.Root, "eval-labels-only");
        var (code, text) = Cli.Run("evaluate", fx.Model, data, "-o", output);
        Assert.True(code == 0, text);
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        var withMasks = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Equal(withMasks.ImageAuroc, metrics.ImageAuroc);   // the same images and scores
        Assert.Equal(withMasks.Images.Count, metrics.Images.Count);
        Assert.Equal((withMasks.TruePositives, withMasks.FalsePositives), (metrics.TruePositives, metrics.FalsePositives));
        Assert.NotNull(withMasks.PixelAuroc);
        Assert.Null(metrics.PixelAuroc);
        // With masks the best pixel threshold is a figure, the contour still the model's own (as predict draws it).
        Assert.NotNull(withMasks.PixelF1Threshold);
        Assert.Null(metrics.PixelF1Threshold);
        string trainedReport = File.ReadAllText(Path.Combine(fx.Run, "report.html"));
        Assert.Contains("an image has a contour exactly when it is flagged", trainedReport);
        Assert.Contains($"the best pixel F1 lies at map ≥ {SSM.Cli.Commands.Summary.T(withMasks.PixelF1Threshold)}", trainedReport);
        Assert.Null(metrics.Aupro);
        Assert.Contains("not computed: the test set has no masks (no ground_truth folder", Cli.Flat(text));
        Assert.Contains("an image has a contour exactly when it is flagged", File.ReadAllText(Path.Combine(output, "report.html")));
        // The folder is a test set alone: evaluate takes it, train says what it lacks.
        var train = Cli.Run("train", data, "-o", Path.Combine(fx.Root, "train-test-only"));
        Assert.Equal(1, train.Code);
        Assert.Contains("holds a test set but no training images", Cli.Flat(train.Output));
        Assert.Contains("Its folders: test.", Cli.Flat(train.Output));   // a mistyped "trian" would show here
    }

    /// <summary>A folder of good images alone (a lifecycle walkthrough's new month, to set a threshold by its false alarms
    /// without retraining) is a test set of good ones, and said to be.</summary>
    [Fact]
    public void Evaluate_AFolderOfGoodImagesAlone_GivesTheirFalseAlarmThresholds()
    {
        string good = Path.Combine(fx.Data, "test", "good"), output = Path.Combine(fx.Root, "eval-good-only");
        int count = Directory.GetFiles(good, "*.png").Length;
        var (code, text) = Cli.Run("evaluate", fx.Model, good, "-o", output);
        Assert.True(code == 0, text);
        Assert.Contains($"its {count} images are taken as good ones", Cli.Flat(text));
        var metrics = MetricsFile.Read(Path.Combine(output, "metrics.json"));
        Assert.Equal((count, 0), (metrics.TestImages, metrics.TestAnomalous));
        Assert.Null(metrics.ImageAuroc);
        Assert.Equal([0.01, 0.05, 0.10], metrics.FalseAlarmThresholds.Select(f => f.Rate));
        Assert.All(metrics.FalseAlarmThresholds, f => Assert.InRange(f.GoodFlagged, 0, (long)Math.Floor(f.Rate * count)));
        Assert.All(metrics.FalseAlarmThresholds, f => Assert.Null(f.DefectsFound));   // no defect to find: left out, not 0
        Assert.Equal(metrics.FalsePositives, metrics.Images.Count(i => i.Predicted));
        // The threshold it lists, kept: a copy that flags as many of them as the list says.
        var loose = metrics.FalseAlarmThresholds[^1];
        var kept = Cli.Run("evaluate", fx.Model, good, "--threshold", loose.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "-o", output + "-kept");
        Assert.True(kept.Code == 0, kept.Output);
        Assert.Equal(loose.GoodFlagged, MetricsFile.Read(Path.Combine(output + "-kept", "metrics.json")).FalsePositives);
    }
}
