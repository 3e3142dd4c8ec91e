using SSM.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>Separable Gaussian smoothing of anomaly maps, with reflected borders so edges are not darkened.</summary>
public sealed class MapSmoothing : IDisposable
{
    private readonly Tensor? rowKernel;
    private readonly Tensor? columnKernel;
    private readonly int pad;

    /// <param name="sigma">In pixels; 0 turns smoothing off.</param>
    public MapSmoothing(double sigma)
    {
        if (sigma <= 0) return;
        int size = GaussianKernel.SizeFor(sigma);
        pad = size / 2;
        // A view is a tensor of its own: left undisposed, each held the taps until the finaliser ran.
        using var k = GaussianKernel.OneD(size, sigma);
        using var row = k.view(1, 1, 1, size);
        using var column = k.view(1, 1, size, 1);
        rowKernel = row.clone();
        columnKernel = column.clone();
    }

    /// <summary>Smooths maps [B, 1, H, W].</summary>
    public Tensor Apply(Tensor maps)
    {
        if (rowKernel is null || columnKernel is null) return maps.alias();
        using var scope = NewDisposeScope();
        // Reflection needs pad < side; clamp and fall back to replication for tiny maps.
        long side = Math.Min(maps.shape[2], maps.shape[3]);
        var mode = pad < side ? PaddingModes.Reflect : PaddingModes.Replicate;
        var x = nn.functional.pad(maps, [pad, pad, 0, 0], mode);
        x = nn.functional.conv2d(x, rowKernel.to(maps.device));
        x = nn.functional.pad(x, [0, 0, pad, pad], mode);
        x = nn.functional.conv2d(x, columnKernel.to(maps.device));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Frees the kernels' native memory.</summary>
    public void Dispose()
    {
        rowKernel?.Dispose();
        columnKernel?.Dispose();
    }
}
