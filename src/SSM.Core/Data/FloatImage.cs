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
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(height), $"Image size {width}x{height} is empty.");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != channels * height * width)
            throw new ArgumentException($"Expected {channels}*{height}*{width} = {channels * height * width} values, got {pixels.Length}.", nameof(pixels));
        Channels = channels; Height = height; Width = width; Pixels = pixels;
    }

    /// <summary>A black image.</summary>
    public FloatImage(int channels, int height, int width) : this(channels, height, width, new float[channels * height * width]) { }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>log(width x height): what the size correction (<see cref="Scoring.SizeEffect"/>) knows of an image's size,
    /// taken before anything resizes it.</summary>
    public double LogArea => Math.Log((double)Width * Height);

    /// <summary>CHW values in [0, 1].</summary>
    public float[] Pixels { get; }

    public float this[int c, int y, int x]
    {
        get => Pixels[(c * Height + y) * Width + x];
        set => Pixels[(c * Height + y) * Width + x] = value;
    }

    public FloatImage Clone() => new(Channels, Height, Width, (float[])Pixels.Clone());
}
