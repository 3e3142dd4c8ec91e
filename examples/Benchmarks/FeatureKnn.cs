using SSM.Core;
using SSM.Core.Data;
using static TorchSharp.torch;

namespace SSM.Benchmarks;

/// <summary>
/// Nearest-neighbour maps (PatchCore-style, without pretrained weights): every patch of a test image is scored by
/// its distance to the nearest patch of the normal training images, in the SSM encoder's feature space or in raw pixels.
/// </summary>
internal static class FeatureKnn
{
    /// <summary>Encoder features of the given levels, 3x3-averaged and resampled to grid x grid: [N, grid^2, D].</summary>
    public static Tensor EncoderPatches(SsmModel model, ImageCache images, int[] levels, int grid)
    {
        using var noGrad = no_grad();
        model.Network.eval();
        return PerChunk(images, 16, batch =>
        {
            var features = model.Network.EncoderFeatures(InputNormalizer.Apply(batch, model.Options));
            var joined = cat(levels.Select(l => nn.functional.interpolate(nn.functional.avg_pool2d(features[l], 3, 1, 1),
                size: [grid, grid], mode: InterpolationMode.Bilinear, align_corners: false)).ToArray(), 1);
            return joined.permute(0, 2, 3, 1).reshape(batch.shape[0], grid * grid, -1);
        });
    }

    /// <summary>Raw (normalised) pixel patches of side 2*S/grid with stride S/grid: [N, grid^2, patch^2 * C].</summary>
    public static Tensor PixelPatches(ImageCache images, InputNormalization normalization, int grid)
    {
        int stride = images.ImageSize / grid, patch = 2 * stride;
        return PerChunk(images, 32, batch =>
            nn.functional.unfold(InputNormalizer.Apply(batch, normalization), patch, stride: stride, padding: stride / 2) // [b, patch^2 C, grid^2]
                .permute(0, 2, 1).contiguous());
    }

    /// <summary>Runs <paramref name="patches"/> over the images in chunks and concatenates the results along the first dimension.</summary>
    private static Tensor PerChunk(ImageCache images, int chunkSize, Func<Tensor, Tensor> patches)
    {
        var parts = new List<Tensor>();
        foreach (var chunk in Enumerable.Range(0, images.Count).Chunk(chunkSize))
        {
            using var scope = NewDisposeScope();
            using var batch = images.Batch(chunk);
            parts.Add(patches(batch).MoveToOuterDisposeScope());
        }
        var all = cat(parts.ToArray(), 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>Per image, the distance of each query patch to its nearest bank patch, upsampled to size x size.</summary>
    public static List<float[]> Maps(Tensor bank, Tensor queries, int size)
    {
        using var noGrad = no_grad();
        int grid = (int)Math.Round(Math.Sqrt(queries.shape[1]));
        var flatBank = bank.reshape(-1, bank.shape[2]);
        var result = new List<float[]>();
        for (long i = 0; i < queries.shape[0]; i++)
        {
            using var scope = NewDisposeScope();
            var d = cdist(queries[i], flatBank).amin(1).view(1, 1, grid, grid);
            var up = nn.functional.interpolate(d, size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            result.Add(up.data<float>().ToArray());
        }
        return result;
    }
}
