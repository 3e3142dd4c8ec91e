using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class ConnectedComponentsTests
{
    private static (int[] Labels, List<int> Sizes) Label(string[] rows, List<int>? sizes = null)
    {
        int h = rows.Length, w = rows[0].Length;
        var mask = string.Concat(rows).Select(c => c == '#').ToArray();
        var labels = new int[h * w];
        sizes ??= [];
        ConnectedComponents.Label(mask, h, w, labels, sizes, new int[h * w]);
        return (labels, sizes);
    }

    [Fact]
    public void DiagonalChainIsOneRegion()
    {
        var (labels, sizes) = Label(["#...", ".#..", "..#.", "...#"]);
        Assert.Equal([4], sizes);
        Assert.Equal(0, labels[15]);
        Assert.Equal(-1, labels[1]);
    }

    [Fact]
    public void SeparatedBlobsAndRingWithHole()
    {
        var (labels, sizes) = Label(
        [
            "###...#",
            "#.#....",
            "###..##",
        ]);
        Assert.Equal([8, 1, 2], sizes);
        Assert.Equal(-1, labels[8]); // the hole of the ring is background
    }

    [Fact]
    public void RegionIndicesContinueAcrossCalls()
    {
        var sizes = new List<int> { 5, 7 };
        var (labels, _) = Label(["#.#"], sizes);
        Assert.Equal([2, -1, 3], labels);
        Assert.Equal([5, 7, 1, 1], sizes);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    public void MatchesUnionFindOnRandomMasks(int seed)
    {
        var rng = new Random(seed);
        const int h = 23, w = 17;
        var mask = Enumerable.Range(0, h * w).Select(_ => rng.NextDouble() < 0.45).ToArray();
        var labels = new int[h * w];
        var sizes = new List<int>();
        int found = ConnectedComponents.Label(mask, h, w, labels, sizes, new int[h * w]);
        var expected = Reference.LabelByUnionFind(mask, h, w, out int count);
        Assert.Equal(count, found);
        Assert.Equal(mask.Count(m => m), sizes.Sum());
        // Same partition (label numbers may differ): a bijection between the two labellings.
        var map = new Dictionary<int, int>();
        for (int p = 0; p < mask.Length; p++)
        {
            if (expected[p] < 0) { Assert.Equal(-1, labels[p]); continue; }
            if (!map.TryAdd(expected[p], labels[p])) Assert.Equal(map[expected[p]], labels[p]);
        }
        Assert.Equal(count, map.Values.Distinct().Count());
    }
}
