using SSM.Core.Training;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Training;

public class QuarterTurnsTests
{
    [Fact]
    public void TransposesExactlyTheChosenImages()
    {
        using var images = arange(3 * 2 * 4 * 4, dtype: ScalarType.Float32).view(3, 2, 4, 4);
        using var turned = QuarterTurns.Apply(images, [true, false, true]);
        Assert.Equal(images.shape, turned.shape);
        foreach (int i in new[] { 0, 2 })
            Assert.True(turned[i].equal(images[i].transpose(1, 2)).all().item<bool>(), $"image {i} not transposed");
        Assert.True(turned[1].equal(images[1]).all().item<bool>(), "image 1 changed");
        Assert.False(images[0].equal(images[0].transpose(1, 2)).all().item<bool>(), "the probe is symmetric: the test proves nothing");
    }

    [Fact]
    public void NoChoiceLeavesTheBatchAsItIs()
    {
        using var images = rand(2, 1, 4, 4);
        Assert.Same(images, QuarterTurns.Apply(images, [false, false]));
    }

    [Fact]
    public void RejectsAChoiceListOfTheWrongLength()
    {
        using var images = rand(2, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => QuarterTurns.Apply(images, [true]));
    }
}
