using SSM.Core.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Network;

public class ConvTests
{
    /// <summary>Model files written before <see cref="Conv"/> replaced torch.nn.Conv2d must still load by name.</summary>
    [Fact]
    public void ParametersHaveTorchConv2dNames()
    {
        using var withBias = new Conv(2, 3, 3, padding: 1);
        using var torchConv = nn.Conv2d(2, 3, 3, padding: 1);
        Assert.Equal(torchConv.named_parameters().Select(p => p.name), withBias.named_parameters().Select(p => p.name));
        using var noBias = new Conv(2, 3, 3, padding: 1, bias: false);
        Assert.Equal(["weight"], noBias.named_parameters().Select(p => p.name));
    }

    /// <summary>The starting weights and biases are torch.nn.Conv2d's: uniform within 1/sqrt(fan-in) each side, where
    /// the fan-in is the input channels times the kernel's area (here 4 x 3 x 3 = 36, a bound of 1/6).</summary>
    [Fact]
    public void StartsUniformWithinOneOverTheRootOfTheFanIn()
    {
        using var conv = new Conv(4, 64, 3);
        Assert.Equal(36, conv.FanIn);
        using var generator = new Generator(1);
        conv.Reset(generator);
        var parameters = conv.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
        foreach (var (name, values) in parameters)
        {
            Assert.All(values, v => Assert.InRange(v, -1f / 6, 1f / 6));
            Assert.True(values.Min() < -1f / 12 && values.Max() > 1f / 12, $"{name} spans {values.Min()} to {values.Max()}");
        }
        Assert.Equal(64, parameters["bias"].Length);
    }

    [Fact]
    public void Float32InputGivesTorchConv2dOutput()
    {
        using var conv = new Conv(2, 3, 4, stride: 2, padding: 1);
        using var torchConv = nn.Conv2d(2, 3, 4, stride: 2, padding: 1);
        torchConv.load_state_dict(conv.state_dict());
        using var x = rand(2, 2, 8, 8);
        using var expected = torchConv.forward(x);
        using var actual = conv.forward(x);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.equal(expected).all().item<bool>());
    }

    /// <summary>Mixed precision: a bfloat16 input runs in bfloat16, and the gradient reaches the float32 weights close to
    /// the float32 gradient.</summary>
    [Fact]
    public void BFloat16InputRunsInBFloat16WithFloat32Gradients()
    {
        using var conv = new Conv(4, 8, 3, padding: 1);
        using var x = randn(2, 4, 8, 8);
        using (var y = conv.forward(x)) y.sum().backward();
        using var float32Gradient = conv.parameters().First().grad!.clone();
        foreach (var p in conv.parameters()) p.grad!.zero_();

        using var low = x.to(ScalarType.BFloat16);
        using var lowOutput = conv.forward(low);
        Assert.Equal(ScalarType.BFloat16, lowOutput.dtype);
        using (var total = lowOutput.to(ScalarType.Float32).sum()) total.backward();
        var gradient = conv.parameters().First().grad!;
        Assert.Equal(ScalarType.Float32, gradient.dtype);
        double relative = (gradient - float32Gradient).abs().max().item<float>() / float32Gradient.abs().max().item<float>();
        Assert.True(relative < 0.02, $"bfloat16 gradient off by {relative:P1} of the largest");
    }

    /// <summary>An image's own few channels (up to <see cref="Conv.Float32InputChannels"/>, 3: colour) are convolved in
    /// float32 even from a bfloat16 input, because oneDNN computed some of those convolutions wrongly (OneDnnCheck); a layer
    /// of more channels runs in bfloat16. The output is in the input's format either way.</summary>
    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void AnImagesChannelsAreConvolvedInFloat32(int channels, bool float32)
    {
        using var conv = new Conv(channels, 8, 3, padding: 1);
        using var x = randn(2, channels, 8, 8).to(ScalarType.BFloat16);
        using var weight = conv.Weight.detach();
        using var bias = conv.parameters().Last().detach();
        using var inFloat32 = nn.functional.conv2d(x.to(ScalarType.Float32), weight, bias, padding: [1, 1]).to(ScalarType.BFloat16);
        using var inBFloat16 = nn.functional.conv2d(x, weight.to(ScalarType.BFloat16), bias.to(ScalarType.BFloat16), padding: [1, 1]);
        Assert.False(inFloat32.equal(inBFloat16).all().item<bool>());   // the two ways differ, so the test can tell them apart
        using var actual = conv.forward(x);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.True(actual.equal(float32 ? inFloat32 : inBFloat16).all().item<bool>());
    }
}
