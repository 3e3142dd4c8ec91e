using SSM.Core.Data;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Data;

public class InputNormalizerTests
{
    [Fact]
    public void NoneReturnsTheInputUnchanged()
    {
        using var images = rand(2, 1, 8, 8);
        Assert.Same(images, InputNormalizer.Apply(images, InputNormalization.None));
    }

    [Fact]
    public void PerImageRemovesBrightnessAndContrastOfEachImage()
    {
        using var generator = new TorchSharp.torch.Generator(7);
        using var texture = rand(new long[] { 1, 1, 16, 16 }, generator: generator).mul(0.1).add(0.2);   // dark, low contrast
        using var brighter = texture.mul(2.5).add(0.3);                                                  // same texture, other exposure
        using var batch = cat([texture, brighter], 0);
        using var normalized = InputNormalizer.Apply(batch, InputNormalization.PerImage);
        Assert.Equal(batch.shape, normalized.shape);
        Assert.True(normalized[0].allclose(normalized[1], atol: 1e-5), "both exposures give the same normalised image");
        Assert.Equal(0.5, normalized[0].mean().item<float>(), 3);
        // A uniform [0.2, 0.3] texture has std 0.029; spread over mean +- 4 std its range grows from 0.1 to about 0.43.
        float range = (normalized[0].max() - normalized[0].min()).item<float>();
        Assert.InRange(range, 0.38f, 0.48f);
    }

    [Fact]
    public void PerImageStretchesA16BitTextureOfAFewHundredLevelsAsAFullRangeOne()
    {
        using var generator = new TorchSharp.torch.Generator(3);
        using var texture = rand(new long[] { 1, 1, 16, 16 }, generator: generator);
        using var narrow = texture.mul(200 / 65535f).add(30000 / 65535f);   // std about 1/1100: under one 8-bit level
        using var wide = texture.mul(0.4).add(0.2);
        using var normalized = InputNormalizer.Apply(cat([narrow, wide], 0), InputNormalization.PerImage);
        Assert.True(normalized[0].allclose(normalized[1], atol: 1e-3), "the narrow texture is stretched as the wide one");

        // The floor of models saved before format 9 (one 8-bit level) barely stretches it: their calibration assumed so.
        using var eightBit = InputNormalizer.Apply(narrow, InputNormalization.PerImage, InputNormalizer.EightBitStdFloor);
        Assert.InRange((eightBit.max() - eightBit.min()).item<float>(), 0.05f, 0.15f);
    }

    [Fact]
    public void PerImageClipsOutliersToTheUnitRangeAndKeepsFlatImagesFlat()
    {
        using var spike = zeros(1, 1, 10, 10);
        spike[0, 0, 5, 5] = tensor(1f);
        using var flat = full(1, 1, 10, 10, 0.7f);
        using var normalized = InputNormalizer.Apply(cat([spike, flat], 0), InputNormalization.PerImage);
        Assert.Equal(1f, normalized[0, 0, 5, 5].item<float>());
        Assert.True(normalized.ge(0).all().item<bool>() && normalized.le(1).all().item<bool>());
        Assert.True(normalized[1].eq(0.5f).all().item<bool>(), "a flat image maps to mid-grey, with no amplified noise");
    }
}
