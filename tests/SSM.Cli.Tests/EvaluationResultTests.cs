using SSM.Cli.Models;
using SSM.Cli.Scoring;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.Cli.Tests;

/// <summary>
/// <see cref="EvaluationResult.Compute"/>, which pairs a test set's scores with its labels and masks for <c>evaluate</c>'s
/// table, metrics.json and report: each figure is the engine's metric over the same images, and a figure a test set cannot
/// give (one class, no masks) is absent rather than made up.
/// </summary>
public sealed class EvaluationResultTests
{
    private const int Side = 4;

    /// <summary>Three good images without masks and three defects with theirs; maps from a fixed seed, hotter where the
    /// masks mark so that the metrics are neither 0 nor 1.</summary>
    private static (MvtecTestItem[] Items, ScoredImage[] Scored) TestSet(bool withMasks = true, bool good = true, bool defective = true)
    {
        string folder = Cli.TempFolder("evaluation-result");
        var random = new Random(7);
        var items = new List<MvtecTestItem>();
        var scored = new List<ScoredImage>();
        for (int i = 0; i < 6; i++)
        {
            bool anomalous = i >= 3;
            if (anomalous ? !defective : !good) continue;
            string path = Path.Combine(folder, $"{i}.png");
            var mask = Defect(i);
            string? maskPath = null;
            if (anomalous && withMasks)
            {
                maskPath = Path.Combine(folder, $"{i}_mask.png");
                ImageFile.Save(new FloatImage(1, Side, Side, mask), maskPath);
            }
            float[] map = [.. mask.Select(m => (float)random.NextDouble() + m * 0.6f)];
            float score = (float)random.NextDouble() + (anomalous ? 0.5f : 0f);
            items.Add(new MvtecTestItem(path, anomalous ? "scratch" : "good", maskPath));
            scored.Add(new ScoredImage(path, score, score > 0.8f, map, Side, Side));
        }
        return ([.. items], [.. scored]);
    }

    /// <summary>The i-th image's ground truth as painted: three pixels for a defect (i from 3), none for a good image.</summary>
    private static float[] Defect(int i)
    {
        var mask = new float[Side * Side];
        if (i >= 3) mask[i] = mask[i + 1] = mask[i + Side] = 1f;
        return mask;
    }

    private static float[] Scores(ScoredImage[] scored) => [.. scored.Select(s => s.Score)];
    private static bool[] Labels(MvtecTestItem[] items) => [.. items.Select(i => i.IsAnomalous)];

    [Fact]
    public void Each_figure_is_the_engines_metric_over_the_same_images()
    {
        var (items, scored) = TestSet();
        var result = EvaluationResult.Compute(items, scored, threshold: 0.8f);
        float[] scores = Scores(scored);
        bool[] labels = Labels(items);
        var maps = scored.Select(s => s.Map).ToList();
        var masks = Enumerable.Range(0, 6).Select(i => Defect(i).Select(v => v > 0).ToArray()).ToList();

        double auroc = Roc.Auroc(scores, labels);
        Assert.InRange(auroc, 0.01, 0.99);
        Assert.Equal(auroc, result.ImageAuroc);
        var (f1, at) = F1Max.Compute(scores, labels);
        Assert.Equal(f1, result.ImageF1Max);
        Assert.Equal(RoundThreshold.Between(scores, at), result.ImageF1Threshold);
        Assert.Equal(ConfusionCounts.At(scores, labels, 0.8f), result.Confusion);
        Assert.NotNull(result.ImageRoc);

        Assert.Equal([.. items.Select(i => i.MaskPath is not null)], result.Images.Select(i => i.Mask is not null));
        Assert.All(result.Images.Where(i => i.Mask is not null), (image, k) => Assert.Equal(masks[3 + k], image.Mask!));   // read back as painted
        var pixel = PixelMetrics.Evaluate(maps, masks, Side, Side);
        Assert.InRange(pixel.Auroc, 0.01, 0.99);
        Assert.Equal(pixel, result.Pixel);
        Assert.Equal(RoundThreshold.Between(maps, pixel.F1Threshold), result.PixelThreshold);
        Assert.NotNull(result.PixelRoc);

        // Seed 0, so the same test set always gets the same intervals; this small one gets the pixel metrics' too.
        Assert.Equal(Bootstrap.Intervals(scores, labels, [.. items.Select(i => i.Category)], maps, masks, Side, Side), result.Intervals);
        Assert.NotNull(result.Intervals!.PixelAuroc);
        Assert.Equal(FalseAlarmThreshold.CommonRates.Select(r => FalseAlarmThreshold.For(scores, labels, r)!.Value), result.FalseAlarmThresholds);
    }

    [Fact]
    public void Good_images_alone_give_no_ranking_figures_but_the_false_alarm_thresholds()
    {
        var (items, scored) = TestSet(defective: false);
        var result = EvaluationResult.Compute(items, scored, threshold: 0.8f, mapThresholdOf: _ => 0.5f);
        Assert.Null(result.ImageAuroc);
        Assert.Null(result.ImageF1Max);
        Assert.Null(result.ImageF1Threshold);
        Assert.False(result.ImageF1FlagsAll);
        Assert.Null(result.ImageRoc);
        Assert.Null(result.Intervals);
        Assert.Null(result.Pixel);
        Assert.Null(result.PixelsAtThreshold);
        Assert.Equal(3, result.FalseAlarmThresholds.Count);
        Assert.Equal(ConfusionCounts.At(Scores(scored), Labels(items), 0.8f), result.Confusion);
    }

    [Fact]
    public void Defects_alone_give_no_ranking_figures_and_no_false_alarm_thresholds()
    {
        var (items, scored) = TestSet(good: false);
        var result = EvaluationResult.Compute(items, scored, threshold: 0.8f);
        Assert.Null(result.ImageAuroc);
        Assert.Null(result.Intervals);
        Assert.Empty(result.FalseAlarmThresholds);
        // The pixels still rank: the defects' own normal pixels are the negatives.
        Assert.NotNull(result.Pixel);
    }

    [Fact]
    public void Without_masks_the_image_figures_stand_and_the_pixel_figures_are_absent()
    {
        var (items, scored) = TestSet(withMasks: false);
        var result = EvaluationResult.Compute(items, scored, threshold: 0.8f, mapThresholdOf: _ => 0.5f);
        Assert.Equal(Roc.Auroc(Scores(scored), Labels(items)), result.ImageAuroc);
        Assert.All(result.Images, i => Assert.Null(i.Mask));
        Assert.Null(result.Pixel);
        Assert.Null(result.PixelThreshold);
        Assert.Null(result.PixelRoc);
        Assert.Null(result.PixelsAtThreshold);
        Assert.NotNull(result.Intervals);
        Assert.Null(result.Intervals!.PixelAuroc);
        Assert.Null(result.Intervals.Aupro);
    }

    [Fact]
    public void Masks_that_mark_nothing_give_no_pixel_figures_and_are_named()
    {
        var (items, scored) = TestSet();
        foreach (var item in items.Where(i => i.MaskPath is not null))
            ImageFile.Save(new FloatImage(1, Side, Side), item.MaskPath!);
        var result = EvaluationResult.Compute(items, scored, threshold: 0.8f, mapThresholdOf: _ => 0.5f);
        Assert.Equal(items.Where(i => i.IsAnomalous).Select(i => i.Path), result.MasksMarkingNothing);
        Assert.Null(result.Pixel);
        Assert.Null(result.PixelsAtThreshold);
        Assert.Null(result.Intervals!.PixelAuroc);
        Assert.NotNull(result.ImageAuroc);
    }

    [Fact]
    public void An_empty_result_does_not_say_its_F1_threshold_flags_every_image() =>
        Assert.False(new EvaluationResult { Images = [], Threshold = 1f, ImageF1Threshold = 0.5f }.ImageF1FlagsAll);
}
