using SkiaSharp;

namespace SSM.Cli.Report;

/// <summary>Encodes drawings as PNG data URIs, so the report is one self-contained file.</summary>
public static class Png
{
    public static byte[] Encode(SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static string DataUri(SKBitmap bitmap) => DataUri(Encode(bitmap));

    public static string DataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
