namespace SSM.Core.Losses;

/// <summary>Weights of the training loss terms (paper, section 4; the authors use 1 for all).</summary>
public sealed record SsmLossWeights
{
    /// <summary>
    /// gamma: weight of the pixel MSE. Default null: <see cref="PerImageMse"/> for images normalised per image, else 1, the
    /// authors' (<see cref="For"/>; <see cref="SsmLoss.Compute"/> reads null as 1). Per-image normalisation maps a standard
    /// deviation to 1/8, so its squared errors are 64 times smaller than the image's own: at weight 1 the MS-GMS and SSIM
    /// terms, which cannot tell which side of an edge is bright, outweighed them, and 3 of 6 seeds of a walkthrough's scans (a
    /// bright body on black) trained into restorations darker in the body than in the background.
    /// </summary>
    public double? Mse { get; init; }

    /// <summary>The MSE weight under <see cref="Data.InputNormalization.PerImage"/>: 8 unstuck every stuck seed of those scans
    /// (squared error 0.029 to 0.004 in 8 epochs, as the others).</summary>
    public const double PerImageMse = 8;

    /// <summary>alpha: weight of the MS-GMS loss. Default 1.</summary>
    public double MsGms { get; init; } = 1;
    /// <summary>beta: weight of (1 - SSIM). Default 1.</summary>
    public double Ssim { get; init; } = 1;
    /// <summary>Weight of the mask-prediction MSE summed over the n masks. Default 1.</summary>
    public double Mask { get; init; } = 1;

    /// <summary>These weights with the MSE weight resolved for images normalised by <paramref name="normalization"/>.</summary>
    public SsmLossWeights For(Data.InputNormalization normalization) =>
        this with { Mse = Mse ?? (normalization == Data.InputNormalization.PerImage ? PerImageMse : 1) };
}
