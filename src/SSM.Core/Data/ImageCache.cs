using static TorchSharp.torch;

namespace SSM.Core.Data;

/// <summary>
/// Normal images resized to S x S and kept as 8-bit values (a quarter of float storage), so a
/// thousand 256 x 256 images cost 65 MB per channel. Batches come out as float tensors in [0, 1].
/// </summary>
public sealed class ImageCache
{
    private readonly List<byte[]> images = new();
    private readonly List<double> logAreas = new();   // log(width x height) of each image before resizing

    /// <param name="imageSize">Side S the images are resized to.</param>
    /// <param name="channels">Channels every image must have.</param>
    public ImageCache(int imageSize, int channels)
    {
        ImageSize = imageSize;
        Channels = channels;
    }

    /// <summary>Smallest width and height accepted: smaller images carry no texture to learn or judge.</summary>
    public const int MinimumSide = 8;

    public int ImageSize { get; }
    public int Channels { get; }
    public int Count => images.Count;

    /// <summary>Resizes and stores one image. Throws when its channel count differs or a value is not finite.</summary>
    /// <param name="image">The image.</param>
    /// <param name="name">How the image is named in error messages (a path or a row number).</param>
    public void Add(FloatImage image, string name)
    {
        if (image.Width < MinimumSide || image.Height < MinimumSide)
            throw new ArgumentException($"Image {name} is {image.Width}x{image.Height} pixels; images must be at least {MinimumSide}x{MinimumSide}.");
        if (image.Channels != Channels)
            throw new ArgumentException($"Image {name} has {image.Channels} channel(s); this model expects {Channels}.");
        foreach (var v in image.Pixels)
            if (!float.IsFinite(v))
                throw new ArgumentException($"Image {name} contains a NaN or infinite pixel value.");
        var resized = image.Height == ImageSize && image.Width == ImageSize ? image : ImageResize.Resize(image, ImageSize, ImageSize);
        var bytes = new byte[resized.Pixels.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp(MathF.Round(resized.Pixels[i] * 255f), 0, 255);
        images.Add(bytes);
        logAreas.Add(image.LogArea);
    }

    /// <summary>log(width x height) of the image at <paramref name="index"/> as it was given, before resizing to S x S:
    /// how much it was enlarged or shrunk (<see cref="Scoring.SizeEffect"/>).</summary>
    public double LogArea(int index) => logAreas[index];

    /// <summary>SHA-256 over the cached pixels, so a checkpoint can tell whether it was trained on these images.</summary>
    public byte[] Fingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(ImageSize));
        hash.AppendData(BitConverter.GetBytes(Channels));
        foreach (var image in images) hash.AppendData(image);
        return hash.GetHashAndReset();
    }

    /// <summary>A cache over some of these images (shared, not copied).</summary>
    public ImageCache Subset(IEnumerable<int> indices)
    {
        var subset = new ImageCache(ImageSize, Channels);
        foreach (int i in indices)
        {
            subset.images.Add(images[i]);
            subset.logAreas.Add(logAreas[i]);
        }
        return subset;
    }

    /// <summary>A float batch [B, C, S, S] of the given images, each optionally mirrored.</summary>
    public Tensor Batch(IReadOnlyList<int> indices, IReadOnlyList<bool>? flipHorizontal = null, IReadOnlyList<bool>? flipVertical = null)
    {
        int s = ImageSize, plane = s * s, size = Channels * plane;
        var data = new float[indices.Count * size];
        for (int b = 0; b < indices.Count; b++)
        {
            var src = images[indices[b]];
            bool fh = flipHorizontal?[b] ?? false, fv = flipVertical?[b] ?? false;
            int offset = b * size;
            for (int c = 0; c < Channels; c++)
                for (int y = 0; y < s; y++)
                {
                    int sy = fv ? s - 1 - y : y;
                    int srcRow = c * plane + sy * s, dstRow = offset + c * plane + y * s;
                    for (int x = 0; x < s; x++)
                        data[dstRow + x] = src[srcRow + (fh ? s - 1 - x : x)] * (1f / 255f);
                }
        }
        return tensor(data, [indices.Count, Channels, s, s]);
    }
}
