using static TorchSharp.torch;

namespace SSM.Core.Data;

/// <summary>
/// Normal images resized to S x S and kept as 16-bit values (half of float storage), so a thousand 256 x 256 images
/// cost 131 MB per channel. Batches come out as float tensors in [0, 1]. 16 bits, not 8: training must see what scoring
/// sees, and a 16-bit scan or a narrow-range pixel vector cut to 256 levels trains on flat images. An 8-bit image
/// comes back exactly as its file's levels b / 255.
/// </summary>
public sealed class ImageCache
{
    private readonly List<ushort[]> images = new();
    private readonly List<double> logAreas = new();   // log(width x height) of each image before resizing

    /// <param name="imageSize">Side S the images (or their tiles) are resized to.</param>
    /// <param name="channels">Channels every image must have.</param>
    /// <param name="tiles">Tiles each added image is cut into (<see cref="TileGrid.Cut"/>), stored one after another;
    /// null keeps each image whole.</param>
    public ImageCache(int imageSize, int channels, TileGrid? tiles = null)
    {
        ImageSize = imageSize;
        Channels = channels;
        Tiles = tiles is null or { Count: 1 } ? TileGrid.Whole : tiles;   // one tile is the whole image, however it was made
    }

    /// <summary>
    /// The value of each 16-bit level. A multiple of 257 is an 8-bit level b (b x 257 = b x 65535 / 255) and gives
    /// b x (1/255) exactly as the 8-bit cache did, so models trained on 8-bit images are bit for bit what they were.
    /// </summary>
    private static readonly float[] Value = [.. Enumerable.Range(0, 65536).Select(u => u % 257 == 0 ? u / 257 * (1f / 255f) : u / 65535f)];

    /// <summary>Smallest width and height accepted: smaller images carry no texture to learn or judge.</summary>
    public const int MinimumSide = 8;

    /// <summary>Side S every image is stored at.</summary>
    public int ImageSize { get; }
    /// <summary>Channels every image must have.</summary>
    public int Channels { get; }
    /// <summary>Tiles each added image was cut into; <see cref="TileGrid.Whole"/> when images are kept whole.</summary>
    public TileGrid Tiles { get; }

    /// <summary>Throws <see cref="ArgumentException"/> (for <paramref name="paramName"/>) unless these images are cached as the
    /// model of <paramref name="options"/> reads them: at its image size, with its channels, cut into its tiles.</summary>
    internal void RequireCachedFor(SsmOptions options, string paramName)
    {
        if (ImageSize != options.ImageSize || Channels != options.Network.InputChannels || Tiles != options.Grid)
            throw new ArgumentException($"The images are cached at {ImageSize} px with {Channels} channel(s) as {Tiles.Describe()}; the model reads " +
                                        $"{options.ImageSize} px with {options.Network.InputChannels} as {options.Grid.Describe()}.", paramName);
    }
    /// <summary>Entries stored so far: tiles when images are cut into them (<see cref="ImageCount"/> x tiles each), else images.
    /// Indices of <see cref="Batch"/>, <see cref="Subset"/> and <see cref="LogArea"/> count these.</summary>
    public int Count => images.Count;
    /// <summary>Images added so far.</summary>
    public int ImageCount => images.Count / Tiles.Count;

    /// <summary>The entries of images <paramref name="indices"/> (of <see cref="ImageCount"/>): each image's tiles in order.</summary>
    public int[] EntriesOf(IEnumerable<int> indices) =>
        [.. indices.SelectMany(i => Enumerable.Range(i * Tiles.Count, Tiles.Count))];

    /// <summary>Why an image of <paramref name="size"/> (as given, before any resize) is too small to use, naming it
    /// <paramref name="what"/>; null when it is large enough.</summary>
    public static string? SizeProblem(string what, (int Width, int Height) size) =>
        size.Width < MinimumSide || size.Height < MinimumSide
            ? $"{what} is {size.Width}x{size.Height} pixels; images must be at least {MinimumSide}x{MinimumSide}."
            : null;

    /// <summary>Resizes and stores one image. Throws when its channel count differs or a value is not finite.</summary>
    /// <param name="image">The image.</param>
    /// <param name="name">How the image is named in error messages (a path or a row number); null for "the image", when the
    /// caller's message names it.</param>
    public void Add(FloatImage image, string? name)
    {
        string what = name is null ? "The image" : $"Image {name}";
        if (image is null) throw new ArgumentNullException(nameof(image), $"{what} is null.");
        if (SizeProblem(what, image.SourceSize) is { } small) throw new ArgumentException(small);
        if (image.Channels != Channels)
            throw new ArgumentException($"{what} has {image.Channels} channel(s); this model expects {Channels}.");
        foreach (var v in image.Pixels)
            if (!float.IsFinite(v))
                throw new ArgumentException($"{what} contains a NaN or infinite pixel value.");
        if (Tiles.SizeProblem(what, image.SourceSize) is { } tooSmall) throw new ArgumentException(tooSmall);
        if (Tiles.Count == 1) Store(image);
        else foreach (var tile in Tiles.Cut(image, ImageSize)) Store(tile);
    }

    private void Store(FloatImage image)
    {
        var resized = image.Height == ImageSize && image.Width == ImageSize ? image : ImageResize.Resize(image, ImageSize, ImageSize);
        var levels = new ushort[resized.Pixels.Length];
        for (int i = 0; i < levels.Length; i++) levels[i] = (ushort)Math.Clamp(MathF.Round(resized.Pixels[i] * 65535f), 0, 65535);
        images.Add(levels);
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
        if (Tiles.Count > 1) hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Tiles.Describe()));
        foreach (var image in images) hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan()));
        return hash.GetHashAndReset();
    }

    /// <summary>A cache over some of these entries (shared, not copied); <see cref="EntriesOf"/> gives whole images' tiles.</summary>
    public ImageCache Subset(IEnumerable<int> indices)
    {
        var subset = new ImageCache(ImageSize, Channels, Tiles);
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
        // Written into the tensor's own memory: a float array given to torch.tensor is copied (33 KB an image at 64 px).
        var batch = empty([indices.Count, Channels, s, s], ScalarType.Float32);
        var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(batch.bytes);
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
                        data[dstRow + x] = Value[src[srcRow + (fh ? s - 1 - x : x)]];
                }
        }
        return batch;
    }
}
