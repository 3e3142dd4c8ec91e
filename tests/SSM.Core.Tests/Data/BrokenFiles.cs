using SkiaSharp;
using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>Damaged image files for the truncation tests of the engine, the ML.NET surface and the command line.</summary>
internal static class BrokenFiles
{
    /// <summary>A PNG of noise (incompressible, so half the file is about half the pixels) cut in half.</summary>
    public static string TruncatedPng(string path)
    {
        var noise = new FloatImage(3, 64, 64);
        var random = new Random(3);
        for (int i = 0; i < noise.Pixels.Length; i++) noise.Pixels[i] = random.NextSingle();
        ImageFile.Save(noise, path);
        CutInHalf(path);
        return path;
    }

    /// <summary>A JPEG of noise cut in half (ImageFile only writes PNG, so SkiaSharp encodes it).</summary>
    public static string TruncatedJpeg(string path)
    {
        using var bitmap = new SKBitmap(64, 64, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(4);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
        CutInHalf(path);
        return path;
    }

    /// <summary>Keeps the first half of the file's bytes: an interrupted copy or download.</summary>
    public static void CutInHalf(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
    }
}
