using SSM.Core.Network;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Network;

public class InpaintingNetworkTests
{
    [Theory]
    [InlineData(1, 4, 3, 16)]
    [InlineData(3, 4, 4, 32)]
    public void OutputHasImageChannelsPlusMaskChannel(int channels, int width, int depth, int size)
    {
        using var net = new InpaintingNetwork(new InpaintingNetworkOptions { InputChannels = channels, BaseWidth = width, Depth = depth });
        net.eval();
        using var x = rand(2, channels, size, size);
        using var m = ones(2, 1, size, size);
        using var y = net.forward(x, m);
        Assert.Equal(new long[] { 2, channels + 1, size, size }, y.shape);
        Assert.True(y.abs().le(1).all().item<bool>()); // tanh head
    }

    [Fact]
    public void AuthorsPresetHasTheirWidthsAnd35Point8MParameters()
    {
        var options = InpaintingNetworkOptions.Authors(3);
        Assert.Equal(new[] { 64, 128, 256, 512, 512 }, options.LevelWidths());
        using var net = new InpaintingNetwork(options);
        // The paper reports 33.3 M. Each of our encoder levels has one 3x3 convolution more than the authors' code, whose
        // strided convolution also changes the width (the 512-512 level's extra convolution is most of the 2.5 M).
        Assert.Equal(35_828_100, net.ParameterCount());
    }

    [Fact]
    public void CompactDefaultIsSmall()
    {
        var options = InpaintingNetworkOptions.Compact();
        Assert.Equal(new[] { 16, 32, 64, 128 }, options.LevelWidths());
        using var net = new InpaintingNetwork(options);
        Assert.Equal(931_746, net.ParameterCount());
    }

    [Fact]
    public void MaskChangesTheOutput()
    {
        using var net = new InpaintingNetwork(new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 });
        net.eval();
        using var x = rand(1, 1, 16, 16);
        using var all = ones(1, 1, 16, 16);
        using var half = cat([ones(1, 1, 8, 16), zeros(1, 1, 8, 16)], 2);
        using var a = net.forward(x, all);
        using var b = net.forward(x, half);
        Assert.False(a.allclose(b));
    }

    [Theory]
    [InlineData(2, 4, 4, "InputChannels")]
    [InlineData(0, 4, 3, "InputChannels")]
    [InlineData(1, 0, 4, "BaseWidth")]
    [InlineData(1, 1025, 4, "BaseWidth")]
    [InlineData(1, 4, 1, "Depth")]
    [InlineData(1, 4, 9, "Depth")]
    public void RejectsBadSettings(int channels, int width, int depth, string refused)
    {
        var options = new InpaintingNetworkOptions { InputChannels = channels, BaseWidth = width, Depth = depth };
        Assert.Equal(refused, Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);
        Assert.Equal(refused, Assert.Throws<ArgumentOutOfRangeException>(() => new InpaintingNetwork(options)).ParamName);   // before any layer is built
    }

    /// <summary>The ends of the ranges are allowed (width 1 loads, though it does not train: MinTrainingBaseWidth), and image
    /// sides must be multiples of 2^(Depth - 1).</summary>
    [Theory]
    [InlineData(1, 1, 2, 2)]
    [InlineData(3, 1024, 8, 128)]
    public void AcceptsTheEndsOfTheRanges(int channels, int width, int depth, int sizeMultiple)
    {
        var options = new InpaintingNetworkOptions { InputChannels = channels, BaseWidth = width, Depth = depth };
        options.Validate();
        Assert.Equal(sizeMultiple, options.SizeMultiple);
    }

    /// <summary>A generator decides every starting weight: the same seed, the same network (what makes a seed give the same model).</summary>
    [Fact]
    public void TheInitialisationGeneratorDecidesTheWeights()
    {
        float[] Weights(ulong seed)
        {
            using var generator = new Generator(seed);
            using var net = new InpaintingNetwork(new InpaintingNetworkOptions { BaseWidth = 2, Depth = 2 }, generator);
            return net.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        float[] first = Weights(3);
        Assert.Equal(first, Weights(3));
        Assert.NotEqual(first, Weights(4));
    }

    /// <summary>The encoder's features of a whole image, finest level first: level l has width BaseWidth x 2^min(l, 3)
    /// and side S / 2^l (what the benchmarks' feature comparison reads).</summary>
    [Fact]
    public void EncoderFeaturesHalveTheSideAtEachLevel()
    {
        using var net = new InpaintingNetwork(new InpaintingNetworkOptions { BaseWidth = 2, Depth = 3 });
        using var image = rand(2, 1, 16, 16);
        var features = net.EncoderFeatures(image);
        Assert.Equal([[2, 2, 16, 16], [2, 4, 8, 8], [2, 8, 4, 4]], features.Select(f => f.shape).ToArray());
        foreach (var f in features) f.Dispose();
    }
}
