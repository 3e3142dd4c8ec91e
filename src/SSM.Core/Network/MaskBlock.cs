using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using SSM.Core.Torch;

namespace SSM.Core.Network;

/// <summary>
/// Injects the mask into a decoder stage so the decoder always knows which pixels it must invent:
/// y = x + m * conv3x3(ReLU(BN(conv3x3(concat(BN(x), m))))), with m resized (nearest) to the stage.
/// </summary>
internal sealed class MaskBlock : Module<Tensor, Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> norm;
    private readonly Module<Tensor, Tensor> body;

    public MaskBlock(long channels) : base(nameof(MaskBlock))
    {
        norm = new BatchNorm2d(channels);
        body = Sequential(
            new Conv(channels + 1, channels, 3, padding: 1, bias: false), new BatchNorm2d(channels), ReLU(),
            new Conv(channels, channels, 3, padding: 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.shape[^1] == x.shape[^1]
            ? mask
            : functional.interpolate(mask, size: [x.shape[^2], x.shape[^1]], mode: InterpolationMode.Nearest);
        var update = body.forward(cat([norm.forward(x), m], 1));
        return x.Plus(m.mul(update)).MoveToOuterDisposeScope();
    }
}
