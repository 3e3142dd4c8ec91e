using static TorchSharp.torch;

namespace SSM.Core.Training;

/// <summary>
/// The quarter-turn augmentation of <see cref="TrainingOptions.Rotate"/>: chosen images of a square batch transposed,
/// which with the random flips gives all eight symmetries of the square.
/// </summary>
internal static class QuarterTurns
{
    /// <summary>The batch (N x C x S x S) with image i transposed where <paramref name="selected"/>[i] is true.</summary>
    public static Tensor Apply(Tensor images, bool[] selected)
    {
        if (selected.Length != images.shape[0])
            throw new ArgumentException($"{selected.Length} choices for a batch of {images.shape[0]} images.", nameof(selected));
        if (!selected.Any(s => s)) return images;
        using var choice = tensor(selected).view(-1, 1, 1, 1).to(images.device);
        using var transposed = images.transpose(2, 3);
        return where(choice, transposed, images);
    }
}
