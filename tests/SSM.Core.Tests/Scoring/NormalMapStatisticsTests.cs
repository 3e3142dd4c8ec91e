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

    [Fact]
    public void StatisticsAreThePixelMeanAndDeviationShrunkTowardsTheirSymmetricMean()
    {
        // 3 x 3 maps, four of them. Corners 4, 6, 4, 6 (mean 5, sample variance 4/3); the top edge's middle always 3; the
        // other three edge middles 0, 2, 0, 2 (mean 1, variance 4/3); the centre always 1.
        float[] Map(int i) { float c = i % 2 == 0 ? 4 : 6, e = i % 2 == 0 ? 0 : 2; return [c, 3, c, e, 1, e, c, e, c]; }
        var s = NormalMapStatistics.Compute([.. Enumerable.Range(0, 4).Select(Map)], kinds: 1);
        double own = 4.0 / (4 + NormalMapStatistics.PriorImages), prior = 1 - own;
        // Under the square's mirrors and turns the corners are one orbit, the edge middles another, the centre a third.
        double edgeMean = (3 + 1 + 1 + 1) / 4.0, edgeVariance = (0 + 3 * 4.0 / 3) / 4;
        Assert.Equal(5f, s.Mean[0], 5);
        Assert.Equal(Math.Sqrt(4.0 / 3), s.Scale[0], 4);
        Assert.Equal(own * 3 + prior * edgeMean, s.Mean[1], 4);
        Assert.Equal(Math.Sqrt(prior * edgeVariance), s.Scale[1], 4);   // no own spread: only the orbit's
        Assert.Equal(own * 1 + prior * edgeMean, s.Mean[3], 4);
        Assert.Equal(Math.Sqrt(own * 4.0 / 3 + prior * edgeVariance), s.Scale[3], 4);
        Assert.Equal(1f, s.Mean[4], 5);
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

    [Fact]
    public void MapsThatAreNotSquareAreRefused() =>
        Assert.Throws<ArgumentException>(() => NormalMapStatistics.Compute([new[] { 1f, 0f }, new[] { 1f, 2f }], kinds: 1));

    [Fact]
    public void LeaveOneOutScoresEqualStatisticsComputedWithoutEachMap()
    {
        var maps = RandomMaps(6, 2 * 9, seed: 3);   // two planes of 3 x 3
        var scores = NormalMapStatistics.LeaveOneOutScores(maps, kinds: 2);
        for (int i = 0; i < maps.Count; i++)
        {
            var others = maps.Where((_, j) => j != i).ToList();
            Assert.Equal(NormalMapStatistics.Compute(others, kinds: 2).MaxStandardized(maps[i]), scores[i], 4);
        }
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
        Assert.Throws<InvalidDataException>(() => s.ToTensors(side: 4, kinds: 1, CPU));
        Assert.Throws<InvalidDataException>(() => s.ToTensors(side: 5, kinds: 2, CPU));
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
