using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public sealed class CategoryMetricsTests
{
    private static LabeledAnomalyMap Map(float[] map, bool[]? mask = null) => new(map, mask ?? new bool[map.Length], 1, map.Length);

    [Fact]
    public void Each_defect_kind_is_ranked_with_the_normal_images_alone()
    {
        string[] categories = ["crack", "good", "spot", "good", "crack", "spot"];
        bool[] labels = [true, false, true, false, true, true];
        float[] scores = [5f, 1f, 0.5f, 2f, 3f, 1.5f];

        var result = CategoryMetrics.Compute(categories, labels, scores);

        Assert.Equal(["good", "crack", "spot"], result.Select(c => c.Category));   // normal first, then as they come
        Assert.Equal(new CategoryMetrics("good", 2, null, null), result[0]);
        Assert.Equal(new CategoryMetrics("crack", 2, null, 1.0), result[1]);     // 5 and 3 above both normal scores
        // spot 0.5 beats neither 1 nor 2; 1.5 beats 1: 1 of 4 pairs. Pooled, the cracks would hide it.
        Assert.Equal(0.25, result[2].ImageAuroc!.Value, 12);
        Assert.Equal(Roc.Auroc([0.5f, 1.5f, 1f, 2f], [true, true, false, false]), result[2].ImageAuroc);
    }

    [Fact]
    public void A_category_with_normal_and_anomalous_images_counts_its_normal_ones_once()
    {
        // "line2" holds a normal image (score 4) and an anomalous one (3); "line1" only normal ones.
        string[] categories = ["line1", "line2", "line2", "line1"];
        bool[] labels = [false, false, true, false];
        float[] scores = [1f, 4f, 3f, 2f];
        bool[] flagged = [false, true, true, false];

        var result = CategoryMetrics.Compute(categories, labels, scores, flagged);

        Assert.Equal(new CategoryMetrics("line1", 2, 0, null), result[0]);
        Assert.Equal(("line2", 2, 2), (result[1].Category, result[1].Images, result[1].Flagged));
        Assert.Equal(2.0 / 3, result[1].ImageAuroc!.Value, 12);   // 3 against the normal 1, 4 and 2
    }

    [Fact]
    public void Pixel_figures_pool_a_kinds_maps_with_the_normal_images_only()
    {
        string[] categories = ["good", "scratch", "stain", "unmasked"];
        bool[] labels = [false, true, true, true];
        LabeledAnomalyMap[] maps =
        [
            Map([1, 1, 1, 1]),
            Map([5, 0, 0, 0], [true, false, false, false]),   // its defect pixel above every normal one
            Map([0, 0, 0, 9], [true, false, false, false]),   // its defect pixel at the bottom, and a normal one at the top
            Map([9, 9, 9, 9]),                                // a defect whose mask lost every pixel
        ];

        var result = CategoryMetrics.Compute(categories, labels, [0f, 2f, 2f, 2f], maps: maps);

        Assert.Null(result[0].PixelAuroc);
        Assert.Equal(1.0, result[1].PixelAuroc!.Value, 12);
        Assert.Equal(1.0, result[1].Aupro!.Value, 12);
        var stain = PixelMetrics.Evaluate([maps[0], maps[2]]);
        Assert.Equal((stain.Auroc, stain.Aupro), (result[2].PixelAuroc!.Value, result[2].Aupro!.Value));
        Assert.True(stain.Auroc < 0.2, stain.Auroc.ToString());
        Assert.Equal(new CategoryMetrics("unmasked", 1, null, 1.0), result[3]);
    }

    [Fact]
    public void Without_normal_images_there_is_no_image_auroc_but_pixels_still_rank()
    {
        var result = CategoryMetrics.Compute(["scratch", "scratch"], [true, true], [3f, 0.5f], maps: [Map([5, 2], [true, false]), Map([0, 1], [false, true])]);
        var only = Assert.Single(result);
        Assert.Null(only.ImageAuroc);
        Assert.Equal(0.75, only.PixelAuroc!.Value, 12);   // defects 5 and 1 against normals 2 and 0: all but 1 < 2
    }

    [Fact]
    public void A_kind_ranks_its_pixels_when_any_of_its_images_has_a_masked_defect()
    {
        LabeledAnomalyMap[] maps = [Map([1, 1]), Map([5, 0], [true, false]), Map([9, 9])];   // the last mask lost its pixels
        var result = CategoryMetrics.Compute(["good", "scratch", "scratch"], [false, true, true], [0f, 2f, 2f], maps: maps);
        var all = PixelMetrics.Evaluate(maps);
        Assert.Equal((all.Auroc, all.Aupro), (result[1].PixelAuroc!.Value, result[1].Aupro!.Value));
    }

    [Fact]
    public void Mismatched_lists_and_missing_categories_are_refused()
    {
        var lengths = Assert.Throws<ArgumentException>(() => CategoryMetrics.Compute(["a", "b"], [true], [1f, 2f]));
        Assert.Contains("2 categories, 1 labels, 2 scores", lengths.Message);
        Assert.Throws<ArgumentException>(() => CategoryMetrics.Compute(["a"], [true], [1f], decisions: [true, false]));
        var empty = Assert.Throws<ArgumentException>(() => CategoryMetrics.Compute(["a", ""], [true, false], [1f, 2f]));
        Assert.Contains("Image 1 has no category", empty.Message);
    }
}
