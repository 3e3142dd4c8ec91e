using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SSM.Core.Network;

/// <summary>(3x3 conv, BN, ReLU) x 2: the body of every U-Net level.</summary>
internal sealed class ConvBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;

    public ConvBlock(long inChannels, long outChannels) : base(nameof(ConvBlock))
    {
        body = Sequential(
            new Conv(inChannels, outChannels, 3, padding: 1, bias: false), new BatchNorm2d(outChannels), ReLU(),
            new Conv(outChannels, outChannels, 3, padding: 1, bias: false), new BatchNorm2d(outChannels), ReLU());
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.forward(x);
}

/// <summary>Encoder step: a strided 4x4 convolution halves the resolution, then a <see cref="ConvBlock"/>.</summary>
internal sealed class DownBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> down;
    private readonly ConvBlock conv;

    public DownBlock(long inChannels, long outChannels) : base(nameof(DownBlock))
    {
        down = Sequential(new Conv(inChannels, inChannels, 4, stride: 2, padding: 1, bias: false), new BatchNorm2d(inChannels), ReLU());
        conv = new ConvBlock(inChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => conv.forward(down.forward(x));
}

/// <summary>Decoder step: nearest upsampling x2, 1x1 conv, concatenation with the skip, <see cref="ConvBlock"/>.</summary>
internal sealed class UpBlock : Module<Tensor, Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> reduce;
    private readonly ConvBlock conv;

    public UpBlock(long inChannels, long outChannels) : base(nameof(UpBlock))
    {
        reduce = new Conv(inChannels, outChannels, 1);
        conv = new ConvBlock(2 * outChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor skip)
    {
        using var up = functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        using var reduced = reduce.forward(up);
        using var joined = cat([reduced, skip], 1);
        return conv.forward(joined);
    }
}
