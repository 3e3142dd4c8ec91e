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
    public static float[] ToImageSize(float[] map, int size, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Length != size * size)
            throw new ArgumentException($"A {size}x{size} map has {size * size} values, got {map.Length}.", nameof(map));
        if (height == size && width == size) return (float[])map.Clone();
        return ImageResize.ResizeUnbounded(new FloatImage(1, size, size, map), height, width).Pixels;
    }
}
