using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Losses;

/// <summary>
/// Multi-scale gradient magnitude similarity (paper, section 5): the similarity behind both the loss
/// and the anomaly map. Gradients are Prewitt (divided by 3) of the 3x3-median-filtered channel mean.
/// </summary>
public static class MsGms
{
    /// <summary>Stabilising constant c of GMS.</summary>
    public const double C = 0.0026;
    /// <summary>Number of scales (average-pooled by 2 between scales).</summary>
    public const int Scales = 4;

    /// <summary>Per-pixel GMS [B, 1, H, W] of two images at one scale; 1 where the gradients agree.</summary>
    public static Tensor Gms(Tensor image, Tensor restoration)
    {
        using var scope = NewDisposeScope();
        var gI = GradientMagnitude(image);
        var gR = GradientMagnitude(restoration);
        var gms = gI.mul(gR).mul(2).add(C).div(gI.square().add(gR.square()).add(C));
        return gms.MoveToOuterDisposeScope();
    }

    /// <summary>Loss: mean over the scales of mean(1 - GMS). A scalar.</summary>
    public static Tensor Loss(Tensor image, Tensor restoration)
    {
        using var scope = NewDisposeScope();
        Tensor total = zeros(1, device: image.device);
        var x = Gray(image);
        var y = Gray(restoration);
        for (int s = 0; s < Scales; s++)
        {
            if (s > 0)
            {
                x = nn.functional.avg_pool2d(x, 2);
                y = nn.functional.avg_pool2d(y, 2);
            }
            total = total.add(Gms(x, y).neg().add(1).mean());
        }
        return total.div(Scales).squeeze().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Anomaly map [B, 1, H, W]: each scale's (1 - GMS) upsampled (bilinear) to the input size and averaged.
    /// </summary>
    public static Tensor Map(Tensor image, Tensor restoration)
    {
        using var scope = NewDisposeScope();
        long h = image.shape[2], w = image.shape[3];
        var x = Gray(image);
        var y = Gray(restoration);
        Tensor sum = zeros(image.shape[0], 1, h, w, device: image.device);
        for (int s = 0; s < Scales; s++)
        {
            if (s > 0)
            {
                x = nn.functional.avg_pool2d(x, 2);
                y = nn.functional.avg_pool2d(y, 2);
            }
            var dissimilarity = Gms(x, y).neg().add(1);
            if (s > 0)
                dissimilarity = nn.functional.interpolate(dissimilarity, size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            sum = sum.add(dissimilarity);
        }
        return sum.div(Scales).MoveToOuterDisposeScope();
    }

    /// <summary>Channel mean [B, 1, H, W].</summary>
    internal static Tensor Gray(Tensor image) => image.shape[1] == 1 ? image.alias() : image.mean([1], keepdim: true);

    /// <summary>|Prewitt(median3x3(x))| with sqrt(gx^2 + gy^2 + eps) so the gradient stays finite at 0.</summary>
    internal static Tensor GradientMagnitude(Tensor gray)
    {
        using var scope = NewDisposeScope();
        var smoothed = Median3x3(gray);
        var kernels = PrewittKernels(gray.device, gray.dtype);
        var g = nn.functional.conv2d(smoothed, kernels, padding: [1, 1]);   // [B, 2, H, W]
        return g.square().sum(1, keepdim: true).add(1e-12).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>3x3 median with reflected borders (TorchSharp has no median along a dim: unfold + kthvalue).</summary>
    internal static Tensor Median3x3(Tensor gray)
    {
        using var scope = NewDisposeScope();
        long b = gray.shape[0], h = gray.shape[2], w = gray.shape[3];
        var padded = nn.functional.pad(gray, [1, 1, 1, 1], PaddingModes.Replicate);
        var patches = nn.functional.unfold(padded, 3);                  // [B, 9, H*W]
        var (median, _) = patches.kthvalue(5, 1);                       // 5th smallest of 9
        return median.view(b, 1, h, w).MoveToOuterDisposeScope();
    }

    private static Tensor PrewittKernels(Device device, ScalarType dtype)
    {
        float t = 1f / 3f;
        var kx = new float[] { t, 0, -t, t, 0, -t, t, 0, -t };
        var ky = new float[] { t, t, t, 0, 0, 0, -t, -t, -t };
        return tensor(kx.Concat(ky).ToArray(), [2, 1, 3, 3], dtype: dtype, device: device);
    }
}
