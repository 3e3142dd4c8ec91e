using SSM.Core.Network;
using SSM.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Torch;

public class ChannelsLastTests
{
    private static bool IsChannelsLast(Tensor t)
    {
        long c = t.shape[1], h = t.shape[2], w = t.shape[3];
        return t.stride().SequenceEqual(new[] { h * w * c, 1, w * c, c });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void KeepsShapeAndValuesAndSetsTheStrides(int channels)
    {
        using var x = rand(2, channels, 5, 7);
        using var y = ChannelsLast.Of(x);
        Assert.Equal(x.shape, y.shape);
        Assert.True(IsChannelsLast(y));
        Assert.True(x.eq(y).all().item<bool>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void KeepsTheValuesOfAViewIntoALargerTensor(int channels)
    {
        // A batch slice starts past the storage's start; a one-channel slice is already contiguous and is not copied.
        using var whole = rand(5, channels, 4, 6);
        using var slice = whole.narrow(0, 2, 2);
        using var y = ChannelsLast.Of(slice);
        Assert.True(IsChannelsLast(y));
        Assert.True(slice.eq(y).all().item<bool>());
    }

    [Fact]
    public void TheNetworkGivesTheDefaultLayoutsOutputAlsoForASliceOfABatch()
    {
        using var network = new InpaintingNetwork(new InpaintingNetworkOptions { InputChannels = 1, BaseWidth = 4, Depth = 3 }, new Generator(2));
        network.eval();
        using var images = rand(6, 1, 16, 16);
        using var masks = rand(6, 1, 16, 16).gt(0.5).to(ScalarType.Float32);
        using var image = images.narrow(0, 3, 2);
        using var mask = masks.narrow(0, 3, 2);
        using var noGrad = no_grad();
        using var channelsLast = network.forward(image, mask);
        // The default layout in float64: libtorch's own convolutions (oneDNN computed some of the default layout's wrongly
        // on a Zen 5 virtual machine; see OneDnnCheck).
        network.to(ScalarType.Float64);
        network.ChannelsLastLayout = false;
        using var plain = network.forward(image.to(ScalarType.Float64), mask.to(ScalarType.Float64)).to(ScalarType.Float32);
        Assert.True(channelsLast.allclose(plain, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void TheLayoutCarriesThroughTheNetworksLayers()
    {
        // The speed-up rests on libtorch keeping the layout: one conversion at the entry, none per layer.
        using var x = ChannelsLast.Of(rand(2, 4, 16, 16));
        using var mask = ChannelsLast.Of(ones(2, 1, 16, 16));
        using var weight = randn(8, 5, 3, 3);
        using var joined = cat([x, mask], 1);
        using var conv = nn.functional.conv2d(joined, weight, padding: [1, 1]);
        using var norm = nn.functional.batch_norm(conv, zeros(8), ones(8), training: true);
        using var relu = nn.functional.relu(norm);
        using var up = nn.functional.interpolate(relu, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        using var smallMask = nn.functional.interpolate(mask, size: [8, 8], mode: InterpolationMode.Nearest);
        foreach (var t in new[] { joined, conv, norm, relu, up, smallMask })
            Assert.True(IsChannelsLast(t));
    }

    [Fact]
    public void TheNetworkReturnsTheDefaultLayout()
    {
        using var network = new InpaintingNetwork(new InpaintingNetworkOptions { InputChannels = 1, BaseWidth = 4, Depth = 3 }, new Generator(1));
        using var image = rand(2, 1, 16, 16);
        using var mask = ones(2, 1, 16, 16);
        using var output = network.forward(image, mask);
        Assert.True(output.is_contiguous());
        Assert.False(IsChannelsLast(output));
    }
}
