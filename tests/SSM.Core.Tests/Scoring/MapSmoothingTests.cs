using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class MapSmoothingTests
{
    [Fact]
    public void ConstantMapStaysConstant()
    {
        using var smoothing = new MapSmoothing(2.0);
        using var map = full(1, 1, 20, 20, 0.3f);
        using var smoothed = smoothing.Apply(map);
        Assert.True(smoothed.allclose(map, atol: 1e-6));
    }

    [Fact]
    public void ImpulseSpreadsButKeepsItsMassAwayFromBorders()
    {
        using var smoothing = new MapSmoothing(1.5);
        using var map = zeros(1, 1, 31, 31);
        map[0, 0, 15, 15] = tensor(1f);
        using var smoothed = smoothing.Apply(map);
        Assert.Equal(1.0, smoothed.sum().item<float>(), 4);
        Assert.True(smoothed[0, 0, 15, 15].item<float>() < 0.2f);
        Assert.Equal(smoothed[0, 0, 15, 13].item<float>(), smoothed[0, 0, 13, 15].item<float>(), 6); // isotropic
    }

    /// <summary>A kernel that reaches as far as a map's shorter side (sigma 2 pads 8 pixels; a map 8 high) cannot reflect
    /// there, which libtorch refuses: such maps are smoothed with replicated borders, whichever side is the shorter.</summary>
    [Theory]
    [InlineData(8, 40)]
    [InlineData(40, 8)]
    [InlineData(8, 8)]
    public void AMapNoLargerThanTheKernelsReachIsSmoothedWithReplicatedBorders(int height, int width)
    {
        using var smoothing = new MapSmoothing(2.0);
        using var map = full(1, 1, height, width, 0.3f);
        using var smoothed = smoothing.Apply(map);
        Assert.Equal(new long[] { 1, 1, height, width }, smoothed.shape);
        Assert.True(smoothed.allclose(map, atol: 1e-6));
    }

    [Fact]
    public void ZeroSigmaIsIdentity()
    {
        using var smoothing = new MapSmoothing(0);
        using var map = rand(1, 1, 8, 8);
        using var same = smoothing.Apply(map);
        Assert.True(same.eq(map).all().item<bool>());
    }

    /// <summary>The Gaussian's taps of offsets 0 and 1 for <paramref name="sigma"/>, normalised over +-4 sigma, written
    /// out here rather than taken from the kernel under test.</summary>
    private static (double Centre, double Next) Taps(double sigma)
    {
        int half = (int)Math.Ceiling(4 * sigma);
        double sum = Enumerable.Range(-half, 2 * half + 1).Sum(d => Math.Exp(-d * d / (2 * sigma * sigma)));
        return (1 / sum, Math.Exp(-1 / (2 * sigma * sigma)) / sum);
    }

    /// <summary>An impulse keeps the Gaussian's share for sigma, in the middle and on the edge: reflected borders mirror the
    /// map about its edge pixel, so an impulse there is not counted again for each padded column, as replicated borders
    /// would count it (a brighter edge).</summary>
    [Theory]
    [InlineData(15)]
    [InlineData(0)]
    public void AnImpulseKeepsTheShareOfSigmasGaussian_AlsoOnTheReflectedBorder(int column)
    {
        using var smoothing = new MapSmoothing(1.5);
        using var map = zeros(1, 1, 31, 31);
        map[0, 0, 15, column] = tensor(1f);
        using var smoothed = smoothing.Apply(map);
        var (centre, next) = Taps(1.5);
        Assert.Equal(centre * centre, smoothed[0, 0, 15, column].item<float>(), 5);
        Assert.Equal(centre * next, smoothed[0, 0, 15, column + 1].item<float>(), 5);
    }
}
