using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Masks;

/// <summary>
/// Masks for progressive refinement (paper, section 7): cells judged normal in the previous round are
/// made visible in every mask, so only suspicious cells are hidden and they are restored from a larger,
/// cleaner normal context.
/// </summary>
public static class RefinedMasks
{
    /// <summary>
    /// Uncovers the normal pixels of each image in a shared set of complementary masks.
    /// </summary>
    /// <param name="masks">Complementary masks [n, 1, S, S].</param>
    /// <param name="normalPixels">Per image, 1 where the pixel is judged normal: [B, 1, S, S].</param>
    /// <returns>Per-image masks [B, n, 1, S, S]; a normal pixel is visible (1) in all n masks.</returns>
    public static Tensor Uncover(Tensor masks, Tensor normalPixels)
    {
        if (masks.dim() != 4 || normalPixels.dim() != 4)
            throw new ArgumentException("Expected masks [n,1,S,S] and normal pixels [B,1,S,S].");
        return masks.unsqueeze(0).maximum(normalPixels.unsqueeze(1));
    }

    /// <summary>
    /// Judges cells normal when at least <paramref name="normalShare"/> of their pixels score below
    /// <paramref name="threshold"/> (the official code uses 80 % of an S/16-pixel cell).
    /// </summary>
    /// <param name="anomalyMap">Pixel scores [B, 1, S, S].</param>
    /// <param name="cellSize">Side of the judged cells in pixels.</param>
    /// <param name="threshold">Normal/suspicious pixel threshold, calibrated on held-out normal images.</param>
    /// <param name="normalShare">Share of a cell's pixels that must be below the threshold.</param>
    /// <returns>Normal pixels [B, 1, S, S] as 0/1 floats, constant over each cell.</returns>
    public static Tensor NormalPixels(Tensor anomalyMap, int cellSize, float threshold, double normalShare)
    {
        using var scope = NewDisposeScope();
        long size = anomalyMap.shape[^1];
        var below = anomalyMap.lt(Scalars.Real(threshold)).to(ScalarType.Float32);
        // ceil_mode pools the cropped border cells over the pixels they actually have.
        var share = nn.functional.avg_pool2d(below, cellSize, stride: cellSize, ceil_mode: true, count_include_pad: false);
        var normalCells = share.ge(Scalars.Real(normalShare - 1e-6)).to(ScalarType.Float32);
        return ComplementaryMasks.ExpandCells(normalCells, cellSize, (int)size).MoveToOuterDisposeScope();
    }
}
