using System.Buffers.Binary;
using SSM.Core.Data.Dicom;

namespace SSM.Core.Data;

/// <summary>
/// JPEG 2000 image files (.jp2, .j2k, .j2c): some industrial cameras, scanned archives and slide scanners write them, often
/// at 12 or 16 bits, and SkiaSharp does not read them. Decoded by the DICOM reader's decoder (<see cref="Jpeg2000"/>) at
/// full depth: samples over the range of their bits, signed ones shifted to start at 0.
/// </summary>
internal static class Jpeg2000File
{
    /// <summary>Whether the bytes start a JPEG 2000 codestream (SOC, SIZ) or a JP2 file (its signature box).</summary>
    public static bool Is(ReadOnlySpan<byte> file) =>
        file.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]) || file.StartsWith(Signature);

    private static ReadOnlySpan<byte> Signature => [0, 0, 0, 12, (byte)'j', (byte)'P', (byte)' ', (byte)' ', 0x0D, 0x0A, 0x87, 0x0A];

    /// <summary>The samples in [0, 1], pixel-interleaved, 1 (grey) or 3 (RGB) per pixel.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, or of a kind not read here (named by <paramref name="name"/>).</exception>
    public static (float[] Samples, int Channels, int Width, int Height) Read(byte[] file, string name)
    {
        var image = Jpeg2000.Decode(file, name);
        double offset = image.Signed ? 1 << (image.Bits - 1) : 0, full = (1 << image.Bits) - 1;
        var samples = new float[image.Values.Length];
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)((image.Values[i] + offset) / full);
        return (samples, image.Components, image.Width, image.Height);
    }

    /// <summary>The size and kind the codestream's SIZ marker says, nothing decoded; null when the stream is no JPEG 2000
    /// image that can be read this far.</summary>
    public static ImageHeader? Header(Stream stream)
    {
        try
        {
            Span<byte> box = stackalloc byte[8];
            // A JP2 file's boxes are walked to the codestream's ('jp2c'); a raw codestream starts with it.
            while (stream.ReadAtLeast(box, 8, throwOnEndOfStream: false) == 8 && box[0] != 0xFF)
            {
                long length = BinaryPrimitives.ReadUInt32BigEndian(box);
                if (BinaryPrimitives.ReadUInt32BigEndian(box[4..]) == 0x6A703263)   // 'jp2c': the codestream follows
                {
                    if (length == 1) stream.Seek(8, SeekOrigin.Current);   // after its extended length
                    break;
                }
                if (length < 8) return null;   // extended or open lengths: no box before 'jp2c' has one
                stream.Seek(length - 8, SeekOrigin.Current);
            }
            if (box[0] != 0xFF) stream.ReadExactly(box);
            // SOC, SIZ, Lsiz, Rsiz, then Xsiz, Ysiz, XOsiz, YOsiz, four tile values, Csiz (A.5.1).
            Span<byte> siz = stackalloc byte[42];
            box.CopyTo(siz);
            stream.ReadExactly(siz[8..]);
            if (siz[0] != 0xFF || siz[1] != 0x4F || siz[2] != 0xFF || siz[3] != 0x51) return null;
            long width = BinaryPrimitives.ReadUInt32BigEndian(siz[8..]) - (long)BinaryPrimitives.ReadUInt32BigEndian(siz[16..]);
            long height = BinaryPrimitives.ReadUInt32BigEndian(siz[12..]) - (long)BinaryPrimitives.ReadUInt32BigEndian(siz[20..]);
            int components = BinaryPrimitives.ReadUInt16BigEndian(siz[40..]);
            if (width is < 1 or > int.MaxValue || height is < 1 or > int.MaxValue) return null;
            return new ImageHeader((int)width, (int)height, StoresGray: components == 1, Turned: false);
        }
        catch (EndOfStreamException) { return null; }
        catch (IOException) { return null; }
    }
}
