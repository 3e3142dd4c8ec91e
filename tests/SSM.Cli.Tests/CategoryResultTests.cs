using SSM.Cli.Models;
using SSM.Cli.Scoring;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.Cli.Tests;

public sealed class CategoryResultTests
{
    private static EvaluatedImage Image(string category, float score, float threshold = 1f) =>
        new($"{category}/{score}.png", category, category != "good", score, score >= threshold, [score], null, 1, 1, null);

    /// <summary>The report's panels: misses first, each category's in turn, worst first, then each category's closest calls in turn, so that every kind
    /// of defect shows even when 30 good images would fill the panels.</summary>
    [Fact]
    public void ReportPanels_ShowTheMissesFirst_ThenEveryCategory()
    {
        List<EvaluatedImage> images =
        [
            .. Enumerable.Range(0, 30).Select(i => Image("good", i / 100f)),
            .. Enumerable.Range(0, 5).Select(i => Image("crack", 2 + i)),
            .. Enumerable.Range(0, 5).Select(i => Image("spot", 3 + i)),
        ];
        var clean = SSM.Cli.Report.HtmlReport.Panels(new EvaluationResult { Images = images, Threshold = 1f });
        Assert.Equal(SSM.Cli.Report.HtmlReport.MaxPanels, clean.Count);
        Assert.Equal(5, clean.Count(i => i.Category == "crack"));
        Assert.Equal(5, clean.Count(i => i.Category == "spot"));
        Assert.Equal(0.29f, clean.First(i => i.Category == "good").Score);   // the good image nearest the threshold first

        var missed = Image("spot", 0.2f);
        var withMiss = SSM.Cli.Report.HtmlReport.Panels(new EvaluationResult { Images = [Image("good", 1.5f), .. images, missed], Threshold = 1f });
        Assert.Equal(2, withMiss.Take(2).Count(i => i.Predicted != i.IsAnomalous));   // the misses first
        Assert.Contains(missed, withMiss);

        // Many missed defects far below the threshold do not hide false alarms just above it (a walkthrough: 129 and 22,
        // every panel a missed scratch): each category's misses in turn, worst first.
        var manyMissed = Enumerable.Range(0, 40).Select(i => Image("scratch", -1f - i / 10f)).ToList();
        var falseAlarms = new[] { Image("good", 1.1f), Image("good", 1.2f) };
        var mixed = SSM.Cli.Report.HtmlReport.Panels(new EvaluationResult { Images = [.. images, .. manyMissed, .. falseAlarms], Threshold = 1f });
        Assert.Equal(SSM.Cli.Report.HtmlReport.MaxPanels, mixed.Count);
        Assert.Equal(falseAlarms.Reverse(), mixed.Where(i => i.Category == "good" && i.Predicted));
        Assert.Equal(-4.9f, mixed.First(i => i.Category == "scratch").Score);   // the worst miss of its category first
    }

    /// <summary>The panels' heading says each category's closest calls are shown only when they are: 21 misses leave 3 of the
    /// 24 panels, too few for four categories.</summary>
    [Fact]
    public void ReportPanelsTitle_CountsTheCategoriesItShows()
    {
        List<EvaluatedImage> right = [Image("good", 0.5f), Image("hole", 2f), Image("spot", 3f), Image("crack", 4f)];
        var clean = new EvaluationResult { Images = right, Threshold = 1f };
        Assert.Equal("no misses: the closest calls of each category, 4 of 4", SSM.Cli.Report.HtmlReport.PanelsTitle(clean, SSM.Cli.Report.HtmlReport.Panels(clean)));
        var crowded = new EvaluationResult { Images = [.. right, .. Enumerable.Range(0, 21).Select(i => Image("scratch", i / 100f))], Threshold = 1f };
        Assert.Equal("all 21 misses, then the closest calls of 3 of the 4 categories: 24 of 25",
            SSM.Cli.Report.HtmlReport.PanelsTitle(crowded, SSM.Cli.Report.HtmlReport.Panels(crowded)));
        var overrun = new EvaluationResult { Images = [.. right, .. Enumerable.Range(0, 30).Select(i => Image("scratch", i / 100f))], Threshold = 1f };
        Assert.Equal("24 of the 30 misses, each category's in turn", SSM.Cli.Report.HtmlReport.PanelsTitle(overrun, SSM.Cli.Report.HtmlReport.Panels(overrun)));
    }

    [Fact]
    public void ReportCaptions_GiveThePathFromTheSharedFolder()
    {
        // Labels-CSV images of one name in many folders: the file name alone cannot tell them apart.
        string root = Path.Combine(Path.GetTempPath(), "day");
        EvaluatedImage At(string relative, string category) =>
            new(Path.Combine(root, relative), category, category != "good", 0, false, [0], null, 1, 1, null);
        var csv = SSM.Cli.Report.HtmlReport.Captions([At("cam1/h00/img_1.png", "scratch"), At("cam2/h05/img_1.png", "good")]);
        Assert.Equal("scratch: cam1/h00/img_1.png", csv(Path.Combine(root, "cam1/h00/img_1.png"), "scratch"));
        // MVTec's test/<category>/: the path says the category.
        var mvtec = SSM.Cli.Report.HtmlReport.Captions([At("test/crack/000.png", "crack"), At("test/good/000.png", "good")]);
        Assert.Equal("crack/000.png", mvtec(Path.Combine(root, "test/crack/000.png"), "crack"));
    }

    [Fact]
    public void ProgressLines_SayThePace()
    {
        Assert.Equal("(29 s, 9.9 per second, about 4 min 21 s left)", ScoringProgressView.Pace(288, 2880, TimeSpan.FromSeconds(29)));
        Assert.Equal("(1 h 2 min, 12 per second)", ScoringProgressView.Pace(45000, 45000, TimeSpan.FromMinutes(62.5)));
        Assert.Equal("(1 min 15 s, 25 s each, about 41 min 15 s left)", ScoringProgressView.Pace(3, 102, TimeSpan.FromSeconds(75)));
        Assert.Equal("(1 min 0 s, 1.0 per second, about 1 min 0 s left)", ScoringProgressView.Pace(60, 120, TimeSpan.FromSeconds(59.6)));
    }

    /// <summary>A count that jumps (predict's images are done once drawn, a few at a time) gives one line a tenth, not one
    /// an image until the next mark catches up.</summary>
    [Fact]
    public void ProgressLines_ComeOnceATenth_WhenTheCountJumps()
    {
        var writer = new StringWriter();
        ScoringProgressView.Run(Cli.Captured(writer), "images", 100, CancellationToken.None, progress =>
        {
            foreach (int done in new[] { 5, 25, 26, 27, 31, 100 }) progress(done);
            return 0;
        });
        var lines = writer.ToString().Split('\n').Where(l => l.TrimStart().StartsWith("scored ", StringComparison.Ordinal))
            .Select(l => l.Trim()[..l.Trim().IndexOf(" (", StringComparison.Ordinal)]);
        Assert.Equal(["scored 25 of 100", "scored 31 of 100", "scored 100 of 100"], lines);
    }

    /// <summary>Fewer than 100 images get lines too once they have taken 10 s: a tiled model scored 99 images for minutes
    /// under "Scoring 99 images..." alone.</summary>
    [Fact]
    public void ProgressLines_ComeForFewImages_OnceTheyTakeLong()
    {
        string Lines(double secondsEach)
        {
            var writer = new StringWriter();
            double now = 0;
            ScoringProgressView.Run(Cli.Captured(writer), "images", 20, CancellationToken.None, progress =>
            {
                for (int done = 1; done <= 20; done++)
                {
                    now = done * secondsEach;
                    progress(done);
                }
                return 0;
            }, () => TimeSpan.FromSeconds(now));
            return string.Join("|", writer.ToString().Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("scored ", StringComparison.Ordinal))
                .Select(l => l[..l.IndexOf(" (", StringComparison.Ordinal)]));
        }
        Assert.Equal("", Lines(0.45));   // 9 s in all: the summary that follows says it
        Assert.Equal("scored 10 of 20|scored 12 of 20|scored 14 of 20|scored 16 of 20|scored 18 of 20|scored 20 of 20", Lines(1));
    }

    [Fact]
    public void A_perfect_separation_says_its_interval_cannot_show_the_test_set_size()
    {
        var perfect = TestSetRun.WithInterval(1.0, new SSM.Core.Evaluation.ConfidenceInterval(1, 1, 0.95));
        Assert.StartsWith("1.000 (", perfect);
        Assert.Contains("every redraw separates perfectly", perfect);
        Assert.DoesNotContain("every redraw", TestSetRun.WithInterval(0.98, new SSM.Core.Evaluation.ConfidenceInterval(0.95, 1, 0.95)));
        // One image per category: every redraw is the same set, which an interval of no width would show as certain.
        Assert.Contains("every redraw gives the same figure", TestSetRun.WithInterval(0.5, new SSM.Core.Evaluation.ConfidenceInterval(0.5, 0.5, 0.95)));
    }

    [Fact]
    public void ByCategory_RanksEachDefectCategoryAgainstTheGoodImagesAlone_GoodFirst()
    {
        EvaluatedImage[] images =
        [
            Image("scratch", 3f), Image("scratch", 2f),
            Image("good", 0.1f), Image("good", 0.5f), Image("good", 1.2f),
            Image("stain", 0.2f), Image("stain", 0.8f), Image("stain", 4f),
        ];
        var categories = EvaluationResult.ByCategory(images);

        Assert.Equal(["good", "scratch", "stain"], categories.Select(c => c.Category));
        Assert.Equal(new CategoryMetrics("good", 3, 1, null), categories[0]);
        Assert.Equal(new CategoryMetrics("scratch", 2, 2, 1.0), categories[1]);   // both above every good image
        var stain = categories[2];
        Assert.Equal((3, 1), (stain.Images, stain.Flagged));
        // 0.2 beats 0.1; 0.8 beats 0.1 and 0.5; 4 beats all three: 6 of 9 pairs.
        Assert.Equal(6.0 / 9, stain.ImageAuroc!.Value, 1e-12);
    }

    /// <summary>A walkthrough's pooled pixel AUROC 0.983 was its stains' while no scratch was found: each defect category
    /// gets its own pixel figures, its images with the good ones.</summary>
    [Fact]
    public void ByCategory_GivesEachDefectCategoryItsPixelFigures_WithTheGoodImages()
    {
        EvaluatedImage Mapped(string category, float[] map, bool[]? mask) => new($"{category}/x.png", category, mask is not null, 1f, true, map, mask, 2, 2, null);
        EvaluatedImage[] images =
        [
            Mapped("good", [1, 1, 1, 1], null),
            Mapped("scratch", [5, 0, 0, 0], [true, false, false, false]),   // its defect pixel above every normal one
            Mapped("stain", [0, 0, 0, 9], [true, false, false, false]),     // its defect pixel at the bottom
            Mapped("unmasked", [9, 9, 9, 9], [false, false, false, false]),
        ];

        var categories = EvaluationResult.ByCategory(images);

        Assert.Null(categories[0].PixelAuroc);
        Assert.Equal(1.0, categories.Single(c => c.Category == "scratch").PixelAuroc);
        Assert.True(categories.Single(c => c.Category == "stain").PixelAuroc < 0.2);
        Assert.NotNull(categories.Single(c => c.Category == "stain").Aupro);
        Assert.Null(categories.Single(c => c.Category == "unmasked").PixelAuroc);
        var rows = TestSetRun.Rows(new EvaluationResult { Images = images, Threshold = 1f, Categories = categories });
        Assert.Contains(rows, r => r.Item1 == "scratch images" && r.Item2.EndsWith("pixel AUROC 1.000, AUPRO 1.000"));
    }

    [Fact]
    public void ByCategory_WithoutGoodImages_HasNoAuroc()
    {
        var categories = EvaluationResult.ByCategory([Image("scratch", 3f), Image("scratch", 0.5f)]);
        var only = Assert.Single(categories);
        Assert.Equal(new CategoryMetrics("scratch", 2, 1, null), only);
    }

    [Fact]
    public void ImageF1Max_ThatFlagsEveryImage_IsSaid()
    {
        // Scores that rank the classes backwards: the best F1 (2 x 3 / (3 + 6) = 0.667) comes from flagging all six.
        EvaluatedImage[] backwards = [Image("good", 3f), Image("good", 2f), Image("good", 1.5f), Image("scratch", 0.1f), Image("scratch", 0.2f), Image("scratch", 0.3f)];
        var (f1, at) = SSM.Core.Evaluation.F1Max.Compute([.. backwards.Select(i => i.Score)], [.. backwards.Select(i => i.IsAnomalous)]);
        Assert.Equal((2.0 / 3, 0.1f), (f1, at));
        var flagsAll = new EvaluationResult { Images = backwards, Threshold = 1f, PixelThreshold = 1f, ImageF1Max = f1, ImageF1Threshold = at };
        Assert.True(flagsAll.ImageF1FlagsAll);
        Assert.Contains(TestSetRun.Rows(flagsAll), r => r.Item1 == "image F1-max" && r.Item2.Contains("flags every image"));
        var separating = new EvaluationResult { Images = backwards, Threshold = 1f, PixelThreshold = 1f, ImageF1Max = 0.8, ImageF1Threshold = 0.2f };
        Assert.False(separating.ImageF1FlagsAll);
        Assert.DoesNotContain(TestSetRun.Rows(separating), r => r.Item2.Contains("flags every image"));
        // The good images its threshold flags are counted, a threshold a reader may take for --threshold.
        var between = new EvaluationResult { Images = backwards, Threshold = 1f, PixelThreshold = 1f, ImageF1Max = 0.5, ImageF1Threshold = 2f };
        Assert.Contains(TestSetRun.Rows(between), r => r.Item1 == "image F1-max" && r.Item2.EndsWith("(2 of 3 good images flagged there)", StringComparison.Ordinal));
    }

    [Fact]
    public void Pixels_at_the_models_threshold_count_each_images_map_against_its_mask()
    {
        // A 2 x 2 defect with its top-left pixel marked, mapped hot on the top row; a good image hot in one pixel. Each
        // image's own map threshold (1 and 3): the good image's 2 stays below its 3.
        string folder = Cli.TempFolder("pixels-at-threshold");
        string maskPath = Path.Combine(folder, "a_mask.png");
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 2, 2, [1f, 0f, 0f, 0f]), maskPath);
        MvtecTestItem[] items = [new(Path.Combine(folder, "a.png"), "scratch", maskPath), new(Path.Combine(folder, "b.png"), "good", null)];
        SSM.Cli.Models.ScoredImage[] scored = [new(items[0].Path, 5f, true, [5f, 5f, 0f, 0f], 2, 2), new(items[1].Path, 2f, false, [0f, 2f, 0f, 0f], 2, 2)];
        var result = EvaluationResult.Compute(items, scored, threshold: 3f, mapThresholdOf: i => i == 0 ? 1f : 3f);
        Assert.Equal(new ConfusionCounts(TruePositives: 1, FalsePositives: 1, TrueNegatives: 6, FalseNegatives: 0), result.PixelsAtThreshold);
        Assert.Contains(TestSetRun.Rows(result), r => r.Item1 == "pixels at threshold" && r.Item2.StartsWith("precision 0.500, recall 1.000, F1 0.667", StringComparison.Ordinal));
        Assert.Null(EvaluationResult.Compute(items, scored, threshold: 3f).PixelsAtThreshold);   // no thresholds given
    }

    /// <summary>The good category's row counts false alarms, not defects found; the false-alarm thresholds' rows say how
    /// many defects each finds, and nothing of defects in a test set of good images alone (a plain folder given to evaluate).</summary>
    [Fact]
    public void False_alarms_are_counted_as_such_and_defects_found_only_where_there_are_defects()
    {
        MvtecTestItem[] good = [.. Enumerable.Range(0, 20).Select(i => new MvtecTestItem($"good/{i}.png", LabeledImage.GoodCategory, null))];
        var result = EvaluationResult.Compute(good, [.. good.Select((g, i) => new ScoredImage(g.Path, i / 10f, i >= 10, new float[1], 1, 1))], threshold: 1f);
        var rows = TestSetRun.Rows(result).ToList();
        Assert.Contains(("good images", "10 of 20 flagged (false alarms)"), rows);
        var falseAlarms = rows.Where(r => r.Item1.Contains("false alarms", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(falseAlarms);
        Assert.All(falseAlarms, r => Assert.EndsWith("of 20 good images flagged", r.Item2));
        // With defects among them, each such row says how many of them its threshold finds.
        MvtecTestItem[] mixed = [.. good, new("crack/0.png", "crack", null), new("crack/1.png", "crack", null)];
        var withDefects = EvaluationResult.Compute(mixed, [.. mixed.Select((g, i) => new ScoredImage(g.Path, i / 10f, i >= 10, new float[1], 1, 1))], threshold: 1f);
        var defectRows = TestSetRun.Rows(withDefects).Where(r => r.Item1.Contains("false alarms", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(defectRows);
        Assert.All(defectRows, r => Assert.Matches(@"of 20 good images flagged, \d of 2 defects found$", r.Item2));
    }

    [Fact]
    public void Masks_WithoutADefectivePixel_AreSaid_NotLeftOutSilently()
    {
        EvaluatedImage[] black = [Image("good", 0.1f), new("scratch/a.png", "scratch", true, 2f, true, [2f], [false], 1, 1, "ground_truth/scratch/a_mask.png")];
        var result = new EvaluationResult { Images = black, Threshold = 1f };
        Assert.Null(result.Pixel);
        Assert.Contains(TestSetRun.Rows(result), r => r.Item1 == "pixel metrics" && r.Item2.Contains("no ground-truth mask marks a defective pixel"));
        Assert.DoesNotContain(TestSetRun.Rows(new EvaluationResult { Images = [Image("good", 0.1f)], Threshold = 1f }),
            r => r.Item1 == "pixel metrics");
    }
}
