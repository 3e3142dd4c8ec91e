namespace SSM.Core.Data;

/// <summary>
/// An image as planar floats in [0, 1]: channel-major (CHW), row-major inside a channel.
/// The engine's exchange type between image files, generators, ML.NET columns and tensors.
/// </summary>
public sealed class FloatImage
{
    /// <summary>Creates an image over <paramref name="pixels"/> (not copied); length must be C*H*W.</summary>
    public FloatImage(int channels, int height, int width, float[] pixels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has 1 (grayscale) or 3 (RGB) channels.");
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(height < 1 ? nameof(height) : nameof(width), $"Image size {width}x{height} is empty.");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)channels * height * width)
            throw new ArgumentException($"Expected {channels}*{height}*{width} = {(long)channels * height * width} values, got {pixels.Length}.", nameof(pixels));
        Channels = channels; Height = height; Width = width; Pixels = pixels;
        sourceSize = (width, height);
    }

    /// <summary>A black image.</summary>
    public FloatImage(int channels, int height, int width) : this(channels, height, width, new float[Math.Max(0, (long)channels * height * width)]) { }

    /// <summary>1 (grayscale) or 3 (R, G, B): the planes of <see cref="Pixels"/>.</summary>
    public int Channels { get; }
    /// <summary>Rows of each plane.</summary>
    public int Height { get; }
    /// <summary>Columns of each plane.</summary>
    public int Width { get; }

    /// <summary>
    /// The size of the image this one was resized from (<see cref="ImageResize"/>, <see cref="ImageFile.LoadResized"/>), or
    /// its own: the size correction and the minimum-size check judge the image as it was given, not as it was resized.
    /// </summary>
    public (int Width, int Height) SourceSize
    {
        get => sourceSize;
        init
        {
            if (value.Width < 1 || value.Height < 1) throw new ArgumentOutOfRangeException(nameof(SourceSize), $"Source size {value.Width}x{value.Height} is empty.");
            sourceSize = value;
        }
    }

    private readonly (int Width, int Height) sourceSize;

    /// <summary>log(width x height) of <see cref="SourceSize"/>: what the size correction (<see cref="Scoring.SizeEffect"/>)
    /// knows of an image's size, taken before anything resizes it.</summary>
    public double LogArea => Math.Log((double)SourceSize.Width * SourceSize.Height);

    /// <summary>CHW values in [0, 1].</summary>
    public float[] Pixels { get; }

    /// <summary>The value of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public float this[int c, int y, int x]
    {
        get => Pixels[(c * Height + y) * Width + x];
        set => Pixels[(c * Height + y) * Width + x] = value;
    }

    /// <summary>A copy with its own pixels and the same <see cref="SourceSize"/>.</summary>
    public FloatImage Clone() => new(Channels, Height, Width, (float[])Pixels.Clone()) { SourceSize = SourceSize };
}
