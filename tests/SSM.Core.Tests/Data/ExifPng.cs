using System.Buffers.Binary;
using SkiaSharp;

namespace SSM.Core.Tests.Data;

/// <summary>PNGs with an eXIf chunk (PNG 1.5): the stored pixels plus an EXIF orientation saying how to turn them, as
/// some phones and editors export them.</summary>
internal static class ExifPng
{
    /// <summary>The pixels of <see cref="ExifJpeg.Marked"/> (a white block at the stored top-left, a black one at the stored
    /// top-right), losslessly, with an eXIf chunk of <paramref name="orientation"/> right after IHDR; 16-bit when asked;
    /// the orientation after another tag when <paramref name="resolutionUnitFirst"/> (<see cref="ExifJpeg.Tiff"/>).</summary>
    public static byte[] Marked(int width, int height, int orientation, bool sixteenBit = false, bool littleEndian = false,
        bool resolutionUnitFirst = false)
    {
        using var bitmap = SKBitmap.Decode(ExifJpeg.Marked(width, height, orientation: null));
        byte[] png;
        if (!sixteenBit)
        {
            using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            png = data.ToArray();
        }
        else
        {
            // Grey 16-bit: each 8-bit level v stored as v * 257, the full-depth value of the same brightness.
            var samples = new ushort[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    samples[y * width + x] = (ushort)(bitmap.GetPixel(x, y).Red * 257);
            string path = Path.GetTempFileName();
            try { Png16Writer.Write(path, width, height, 1, samples); png = File.ReadAllBytes(path); }
            finally { File.Delete(path); }
        }
        return WithExif(png, ExifJpeg.Tiff(orientation, littleEndian, resolutionUnitFirst));
    }

    /// <summary>The PNG with an eXIf chunk inserted after IHDR (8-byte signature, then IHDR's 25 bytes).</summary>
    private static byte[] WithExif(byte[] png, byte[] exif)
    {
        var chunk = new byte[12 + exif.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, exif.Length);
        "eXIf"u8.CopyTo(chunk.AsSpan(4));
        exif.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + exif.Length), Png16Writer.Crc32(chunk[4..(8 + exif.Length)]));
        return [.. png.AsSpan(0, 33), .. chunk, .. png.AsSpan(33)];
    }
}
