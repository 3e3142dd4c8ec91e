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
}
