using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Tests.Training;
using SSM.Core.Training;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class ContrastRangeTests
{
    private static FloatImage Checkerboard(int size, float amplitude)
    {
        var image = new FloatImage(1, size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) image[0, y, x] = 0.5f + ((x + y) % 2 == 0 ? amplitude : -amplitude);
        return image;
    }

    [Fact]
    public void FitTakesTheMeanAndSpreadOfTheImagesLogContrast()
    {
        var cache = new ImageCache(8, 1);
        foreach (float a in new[] { 0.1f, 0.2f, 0.4f }) cache.Add(Checkerboard(8, a), null);
        var range = ContrastRange.Fit(cache, InputNormalizer.DefaultStdFloor);
        // A checkerboard of ±a has the (unbiased) standard deviation a x sqrt(64/63); contrasts 1:2:4 spread by log 2.
        Assert.Equal(Math.Log(0.2 * Math.Sqrt(64.0 / 63)), range.MeanLogStd, 3);
        Assert.Equal(Math.Log(2), range.SpreadLogStd, 3);
        Assert.Throws<ArgumentException>(() => ContrastRange.Fit(cache.Subset([0]), InputNormalizer.DefaultStdFloor));
        // Two images are enough: their log contrasts differ by log 2, a sample standard deviation of log 2 / sqrt 2.
        var two = ContrastRange.Fit(cache.Subset([0, 1]), InputNormalizer.DefaultStdFloor);
        Assert.Equal(Math.Log(2) / Math.Sqrt(2), two.SpreadLogStd, 3);
    }

    /// <summary>The floor starts past the margin, not at it: an image exactly <see cref="ContrastRange.Margin"/> spreads
    /// below keeps its map's score, which a floor of the normal mean (a deficit of 0) would have raised.</summary>
    [Fact]
    public void TheFloorRaisesAScoreOnlyPastTheMargin()
    {
        using var image = full(1, 1, 8, 8, 0.5f);
        image[0, 0, 0, 0] = tensor(0.9f);
        using var logStd = ContrastRange.LogContrast(image, InputNormalizer.DefaultStdFloor);
        double own = logStd.item<float>();
        using var score = tensor(new[] { 0.25f });
        // Mean log contrast exactly 1 above the image's, in spreads of 0.5: 2 spreads below, a deficit of exactly 0.
        var atMargin = new ContrastRange(own + 1, 0.5);
        Assert.Equal(0, atMargin.Deficit(own));
        using (var kept = atMargin.Floor(score, image, InputNormalizer.DefaultStdFloor, normalMean: 5, normalStd: 2))
            Assert.Equal(0.25f, kept.item<float>());
        var past = new ContrastRange(own + 1.5, 0.5);   // 3 spreads below: a deficit of 1
        using (var raised = past.Floor(score, image, InputNormalizer.DefaultStdFloor, normalMean: 5, normalStd: 2))
            Assert.Equal(5 + 1 * 2, raised.item<float>(), 4);
    }

    [Fact]
    public void DeficitCountsSpreadsBelowTheMeanBeyondTheMarginAndNeverInSpreadsBelowTheFloor()
    {
        var range = new ContrastRange(-2, 0.5);
        Assert.Equal(-ContrastRange.Margin, range.Deficit(-2), 9);
        Assert.Equal(4 - ContrastRange.Margin, range.Deficit(-4), 9);
        // Images of one steady setup hardly vary: a third less contrast is not 40 spreads below them.
        var steady = new ContrastRange(-2, 0.01);
        Assert.Equal(Math.Log(1.5) / ContrastRange.MinimumSpread - ContrastRange.Margin, steady.Deficit(-2 - Math.Log(1.5)), 9);
    }

    [Fact]
    public void TheScorerRaisesAFlatFrameToItsDeficitAndLeavesAnOrdinaryImageAlone()
    {
        var options = new SsmOptions { ImageSize = 16, Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 } };
        manual_seed(5);
        using var network = new InpaintingNetwork(options.Network);
        using var textured = rand(1, 1, 16, 16);
        using var flat = full(1, 1, 16, 16, 0.5f);
        using var images = cat([textured, flat], 0);
        double texturedLogStd = Math.Log(textured.std().item<float>());
        var range = new ContrastRange(texturedLogStd, 0.3);
        using var plain = new AnomalyScorer(network, options, null);
        using var guarded = new AnomalyScorer(network, options, null, lowContrast: (range, 1f, 2f));
        using var a = plain.Score(images);
        using var b = guarded.Score(images);
        Assert.Equal(a.Scores[0].item<float>(), b.Scores[0].item<float>());   // its deficit is -2: the map decides
        double flatScore = 1 + 2 * range.Deficit(Math.Log(options.NormalizationStdFloor));
        Assert.True(flatScore > a.Scores[1].item<float>());
        Assert.Equal(flatScore, b.Scores[1].item<float>(), 2);
        Assert.True(a.Maps.allclose(b.Maps, rtol: 0, atol: 0));   // the maps are the network's alone

        // Within the margin the map decides even where its score is the lower: score and map keep their relation.
        var near = new ContrastRange(texturedLogStd - 1.5 * 0.3, 0.3);   // the textured image 1.5 spreads above: deficit -3.5
        var within = new ContrastRange(texturedLogStd + 1.5 * 0.3, 0.3);   // 1.5 spreads below: deficit -0.5
        foreach (var r in new[] { near, within })
        {
            using var high = new AnomalyScorer(network, options, null, lowContrast: (r, 1000f, 2f));
            using var c = high.Score(textured);
            Assert.Equal(a.Scores[0].item<float>(), c.Scores[0].item<float>());
        }
    }

    [Fact]
    public void AModelThatNormalisesEachImageScoresFramesWithoutContentAsAnomalous()
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 32, TrainCount = 20, TestGoodCount = 4, TestDefectCount = 1, Seed = 2 });
        var options = TinyModelFixture.TinyOptions(epochs: 2) with { Normalization = InputNormalization.PerImage };
        using var model = SsmTrainer.Train(data.Train, options);
        var calibration = model.Calibration!;
        Assert.NotNull(calibration.Contrast);
        float threshold = calibration.NormalMean + 3 * calibration.NormalStd;
        var frames = new[] { 0f, 0.5f, 1f }.Select(v =>
        {
            var frame = new FloatImage(data.Train[0].Channels, 40, 40);
            Array.Fill(frame.Pixels, v);
            return frame;
        }).ToList();
        Assert.All(model.Score(frames), s => Assert.True(s.Score > threshold, $"{s.Score} <= {threshold}"));
        // The training images themselves lie within the range: none is raised to the threshold by its contrast.
        var range = calibration.Contrast!;
        var cache = new ImageCache(32, data.Train[0].Channels);
        foreach (var image in data.Train) cache.Add(image, null);
        using var batch = cache.Batch([.. Enumerable.Range(0, cache.Count)]);
        using var logStds = ContrastRange.LogContrast(batch, options.NormalizationStdFloor);
        Assert.All(logStds.data<float>().ToArray(), v => Assert.True(range.Deficit(v) < 3));

        // Recalibrated, the model keeps its own contrast; a calibration of the network alone fits one on the held-out images
        // (a reviewer found Compute returned none, and a recalibrated model scored a blank frame as normal).
        var heldOut = cache.Subset([0, 1, 2]);
        Assert.Equal(range, Calibration.Compute(model, heldOut, progress: null).Contrast);
        var own = Calibration.Compute(model.Network, model.Options, heldOut, progress: null).Contrast;
        Assert.NotNull(own);
        Assert.NotEqual(range, own);
        Assert.Null(Calibration.Compute(model.Network, model.Options with { Normalization = InputNormalization.None }, heldOut, progress: null).Contrast);
    }

    [Fact]
    public void AModelThatKeepsThePixelsAsLoadedRecordsNoContrast()
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 32, TrainCount = 8, TestGoodCount = 1, TestDefectCount = 1, Seed = 3 });
        using var model = SsmTrainer.Train(data.Train, TinyModelFixture.TinyOptions(epochs: 1));
        Assert.Null(model.Calibration!.Contrast);
    }
}
