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

    [Fact]
    public void AnImpulseKeepsTheShareOfSigmasGaussian()
    {
        using var smoothing = new MapSmoothing(1.5);
        using var map = zeros(1, 1, 31, 31);
        map[0, 0, 15, 15] = tensor(1f);
        using var smoothed = smoothing.Apply(map);
        var (centre, next) = Taps(1.5);
        Assert.Equal(centre * centre, smoothed[0, 0, 15, 15].item<float>(), 5);
        Assert.Equal(centre * next, smoothed[0, 0, 15, 16].item<float>(), 5);
    }

    /// <summary>Reflected borders mirror the map about its edge pixel: an impulse on the edge is not counted again for
    /// each padded column, as replicated borders would count it (a brighter edge).</summary>
    [Fact]
    public void BordersAreReflectedNotReplicated()
    {
        using var smoothing = new MapSmoothing(1.5);
        using var map = zeros(1, 1, 31, 31);
        map[0, 0, 15, 0] = tensor(1f);
        using var smoothed = smoothing.Apply(map);
        var (centre, next) = Taps(1.5);
        Assert.Equal(centre * centre, smoothed[0, 0, 15, 0].item<float>(), 5);
        Assert.Equal(centre * next, smoothed[0, 0, 15, 1].item<float>(), 5);
    }
}
