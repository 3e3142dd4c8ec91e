using TorchSharp;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Torch;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Torch;

/// <summary>On a Zen 5 virtual machine libtorch's oneDNN convolutions came out wrong (OneDnnCheck): once libtorch is
/// loaded, convolutions must be right whichever implementation runs them.</summary>
public sealed class OneDnnCheckTests
{
    [Fact]
    public void Once_libtorch_is_loaded_the_convolutions_that_failed_on_a_zen5_machine_are_right()
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

    [Fact]
    public void Auto_precision_never_picks_bfloat16_when_onednn_is_off()
    {
        TorchNative.EnsureLoaded();

        var resolved = NativeBFloat16.Resolve(NetworkPrecision.Auto, CPU);

        Assert.True(!OneDnnCheck.OneDnnTurnedOff || resolved == NetworkPrecision.Float32, $"Auto resolved to {resolved} with oneDNN off");
    }
}
