using SSM.Core.Losses;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Losses;

public class SsmLossTests
{
    [Fact]
    public void PerfectRestorationAndMaskPredictionGiveZero()
    {
        using var x = rand(2, 1, 16, 16);
        using var masks = rand(new long[] { 3, 1, 1, 16, 16 }).gt(0.5).to(ScalarType.Float32);
        var terms = SsmLoss.Compute(x, x, masks.expand(3, 2, 1, 16, 16), masks, new SsmLossWeights());
        Assert.Equal(0.0, terms.ToParts().Total, 5);
    }

    [Fact]
    public void TermsAreWeightedAsConfigured()
    {
        // Restoration off by 0.1 everywhere: MSE = 0.01. Mask head predicts 0 for 2 masks each half
        // visible: each mask's MSE is 0.5, summed over the 2 masks = 1.
        using var x = full(1, 1, 16, 16, 0.5f);
        using var restored = full(1, 1, 16, 16, 0.6f);
        var half = cat([ones(new long[] { 1, 1, 1, 8, 16 }), zeros(new long[] { 1, 1, 1, 8, 16 })], 3);
        using var masks = cat([half, half.neg().add(1)], 0);        // [2, 1, 1, 16, 16]
        using var predicted = zeros(new long[] { 2, 1, 1, 16, 16 });
        var weights = new SsmLossWeights { Mse = 2, MsGms = 0, Ssim = 0, Mask = 3 };
        var parts = SsmLoss.Compute(x, restored, predicted, masks, weights).ToParts();
        Assert.Equal(0.01, parts.Mse, 5);
        Assert.Equal(1.0, parts.Mask, 5);
        Assert.Equal(2 * 0.01 + 3 * 1.0, parts.Total, 4);
    }

    [Fact]
    public void The_MSE_weight_follows_the_normalisation_unless_given()
    {
        Assert.Equal(SsmLossWeights.PerImageMse, new SsmLossWeights().For(SSM.Core.Data.InputNormalization.PerImage).Mse);
        Assert.Equal(1, new SsmLossWeights().For(SSM.Core.Data.InputNormalization.None).Mse);            // the authors'
        Assert.Equal(2, new SsmLossWeights { Mse = 2 }.For(SSM.Core.Data.InputNormalization.PerImage).Mse);
        Assert.Equal(new SsmLossWeights().For(SSM.Core.Data.InputNormalization.PerImage).MsGms, new SsmLossWeights().MsGms);
    }

    /// <summary>An epoch's report sums its steps' terms and divides them by the step count, each term on its own.</summary>
    [Fact]
    public void LossPartsAddAndDivideTermByTerm()
    {
        var mean = (new SsmLossParts(1, 2, 3, 4, 5) + new SsmLossParts(10, 20, 30, 40, 50)) / 2;
        Assert.Equal(new SsmLossParts(5.5, 11, 16.5, 22, 27.5), mean);
    }
}
