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

    /// <summary>The orientation to turn a file by: Skia's where it read one (JPEG's EXIF), else the eXIf chunk's
    /// (<paramref name="fromChunk"/>, <see cref="Origin"/> of the file, TopLeft for any file that is no PNG).</summary>
    public static SKEncodedOrigin Combined(SKCodec codec, SKEncodedOrigin fromChunk) =>
        codec.EncodedOrigin != SKEncodedOrigin.TopLeft ? codec.EncodedOrigin : fromChunk;

    /// <summary>The orientation of a seekable file's eXIf chunk, reading the chunks' headers and that chunk only; TopLeft
    /// without a readable one (no chunk, another tag, a damaged block: a file is never refused for its metadata) and for
    /// any file that is no PNG. The position is left at the start, for the decoder.</summary>
    public static SKEncodedOrigin Origin(Stream png)
    {
        Span<byte> head = stackalloc byte[8];
        try
        {
            png.Position = 0;
            if (png.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8 || !head.SequenceEqual(Png16.Signature)) return SKEncodedOrigin.TopLeft;
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
