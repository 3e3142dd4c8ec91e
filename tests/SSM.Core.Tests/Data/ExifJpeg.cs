using System.Buffers.Binary;
using SkiaSharp;

namespace SSM.Core.Tests.Data;

/// <summary>JPEGs as phones write them: the stored pixels plus an EXIF orientation tag saying how to turn them.</summary>
internal static class ExifJpeg
{
    /// <summary>
    /// A JPEG of <paramref name="width"/> x <paramref name="height"/> stored pixels, mid-grey with a white 8 x 8 block at the
    /// stored top-left corner and a black one at the stored top-right, tagged with <paramref name="orientation"/> (1-8;
    /// null: no EXIF at all).
    /// </summary>
    public static byte[] Marked(int width, int height, int? orientation)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(128, 128, 128));
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                bitmap.SetPixel(x, y, SKColors.White);
                bitmap.SetPixel(width - 1 - x, y, SKColors.Black);
            }
        using SKData jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 100);
        return orientation is { } o ? WithOrientation(jpeg.ToArray(), o) : jpeg.ToArray();
    }

    /// <summary>The JPEG with an APP1 segment right after its SOI marker: "Exif", a big-endian TIFF header and one IFD entry,
    /// Orientation (0x0112, SHORT).</summary>
    public static byte[] WithOrientation(byte[] jpeg, int orientation)
    {
        byte[] app1 = [0xFF, 0xE1, 0, 0, .. "Exif\0\0"u8, .. Tiff(orientation, little: false)];
        BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(app1.Length - 2));
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }

    /// <summary>A TIFF-structured EXIF block whose IFD holds Orientation (0x0112, SHORT), as JPEG's APP1 and PNG's eXIf
    /// chunk hold it; after ResolutionUnit (0x0128, SHORT, 2 = inches) when <paramref name="resolutionUnitFirst"/>, as
    /// cameras order their tags, so a reader taking the first SHORT entry reads 2.</summary>
    internal static byte[] Tiff(int orientation, bool little, bool resolutionUnitFirst = false)
    {
        int entries = resolutionUnitFirst ? 2 : 1;
        var tiff = new byte[14 + 12 * entries];
        void U16(int at, int v) { if (little) BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), (ushort)v); }
        void U32(int at, uint v) { if (little) BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at), v); else BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at), v); }
        void Short(int at, int tag, int value)
        {
            U16(at, tag);
            U16(at + 2, 3);      // SHORT
            U32(at + 4, 1);      // one value, held in the entry
            U16(at + 8, value);
        }
        (little ? "II"u8 : "MM"u8).CopyTo(tiff);
        U16(2, 42);
        U32(4, 8);               // the first IFD follows the header
        U16(8, entries);
        if (resolutionUnitFirst) Short(10, 0x0128, 2);
        Short(10 + 12 * (entries - 1), 0x0112, orientation);
        return tiff;             // the last 4 bytes: no next IFD
    }
}
