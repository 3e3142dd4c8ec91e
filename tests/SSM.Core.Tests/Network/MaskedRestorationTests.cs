using SSM.Core.Masks;
using SSM.Core.Network;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Network;

public class MaskedRestorationTests
{
    [Fact]
    public void InputsStackMaskedCopiesMaskMajor()
    {
        using var images = rand(2, 3, 8, 8);
        using var g = new TorchSharp.torch.Generator(1);
        using var masks = ComplementaryMasks.Generate(8, 2, 3, g).unsqueeze(1);   // [3, 1, 1, 8, 8]
        var (masked, m) = MaskedRestoration.Inputs(images, masks);
        Assert.Equal(new long[] { 6, 3, 8, 8 }, masked.shape);
        Assert.Equal(new long[] { 6, 1, 8, 8 }, m.shape);
        // Copy 4 = mask 2, image 0.
        Assert.True(masked[4].eq(images[0].mul(masks[2, 0])).all().item<bool>());
    }

    [Fact]
    public void EachPixelComesFromTheRunWhereItWasHidden()
    {
        using var images = zeros(1, 1, 4, 4);
        using var g = new TorchSharp.torch.Generator(3);
        using var masks = ComplementaryMasks.Generate(4, 1, 2, g).unsqueeze(1);   // [2, 1, 1, 4, 4]
        // Run i "restores" every pixel as i + 1, and predicts the mask value 0.5.
        using var outputs = cat([full(1, 2, 4, 4, 1f), full(1, 2, 4, 4, 2f)], 0);
        var (restoration, predicted) = MaskedRestoration.Assemble(images, outputs, masks);
        using var expected = masks[0].neg().add(1).mul(1).add(masks[1].neg().add(1).mul(2));
        Assert.True(restoration.eq(expected.view(1, 1, 4, 4)).all().item<bool>());
        Assert.Equal(new long[] { 2, 1, 1, 4, 4 }, predicted.shape);
    }

    [Fact]
    public void PixelsVisibleInEveryMaskKeepTheInput()
    {
        using var images = full(1, 1, 2, 2, 0.7f);
        using var masks = ones(new long[] { 2, 1, 1, 2, 2 });
        using var outputs = zeros(2, 2, 2, 2);
        var (restoration, _) = MaskedRestoration.Assemble(images, outputs, masks);
        Assert.True(restoration.allclose(images));
    }
}
