using SkiaSharp;
using SSM.Core.Data;

namespace SSM.Cli.Report;

/// <summary>
/// One test image as two pictures: the image, and the image with the heat map overlaid, the predicted-defect contour (white)
/// and the ground-truth contour (green).
/// </summary>
public static class ImagePanel
{
    public const int Size = 160;

    /// <param name="imagePath">The image file (shown resized to <see cref="Size"/>).</param>
    /// <param name="map">Anomaly map, side × side, raw units.</param>
    /// <param name="low">Map value drawn transparent-blue.</param>
    /// <param name="high">Map value drawn full red.</param>
    /// <param name="pixelThreshold">Map value above which a pixel is predicted defective.</param>
    /// <param name="maskPath">Ground-truth mask file, if any.</param>
    public static (string Image, string Overlay) Draw(string imagePath, float[] map, int side, float low, float high, float pixelThreshold, string? maskPath)
    {
        FloatImage image = ImageResize.Resize(ImageFile.Load(imagePath, channels: 3), Size, Size);
        FloatImage heat = ImageResize.Resize(new FloatImage(1, side, side, map), Size, Size);
        bool[] predicted = [.. heat.Pixels.Select(v => v >= pixelThreshold)];
        bool[]? truth = maskPath is null ? null
            : [.. ImageResize.ResizeMask(ImageFile.LoadMask(maskPath), Size, Size).Pixels.Select(v => v > 0.5f)];

        using var plain = new SKBitmap(Size, Size);
        using var overlay = new SKBitmap(Size, Size);
        int plane = Size * Size;
        for (int y = 0; y < Size; y++)
        for (int x = 0; x < Size; x++)
        {
            int i = y * Size + x;
            float r = image.Pixels[i], g = image.Pixels[plane + i], b = image.Pixels[2 * plane + i];
            plain.SetPixel(x, y, new SKColor(ToByte(r), ToByte(g), ToByte(b)));
            float t = (heat.Pixels[i] - low) / Math.Max(1e-12f, high - low);
            SKColor c = HeatColors.At(t);
            const float a = 0.45f;
            var mixed = new SKColor(ToByte((1 - a) * r + a * c.Red / 255f), ToByte((1 - a) * g + a * c.Green / 255f), ToByte((1 - a) * b + a * c.Blue / 255f));
            if (truth is not null && IsEdge(truth, x, y)) mixed = new SKColor(0, 230, 0);
            if (IsEdge(predicted, x, y)) mixed = SKColors.White;
            overlay.SetPixel(x, y, mixed);
        }
        return (Png.DataUri(plain), Png.DataUri(overlay));
    }

    private static bool IsEdge(bool[] mask, int x, int y)
    {
        if (!mask[y * Size + x]) return false;
        return x == 0 || y == 0 || x == Size - 1 || y == Size - 1
            || !mask[y * Size + x - 1] || !mask[y * Size + x + 1] || !mask[(y - 1) * Size + x] || !mask[(y + 1) * Size + x];
    }

    private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
