using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class BootstrapTests
{
    private const int Side = 8;

    /// <summary>Images with quantised scores (many ties), defective ones scoring higher on average, each defect a blob.</summary>
    private static (float[] Scores, bool[] Labels, List<float[]> Maps, List<bool[]> Masks) TestSet(int good, int defective, int seed, float separation = 1f)
    {
        var random = new Random(seed);
        float Q(double v) => MathF.Round((float)v * 4) / 4;   // ties inside and across images
        var (scores, labels, maps, masks) = (new List<float>(), new List<bool>(), new List<float[]>(), new List<bool[]>());
        for (int i = 0; i < good + defective; i++)
        {
            bool bad = i >= good;
            var mask = new bool[Side * Side];
            if (bad)
            {
                int x = random.Next(Side - 2), y = random.Next(Side - 2), w = 1 + random.Next(3);
                for (int dy = 0; dy < w && y + dy < Side; dy++) for (int dx = 0; dx < w && x + dx < Side; dx++) mask[(y + dy) * Side + x + dx] = true;
                if (random.Next(3) == 0) mask[Side * Side - 1] = true;   // a second region in some images
            }
            var map = new float[Side * Side];
            for (int p = 0; p < map.Length; p++) map[p] = Q(random.NextDouble() * 2 + (mask[p] ? separation : 0));
            scores.Add(Q(random.NextDouble() * 2 + (bad ? separation : 0)));
            labels.Add(bad); maps.Add(map); masks.Add(mask);
        }
        return ([.. scores], [.. labels], maps, masks);
    }

    [Fact]
    public void UnitWeights_GiveExactlyTheLibrarysMetrics()
    {
        var (scores, labels, maps, masks) = TestSet(15, 12, seed: 1);
        var m = new ResampledMetrics(scores, labels, maps, masks, Side, Side);
        var ones = Enumerable.Repeat(1, scores.Length).ToArray();
        Assert.Equal(Roc.Auroc(scores, labels), m.ImageAuroc(ones), 12);
        Assert.Equal(PixelMetrics.Auroc(maps, masks), m.PixelAuroc(ones), 12);
        Assert.Equal(Pro.Aupro(maps, masks, Side, Side), m.Aupro(ones), 12);
    }

    [Fact]
    public void Weights_CountAnImageAsOftenAsItsCopies()
    {
        var (scores, labels, maps, masks) = TestSet(10, 9, seed: 2);
        var weights = new[] { 0, 2, 1, 3, 0, 1, 1, 2, 0, 1, 2, 0, 1, 3, 1, 0, 2, 1, 1 };
        var copies = Enumerable.Range(0, scores.Length).SelectMany(i => Enumerable.Repeat(i, weights[i])).ToArray();
        var m = new ResampledMetrics(scores, labels, maps, masks, Side, Side);
        Assert.Equal(Roc.Auroc([.. copies.Select(i => scores[i])], [.. copies.Select(i => labels[i])]), m.ImageAuroc(weights), 12);
        var copiedMaps = copies.Select(i => maps[i]).ToList();
        var copiedMasks = copies.Select(i => masks[i]).ToList();
        Assert.Equal(PixelMetrics.Auroc(copiedMaps, copiedMasks), m.PixelAuroc(weights), 12);
        Assert.Equal(Pro.Aupro(copiedMaps, copiedMasks, Side, Side), m.Aupro(weights), 12);
    }

    [Fact]
    public void A_draw_without_a_region_or_a_normal_pixel_has_no_AUPRO_rather_than_failing()
    {
        var (scores, labels, maps, masks) = TestSet(3, 3, seed: 4);
        var m = new ResampledMetrics(scores, labels, maps, masks, Side, Side);
        Assert.True(double.IsNaN(m.Aupro([2, 2, 2, 0, 0, 0])));   // good images only: no region
        var full = masks.Select((mask, i) => labels[i] ? Enumerable.Repeat(true, mask.Length).ToArray() : mask).ToList();
        var allDefect = new ResampledMetrics(scores, labels, maps, full, Side, Side);
        Assert.True(double.IsNaN(allDefect.Aupro([0, 0, 0, 2, 2, 2])));   // defective images whose masks cover them: no normal pixel
    }

    [Fact]
    public void StratifiedDraws_KeepEveryStratumsCount_AndFollowTheSeed()
    {
        string[] strata = ["good", "good", "good", "crack", "crack", "hole"];
        var draws = Bootstrap.StratifiedDraws(strata, 200, seed: 5);
        foreach (var w in draws)
        {
            Assert.Equal(3, w[0] + w[1] + w[2]);
            Assert.Equal(2, w[3] + w[4]);
            Assert.Equal(1, w[5]);
        }
        Assert.Contains(draws, w => w[0] != 1 || w[1] != 1);   // not the identity draw every time
        Assert.Equal(draws.Select(w => string.Join(",", w)), Bootstrap.StratifiedDraws(strata, 200, seed: 5).Select(w => string.Join(",", w)));
    }

    /// <summary>To FPR 1 the weighted sweep must reach the lowest pixel, a normal one below all others.</summary>
    [Fact]
    public void Aupro_to_fpr_one_counts_the_lowest_pixel()
    {
        // 128 distinct values, the good image's each half a step below the defective one's: its last pixel is the lowest.
        float[] defective = [.. Enumerable.Range(0, Side * Side).Select(i => 1f - i / 64f)];
        float[] good = [.. defective.Select(v => v - 1f / 128)];
        bool[] mask = new bool[Side * Side];
        mask[0] = true;
        var m = new ResampledMetrics([0.1f, 0.9f], [false, true], [good, defective], [new bool[Side * Side], mask], Side, Side);
        Assert.Equal(1.0, m.Aupro([1, 1], maxFpr: 1.0), 12);
    }

    [Fact]
    public void Intervals_HoldThePointFigure_NarrowWithMoreImages_AndRepeatWithTheSeed()
    {
        var (scores, labels, maps, masks) = TestSet(20, 20, seed: 3);
        var small = Bootstrap.Intervals(scores, labels, maps: maps, masks: masks, height: Side, width: Side, draws: 400);
        double auroc = Roc.Auroc(scores, labels);
        Assert.InRange(auroc, small.ImageAuroc.Low, small.ImageAuroc.High);
        Assert.InRange(PixelMetrics.Auroc(maps, masks), small.PixelAuroc!.Value.Low, small.PixelAuroc.Value.High);
        Assert.InRange(Pro.Aupro(maps, masks, Side, Side), small.Aupro!.Value.Low, small.Aupro.Value.High);
        Assert.True(small.ImageAuroc.High - small.ImageAuroc.Low > 0.02, small.ImageAuroc.ToString());

        var (s2, l2, _, _) = TestSet(400, 400, seed: 4);
        var large = Bootstrap.Intervals(s2, l2, draws: 400);
        Assert.Null(large.PixelAuroc);
        Assert.True(large.ImageAuroc.High - large.ImageAuroc.Low < (small.ImageAuroc.High - small.ImageAuroc.Low) / 2,
            $"{large.ImageAuroc} against {small.ImageAuroc}");
        Assert.Equal(small, Bootstrap.Intervals(scores, labels, maps: maps, masks: masks, height: Side, width: Side, draws: 400));
    }

    [Fact]
    public void Percentile_InterpolatesBetweenOrderStatisticsAsNumpyDoes()
    {
        Assert.Equal(0.1, Bootstrap.Percentile([0, 1, 2, 3, 4], 0.025), 12);   // np.percentile([0, 1, 2, 3, 4], 2.5)
        Assert.Equal(9.1, Bootstrap.Percentile([1, 3, 7, 10], 0.9), 12);       // np.percentile([1, 3, 7, 10], 90)
        Assert.Equal(5.0, Bootstrap.Percentile([5], 0.975), 12);
    }

    /// <summary>A 95 % interval leaves 2.5 % of the draws on each side: rebuilt here from the same draws, each image
    /// copied as often as it was drawn. An interval cut at 5 % and 95 % would still hold the point figure.</summary>
    [Fact]
    public void Intervals_CutTheDrawsAtHalfTheMissingLevelOnEachSide()
    {
        var (scores, labels, _, _) = TestSet(12, 10, seed: 6);
        const int draws = 200;
        var intervals = Bootstrap.Intervals(scores, labels, draws: draws, seed: 7, level: 0.9);
        var weights = Bootstrap.StratifiedDraws([.. labels.Select(l => l ? "defective" : "good")], draws, seed: 7);
        var aurocs = weights.Select(w =>
        {
            var copies = Enumerable.Range(0, scores.Length).SelectMany(i => Enumerable.Repeat(i, w[i])).ToArray();
            return Roc.Auroc([.. copies.Select(i => scores[i])], [.. copies.Select(i => labels[i])]);
        }).Order().ToArray();
        Assert.Equal(Bootstrap.Percentile(aurocs, 0.05), intervals.ImageAuroc.Low, 12);
        Assert.Equal(Bootstrap.Percentile(aurocs, 0.95), intervals.ImageAuroc.High, 12);
        Assert.Equal(0.9, intervals.ImageAuroc.Level);
    }

    [Fact]
    public void PerfectSeparation_HasNoSpread()
    {
        var i = Bootstrap.Intervals([0.1f, 0.2f, 0.3f, 0.8f, 0.9f], [false, false, false, true, true], draws: 200);
        Assert.Equal((1.0, 1.0), (i.ImageAuroc.Low, i.ImageAuroc.High));
        Assert.Equal("95 % interval 1.000-1.000", i.ImageAuroc.ToString());
    }

    [Fact]
    public void BadInput_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => Bootstrap.Intervals([0.1f, 0.2f], [false, false]));
        Assert.Throws<ArgumentException>(() => Bootstrap.Intervals([0.1f, 0.2f], [false]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Intervals([0.1f, 0.2f], [false, true], draws: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Intervals([0.1f, 0.2f], [false, true], level: 1));
        // NaN never equals itself: the runs of tied values were never left, and the draws spun for ever.
        Assert.Equal("Score 0 is NaN. (Parameter 'scores')",
            Assert.Throws<ArgumentException>(() => Bootstrap.Intervals([float.NaN, 0.2f, 0.3f, 0.9f], [false, false, true, true])).Message);
        float[][] maps = [[0.1f, 0.2f], [0.3f, float.NaN]];
        bool[][] masks = [[false, false], [false, true]];
        Assert.StartsWith("Map 1 is NaN at pixel 1.",
            Assert.Throws<ArgumentException>(() => Bootstrap.Intervals([0.1f, 0.9f], [false, true], maps: maps, masks: masks, height: 1, width: 2)).Message);
        Assert.StartsWith("Pixel metrics need the maps' height and width (got 0 x 0).",
            Assert.Throws<ArgumentException>(() => Bootstrap.Intervals([0.1f, 0.9f], [false, true], maps: maps, masks: masks)).Message);
    }

    /// <summary>Each check alone: the inputs are otherwise valid, so no later check (or an index past an array) refuses
    /// them in its place.</summary>
    [Fact]
    public void Each_bad_input_is_refused_by_its_own_check()
    {
        float[] scores = [0.1f, 0.9f];
        bool[] labels = [false, true];
        string Refusal(Func<BootstrapIntervals> call) => Assert.ThrowsAny<ArgumentException>(() => call()).Message;
        const string PerImage = "Scores, labels, strata, maps and masks must have one entry per image.";
        Assert.Equal(PerImage, Refusal(() => Bootstrap.Intervals([0.1f, 0.9f, 0.5f], labels)));
        Assert.Equal(PerImage, Refusal(() => Bootstrap.Intervals(scores, labels, strata: ["a"])));
        float[][] maps = [[0.1f, 0.2f], [0.3f, 0.8f]];
        bool[][] masks = [[false, false], [false, true]];
        Assert.Equal(PerImage, Refusal(() => Bootstrap.Intervals(scores, labels, maps: maps, masks: [masks[0]], height: 1, width: 2)));
        Assert.Equal(PerImage, Refusal(() => Bootstrap.Intervals(scores, labels, maps: maps, height: 1, width: 2)));
        Assert.StartsWith("Pixel intervals need at least one defective pixel.",
            Refusal(() => Bootstrap.Intervals(scores, labels, maps: maps, masks: [masks[0], masks[0]], height: 1, width: 2)));
        Assert.StartsWith("Map or mask 1 does not have 1 x 2 pixels.",
            Refusal(() => Bootstrap.Intervals(scores, labels, maps: [maps[0], [0.3f, 0.8f, 0.9f]], masks: masks, height: 1, width: 2)));
        Assert.StartsWith("Map 1 is NaN at pixel 0.",
            Refusal(() => Bootstrap.Intervals(scores, labels, maps: [maps[0], [float.NaN, 0.8f]], masks: masks, height: 1, width: 2)));
        Assert.StartsWith("Pixel metrics need the maps' height and width (got 1 x 0).",
            Refusal(() => Bootstrap.Intervals(scores, labels, maps: maps, masks: masks, height: 1, width: 0)));
        Assert.StartsWith("The level must be in (0, 1).", Refusal(() => Bootstrap.Intervals(scores, labels, level: 0)));
        Assert.StartsWith("Intervals need both good and defective images.", Refusal(() => Bootstrap.Intervals(scores, [true, true])));
        // Maps one pixel wide are maps.
        Assert.NotNull(Bootstrap.Intervals(scores, labels, maps: maps, masks: masks, height: 2, width: 1).PixelAuroc);
        Assert.Equal(100, Bootstrap.Intervals(scores, labels, draws: 100).Draws);
    }

    /// <summary>Strata are redrawn each to its own count: with every image its own stratum, every draw is the test set
    /// itself, so the interval is the point figure; drawn as good and defective, it spreads.</summary>
    [Fact]
    public void Strata_are_the_given_ones_not_good_and_defective()
    {
        var (scores, labels, _, _) = TestSet(10, 10, seed: 5);
        var own = Bootstrap.Intervals(scores, labels, strata: [.. scores.Select((_, i) => $"image {i}")], draws: 100);
        double auroc = Roc.Auroc(scores, labels);
        Assert.Equal(auroc, own.ImageAuroc.Low, 12);
        Assert.Equal(auroc, own.ImageAuroc.High, 12);
        var two = Bootstrap.Intervals(scores, labels, draws: 100);
        Assert.True(two.ImageAuroc.High > two.ImageAuroc.Low, two.ImageAuroc.ToString());
    }
}
