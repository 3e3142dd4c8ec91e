using TorchSharp;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Masks;

/// <summary>
/// Complementary grid masks (paper, section 2): the image is cut into k x k-pixel cells, the cells are
/// shuffled and split into n groups of (nearly) equal size, and mask i hides group i. Every cell is
/// hidden in exactly one of the n masks. Mask value 1 = visible, 0 = hidden.
/// </summary>
public static class ComplementaryMasks
{
    /// <summary>
    /// Draws n complementary masks of <paramref name="imageSize"/> x <paramref name="imageSize"/> pixels.
    /// </summary>
    /// <param name="imageSize">Side S of the square image.</param>
    /// <param name="cellSize">Cell side k in pixels; S need not be a multiple of k (the last row/column of cells is cropped).</param>
    /// <param name="groups">Number of masks n (at least 2).</param>
    /// <param name="generator">Seeded generator that decides the shuffle.</param>
    /// <returns>A float tensor [n, 1, S, S] of 0/1 values on the CPU.</returns>
    public static Tensor Generate(int imageSize, int cellSize, int groups, Generator generator)
    {
        using var scope = NewDisposeScope();
        var hiddenGroup = CellGroups(imageSize, cellSize, groups, generator);          // [gh, gw]
        var groupIds = arange(Scalars.Integer(0), Scalars.Integer(groups), Scalars.One, dtype: ScalarType.Int64).view(groups, 1, 1);    // [n, 1, 1]
        var cellMasks = hiddenGroup.unsqueeze(0).ne(groupIds).to(ScalarType.Float32); // [n, gh, gw]
        return ExpandCells(cellMasks, cellSize, imageSize).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For each cell of the grid, the index (0..n-1) of the one mask that hides it: a seeded shuffle of
    /// the cells split into n contiguous chunks, so group sizes differ by at most one.
    /// </summary>
    internal static Tensor CellGroups(int imageSize, int cellSize, int groups, Generator generator)
    {
        if (imageSize < 1) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "Image size must be positive.");
        if (cellSize < 1 || cellSize > imageSize)
            throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, $"Cell size must be between 1 and the image size {imageSize}.");
        if (groups < 2) throw new ArgumentOutOfRangeException(nameof(groups), groups, "At least 2 complementary masks are needed.");
        int side = (imageSize + cellSize - 1) / cellSize;
        long cells = (long)side * side;
        using var scope = NewDisposeScope();
        var order = randperm(cells, generator: generator);
        // Cell order[j] belongs to chunk floor(j * n / cells).
        var chunk = arange(Scalars.Integer(0), Scalars.Integer(cells), Scalars.One, dtype: ScalarType.Int64).mul(Scalars.Integer(groups)).div(Scalars.Integer(cells), rounding_mode: RoundingMode.floor);
        var group = zeros(cells, dtype: ScalarType.Int64).index_put_(chunk, order);
        return group.view(side, side).MoveToOuterDisposeScope();
    }

    /// <summary>Blows a [.., gh, gw] cell grid up to [.., S, S] pixels (each cell k x k, cropped at the border).</summary>
    /// <remarks>The crop counts from the last dimensions: an index <c>[.., ..S, ..S]</c> cropped the first three, so a
    /// refinement grid [B, 1, gh, gw] whose cells do not divide S (56 in cells of 3) kept its width, and scoring with two
    /// rounds failed inside libtorch.</remarks>
    internal static Tensor ExpandCells(Tensor cellGrid, int cellSize, int imageSize)
    {
        var pixels = cellGrid.repeat_interleave(cellSize, dim: -2).repeat_interleave(cellSize, dim: -1);
        return pixels.narrow(-2, 0, imageSize).narrow(-1, 0, imageSize);
    }
}
