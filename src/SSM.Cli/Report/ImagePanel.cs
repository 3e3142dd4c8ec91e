using SkiaSharp;
using SSM.Core.Data;
using SSM.Core.Scoring;

namespace SSM.Cli.Report;

/// <summary>
/// One image as two pictures: the image, and the image with the heat map overlaid, the predicted-defect contour (white)
/// and the ground-truth contour (green). Both keep the image's aspect ratio: the model scores a square resize, and its map
/// is stretched back to the image's shape, so a round defect stays round.
/// </summary>
public static class ImagePanel
{
    /// <summary>Longest side of the report's panels (enlarged or reduced to it).</summary>
    public const int PanelSide = 160;

    /// <summary>Longest side of <c>predict</c>'s heat-map files: the image's own size up to this.</summary>
    public const int MaxFileSide = 512;

    /// <summary>The report's panel: both pictures as PNG data URIs, longest side <see cref="PanelSide"/>.</summary>
    /// <param name="imagePath">The image file.</param>
    /// <param name="map">Anomaly map, side × side, raw units.</param>
    /// <param name="side">Side of the map.</param>
    /// <param name="colours">The model's colour scale.</param>
    /// <param name="pixelThreshold">Map value from which a pixel is predicted defective (the white contour).</param>
    /// <param name="maskPath">Ground-truth mask file, if any.</param>
    public static (string Image, string Overlay) Panel(string imagePath, float[] map, int side, HeatScale colours, float pixelThreshold, string? maskPath)
    {
        var image = LoadFitted(imagePath, PanelSide);
        int width = image.Width, height = image.Height;
        bool[]? truth = maskPath is null ? null
            : [.. ImageResize.ResizeMask(ImageFile.LoadMask(maskPath), height, width).Pixels.Select(v => v > 0.5f)];
        using var plain = Plain(image);
        using var overlay = Overlay(image, AnomalyMapResize.ToImageSize(map, side, height, width), colours, pixelThreshold, truth);
        return (Png.DataUri(plain), Png.DataUri(overlay));
    }

    /// <summary><c>predict</c>'s heat-map file (PNG bytes): the overlay at the image's size, longest side at most <see cref="MaxFileSide"/>.</summary>
    public static byte[] HeatMapFile(string imagePath, float[] map, int side, HeatScale colours, float pixelThreshold)
    {
        var image = LoadFitted(imagePath, MaxFileSide, enlarge: false);
        using var overlay = Overlay(image, AnomalyMapResize.ToImageSize(map, side, image.Height, image.Width), colours, pixelThreshold, null);
        return Png.Encode(overlay);
    }

    /// <summary>The image in colour with its longest side <paramref name="longest"/> (at most that, without
    /// <paramref name="enlarge"/>), read row by row: a huge photo never sits in memory as full-size floats.</summary>
    private static FloatImage LoadFitted(string imagePath, int longest, bool enlarge = true)
    {
        var (sourceWidth, sourceHeight) = ImageFile.ReadSize(imagePath);
        if (!enlarge) longest = Math.Min(longest, Math.Max(sourceWidth, sourceHeight));
        var (width, height) = Fit(sourceWidth, sourceHeight, longest);
        return ImageFile.LoadResized(imagePath, 3, height, width);
    }

    /// <summary>Width and height with the longest side <paramref name="longest"/> and the ratio of <paramref name="width"/> to <paramref name="height"/>.</summary>
    public static (int Width, int Height) Fit(int width, int height, int longest)
    {
        double scale = (double)longest / Math.Max(width, height);
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static SKBitmap Plain(FloatImage image)
    {
        var bitmap = new SKBitmap(image.Width, image.Height);
        int plane = image.Width * image.Height;
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        {
            int i = y * image.Width + x;
            bitmap.SetPixel(x, y, new SKColor(ToByte(image.Pixels[i]), ToByte(image.Pixels[plane + i]), ToByte(image.Pixels[2 * plane + i])));
        }
        return bitmap;
    }

    /// <summary>The image (3 channels) with the heat map (same size, map units) blended in and the contours drawn.</summary>
    internal static SKBitmap Overlay(FloatImage image, float[] heat, HeatScale colours, float pixelThreshold, bool[]? truth)
    {
        int width = image.Width, height = image.Height, plane = width * height;
        bool[] predicted = [.. heat.Select(v => v >= pixelThreshold)];
        var bitmap = new SKBitmap(width, height);
        const float a = 0.45f;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            int i = y * width + x;
            float r = image.Pixels[i], g = image.Pixels[plane + i], b = image.Pixels[2 * plane + i];
            SKColor c = HeatColors.At(colours.Fraction(heat[i]));
            var mixed = new SKColor(ToByte((1 - a) * r + a * c.Red / 255f), ToByte((1 - a) * g + a * c.Green / 255f), ToByte((1 - a) * b + a * c.Blue / 255f));
            if (truth is not null && IsEdge(truth, width, height, x, y)) mixed = new SKColor(0, 230, 0);
            if (IsEdge(predicted, width, height, x, y)) mixed = SKColors.White;
            bitmap.SetPixel(x, y, mixed);
        }
        return bitmap;
    }

    private static bool IsEdge(bool[] mask, int width, int height, int x, int y)
    {
        int i = y * width + x;
        if (!mask[i]) return false;
        return x == 0 || y == 0 || x == width - 1 || y == height - 1
            || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
    }

    private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
