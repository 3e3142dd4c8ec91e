using static TorchSharp.torch;
using SSM.Core.Torch;

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

    /// <summary>These weights with the MSE weight resolved for images normalised by <paramref name="normalization"/>.</summary>
    public SsmLossWeights For(Data.InputNormalization normalization) =>
        this with { Mse = Mse ?? (normalization == Data.InputNormalization.PerImage ? PerImageMse : 1) };
    /// <summary>alpha: weight of the MS-GMS loss. Default 1.</summary>
    public double MsGms { get; init; } = 1;
    /// <summary>beta: weight of (1 - SSIM). Default 1.</summary>
    public double Ssim { get; init; } = 1;
    /// <summary>Weight of the mask-prediction MSE summed over the n masks. Default 1.</summary>
    public double Mask { get; init; } = 1;
}

/// <summary>The loss terms of one step as plain numbers, for progress reports.</summary>
public readonly record struct SsmLossParts(double Total, double Mse, double MsGms, double Ssim, double Mask)
{
    /// <summary>Term-wise sum, for averaging over an epoch.</summary>
    public static SsmLossParts operator +(SsmLossParts a, SsmLossParts b) =>
        new(a.Total + b.Total, a.Mse + b.Mse, a.MsGms + b.MsGms, a.Ssim + b.Ssim, a.Mask + b.Mask);

    /// <summary>Term-wise division.</summary>
    public static SsmLossParts operator /(SsmLossParts a, double d) =>
        new(a.Total / d, a.Mse / d, a.MsGms / d, a.Ssim / d, a.Mask / d);
}

/// <summary>The loss terms of one step as tensors; <see cref="Total"/> is the one to back-propagate.</summary>
public sealed record SsmLossTerms(Tensor Total, Tensor Mse, Tensor MsGms, Tensor Ssim, Tensor Mask)
{
    /// <summary>Reads the terms (forces evaluation).</summary>
    public SsmLossParts ToParts() =>
        new(Total.item<float>(), Mse.item<float>(), MsGms.item<float>(), Ssim.item<float>(), Mask.item<float>());
}

/// <summary>
/// Loss = gamma MSE(X, X^) + alpha MSGMS(X, X^) + beta (1 - SSIM(X, X^)) + sum_i MSE(predicted mask_i, M_i).
/// </summary>
public static class SsmLoss
{
    /// <param name="image">X [B, C, S, S].</param>
    /// <param name="restoration">X^ [B, C, S, S], assembled from the runs where each pixel was hidden.</param>
    /// <param name="predictedMasks">[n, B, 1, S, S] mask-head outputs.</param>
    /// <param name="masks">[n, B or 1, 1, S, S] the masks actually used.</param>
    /// <param name="weights">Term weights.</param>
    public static SsmLossTerms Compute(Tensor image, Tensor restoration, Tensor predictedMasks, Tensor masks, SsmLossWeights weights)
    {
        var mse = nn.functional.mse_loss(restoration, image);
        var gms = MsGms.Loss(image, restoration);
        var ssim = Ssim.Mean(image, restoration).OneMinus();
        // Sum over the n masks of each mask's mean squared error.
        var mask = predictedMasks.sub(masks).Squared().mean([1, 2, 3, 4]).sum();
        var total = mse.Times(weights.Mse ?? 1).Plus(gms.Times(weights.MsGms)).Plus(ssim.Times(weights.Ssim)).Plus(mask.Times(weights.Mask));
        return new SsmLossTerms(total, mse, gms, ssim, mask);
    }
}
