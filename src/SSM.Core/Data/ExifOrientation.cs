using SkiaSharp;

namespace SSM.Core.Data;

/// <summary>
/// Turns stored pixels upright by a file's EXIF orientation, as photo viewers and browsers show them. A phone stores a
/// portrait photo as a landscape sensor image and a tag saying "turn me"; read without it, good photos held one way look
/// nothing like those held the other, and a heat map comes out sideways.
/// </summary>
internal static class ExifOrientation
{
    /// <summary>Whether the file's pixels need turning or mirroring.</summary>
    public static bool IsUpright(SKEncodedOrigin origin) => origin is SKEncodedOrigin.TopLeft or 0;

    /// <summary>Whether width and height trade places (the tags that turn by a quarter).</summary>
    public static bool SwapsSides(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>The size as shown: <paramref name="width"/> x <paramref name="height"/> as stored, swapped when the tag turns
    /// by a quarter.</summary>
    public static (int Width, int Height) Shown(SKEncodedOrigin origin, int width, int height) =>
        SwapsSides(origin) ? (height, width) : (width, height);

    /// <summary>
    /// The pixels of a stored image (<paramref name="width"/> x <paramref name="height"/>, row after row,
    /// <paramref name="perPixel"/> values per pixel) as shown: the result is <see cref="Shown"/>'s size.
    /// </summary>
    public static T[] Upright<T>(ReadOnlySpan<T> stored, int width, int height, int perPixel, SKEncodedOrigin origin)
    {
        var (shownWidth, shownHeight) = Shown(origin, width, height);
        var shown = new T[stored.Length];
        for (int y = 0; y < shownHeight; y++)
            for (int x = 0; x < shownWidth; x++)
            {
                var (sx, sy) = StoredAt(origin, x, y, width, height);
                stored.Slice((sy * width + sx) * perPixel, perPixel).CopyTo(shown.AsSpan((y * shownWidth + x) * perPixel, perPixel));
            }
        return shown;
    }

    /// <summary>A planar image turned upright, plane by plane.</summary>
    public static FloatImage Upright(FloatImage image, SKEncodedOrigin origin)
    {
        if (IsUpright(origin)) return image;
        int plane = image.Width * image.Height;
        var pixels = new float[image.Pixels.Length];
        for (int c = 0; c < image.Channels; c++)
            Upright<float>(image.Pixels.AsSpan(c * plane, plane), image.Width, image.Height, 1, origin).CopyTo(pixels, c * plane);
        var (width, height) = Shown(origin, image.Width, image.Height);
        return new FloatImage(image.Channels, height, width, pixels);
    }

    /// <summary>The stored pixel shown at (<paramref name="x"/>, <paramref name="y"/>); the tag names where the stored
    /// first row and column end up (EXIF 2.3, tag 0x0112).</summary>
    private static (int X, int Y) StoredAt(SKEncodedOrigin origin, int x, int y, int width, int height) => origin switch
    {
        SKEncodedOrigin.TopRight => (width - 1 - x, y),                   // 2: mirrored left to right
        SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),   // 3: turned half a turn
        SKEncodedOrigin.BottomLeft => (x, height - 1 - y),                // 4: mirrored top to bottom
        SKEncodedOrigin.LeftTop => (y, x),                                // 5: mirrored across the main diagonal
        SKEncodedOrigin.RightTop => (y, height - 1 - x),                  // 6: shown turned a quarter clockwise
        SKEncodedOrigin.RightBottom => (width - 1 - y, height - 1 - x),   // 7: mirrored across the other diagonal
        SKEncodedOrigin.LeftBottom => (width - 1 - y, x),                 // 8: shown turned a quarter anticlockwise
        _ => (x, y),
    };
}
