using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class NormalMapStatisticsTests
{
    private static List<float[]> RandomMaps(int count, int length, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(p => (float)(rng.NextDouble() + 0.1 * p)).ToArray())];
    }

    /// <summary>Each map's leave-one-out score is its score under statistics computed from the maps outside its group of
    /// <paramref name="group"/> (an image's tiles), with the same minimum scale.</summary>
    private static void AssertEachScoredByTheOthers(List<float[]> maps, float[] scores, int kinds, int group = 1, float[]? minimumScale = null)
    {
        Assert.Equal(maps.Count, scores.Length);
        for (int i = 0; i < maps.Count; i++)
        {
            var others = maps.Where((_, j) => j / group != i / group).ToList();
            Assert.Equal(NormalMapStatistics.Compute(others, kinds, minimumScale).MaxStandardized(maps[i]), scores[i], 4);
        }
    }

    [Fact]
    public void StatisticsAreThePixelMeanAndDeviationShrunkTowardsTheirPrior()
    {
        // 3 x 3 maps, four of them. Corners 4, 6, 4, 6 (mean 5, sample variance 4/3); the top edge's middle always 3; the
        // other three edge middles 0, 2, 0, 2 (mean 1, variance 4/3); the centre always 1.
        float[] Map(int i) { float c = i % 2 == 0 ? 4 : 6, e = i % 2 == 0 ? 0 : 2; return [c, 3, c, e, 1, e, c, e, c]; }
        var s = NormalMapStatistics.Compute([.. Enumerable.Range(0, 4).Select(Map)], kinds: 1);
        double own = 4.0 / (4 + NormalMapStatistics.PriorImages), prior = 1 - own;
        double[] mean = [5, 3, 5, 1, 1, 1, 5, 1, 5], variance = [4.0 / 3, 0, 4.0 / 3, 4.0 / 3, 0, 4.0 / 3, 4.0 / 3, 4.0 / 3, 4.0 / 3];
        double[] priorMean = NormalMapStatistics.Prior(mean, 3), priorVariance = NormalMapStatistics.Prior(variance, 3);
        for (int p = 0; p < 9; p++)
        {
            Assert.Equal(own * mean[p] + prior * priorMean[p], s.Mean[p], 4);
            Assert.Equal(Math.Sqrt(own * variance[p] + prior * priorVariance[p]), s.Scale[p], 4);
        }
        Assert.True(s.Scale[1] > 0, "a pixel without spread of its own takes the prior's");
    }

    [Fact]
    public void ThePriorOfSymmetricValuesIsTheValuesThemselves()
    {
        // Under the square's mirrors and quarter turns the corners are one orbit, the edge middles another, the centre a third.
        double[] values = [5, 2, 5, 2, 1, 2, 5, 2, 5];
        Assert.Equal(values, NormalMapStatistics.Prior(values, 3).Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void ThePriorLeansWithThePixelsNeighbourhood()
    {
        // Only the top edge's middle differs from its orbit (whose mean is 1.5): its neighbourhood (the upper two rows) is
        // brighter than its mirror images', so its prior leans towards its own value, as the bottom edge's leans away.
        double[] values = [5, 3, 5, 1, 1, 1, 5, 1, 5];
        var prior = NormalMapStatistics.Prior(values, 3);
        Assert.True(prior[1] > prior[7], "the top edge's middle should stay above the bottom one's");
        Assert.True(prior[1] < 3, "the top edge's middle should be drawn towards its orbit (mean 1.5)");
        Assert.Equal(1.0, prior[4], 10);   // the centre is its own orbit
    }

    [Fact]
    public void ARampsPriorIsItsNeighbourhoodsMean()
    {
        // 1 + x on a 4 x 4 plane: every pixel's mirror images average 2.5, and so do their neighbourhoods' means (radius 1,
        // cut at the edges: 1.5, 2, 3, 3.5 by column), so the tilt makes the prior each column's neighbourhood mean.
        var values = Enumerable.Range(0, 16).Select(p => 1.0 + p % 4).ToArray();
        double[] byColumn = [1.5, 2, 3, 3.5];
        Assert.Equal(Enumerable.Range(0, 16).Select(p => byColumn[p % 4]), NormalMapStatistics.Prior(values, 4).Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void ANeighbourhoodThatNeverVariedTakesAnEighthOfItsMirrorImages()
    {
        // Left half 0, right half 1: the pixel at (0, 16) averages 0.5 over its mirror images, its neighbourhood 0.
        var values = Enumerable.Range(0, 32 * 32).Select(p => p % 32 < 16 ? 0.0 : 1.0).ToArray();
        Assert.Equal(0.5 / 8, NormalMapStatistics.Prior(values, 32)[16 * 32], 10);
    }

    [Fact]
    public void ThePriorTurnsWithTheValues()
    {
        const int side = 12;
        var rng = new Random(7);
        var values = Enumerable.Range(0, side * side).Select(_ => 1 + rng.NextDouble()).ToArray();
        double[] Mirrored(double[] v) => [.. Enumerable.Range(0, side * side).Select(p => v[p / side * side + side - 1 - p % side])];
        double[] Transposed(double[] v) => [.. Enumerable.Range(0, side * side).Select(p => v[p % side * side + p / side])];
        var prior = NormalMapStatistics.Prior(values, side);
        Assert.Equal(Mirrored(prior).Select(v => Math.Round(v, 9)), NormalMapStatistics.Prior(Mirrored(values), side).Select(v => Math.Round(v, 9)));
        Assert.Equal(Transposed(prior).Select(v => Math.Round(v, 9)), NormalMapStatistics.Prior(Transposed(values), side).Select(v => Math.Round(v, 9)));
    }

    /// <summary>A line-scan strip's lighting rises along it, and so do the network's errors. Mirroring alone would give
    /// both ends the same prior, and the bright end of every good strip's map stood out.</summary>
    [Fact]
    public void ALightingRampIsNormalWithFewMaps()
    {
        const int side = 32;
        var rng = new Random(5);
        float[] Normal() => [.. Enumerable.Range(0, side * side).Select(p => (1f + 3f * (p % side) / side) * (1 + 0.2f * rng.NextSingle()))];
        var s = NormalMapStatistics.Compute([Normal(), Normal(), Normal(), Normal(), Normal()], kinds: 1);
        var strip = Normal();
        var z = Enumerable.Range(0, side * side).Select(p => (strip[p] - s.Mean[p]) / s.Scale[p]).ToArray();
        double Third(int i) => Enumerable.Range(0, side * side).Where(p => p % side * 3 / side == i).Average(p => z[p]);
        Assert.True(Math.Abs(Third(2) - Third(0)) < 0.5, $"bright third {Third(2):F2}, dark third {Third(0):F2}");
        Assert.True(s.MaxStandardized(strip) < 5, $"a normal strip scored {s.MaxStandardized(strip)}");
    }

    /// <summary>With few held-out images the statistics are mostly the prior's: a border where the network errs on every
    /// normal image must stay normal, as a spot inside must not.</summary>
    [Fact]
    public void ABorderEveryNormalMapHasIsNormalWithFewMaps()
    {
        const int side = 16;
        var rng = new Random(4);
        float[] Normal() => [.. Enumerable.Range(0, side * side).Select(p =>
            (p % side is 0 or side - 1 || p / side is 0 or side - 1 ? 4f : 1f) + 0.1f * rng.NextSingle())];
        var s = NormalMapStatistics.Compute([Normal(), Normal(), Normal(), Normal(), Normal()], kinds: 1);
        Assert.True(s.MaxStandardized(Normal()) < 4, $"a normal map scored {s.MaxStandardized(Normal())}");
        var spot = Normal();
        spot[8 * side + 8] += 2;
        Assert.True(s.MaxStandardized(spot) > 10, $"a spot scored {s.MaxStandardized(spot)}");
    }

    /// <summary>Half the scene never varied on the held-out images (a saturated background): its mirror images still lend it
    /// some spread, so a new good image that varies a little there is not flagged.</summary>
    [Fact]
    public void AHalfThatNeverVariedKeepsSomeSpreadFromItsMirrorImages()
    {
        const int side = 16;
        var rng = new Random(6);
        float[] Normal(float still) => [.. Enumerable.Range(0, side * side).Select(p => p % side < side / 2 ? still : 1 + rng.NextSingle())];
        var s = NormalMapStatistics.Compute([Normal(0), Normal(0), Normal(0), Normal(0), Normal(0)], kinds: 1);
        Assert.True(s.MaxStandardized(Normal(0.05f)) < 5, $"a good image scored {s.MaxStandardized(Normal(0.05f))}");
    }

    [Fact]
    public void MapsThatAreNotSquareAreRefused() =>
        Assert.Throws<ArgumentException>(() => NormalMapStatistics.Compute([new[] { 1f, 0f }, new[] { 1f, 2f }], kinds: 1));

    /// <summary>Each refused by its own check, not by an index past a short map or a division by a count of one.</summary>
    [Fact]
    public void TooFewMapsAndMapsOfDifferentSizesAreRefused()
    {
        var maps = RandomMaps(3, 4, seed: 1);
        Assert.Contains("at least 2 maps", Assert.Throws<ArgumentException>(() => NormalMapStatistics.Compute(maps[..1], kinds: 1)).Message);
        Assert.Equal(4, NormalMapStatistics.Compute(maps[..2], kinds: 1).Scale.Length);
        Assert.Contains("at least 3 maps", Assert.Throws<ArgumentException>(() => NormalMapStatistics.LeaveOneOutScores(maps[..2], kinds: 1)).Message);
        Assert.Equal(3, NormalMapStatistics.LeaveOneOutScores(maps, kinds: 1).Length);
        float[][] uneven = [new float[4], new float[4], new float[9]];
        Assert.Contains("same size", Assert.Throws<ArgumentException>(() => NormalMapStatistics.Compute(uneven, kinds: 1)).Message);
        Assert.Contains("same size", Assert.Throws<ArgumentException>(() => NormalMapStatistics.Compute(uneven.Reverse().ToArray(), kinds: 1)).Message);
    }

    /// <summary>
    /// A floor under each pixel's scale (the first round's spread, where refinement leaves cells visible and their own spread
    /// is about nothing): a pixel whose scale lies below its floor takes the floor, the others keep theirs, plane by plane, and
    /// the leave-one-out scores standardise with the floored scale too.
    /// </summary>
    [Fact]
    public void AMinimumScaleRaisesEachPixelsScaleToItsOwnFloor()
    {
        var maps = RandomMaps(5, 2 * 9, seed: 7);   // two planes of 3 x 3
        var free = NormalMapStatistics.Compute(maps, kinds: 2);
        // Floors far above the scale on pixel 4 of the first plane and pixel 2 of the second, far below elsewhere.
        var floor = free.Scale.Select(v => v / 10).ToArray();
        floor[4] = 50;
        floor[9 + 2] = 70;
        var floored = NormalMapStatistics.Compute(maps, kinds: 2, floor);
        for (int p = 0; p < floor.Length; p++)
            Assert.Equal(p is 4 or 11 ? floor[p] : free.Scale[p], floored.Scale[p], 6);
        Assert.Equal(free.Mean, floored.Mean);
        AssertEachScoredByTheOthers(maps, NormalMapStatistics.LeaveOneOutScores(maps, kinds: 2, minimumScale: floor), kinds: 2, minimumScale: floor);
        var wrong = Assert.Throws<ArgumentException>(() => NormalMapStatistics.Compute(maps, kinds: 2, new float[9]));
        Assert.Equal("minimumScale", wrong.ParamName);
    }

    [Fact]
    public void LeaveOneOutScoresEqualStatisticsComputedWithoutEachMap()
    {
        var maps = RandomMaps(6, 2 * 9, seed: 3);   // two planes of 3 x 3
        AssertEachScoredByTheOthers(maps, NormalMapStatistics.LeaveOneOutScores(maps, kinds: 2), kinds: 2);
    }

    /// <summary>An image's tiles are left out together: its other tiles share its lighting (and, overlapping, its pixels).</summary>
    [Fact]
    public void LeaveOneOutScoresLeaveOutAMapsWholeGroup()
    {
        var maps = RandomMaps(6, 9, seed: 5);   // three images of two tiles
        AssertEachScoredByTheOthers(maps, NormalMapStatistics.LeaveOneOutScores(maps, kinds: 1, group: 2), kinds: 1, group: 2);
        // Two images of two tiles: each image's tiles are scored by the other image's two, enough for statistics.
        AssertEachScoredByTheOthers(maps[..4], NormalMapStatistics.LeaveOneOutScores(maps[..4], kinds: 1, group: 2), kinds: 1, group: 2);
        // One image of three tiles leaves nothing to compare with: each tile is left out alone.
        Assert.Equal(NormalMapStatistics.LeaveOneOutScores(maps[..3], kinds: 1), NormalMapStatistics.LeaveOneOutScores(maps[..3], kinds: 1, group: 3));
        Assert.Throws<ArgumentException>(() => NormalMapStatistics.LeaveOneOutScores(maps, kinds: 1, group: 4));
    }

    /// <summary>
    /// With two restoration errors (the default's MS-GMS and squared error) each plane's mean and scale are its own, as if
    /// computed alone; a score over some planes standardises those planes only, and a map's level is the mean over its
    /// pixels and planes.
    /// </summary>
    [Fact]
    public void EachPlaneHasItsOwnStatistics()
    {
        var maps = RandomMaps(5, 2 * 9, seed: 8);   // two planes of 3 x 3
        foreach (var m in maps) for (int p = 9; p < 18; p++) m[p] = 10 + 3 * m[p];   // the second plane larger and wider
        var both = NormalMapStatistics.Compute(maps, kinds: 2);
        var first = NormalMapStatistics.Compute([.. maps.Select(m => m[..9])], kinds: 1);
        var second = NormalMapStatistics.Compute([.. maps.Select(m => m[9..])], kinds: 1);
        Assert.Equal([.. first.Mean, .. second.Mean], both.Mean);
        Assert.Equal([.. first.Scale, .. second.Scale], both.Scale);

        float[] map = [.. Enumerable.Range(0, 18).Select(p => p < 9 ? 0.5f + p : 12f - p)];
        Assert.Equal(second.MaxStandardized(map[9..]), both.MaxStandardized(map, (1, 1)), 5);
        Assert.Equal(first.MaxStandardized(map[..9]), both.MaxStandardized(map, (0, 1)), 5);
        double level = Enumerable.Range(0, 18).Average(p => (map[p] - both.Mean[p]) / both.Scale[p]);
        Assert.Equal(level, both.MeanStandardized(map, (0, 2)), 4);
        Assert.Equal(second.MeanStandardized(map[9..], (0, 1)), both.MeanStandardized(map, (1, 1)), 4);
    }

    [Fact]
    public void TensorStandardisationMatchesMaxStandardized()
    {
        var maps = RandomMaps(5, 2 * 16, seed: 4);
        var s = NormalMapStatistics.Compute(maps, kinds: 2);
        var (mean, scale) = s.ToTensors(side: 4, kinds: 2, CPU);
        using (mean)
        using (scale)
        using (var batch = tensor(maps[0], [1, 2, 4, 4]))
        using (var z = batch.sub(mean).div(scale).mean([1], keepdim: true))
            Assert.Equal(s.MaxStandardized(maps[0]), z.max().item<float>(), 4);
        // The message says what the statistics hold against what the model's maps need: a saved file read wrongly, not a bug.
        Assert.Equal("The map statistics hold 2 plane(s) of 16 pixels; the model's maps have 1 of 16.",
            Assert.Throws<InvalidDataException>(() => s.ToTensors(side: 4, kinds: 1, CPU)).Message);
        Assert.Equal("The map statistics hold 2 plane(s) of 16 pixels; the model's maps have 2 of 25.",
            Assert.Throws<InvalidDataException>(() => s.ToTensors(side: 5, kinds: 2, CPU)).Message);
    }

    [Fact]
    public void IdenticalMapsStayFinite()
    {
        var maps = Enumerable.Range(0, 4).Select(_ => new float[] { 0.5f, 0.5f, 0.5f, 0.5f }).ToList();
        var s = NormalMapStatistics.Compute(maps, kinds: 1);
        Assert.All(s.Scale, v => Assert.True(v > 0));
        Assert.True(float.IsFinite(s.MaxStandardized(new[] { 0.6f, 0.5f, 0.5f, 0.5f })));
    }
}
