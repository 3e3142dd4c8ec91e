using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Network;

/// <summary>
/// Prepares one masked copy of the input per complementary mask (for one network pass over them all) and assembles one restoration in which every pixel
/// comes from the run where it was hidden (paper, section 4): X^ = sum_i out_i (1 - M_i) + X prod_i M_i.
/// The last term keeps the input where no mask hides a pixel (cells uncovered by refinement).
/// </summary>
public static class MaskedRestoration
{
    /// <summary>
    /// Stacks the n masked copies of a batch so they run as one forward pass.
    /// </summary>
    /// <param name="images">[B, C, S, S].</param>
    /// <param name="masks">[n, B or 1, 1, S, S].</param>
    /// <returns>Masked images [n*B, C, S, S] and their masks [n*B, 1, S, S], mask-major.</returns>
    public static (Tensor MaskedImages, Tensor Masks) Inputs(Tensor images, Tensor masks)
    {
        long n = masks.shape[0], b = images.shape[0];
        var full = masks.expand(n, b, 1, images.shape[2], images.shape[3]);
        var masked = images.unsqueeze(0).mul(full).flatten(0, 1);
        return (masked, full.reshape(n * b, 1, images.shape[2], images.shape[3]));
    }

    /// <summary>
    /// Assembles the restoration from the network outputs of <see cref="Inputs"/>.
    /// </summary>
    /// <param name="images">[B, C, S, S].</param>
    /// <param name="outputs">[n*B, C + 1, S, S] network outputs, mask-major.</param>
    /// <param name="masks">[n, B or 1, 1, S, S].</param>
    /// <returns>The restoration [B, C, S, S] and the predicted masks [n, B, 1, S, S].</returns>
    public static (Tensor Restoration, Tensor PredictedMasks) Assemble(Tensor images, Tensor outputs, Tensor masks)
    {
        using var scope = NewDisposeScope();
        long n = masks.shape[0], b = images.shape[0], c = images.shape[1];
        var perMask = outputs.view(n, b, c + 1, images.shape[2], images.shape[3]);
        var restored = perMask[.., .., ..(int)c];
        var predicted = perMask[.., .., (int)c..];
        var hidden = masks.OneMinus();
        var restoration = restored.mul(hidden).sum(dim: 0);
        var visibleEverywhere = masks.prod(dim: 0);                       // [B or 1, 1, S, S]
        restoration = restoration.Plus(images.mul(visibleEverywhere));
        return (restoration.MoveToOuterDisposeScope(), predicted.MoveToOuterDisposeScope());
    }
}
