using SSM.Core.Losses;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Losses;

public class SsimTests
{
    [Fact]
    public void IdenticalImagesHaveSsimOne()
    {
        using var x = rand(2, 3, 16, 16);
        using var s = Ssim.Mean(x, x);
        Assert.Equal(1.0, s.item<float>(), 5);
    }

    [Fact]
    public void ConstantImagesMatchTheLuminanceTermAtTheCentre()
    {
        // Where the 11x11 window lies inside the image, constant images a and b have no variance, so
        // SSIM = (2ab + C1) / (a^2 + b^2 + C1) = (0.25 + 1e-4) / (0.3125 + 1e-4).
        using var a = full(1, 1, 11, 11, 0.5f);
        using var b = full(1, 1, 11, 11, 0.25f);
        using var map = Ssim.Map(a, b);
        double expected = (2 * 0.5 * 0.25 + 1e-4) / (0.25 + 0.0625 + 1e-4);
        Assert.Equal(expected, map[0, 0, 5, 5].item<float>(), 4); // float32 variance cancels to ~1e-8 against C2 = 9e-4
    }

    [Fact]
    public void SsimIsSymmetricAndBelowOneForDifferentImages()
    {
        using var x = rand(1, 1, 16, 16);
        using var y = rand(1, 1, 16, 16);
        float xy = Ssim.Mean(x, y).item<float>(), yx = Ssim.Mean(y, x).item<float>();
        Assert.Equal(xy, yx, 5);
        Assert.True(xy < 0.5f);
    }
}
