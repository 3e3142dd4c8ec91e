using SSM.Core.Network;
using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class AnomalyScorerTests : IDisposable
{
    private static readonly SsmOptions Options = new()
    {
        ImageSize = 16,
        Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 },
        Scoring = new ScoringOptions { RefinementRounds = 2 },
    };
    private readonly InpaintingNetwork network;

    public AnomalyScorerTests()
    {
        manual_seed(11);
        network = new InpaintingNetwork(Options.Network);
        network.eval();
    }

    public void Dispose() => network.Dispose();

    [Fact]
    public void ScoreIsTheMaximumOfTheMapWhenBothUseOneError()
    {
        var options = Options with { Scoring = Options.Scoring with { Error = RestorationError.Both, ImageScoreError = RestorationError.Both } };
        using var scorer = new AnomalyScorer(network, options, refinementThreshold: null);
        using var images = rand(3, 1, 16, 16);
        using var scored = scorer.Score(images);
        Assert.Equal(new long[] { 3, 1, 16, 16 }, scored.Maps.shape);
        Assert.True(scored.Scores.allclose(scored.Maps.amax([1, 2, 3])));
    }

    /// <summary>A tile whose contrast lies far below the training tiles' scores by it, and its map shows that score, so the
    /// heat map outlines where a flat area lies in a large image; a whole frame's map shows nothing (nothing to locate),
    /// and a tile of ordinary contrast keeps its map.</summary>
    [Fact]
    public void ATilesContrastFloorShowsOnItsMap_AWholeFramesDoesNot()
    {
        var contrast = (new ContrastRange(Math.Log(0.3), 0.15), NormalMean: 1f, NormalStd: 0.5f);
        var single = Options with { Scoring = Options.Scoring with { RefinementRounds = 1 } };
        using var images = cat([rand(1, 1, 16, 16), full(1, 1, 16, 16, 0.5f)]);   // a textured tile, a flat one
        ScoredBatch Scored(SsmOptions options)
        {
            using var scorer = new AnomalyScorer(network, options, refinementThreshold: null, lowContrast: contrast);
            return scorer.Score(images);
        }
        using var whole = Scored(single);
        using var tiled = Scored(single with { Tiles = new SSM.Core.Data.TileGrid(2, 1) });
        Assert.Equal(whole.Scores.data<float>().ToArray(), tiled.Scores.data<float>().ToArray());
        var (flatScore, flatMax) = (whole.Scores[1].item<float>(), whole.Maps[1].max().item<float>());
        Assert.True(flatScore > flatMax + 1, $"the flat tile scores {flatScore} by its contrast, its map reaches {flatMax}");
        // The whole tile at its score: the least map value that reaches it, so the heat map's line meets the verdict's.
        Assert.Equal(flatScore, tiled.Maps[1].min().item<float>());
        Assert.Equal(flatScore, tiled.Maps[1].max().item<float>());
        Assert.Equal(whole.Maps[0].data<float>().ToArray(), tiled.Maps[0].data<float>().ToArray());
    }

    /// <summary>With a size correction a tile's map lies its offset (the normal maximum less the normal level) above its
    /// score: a tile raised by its contrast shows the least map value whose line, drawn that offset above the score, it
    /// reaches, not the score itself.</summary>
    [Fact]
    public void ATilesContrastFloorShowsOnItsMapAboveTheSizeCorrectionsOffset()
    {
        var contrast = (new ContrastRange(Math.Log(0.3), 0.15), NormalMean: 1f, NormalStd: 0.5f);
        var size = new SizeEffect(LevelIntercept: 0.3f, LevelSlope: 0, ScoreIntercept: 1.1f, ScoreSlope: 0);
        float offset = size.MapOffset(5);
        var tiled = Options with { Scoring = Options.Scoring with { RefinementRounds = 1 }, Tiles = new SSM.Core.Data.TileGrid(2, 1) };
        using var images = cat([rand(1, 1, 16, 16), full(1, 1, 16, 16, 0.5f)]);
        using var scorer = new AnomalyScorer(network, tiled, refinementThreshold: null, sizeEffect: size, lowContrast: contrast);
        using var scored = scorer.Score(images, [5.0, 5.0]);

        float score = scored.Scores[1].item<float>(), shown = scored.Maps[1].min().item<float>();
        Assert.Equal(shown, scored.Maps[1].max().item<float>());
        Assert.True(shown - offset >= score, $"the map shows {shown}, whose line {shown - offset} is below the score {score}");
        Assert.True(MathF.BitDecrement(shown) - offset < score, $"the map shows {shown}, more than the least value reaching {score}");
    }

    /// <summary>Refinement cells that do not divide the image (56 px in cells of 56 / 16 = 3; here 24 in cells of 5) are
    /// cut off at its border: the second round's masks kept a column too many, and libtorch failed on them.</summary>
    [Fact]
    public void RefinementCellsThatDoNotDivideTheImageAreCutAtItsBorder()
    {
        var options = Options with { ImageSize = 24, Scoring = Options.Scoring with { RefinementCellSize = 5 } };
        using var scorer = new AnomalyScorer(network, options, refinementThreshold: 0.5f);
        using var images = rand(2, 1, 24, 24);
        using var scored = scorer.Score(images);
        Assert.Equal(new long[] { 2, 1, 24, 24 }, scored.Maps.shape);
        Assert.True(scored.Scores.isfinite().all().item<bool>());
    }

    /// <summary>One round's unsmoothed raw maps of <paramref name="images"/> with these cell sizes, weighed so, in 6 masks each.</summary>
    private Tensor RawMaps(Tensor images, int[] cells, CellWeighting weighting)
    {
        var options = Options with
        {
            Masking = Options.Masking with { CellSizes = cells, ScoringGroups = 6 },
            Scoring = Options.Scoring with { CellWeighting = weighting, SmoothingSigma = 0 },
        };
        using var scorer = new AnomalyScorer(network, options, refinementThreshold: null);
        return scorer.RawMaps(images, 1);
    }

    /// <summary>Each image's first-round raw maps (K x S x S values) as an uncalibrated scorer under <paramref name="options"/> gives them.</summary>
    private List<float[]> RawMapsPerImage(SsmOptions options, Tensor images)
    {
        using var scorer = new AnomalyScorer(network, options, null);
        using var raw = scorer.RawMaps(images, 1);
        return [.. raw.data<float>().ToArray().Chunk((int)(raw.numel() / images.shape[0]))];
    }

    [Fact]
    public void CellWeightingWeighsTheCellSizesMapsAndNormalisesTheWeights()
    {
        using var images = rand(2, 1, 16, 16);
        Tensor Raw(int[] cells, CellWeighting weighting) => RawMaps(images, cells, weighting);
        // One cell size: either weighting is that size's map, whatever its raw weight (k^2 / S^2 normalised to 1).
        using (var equal = Raw([4], CellWeighting.Equal))
        using (var large = Raw([4], CellWeighting.LargeCells))
            Assert.True(equal.allclose(large, rtol: 0, atol: 0));
        // Two: the authors' 1/(S/k)^2 favours the larger cells, so the maps differ.
        using var equalTwo = Raw([2, 8], CellWeighting.Equal);
        using var largeTwo = Raw([2, 8], CellWeighting.LargeCells);
        Assert.False(equalTwo.allclose(largeTwo, rtol: 1e-3, atol: 1e-6));
    }

    /// <summary>Two cell sizes' map is each size's own map weighed equally, or by the cell's area k^2 / S^2 (the authors'),
    /// normalised to sum to 1. At 16 px, 8 px cells are 4 cells for 6 masks, each hidden alone whichever shuffle: their
    /// map is the same however the masks were drawn. A mutant weighing by S^2 x k^2 or dividing by the largest weight
    /// passed the test above, and so did one that restored every cell size from the first size's passes.</summary>
    [Fact]
    public void TwoCellSizesMapIsTheWeightedMeanOfEachSizesOwnMap()
    {
        using var images = rand(2, 1, 16, 16);
        Tensor Raw(int[] cells, CellWeighting weighting) => RawMaps(images, cells, weighting);
        using var small = Raw([2], CellWeighting.Equal);   // the first masks drawn, as for [2, 8]
        using var large = Raw([8], CellWeighting.Equal);
        using var equal = Raw([2, 8], CellWeighting.Equal);
        using var byArea = Raw([2, 8], CellWeighting.LargeCells);
        using var equalMix = small.add(large).div(2);
        using var areaMix = small.mul(4f / 68).add(large.mul(64f / 68));
        Assert.True(equal.allclose(equalMix, rtol: 1e-4, atol: 1e-6), $"max difference {equal.sub(equalMix).abs().max().item<float>()}");
        Assert.True(byArea.allclose(areaMix, rtol: 1e-4, atol: 1e-6), $"max difference {byArea.sub(areaMix).abs().max().item<float>()}");
    }

    [Fact]
    public void ScoringMasksFollowScoringGroupsNotTheTrainingGroups()
    {
        using var images = rand(2, 1, 16, 16);
        Tensor Raw(int groups, int scoringGroups)
        {
            var o = Options with { Masking = Options.Masking with { Groups = groups, ScoringGroups = scoringGroups } };
            using var scorer = new AnomalyScorer(network, o, null);
            return scorer.RawMaps(images, 1);
        }
        using var threeOfThree = Raw(3, 3);
        using var threeOfFive = Raw(5, 3);
        using var sixOfThree = Raw(3, 6);
        Assert.True(threeOfThree.allclose(threeOfFive, rtol: 0, atol: 0));
        Assert.False(threeOfThree.allclose(sixOfThree));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    public void RejectsScoringGroupsOutOfRange(int groups)
    {
        var options = Options with { Masking = Options.Masking with { ScoringGroups = groups } };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal("ScoringGroups", e.ParamName);
    }

    [Fact]
    public void RejectsAnUnknownImageScoreError()
    {
        var options = Options with { Scoring = Options.Scoring with { ImageScoreError = (RestorationError)7 } };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal("ImageScoreError", e.ParamName);
    }

    [Fact]
    public void BothErrorsGiveOneRawPlaneEachAndTheirMeanAsTheMap()
    {
        using var images = rand(2, 1, 16, 16);
        var planes = new List<Tensor>();
        foreach (var error in new[] { RestorationError.MsGms, RestorationError.SquaredError })
        {
            using var single = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { Error = error, ImageScoreError = error } }, null);
            planes.Add(single.RawMaps(images, 1));
        }
        using var both = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { Error = RestorationError.Both } }, null);
        using var raw = both.RawMaps(images, 1);
        Assert.Equal(new long[] { 2, 2, 16, 16 }, raw.shape);
        Assert.True(raw.narrow(1, 0, 1).allclose(planes[0], atol: 1e-6) && raw.narrow(1, 1, 1).allclose(planes[1], atol: 1e-6));
        using var scored = both.Score(images, 1);
        Assert.True(scored.Maps.allclose(planes[0].add(planes[1]).div(2), atol: 1e-6));
        planes.ForEach(p => p.Dispose());
    }

    [Fact]
    public void StandardisedMapsSubtractTheNormalMeanAndDivideByTheScale()
    {
        var options = Options with { Scoring = Options.Scoring with { Error = RestorationError.Both, ImageScoreError = RestorationError.Both } };
        using var images = rand(4, 1, 16, 16);
        var maps = RawMapsPerImage(options, images);
        var statistics = NormalMapStatistics.Compute(maps, kinds: 2);
        using var standardized = new AnomalyScorer(network, options, null, statistics);
        using var scored = standardized.Score(images, 1);
        for (int i = 0; i < 4; i++)
            Assert.Equal(statistics.MaxStandardized(maps[i]), scored.Scores[i].item<float>(), 4);
    }

    [Fact]
    public void TheMapFollowsErrorAndTheScoreFollowsImageScoreError()
    {
        using var images = rand(4, 1, 16, 16);
        SsmOptions With(RestorationError map, RestorationError score) =>
            Options with { Scoring = Options.Scoring with { Error = map, ImageScoreError = score } };
        List<float[]> RawOf(SsmOptions o) => RawMapsPerImage(o, images);
        ScoredBatch Scored(SsmOptions o, NormalMapStatistics? statistics)
        {
            using var scorer = new AnomalyScorer(network, o, null, statistics);
            return scorer.Score(images, 1);
        }

        // Standardised: the map of a Both model, the score of an MS-GMS model (plane statistics are per plane).
        var split = With(RestorationError.Both, RestorationError.MsGms);
        var statistics = NormalMapStatistics.Compute(RawOf(split), kinds: 2);
        var msGmsStatistics = NormalMapStatistics.Compute(RawOf(With(RestorationError.MsGms, RestorationError.MsGms)), kinds: 1);
        using (var a = Scored(split, statistics))
        using (var map = Scored(With(RestorationError.Both, RestorationError.Both), statistics))
        using (var score = Scored(With(RestorationError.MsGms, RestorationError.MsGms), msGmsStatistics))
        {
            Assert.True(a.Maps.allclose(map.Maps, rtol: 0, atol: 0));
            Assert.True(a.Scores.allclose(score.Scores, rtol: 1e-5, atol: 1e-6));
            Assert.False(a.Scores.allclose(map.Scores));
        }

        // Raw maps, errors that do not overlap: both are computed, each used for its own purpose.
        var crossed = With(RestorationError.SquaredError, RestorationError.MsGms);
        Assert.Equal(2, crossed.Scoring.ErrorKinds);
        using (var c = Scored(crossed, null))
        using (var squared = Scored(With(RestorationError.SquaredError, RestorationError.SquaredError), null))
        using (var msGms = Scored(With(RestorationError.MsGms, RestorationError.MsGms), null))
        {
            Assert.True(c.Maps.allclose(squared.Maps, atol: 1e-7));
            Assert.True(c.Scores.allclose(msGms.Scores, atol: 1e-7));
        }
    }

    [Fact]
    public void AnImageScoresTheSameAloneAndInABatch()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: 0.05f);
        using var images = rand(4, 1, 16, 16);
        using var together = scorer.Score(images);
        using var alone = scorer.Score(images[2..3]);
        Assert.True(alone.Maps.allclose(together.Maps[2..3], rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void ForwardChunkingDoesNotChangeScores()
    {
        using var images = rand(3, 1, 16, 16);
        using var big = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var small = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { MaxForwardBatch = 2 } }, refinementThreshold: null);
        using var a = big.Score(images);
        using var b = small.Score(images);
        Assert.True(a.Maps.allclose(b.Maps, rtol: 1e-4, atol: 1e-6));
    }

    [Theory]
    [InlineData(144, 64, new long[] { 48, 48, 48 })]
    [InlineData(130, 64, new long[] { 44, 43, 43 })]
    [InlineData(64, 64, new long[] { 64 })]
    [InlineData(5, 2, new long[] { 2, 2, 1 })]
    [InlineData(1, 64, new long[] { 1 })]
    public void ForwardPassesAreAsEqualAsCanBe(long total, int most, long[] expected)
    {
        Assert.Equal(expected, AnomalyScorer.PassSizes(total, most));
    }

    /// <summary>Where oneDNN is off, a pass unfolds at most 30 MB (2 x width x 9 float32 values per pixel): fewer images as
    /// they or the network grow, never none, never more than MaxForwardBatch.</summary>
    [Theory]
    [InlineData(64, 16, 64, 6)]
    [InlineData(32, 16, 64, 26)]
    [InlineData(16, 16, 64, 64)]
    [InlineData(128, 16, 64, 1)]
    [InlineData(1024, 16, 64, 1)]
    [InlineData(64, 64, 64, 1)]
    [InlineData(64, 16, 2, 2)]
    [InlineData(32, 8, 64, 53)]
    public void WithoutOneDnnForwardPassesUnfoldAtMost30Megabytes(int imageSize, int baseWidth, int maxForwardBatch, int expected)
    {
        int most = new ScoringOptions { MaxForwardBatch = maxForwardBatch }.ResolveForwardBatch(imageSize, baseWidth, ScalarType.Float32, oneDnn: false);

        Assert.Equal(expected, most);
        Assert.True(most == 1 || most * (long)imageSize * imageSize * 2 * baseWidth * 9 * 4 <= ScoringOptions.MaxUnfoldedBytes);
    }

    /// <summary>Where oneDNN runs the convolutions, a pass's largest activation (2 x width channels at full resolution, in
    /// the pass's format) is at most 16 MB: twice the images in bfloat16 as in float32, never none, never more than
    /// MaxForwardBatch.</summary>
    [Theory]
    [InlineData(64, 16, 64, true, 64)]
    [InlineData(64, 16, 64, false, 32)]
    [InlineData(128, 16, 64, true, 16)]
    [InlineData(128, 16, 64, false, 8)]
    [InlineData(256, 16, 64, true, 4)]
    [InlineData(1024, 16, 64, false, 1)]
    [InlineData(64, 64, 64, true, 16)]
    [InlineData(64, 16, 2, true, 2)]
    public void WithOneDnnForwardPassesHoldAtMost16MegabytesOfActivations(int imageSize, int baseWidth, int maxForwardBatch, bool bfloat16, int expected)
    {
        var format = bfloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        int most = new ScoringOptions { MaxForwardBatch = maxForwardBatch }.ResolveForwardBatch(imageSize, baseWidth, format, oneDnn: true);

        Assert.Equal(expected, most);
        Assert.True(most == 1 || most * (long)imageSize * imageSize * 2 * baseWidth * (bfloat16 ? 2 : 4) <= ScoringOptions.MaxActivationBytes);
    }

    [Fact]
    public void BFloat16ScoringStaysCloseToFloat32AndLeavesTheNetworkInFloat32()
    {
        using var images = rand(3, 1, 16, 16);
        using var full = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { Precision = NetworkPrecision.Float32 } }, refinementThreshold: null);
        using var low = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { Precision = NetworkPrecision.BFloat16 } }, refinementThreshold: null);
        using var a = full.Score(images);
        using var b = low.Score(images);
        Assert.Equal(NetworkPrecision.Float32, full.Precision);
        Assert.Equal(NetworkPrecision.BFloat16, low.Precision);
        Assert.Equal(ScalarType.Float32, b.Maps.dtype);
        Assert.False(a.Maps.equal(b.Maps).all().item<bool>(), "bfloat16 scoring gave float32's bits: the low-precision network was not used.");
        Assert.True(a.Maps.allclose(b.Maps, rtol: 0.05, atol: 0.01), $"max difference {a.Maps.sub(b.Maps).abs().max().item<float>()}");
        Assert.All(network.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void AutoPrecisionIsBFloat16ExactlyWhenTheCpuComputesItFaster()
    {
        using var scorer = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { Precision = NetworkPrecision.Auto } }, refinementThreshold: null);
        Assert.Equal(NativeBFloat16.FasterOnCpu ? NetworkPrecision.BFloat16 : NetworkPrecision.Float32, scorer.Precision);
    }

    [Fact]
    public void RefinementThatFindsEveryCellNormalRestoresNothing()
    {
        // Every cell normal -> every pixel visible in every mask -> restoration = input -> map 0.
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: float.MaxValue);
        using var images = rand(2, 1, 16, 16);
        using var scored = scorer.Score(images, rounds: 2);
        Assert.Equal(0f, scored.Scores.abs().max().item<float>(), 6);
    }

    [Fact]
    public void RefinementThatFindsNothingNormalRepeatsTheFirstRound()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: -1f);
        using var images = rand(2, 1, 16, 16);
        using var one = scorer.Score(images, rounds: 1);
        using var two = scorer.Score(images, rounds: 2);
        Assert.True(one.Maps.allclose(two.Maps, atol: 1e-6));
    }

    [Fact]
    public void RefinementNeedsACalibratedThreshold()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var images = rand(1, 1, 16, 16);
        var e = Assert.Throws<InvalidOperationException>(() => scorer.Score(images, rounds: 2));
        Assert.Contains("calibrated threshold", e.Message);   // not a null's Value deep in the refined masks
    }

    /// <summary>A scorer with a threshold scores all the options' rounds; without one, the first only.</summary>
    [Fact]
    public void ACalibratedScorerScoresEveryRound_AnUncalibratedOneTheFirst()
    {
        using var images = rand(2, 1, 16, 16);
        using var uncalibrated = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var first = uncalibrated.Score(images);
        using var firstOnly = uncalibrated.Score(images, rounds: 1);
        Assert.True(first.Maps.equal(firstOnly.Maps).all().item<bool>());

        float median = first.Maps.median().item<float>();   // half the pixels normal: refinement changes the map
        using var calibrated = new AnomalyScorer(network, Options, refinementThreshold: median);
        using var all = calibrated.Score(images);
        using var two = calibrated.Score(images, rounds: 2);
        Assert.True(all.Maps.equal(two.Maps).all().item<bool>());
        Assert.False(all.Maps.allclose(first.Maps, rtol: 1e-3, atol: 1e-5));
    }

    /// <summary>A network left in training mode is scored as in evaluation: batch norm by its running statistics, not
    /// by the batch's, so an image's score does not depend on the images scored beside it.</summary>
    [Fact]
    public void ANetworkInTrainingModeIsScoredInEvaluationMode()
    {
        using var images = rand(2, 1, 16, 16);
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var evaluated = scorer.Score(images);
        network.train();
        using var again = scorer.Score(images);
        Assert.False(network.training);
        Assert.True(evaluated.Maps.equal(again.Maps).all().item<bool>());
    }

    /// <summary>A scorer holds native tensors (masks, smoothing kernels, map statistics) and a scored batch two: disposed,
    /// they are freed, not left to the finaliser, which a server scoring thousands of images a minute would wait on.</summary>
    [Fact]
    public void DisposingAScorerAndItsBatchesFreesEveryTensorTheyHold()
    {
        using var images = rand(4, 1, 16, 16);
        var options = Options with { Scoring = Options.Scoring with { SmoothingSigma = 1 } };
        var statistics = NormalMapStatistics.Compute(RawMapsPerImage(options, images), options.Scoring.ErrorKinds);

        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var scorer = new AnomalyScorer(network, options, refinementThreshold: 0.05f, statistics);
        var scored = scorer.Score(images);
        Assert.True(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount > before);
        scored.Dispose();
        Assert.True(scored.Maps.IsInvalid && scored.Scores.IsInvalid);
        scorer.Dispose();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
