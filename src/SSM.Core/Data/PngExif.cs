using System.Buffers.Binary;
using SkiaSharp;

namespace SSM.Core.Data;

/// <summary>
/// The EXIF orientation of a PNG's eXIf chunk (PNG 1.5), which SkiaSharp 2.88 does not read though it reads JPEG's: a
/// TIFF-structured block whose first IFD may hold Orientation (0x0112). Only the chunks before the image data count, as
/// the specification places eXIf there.
/// </summary>
internal static class PngExif
{
    private const ushort OrientationTag = 0x0112;

    /// <summary>The orientation, or <see cref="SKEncodedOrigin.TopLeft"/> without a readable one (no chunk, another tag,
    /// a damaged block: a file is never refused for its metadata).</summary>
    public static SKEncodedOrigin Origin(ReadOnlySpan<byte> png)
    {
        for (int at = 8; at + 12 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            if (length < 0 || at + 12L + length > png.Length) break;
            var type = png.Slice(at + 4, 4);
            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) break;
            if (type.SequenceEqual("eXIf"u8)) return FromTiff(png.Slice(at + 8, length));
            at += 12 + length;
        }
        return SKEncodedOrigin.TopLeft;
    }

    /// <summary>As <see cref="Origin(ReadOnlySpan{byte})"/> for a seekable file, reading the chunks' headers and the eXIf
    /// chunk only; the position is left at the start. TopLeft for any file that is no PNG.</summary>
    public static SKEncodedOrigin Origin(Stream png)
    {
        Span<byte> head = stackalloc byte[8];
        try
        {
            png.Position = 0;
            if (png.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8 || !head.SequenceEqual(Signature)) return SKEncodedOrigin.TopLeft;
            while (png.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(head);
                var type = head[4..];
                if (length < 0 || type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) break;
                if (type.SequenceEqual("eXIf"u8))
                {
                    // EXIF blocks are small; a "chunk" of megabytes is damage, not metadata.
                    if (length > 1 << 20) break;
                    var exif = new byte[length];
                    return png.ReadAtLeast(exif, length, throwOnEndOfStream: false) == length ? FromTiff(exif) : SKEncodedOrigin.TopLeft;
                }
                png.Seek(length + 4L, SeekOrigin.Current);   // the data and its CRC
            }
            return SKEncodedOrigin.TopLeft;
        }
        finally { png.Position = 0; }
    }

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static SKEncodedOrigin FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return SKEncodedOrigin.TopLeft;
        bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return SKEncodedOrigin.TopLeft;
        if (U16(tiff, 2, little) != 42) return SKEncodedOrigin.TopLeft;
        uint ifd = U32(tiff, 4, little);
        if (ifd > tiff.Length - 2) return SKEncodedOrigin.TopLeft;
        int entries = U16(tiff, (int)ifd, little);
        for (int e = 0; e < entries; e++)
        {
            long entry = ifd + 2 + 12L * e;
            if (entry + 12 > tiff.Length) break;
            // A SHORT (type 3) held in the entry itself.
            if (U16(tiff, (int)entry, little) == OrientationTag && U16(tiff, (int)entry + 2, little) == 3)
                return U16(tiff, (int)entry + 8, little) is var o and >= 1 and <= 8 ? (SKEncodedOrigin)o : SKEncodedOrigin.TopLeft;
        }
        return SKEncodedOrigin.TopLeft;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
}
