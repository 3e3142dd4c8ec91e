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
    public void StatisticsAreThePixelMeanAndDeviationShrunkTowardsThePlane()
    {
        // Two pixels, four maps: pixel 0 is always 1 (no spread), pixel 1 is 0, 2, 0, 2 (mean 1, sample variance 4/3).
        var maps = new List<float[]> { new[] { 1f, 0f }, new[] { 1f, 2f }, new[] { 1f, 0f }, new[] { 1f, 2f } };
        var s = NormalMapStatistics.Compute(maps, kinds: 1);
        double own = 4.0 / (4 + NormalMapStatistics.PriorImages), prior = 1 - own;
        double planeVariance = (0 + 4.0 / 3) / 2;
        Assert.Equal(1f, s.Mean[0], 5);
        Assert.Equal(1f, s.Mean[1], 5);
        Assert.Equal(Math.Sqrt(prior * planeVariance), s.Scale[0], 4);   // no own spread: only the plane's
        Assert.Equal(Math.Sqrt(own * 4.0 / 3 + prior * planeVariance), s.Scale[1], 4);
    }

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
        var maps = Enumerable.Range(0, 4).Select(_ => new float[] { 0.5f, 0.5f }).ToList();
        var s = NormalMapStatistics.Compute(maps, kinds: 1);
        Assert.All(s.Scale, v => Assert.True(v > 0));
        Assert.True(float.IsFinite(s.MaxStandardized(new[] { 0.6f, 0.5f })));
    }
}
