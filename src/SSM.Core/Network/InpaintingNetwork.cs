using TorchSharp;
using TorchSharp.Modules;
using SSM.Core.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SSM.Core.Network;

/// <summary>
/// The mask-aware inpainting U-Net (paper, section 3). Input: the masked image (hidden pixels 0) and
/// its mask; output: C restored channels and one predicted-mask channel, all through tanh.
/// </summary>
public sealed class InpaintingNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly ConvBlock stem;
    private readonly ModuleList<DownBlock> encoder = new();
    private readonly MaskBlock bottleneckMask;
    private readonly ModuleList<UpBlock> decoder = new();
    private readonly ModuleList<MaskBlock> decoderMasks = new();
    private readonly Module<Tensor, Tensor> head;

    /// <summary>Builds the network with fresh weights.</summary>
    /// <param name="options">Shape of the network.</param>
    /// <param name="initialisation">Draws the initial weights; null uses torch's process-wide generator,
    /// which other threads may be drawing from too (so only a generator makes the weights reproducible).</param>
    public InpaintingNetwork(InpaintingNetworkOptions options, Generator? initialisation = null) : base(nameof(InpaintingNetwork))
    {
        options.Validate();
        TorchNative.EnsureLoaded();
        Options = options;
        var widths = options.LevelWidths();
        stem = new ConvBlock(options.InputChannels, widths[0]);
        for (int i = 1; i < widths.Length; i++) encoder.Add(new DownBlock(widths[i - 1], widths[i]));
        bottleneckMask = new MaskBlock(widths[^1]);
        for (int i = widths.Length - 1; i > 0; i--)
        {
            decoder.Add(new UpBlock(widths[i], widths[i - 1]));
            decoderMasks.Add(new MaskBlock(widths[i - 1]));
        }
        head = Sequential(new Conv(widths[0], options.InputChannels + 1, 3, padding: 1), Tanh());
        RegisterComponents();
        if (initialisation is not null) ResetConvolutions(initialisation);
    }

    /// <summary>Redraws every convolution from the given generator (batch norms keep their deterministic start: weight 1, bias 0).</summary>
    private void ResetConvolutions(Generator generator)
    {
        foreach (var conv in modules().OfType<Conv>()) conv.Reset(generator);
    }

    /// <summary>Whether <see cref="forward"/> runs channels-last (the default; false only to compare layouts).</summary>
    internal bool ChannelsLastLayout { get; set; } = true;

    /// <summary>The settings the network was built with.</summary>
    public InpaintingNetworkOptions Options { get; }

    /// <param name="maskedImage">[B, C, S, S] image with hidden pixels set to 0.</param>
    /// <param name="mask">[B, 1, S, S], 1 = visible, 0 = hidden.</param>
    /// <returns>[B, C + 1, S, S]: restored image, then the predicted mask.</returns>
    public override Tensor forward(Tensor maskedImage, Tensor mask)
    {
        using var scope = NewDisposeScope();
        // Channels-last from the entry on: every layer keeps the layout, and at full resolution it made a training
        // step 1.3x faster (see ChannelsLast). The output goes back to the default layout for its readers.
        if (ChannelsLastLayout)
        {
            maskedImage = ChannelsLast.Of(maskedImage);
            mask = ChannelsLast.Of(mask);
        }
        var skips = new List<Tensor> { stem.forward(maskedImage) };
        foreach (var down in encoder) skips.Add(down.forward(skips[^1]));
        var x = bottleneckMask.forward(skips[^1], mask);
        for (int i = 0; i < decoder.Count; i++)
        {
            x = decoder[i].forward(x, skips[skips.Count - 2 - i]);
            x = decoderMasks[i].forward(x, mask);
        }
        return head.forward(x).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="forward"/> in the number format <paramref name="format"/> (mixed precision: the inputs are cast to it, the
    /// float32 weights are cast per convolution) with the output back in float32, for the restoration and the loss.
    /// </summary>
    public Tensor ForwardIn(ScalarType format, Tensor maskedImage, Tensor mask)
    {
        if (format == ScalarType.Float32) return forward(maskedImage, mask);
        using var x = maskedImage.to(format);
        using var m = mask.to(format);
        using var y = forward(x, m);
        return y.to(ScalarType.Float32);
    }

    /// <summary>The encoder's feature maps of an image seen whole (no cell hidden), finest level first:
    /// [B, w_l, S / 2^l, S / 2^l] for level l.</summary>
    public Tensor[] EncoderFeatures(Tensor image)
    {
        var features = new Tensor[encoder.Count + 1];
        features[0] = stem.forward(image);
        for (int i = 0; i < encoder.Count; i++) features[i + 1] = encoder[i].forward(features[i]);
        return features;
    }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
