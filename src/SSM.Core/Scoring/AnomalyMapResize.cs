using SSM.Core.Data;

namespace SSM.Core.Scoring;

/// <summary>Brings an S x S anomaly map back to the original image's size for localisation output.</summary>
public static class AnomalyMapResize
{
    /// <summary>
    /// Resizes a row-major S x S map to <paramref name="height"/> x <paramref name="width"/> (bilinear when enlarging,
    /// area-averaging when shrinking), so it overlays the image the user gave. Values keep their range: a standardised
    /// map is in standard deviations, far outside an image's [0, 1].
    /// </summary>
    public static float[] ToImageSize(float[] map, int size, int height, int width) => ToImageSize(map, (size, size), height, width);

    /// <summary>As <see cref="ToImageSize(float[], int, int, int)"/> for a map of <paramref name="mapSize"/>, such as a tiled
    /// model's (<see cref="SsmOptions.ReadSize"/>).</summary>
    public static float[] ToImageSize(float[] map, (int Width, int Height) mapSize, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(map);
        var (w, h) = mapSize;
        if (map.Length != (long)w * h)
            throw new ArgumentException($"A {w}x{h} map has {(long)w * h} values, got {map.Length}.", nameof(map));
        if (height == h && width == w) return (float[])map.Clone();
        return ImageResize.ResizeUnbounded(new FloatImage(1, h, w, map), height, width).Pixels;
    }
}
