using TorchSharp;
using SSM.Core.Losses;
using SSM.Core.Masks;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Torch;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Torch;

/// <summary>On a Zen 5 virtual machine libtorch's oneDNN computed some convolutions wrongly (OneDnnCheck): once libtorch is
/// loaded, the convolutions the library runs must be right, whichever implementation runs them.</summary>
public sealed class OneDnnCheckTests
{
    [Fact]
    public void Once_libtorch_is_loaded_the_convolutions_the_library_runs_are_right()
    {
        TorchNative.EnsureLoaded();

        var (float32, bfloat16) = OneDnnCheck.ProbeErrors();

        Assert.True(float32 <= 1e-5, $"float32 error {float32}; {OneDnnCheck.Finding ?? "oneDNN on"}");
        Assert.True(bfloat16 <= 0.02, $"bfloat16 error {bfloat16}; {OneDnnCheck.Finding ?? "oneDNN on"}");
    }

    [Fact]
    public void The_network_computes_what_float64_does_with_channels_padded_to_a_block()
    {
        // 17 and 33 channels go through oneDNN's padded blocked layouts, where the wrong values came from (in the default
        // layout; the network runs channels-last). The reference runs in float64, which libtorch never hands to oneDNN.
        using var network = new InpaintingNetwork(new InpaintingNetworkOptions { InputChannels = 1, BaseWidth = 16, Depth = 2 }, new Generator(3));
        network.eval();
        var generator = new Generator(4);
        using var image = rand([4, 1, 32, 32], generator: generator);
        using var mask = rand([4, 1, 32, 32], generator: generator).gt(0.5).to(ScalarType.Float32);
        using var noGrad = no_grad();

        using var output = network.forward(image, mask);
        network.to(ScalarType.Float64);
        network.ChannelsLastLayout = false;
        using var reference = network.forward(image.to(ScalarType.Float64), mask.to(ScalarType.Float64)).to(ScalarType.Float32);

        Assert.False(output.isnan().any().item<bool>());
        Assert.True(output.allclose(reference, rtol: 1e-4, atol: 1e-5), $"largest difference {(output - reference).abs().max().item<float>()}");
    }

    /// <summary>bfloat16 convolutions of one input channel into fewer than 16 outputs came out wrong on the Zen 5 machine
    /// (OneDnnCheck): the network's convolutions, narrow first layers included, must compute in bfloat16 what float64 does,
    /// to bfloat16's precision, channels-last as the network runs them.</summary>
    [Theory]
    [InlineData(1, 4)]
    [InlineData(1, 8)]
    [InlineData(3, 4)]
    [InlineData(1, 16)]
    [InlineData(5, 4)]
    [InlineData(16, 2)]
    public void A_convolution_in_bfloat16_computes_what_float64_does(int inChannels, int outChannels)
    {
        using var scope = NewDisposeScope();
        using var conv = new Conv(inChannels, outChannels, 3, padding: 1);
        var x = rand([4, inChannels, 32, 32], generator: new Generator(9));

        var output = conv.forward(ChannelsLast.Of(x.to(ScalarType.BFloat16))).to(ScalarType.Float64);
        var reference = nn.functional.conv2d(x.to(ScalarType.Float64), conv.Weight.to(ScalarType.Float64), conv.parameters().Last().to(ScalarType.Float64), padding: [1, 1]);

        double error = (output - reference).abs().max().item<double>() / reference.abs().max().item<double>();
        Assert.True(error < 0.02, $"off by {error:G3} of the range; {OneDnnCheck.Finding ?? "oneDNN on"}");
    }

    /// <summary>What went wrong on the Zen 5 machine while oneDNN was on: the loss's gradients (MS-GMS's Prewitt gradients
    /// were a one-channel convolution, whose input gradient oneDNN computed wrongly there). The gradients of a training
    /// step's loss must be those of float64, whichever convolutions run.</summary>
    [Fact]
    public void A_training_steps_gradients_are_those_of_float64()
    {
        using var scope = NewDisposeScope();
        using var network = new InpaintingNetwork(new InpaintingNetworkOptions { InputChannels = 1, BaseWidth = 16, Depth = 2 }, new Generator(5));
        network.train();
        var generator = new Generator(6);
        var images = rand([2, 1, 32, 32], generator: generator);
        var masks = ComplementaryMasks.Generate(32, 8, 2, generator).unsqueeze(1);

        Dictionary<string, Tensor> Gradients()
        {
            network.zero_grad();
            var dtype = network.parameters().First().dtype;
            var x = images.to(dtype);
            var (masked, maskInputs) = MaskedRestoration.Inputs(x, masks.to(dtype));
            var (restoration, predicted) = MaskedRestoration.Assemble(x, network.forward(masked, maskInputs), masks.to(dtype));
            SsmLoss.Compute(x, restoration, predicted, masks.to(dtype), new SsmLossWeights()).Total.backward();
            return network.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.to(ScalarType.Float64));
        }

        var float32 = Gradients();
        network.to(ScalarType.Float64);
        var float64 = Gradients();

        foreach (var (name, reference) in float64)
        {
            double error = (float32[name] - reference).abs().max().item<double>() / reference.abs().max().item<double>();
            Assert.True(error < 1e-3, $"{name}: gradient off by {error:G3} of its range; {OneDnnCheck.Finding ?? "oneDNN on"}");
        }
    }
}
