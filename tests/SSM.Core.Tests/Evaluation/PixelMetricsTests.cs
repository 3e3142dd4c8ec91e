using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class PixelMetricsTests
{
    [Fact]
    public void AurocEqualsAurocOfConcatenation()
    {
        var images = Reference.RandomImages(seed: 51, count: 5, height: 10, width: 8, levels: 12);
        var scores = images.SelectMany(im => im.Map).ToArray();
        var labels = images.SelectMany(im => im.Mask).ToArray();
        double expected = Reference.AurocByPairs(scores, labels);
        Assert.Equal(expected, PixelMetrics.Auroc(images), 1e-12);
        Assert.Equal(expected, PixelMetrics.Auroc(images.Select(im => im.Map).ToArray(), images.Select(im => im.Mask).ToArray()), 1e-12);
    }

    [Fact]
    public void EvaluateMatchesSeparateMetrics()
    {
        var images = Reference.RandomImages(seed: 52, count: 6, height: 10, width: 8, levels: 12);
        var scores = images.SelectMany(im => im.Map).ToArray();
        var labels = images.SelectMany(im => im.Mask).ToArray();

        var result = PixelMetrics.Evaluate(images, maxFpr: 0.2);

        Assert.Equal(Roc.Auroc(scores, labels), result.Auroc, 1e-12);
        Assert.Equal(F1Max.Compute(scores, labels), (result.F1Max, result.F1Threshold));
        Assert.Equal(Pro.Aupro(images, 0.2), result.Aupro, 1e-12);
        Assert.Equal(0.2, result.MaxFpr);
    }

    [Fact]
    public void SameSizeOverloadsAgree()
    {
        var rng = new Random(53);
        const int h = 6, w = 5;
        var masks = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, h * w).Select(_ => i > 0 && rng.NextDouble() < 0.2).ToArray()).ToArray();
        var maps = masks.Select(m => m.Select(a => (float)Math.Round(rng.NextDouble() + (a ? 0.5 : 0), 1)).ToArray()).ToArray();
        var images = maps.Select((m, i) => new LabeledAnomalyMap(m, masks[i], h, w)).ToArray();

        Assert.Equal(PixelMetrics.Evaluate(images), PixelMetrics.Evaluate(maps, masks, h, w));
        Assert.Equal(PixelMetrics.F1Max(maps, masks), (PixelMetrics.Evaluate(images).F1Max, PixelMetrics.Evaluate(images).F1Threshold));
        var curve = PixelMetrics.RocCurve(maps, masks, maxPoints: 10);
        Assert.InRange(curve.Count, 2, 10);
        // Both from one sort: the same figures and the same thinned curve.
        var (metrics, sameCurve) = PixelMetrics.EvaluateWithCurve(maps, masks, h, w, maxPoints: 10);
        Assert.Equal(PixelMetrics.Evaluate(images), metrics);
        Assert.Equal(curve.FalsePositiveRates, sameCurve.FalsePositiveRates);
        Assert.Equal(curve.TruePositiveRates, sameCurve.TruePositiveRates);
        Assert.Equal(curve.Thresholds, sameCurve.Thresholds);
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelMetrics.EvaluateWithCurve(maps, masks, h, w, maxPoints: 1));
    }

    [Fact]
    public void ArgumentErrors()
    {
        Assert.Throws<ArgumentException>(() => PixelMetrics.Auroc([new float[4]], [new bool[3]]));
        Assert.Throws<ArgumentException>(() => PixelMetrics.Auroc([new float[4], new float[4]], [new bool[4]]));
        Assert.Throws<ArgumentException>(() => PixelMetrics.Auroc([new float[4]], [new bool[4]])); // one class
        Assert.Throws<ArgumentException>(() => PixelMetrics.Evaluate([new LabeledAnomalyMap(new float[4], new bool[4], 2, 2)])); // no region
        Assert.StartsWith("No images were given.", Assert.Throws<ArgumentException>(() => PixelMetrics.Evaluate([])).Message);
    }

    [Fact]
    public void A_map_one_pixel_wide_or_high_is_an_image_and_an_empty_one_is_refused()
    {
        Assert.Equal(3, new LabeledAnomalyMap(new float[3], new bool[3], 3, 1).Height);
        Assert.Equal(3, new LabeledAnomalyMap(new float[3], new bool[3], 1, 3).Width);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabeledAnomalyMap([], [], 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabeledAnomalyMap([], [], 2, 0));
    }
}
