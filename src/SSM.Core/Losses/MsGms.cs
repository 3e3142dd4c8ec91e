using TorchSharp;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Losses;

/// <summary>
/// Multi-scale gradient magnitude similarity (paper, section 5): the similarity behind both the loss
/// and the anomaly map. Gradients are Prewitt (divided by 3) of the 3x3-median-filtered channel mean. Every map keeps
/// the image's size: the median replicates the border pixels and Prewitt pads with zeros, where the authors' code pads
/// the median with zeros and lets Prewitt shrink the map by a pixel a side; only the outermost pixels differ.
/// </summary>
public static class MsGms
{
    /// <summary>Stabilising constant c of GMS.</summary>
    public const double C = 0.0026;
    /// <summary>Number of scales (average-pooled by 2 between scales).</summary>
    public const int Scales = 4;

    /// <summary>Per-pixel GMS [B, 1, H, W] of two images at one scale; 1 where the gradients agree.</summary>
    public static Tensor Gms(Tensor image, Tensor restoration) => Similarity(GradientMagnitude(image), GradientMagnitude(restoration));

    /// <summary>Loss: mean over the scales of mean(1 - GMS). A scalar.</summary>
    public static Tensor Loss(Tensor image, Tensor restoration)
    {
        using var scope = NewDisposeScope();
        var gI = GradientPyramid(image);
        var gR = GradientPyramid(restoration);
        Tensor total = zeros(1, device: image.device);
        for (int s = 0; s < Scales; s++) total = total.Plus(Similarity(gI[s], gR[s]).OneMinus().mean());
        return total.Over(Scales).squeeze().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Anomaly map [B, 1, H, W]: each scale's (1 - GMS) upsampled (bilinear) to the input size and averaged.
    /// </summary>
    public static Tensor Map(Tensor image, Tensor restoration)
    {
        using var scope = NewDisposeScope();
        return Map(GradientPyramid(image), restoration).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The map against an image whose <see cref="GradientPyramid"/> is already known: scoring compares one image
    /// with several restorations (one per cell size and round), so its gradients are computed once.
    /// </summary>
    public static Tensor Map(Tensor[] imageGradients, Tensor restoration)
    {
        using var scope = NewDisposeScope();
        long h = restoration.shape[2], w = restoration.shape[3];
        var gR = GradientPyramid(restoration);
        Tensor sum = zeros(restoration.shape[0], 1, h, w, device: restoration.device);
        for (int s = 0; s < Scales; s++)
        {
            var dissimilarity = Similarity(imageGradients[s], gR[s]).OneMinus();
            if (s > 0)
                dissimilarity = nn.functional.interpolate(dissimilarity, size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            sum = sum.Plus(dissimilarity);
        }
        return sum.Over(Scales).MoveToOuterDisposeScope();
    }

    /// <summary>Gradient magnitudes of the channel mean at each of the <see cref="Scales"/> scales (average-pooled by 2 between them).</summary>
    public static Tensor[] GradientPyramid(Tensor image)
    {
        var pyramid = new Tensor[Scales];
        using var scope = NewDisposeScope();
        var x = Gray(image);
        for (int s = 0; s < Scales; s++)
        {
            if (s > 0) x = nn.functional.avg_pool2d(x, 2);
            pyramid[s] = GradientMagnitude(x).MoveToOuterDisposeScope();
        }
        return pyramid;
    }

    private static Tensor Similarity(Tensor gI, Tensor gR)
    {
        using var scope = NewDisposeScope();
        return gI.mul(gR).Times(2).Plus(C).div(gI.Squared().Plus(gR.Squared()).Plus(C)).MoveToOuterDisposeScope();
    }

    /// <summary>Channel mean [B, 1, H, W].</summary>
    internal static Tensor Gray(Tensor image) => image.shape[1] == 1 ? image.alias() : image.mean([1], keepdim: true);

    /// <summary>|Prewitt(median3x3(x))| with sqrt(gx^2 + gy^2 + eps) so the gradient stays finite at 0.</summary>
    internal static Tensor GradientMagnitude(Tensor gray)
    {
        using var scope = NewDisposeScope();
        var (gx, gy) = Prewitt(Median3x3(gray));
        return gx.Squared().Plus(gy.Squared()).Plus(1e-12).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Prewitt gradients (divided by 3, zero borders) of [B, 1, H, W] as differences of shifted sums, what a 3x3
    /// convolution with the Prewitt kernels computes. Not a convolution: on a Zen 5 virtual machine libtorch's oneDNN
    /// computed the input gradient of convolutions of one channel wrongly (OneDnnCheck), and the loss needs that gradient.
    /// </summary>
    internal static (Tensor X, Tensor Y) Prewitt(Tensor gray)
    {
        using var scope = NewDisposeScope();
        long h = gray.shape[2], w = gray.shape[3];
        var p = nn.functional.pad(gray, [1, 1, 1, 1]);                                            // [B, 1, H+2, W+2]
        var columns = p.narrow(2, 0, h).Plus(p.narrow(2, 1, h)).Plus(p.narrow(2, 2, h));           // [B, 1, H, W+2]: three rows summed
        var rows = p.narrow(3, 0, w).Plus(p.narrow(3, 1, w)).Plus(p.narrow(3, 2, w));              // [B, 1, H+2, W]: three columns summed
        var gx = columns.narrow(3, 0, w).sub(columns.narrow(3, 2, w)).Over(3);                     // left minus right
        var gy = rows.narrow(2, 0, h).sub(rows.narrow(2, 2, h)).Over(3);                           // top minus bottom
        return (gx.MoveToOuterDisposeScope(), gy.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// 3x3 median with replicated borders. The value comes from a 19-exchange sorting network of elementwise min/max
    /// over the nine shifted neighbours (Paeth's opt_med9), computed without autograd; the result then gathers that
    /// neighbour, so the gradient goes to the pixel that is the median (the first of equal ones). Differentiating
    /// through the network's 38 min/max instead cost 8 ms of backward per loss at 4 x 64 x 64, against 0.3 ms forward.
    /// </summary>
    internal static Tensor Median3x3(Tensor gray)
    {
        using var scope = NewDisposeScope();
        long h = gray.shape[2], w = gray.shape[3];
        var padded = nn.functional.pad(gray, [1, 1, 1, 1], PaddingModes.Replicate);
        var neighbours = new Tensor[9];
        for (int dy = 0; dy < 3; dy++)
            for (int dx = 0; dx < 3; dx++)
                neighbours[dy * 3 + dx] = padded.narrow(2, dy, h).narrow(3, dx, w);
        if (!gray.requires_grad || !is_grad_enabled())
            return SortingNetworkMedian(neighbours).MoveToOuterDisposeScope();
        var stacked = stack(neighbours);                                            // [9, B, C, H, W]
        Tensor which;
        using (no_grad())
        {
            var values = neighbours.Select(n => n.detach()).ToArray();
            var median = SortingNetworkMedian(values);
            // The first neighbour equal to the median, filled from the last down (argmax over the stacked dimension
            // took 2.5 ms here, these nine fills 0.1 ms).
            which = zeros([1, .. gray.shape], ScalarType.Int64, gray.device);
            for (int k = values.Length - 1; k >= 0; k--)
                which.masked_fill_(values[k].eq(median).unsqueeze(0), Scalars.Integer(k));
        }
        return stacked.gather(0, which).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>The median of nine tensors, elementwise; <paramref name="nine"/> is left in its order.</summary>
    private static Tensor SortingNetworkMedian(Tensor[] nine)
    {
        var p = (Tensor[])nine.Clone();
        void Sort(int a, int b)
        {
            var low = p[a].minimum(p[b]);
            p[b] = p[a].maximum(p[b]);
            p[a] = low;
        }
        Sort(1, 2); Sort(4, 5); Sort(7, 8);
        Sort(0, 1); Sort(3, 4); Sort(6, 7);
        Sort(1, 2); Sort(4, 5); Sort(7, 8);
        Sort(0, 3); Sort(5, 8); Sort(4, 7);
        Sort(3, 6); Sort(1, 4); Sort(2, 5);
        Sort(4, 7); Sort(4, 2); Sort(6, 4);
        Sort(4, 2);
        return p[4];
    }
}
