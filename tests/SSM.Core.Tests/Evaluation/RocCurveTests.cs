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

    [Fact]
    public void OneClassThrows()
        => Assert.Throws<ArgumentException>(() => Roc.Curve([0.1f, 0.2f], [F, F]));
}
