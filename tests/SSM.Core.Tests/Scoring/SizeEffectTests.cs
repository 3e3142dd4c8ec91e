using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Tests.Training;
using SSM.Core.Training;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class SizeEffectTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void FitRecoversStraightLinesAndNeedsSizesThatVary()
    {
        double[] logAreas = [6, 7, 8, 9, 6.5, 7.5, 8.5, 6, 7, 9];
        var effect = SizeEffect.Fit(logAreas, [.. logAreas.Select(a => (float)(2 - 0.5 * a))], [.. logAreas.Select(a => (float)(10 + a))]);
        Assert.NotNull(effect);
        Assert.Equal(-0.5f, effect.LevelSlope, 4);
        Assert.Equal(2f, effect.LevelIntercept, 3);
        Assert.Equal(1f, effect.ScoreSlope, 4);
        Assert.Equal(17.5f, effect.Score(7.5), 3);
        Assert.Equal(2 - 0.5f * 7.5f, effect.Level(7.5), 3);
        Assert.Equal(17.5f - (2 - 0.5f * 7.5f), effect.MapOffset(7.5), 3);
        // Outside the fitted sizes the nearest end holds: no extrapolation.
        Assert.Equal(effect.Score(6), effect.Score(2), 5);
        Assert.Equal(effect.Level(9), effect.Level(12), 5);
        float[] ten = [.. Enumerable.Range(1, 10)];
        Assert.Null(SizeEffect.Fit([.. Enumerable.Repeat(7.0, 10)], ten, ten));   // one size: nothing to learn
        // 10 images are enough; 9 are not (a line through 3 tilted wildly and ranked a test set worse than chance).
        Assert.Equal(10, SizeEffect.MinimumImages);
        Assert.NotNull(SizeEffect.Fit([.. logAreas], ten, ten));
        Assert.Null(SizeEffect.Fit([.. logAreas[..9]], ten[..9], ten[..9]));
        Assert.Null(SizeEffect.Fit([.. logAreas], ten, ten, images: 5));   // 10 tiles of 5 images are 5 images
    }

    /// <summary>Sizes must spread by <see cref="SizeEffect.MinimumSpread"/> in sample standard deviation of log area:
    /// 0.06 is fitted, 0.04 (a camera's crops within a few percent of one size) is not.</summary>
    [Theory]
    [InlineData(0.06, true)]
    [InlineData(0.04, false)]
    public void SizesAreFittedOnlyWhenTheySpreadByTheMinimum(double spread, bool fitted)
    {
        // Ten log areas 7 +- d (the fewest fitted) with sample standard deviation d x sqrt(10 / 9): d chosen to give the spread wanted.
        double d = spread * Math.Sqrt(9.0 / 10);
        double[] logAreas = [.. Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? 7 - d : 7 + d)];
        float[] values = [.. Enumerable.Range(1, 10)];
        Assert.Equal(fitted, SizeEffect.Fit(logAreas, values, values) is not null);
    }

    [Fact]
    public void TheCacheKeepsEachImagesOriginalSizeThroughSubsets()
    {
        var cache = new ImageCache(16, 1);
        cache.Add(new FloatImage(1, 16, 16), "a");
        cache.Add(new FloatImage(1, 40, 20), "b");
        Assert.Equal(Math.Log(256), cache.LogArea(0), 9);
        Assert.Equal(Math.Log(800), cache.LogArea(1), 9);
        Assert.Equal(Math.Log(800), cache.Subset([1]).LogArea(0), 9);
    }

    [Fact]
    public void TheScorerTakesAwayTheLevelAndScoreTheSizePredicts()
    {
        var options = new SsmOptions { ImageSize = 16, Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 } };
        manual_seed(3);
        using var network = new InpaintingNetwork(options.Network);
        using var images = rand(2, 1, 16, 16);
        var effect = new SizeEffect(1f, 0.5f, 2f, -0.25f);
        double[] logAreas = [5, 9];
        using var plain = new AnomalyScorer(network, options, null);
        using var corrected = new AnomalyScorer(network, options, null, sizeEffect: effect);
        using var a = plain.Score(images);
        using var b = corrected.Score(images, logAreas);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(a.Maps[i].sub(effect.Level(logAreas[i])).allclose(b.Maps[i], atol: 1e-5));
            Assert.Equal(a.Scores[i].item<float>() - effect.Score(logAreas[i]), b.Scores[i].item<float>(), 4);
        }
        var e = Assert.Throws<ArgumentException>(() => corrected.Score(images));
        Assert.Contains("original size", e.Message);
    }

    [Fact]
    public void CalibrationFitsTheEffectOnHeldOutImagesOfVaryingSize()
    {
        var model = fixture.Model;
        // The held-out normals at three sizes: the same content, given enlarged 1x, 1.5x and 2x (as new images: a resize
        // alone keeps the source size) before the cache resizes it back.
        var heldOut = new ImageCache(model.Options.ImageSize, 1);
        var sides = new[] { 32, 48, 64 };
        foreach (var (image, i) in fixture.Data.Train.Take(12).Select((x, i) => (x, i)))
        {
            var enlarged = ImageResize.Resize(image, sides[i % 3], sides[i % 3]);
            heldOut.Add(new FloatImage(1, enlarged.Height, enlarged.Width, enlarged.Pixels), $"held-out {i}");
        }
        SsmOptions With(bool correct) => model.Options with { Scoring = model.Options.Scoring with { SizeCorrection = correct } };

        var off = Calibration.Compute(model.Network, With(false), heldOut, progress: null);
        var on = Calibration.Compute(model.Network, With(true), heldOut, progress: null);
        Assert.Null(off.SizeEffect);
        var effect = Assert.IsType<SizeEffect>(on.SizeEffect);
        // The normal scores are the uncorrected ones minus what each image's size predicts; the map statistics do not change.
        Assert.Equal(on.MapStatistics!.Mean, off.MapStatistics!.Mean);
        var expected = Enumerable.Range(0, heldOut.Count).Select(i => effect.Score(heldOut.LogArea(i))).ToArray();
        Assert.Equal(off.NormalImageScores.Sum() - expected.Sum(), on.NormalImageScores.Sum(), 2);

        // The level line is the map's (Error's planes), the score line the image score's: the same map scored by MS-GMS
        // alone keeps its level line, and its score line changes.
        var byMsGms = Calibration.Compute(model.Network, With(true) with { Scoring = With(true).Scoring with { ImageScoreError = RestorationError.MsGms } },
            heldOut, progress: null).SizeEffect!;
        Assert.Equal(effect.LevelIntercept, byMsGms.LevelIntercept, 5);
        Assert.Equal(effect.LevelSlope, byMsGms.LevelSlope, 5);
        Assert.NotEqual(effect.ScoreSlope, byMsGms.ScoreSlope, 3);

        // One size: no effect, whatever the setting.
        Assert.Null(Calibration.Compute(model.Network, With(true), heldOut.Subset([0, 3, 6, 9]), progress: null).SizeEffect);
    }
}
