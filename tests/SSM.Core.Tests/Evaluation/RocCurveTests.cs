using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

public class RocCurveTests
{
    private const bool T = true, F = false;

    [Fact]
    public void HandWorkedCurve()
    {
        var curve = Roc.Curve([0.1f, 0.4f, 0.35f, 0.8f], [F, F, T, T]);
        Assert.Equal([float.PositiveInfinity, 0.8f, 0.4f, 0.35f, 0.1f], curve.Thresholds);
        Assert.Equal([0, 0, 0.5, 0.5, 1], curve.FalsePositiveRates);
        Assert.Equal([0, 0.5, 0.5, 1, 1], curve.TruePositiveRates);
    }

    [Fact]
    public void TiesAreOneDiagonalStep()
    {
        var curve = Roc.Curve([0.5f, 0.5f, 0.5f, 0.9f], [T, F, F, T]);
        Assert.Equal([float.PositiveInfinity, 0.9f, 0.5f], curve.Thresholds);
        Assert.Equal([0, 0, 1], curve.FalsePositiveRates);
        Assert.Equal([0, 0.5, 1], curve.TruePositiveRates);
    }

    [Fact]
    public void TrapezoidAreaEqualsAuroc()
    {
        var (scores, labels) = Reference.TiedSample(seed: 7, n: 2000, levels: 40);
        var curve = Roc.Curve(scores, labels);
        double area = 0;
        for (int i = 1; i < curve.Count; i++)
            area += (curve.FalsePositiveRates[i] - curve.FalsePositiveRates[i - 1])
                    * (curve.TruePositiveRates[i] + curve.TruePositiveRates[i - 1]) / 2;
        Assert.Equal(Roc.Auroc(scores, labels), area, 1e-12);
    }

    [Fact]
    public void DownsampleKeepsEndsOrderAndBound()
    {
        var (scores, labels) = Reference.TiedSample(seed: 8, n: 20000, levels: 100000);
        var full = Roc.Curve(scores, labels);
        Assert.True(full.Count > 1000);

        var small = Roc.Curve(scores, labels, maxPoints: 50);
        Assert.InRange(small.Count, 40, 50);
        Assert.Equal((0.0, 0.0), (small.FalsePositiveRates[0], small.TruePositiveRates[0]));
        Assert.Equal((1.0, 1.0), (small.FalsePositiveRates[^1], small.TruePositiveRates[^1]));
        Assert.Equal(float.PositiveInfinity, small.Thresholds[0]);
        for (int i = 1; i < small.Count; i++)
        {
            Assert.True(small.Thresholds[i] < small.Thresholds[i - 1]);
            Assert.True(small.FalsePositiveRates[i] >= small.FalsePositiveRates[i - 1]);
            Assert.True(small.TruePositiveRates[i] >= small.TruePositiveRates[i - 1]);
        }
        // Spread evenly along the curve's length (|dFPR| + |dTPR|, 2 in all): no two kept points further apart than one
        // spacing and the longest single step of the full curve.
        static double Step(RocCurve c, int i) => c.FalsePositiveRates[i] - c.FalsePositiveRates[i - 1] + c.TruePositiveRates[i] - c.TruePositiveRates[i - 1];
        double spacing = 2.0 / (50 - 1), longestStep = Enumerable.Range(1, full.Count - 1).Max(i => Step(full, i));
        for (int i = 1; i < small.Count; i++)
            Assert.True(Step(small, i) <= spacing + longestStep + 1e-12,
                $"points {i - 1} and {i} lie {Step(small, i):F4} apart (spacing {spacing:F4}, longest step {longestStep:F4})");
        // Every kept point is a point of the full curve.
        var fullPoints = Enumerable.Range(0, full.Count).Select(i => (full.Thresholds[i], full.FalsePositiveRates[i], full.TruePositiveRates[i])).ToHashSet();
        for (int i = 0; i < small.Count; i++)
            Assert.Contains((small.Thresholds[i], small.FalsePositiveRates[i], small.TruePositiveRates[i]), fullPoints);
    }

    [Fact]
    public void DownsampleOfSmallCurveIsIdentity()
    {
        var curve = Roc.Curve([0.1f, 0.4f, 0.35f, 0.8f], [F, F, T, T]);
        Assert.Same(curve, curve.Downsample(5));
        Assert.Equal(2, curve.Downsample(2).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => curve.Downsample(1));
    }

    /// <summary>A hand-made curve that never moves keeps its two ends.</summary>
    [Fact]
    public void DownsampleOfAFlatCurveKeepsItsEnds()
    {
        var flat = new RocCurve([0, 0, 0, 0], [0, 0, 0, 0], [4f, 3f, 2f, 1f]);
        Assert.Equal([4f, 1f], flat.Downsample(3).Thresholds);
    }

    /// <summary>Most of the length in the last step: no mark is passed before it, so the ends alone, the last one once.</summary>
    [Fact]
    public void DownsampleOfACurveThatMovesAtItsEndKeepsEachEndOnce()
    {
        var late = new RocCurve([0, 0, 0, 0, 0, 1], [0, 0.01, 0.02, 0.03, 0.04, 1], [6f, 5f, 4f, 3f, 2f, 1f]);
        Assert.Equal([6f, 1f], late.Downsample(4).Thresholds);
    }

    [Fact]
    public void CurveArraysMustBeOfOneLength()
    {
        Assert.Throws<ArgumentException>(() => new RocCurve([0, 1], [0, 1], [1f]));
        Assert.Throws<ArgumentException>(() => new RocCurve([0, 1], [0], [2f, 1f]));
    }

    [Fact]
    public void OneClassThrows()
        => Assert.Throws<ArgumentException>(() => Roc.Curve([0.1f, 0.2f], [F, F]));
}
