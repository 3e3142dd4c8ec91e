using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SSM.Core.Network;

/// <summary>
/// A square 2-D convolution (torch.nn.Conv2d's parameters and state-dict names) that runs in the number format of its
/// input: the weights stay float32 and are cast on each call, so a bfloat16 input runs a bfloat16 convolution while
/// the gradients, the optimizer and the saved model stay float32 (what torch.autocast does; TorchSharp 0.107 has none).
/// </summary>
internal sealed class Conv : Module<Tensor, Tensor>
{
    // Field names are the state-dict names: the same as torch.nn.Conv2d, so model files are unchanged.
    private readonly Parameter weight;
    private readonly Parameter? bias;
    private readonly long[] stride;
    private readonly long[] padding;

    public Conv(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, bool bias = true) : base("Conv2d")
    {
        weight = new Parameter(empty(outChannels, inChannels, kernel, kernel));
        if (bias) this.bias = new Parameter(empty(outChannels));
        this.stride = [stride, stride];
        this.padding = [padding, padding];
        Reset(generator: null);
        RegisterComponents();
    }

    /// <summary>Input channels x kernel area: the fan-in of one output value.</summary>
    public long FanIn => weight.shape[1] * weight.shape[2] * weight.shape[3];

    /// <summary>The weight tensor [out, in, k, k].</summary>
    public Tensor Weight => weight;

    /// <summary>
    /// Draws the weights as torch does by default (kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in),
    /// 1/sqrt(fan_in)) for weights and biases); null uses torch's process-wide generator.
    /// </summary>
    public void Reset(Generator? generator)
    {
        using var noGrad = no_grad();
        double bound = 1.0 / Math.Sqrt(FanIn);
        weight.uniform_(-bound, bound, generator);
        bias?.uniform_(-bound, bound, generator);
    }

    /// <summary>Convolutions of an image's few channels (at most <see cref="Float32InputChannels"/>) run in float32 whatever
    /// their input's format: on a Zen 5 virtual machine libtorch's oneDNN computed bfloat16 convolutions of one input channel
    /// into fewer than 16 outputs wrongly (OneDnnCheck), and they cost little.</summary>
    public const int Float32InputChannels = 3;

    public override Tensor forward(Tensor x)
    {
        if (x.dtype != ScalarType.BFloat16 || weight.shape[1] > Float32InputChannels)
        {
            using var w = weight.to(x.dtype);
            using var b = bias?.to(x.dtype);
            return functional.conv2d(x, w, b, stride, padding);
        }
        using var x32 = x.to(ScalarType.Float32);
        using var y = functional.conv2d(x32, weight, bias, stride, padding);
        return y.to(x.dtype);
    }
}
