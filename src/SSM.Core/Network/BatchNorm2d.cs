using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Network;

/// <summary>
/// torch.nn.BatchNorm2d (same parameters, buffers and state-dict names; momentum 0.1, eps 1e-5) with one change:
/// TorchSharp's forward counts batches with <c>num_batches_tracked.add_(1)</c>, whose temporary <see cref="Scalar"/>
/// can be finalised by the GC while the native call still reads it (TorchSharp 0.107 has no GC.KeepAlive there).
/// A 10-epoch MTD training run died of it in epoch 9 ("argument alpha must not be a floating point number"); here the
/// count uses kept scalars (<see cref="Torch.Scalars"/>).
/// </summary>
internal sealed class BatchNorm2d(long features) : BatchNorm(features, 1e-5, 0.1, true, true, null, null, nameof(BatchNorm2d))
{
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (training) num_batches_tracked?.add_(Scalars.One, Scalars.One);   // null only without running statistics, which we never build
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum ?? 0.1, eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"Expected a 4-D input [B, C, H, W]; got {input.ndim}-D.");
    }
}
