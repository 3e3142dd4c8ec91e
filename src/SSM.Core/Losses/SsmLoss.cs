using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Losses;

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
