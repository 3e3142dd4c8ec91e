using TorchSharp;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Losses;

/// <summary>
/// Structural similarity with an 11 x 11 Gaussian window (sigma 1.5), C1 = 0.01^2, C2 = 0.03^2, zero
/// padding so the map keeps the image size, averaged over channels and pixels (paper, section 4).
/// </summary>
public static class Ssim
{
    private const double C1 = 0.01 * 0.01;
    private const double C2 = 0.03 * 0.03;

    /// <summary>Mean SSIM over the batch: a scalar.</summary>
    public static Tensor Mean(Tensor x, Tensor y)
    {
        using var map = Map(x, y);
        return map.mean();
    }

    /// <summary>The SSIM map [B, C, H, W].</summary>
    public static Tensor Map(Tensor x, Tensor y, int windowSize = 11, double sigma = 1.5)
    {
        using var scope = NewDisposeScope();
        // The window is separable: blur rows and columns as products with band matrices, the five local statistics
        // in one batch (see GaussianKernel.Band for why not a convolution).
        var rows = GaussianKernel.Band((int)x.shape[2], windowSize, sigma, x.device).to(x.dtype);
        var columns = GaussianKernel.Band((int)x.shape[3], windowSize, sigma, x.device).to(x.dtype);
        var blurred = rows.matmul(stack([x, y, x.Squared(), y.Squared(), x.mul(y)])).matmul(columns);
        var (muX, muY) = (blurred[0], blurred[1]);
        var muX2 = muX.Squared();
        var muY2 = muY.Squared();
        var muXY = muX.mul(muY);
        var sigmaX2 = blurred[2].sub(muX2);
        var sigmaY2 = blurred[3].sub(muY2);
        var sigmaXY = blurred[4].sub(muXY);
        var numerator = muXY.Times(2).Plus(C1).mul(sigmaXY.Times(2).Plus(C2));
        var denominator = muX2.Plus(muY2).Plus(C1).mul(sigmaX2.Plus(sigmaY2).Plus(C2));
        return numerator.div(denominator).MoveToOuterDisposeScope();
    }
}
