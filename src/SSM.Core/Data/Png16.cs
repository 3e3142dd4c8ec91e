using System.Buffers.Binary;
using System.IO.Compression;

namespace SSM.Core.Data;

/// <summary>
/// Reads 16-bit PNG files at full depth. Scanners and medical exports store their images this way, and SkiaSharp 2.88
/// decodes a 16-bit grayscale PNG through 8 bits (a 12-bit CT keeps 16 grey levels of 4096). The format is small enough
/// to read here, straight from the PNG specification: the IHDR and IDAT chunks, zlib, the five row filters and Adam7
/// interlacing. A tRNS colour key (the one grey level or colour that is transparent) makes those pixels black, as alpha
/// does (<see cref="ImageFile"/> shows transparent pixels over black); other ancillary chunks (gamma, colour profile)
/// are ignored, as the 8-bit decode ignores them.
/// </summary>
internal static class Png16
{
    internal static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // Adam7 passes: first column, first row, column step, row step.
    private static readonly (int X, int Y, int Dx, int Dy)[] Passes =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Whether the bytes start a PNG whose header says grey levels only (colour type 0, or 4 with alpha), at any depth.</summary>
    public static bool IsGrayPng(ReadOnlySpan<byte> file) =>
        file.Length > 25 && file[..8].SequenceEqual(Signature) && file.Slice(12, 4).SequenceEqual("IHDR"u8) && file[25] is 0 or 4;

    /// <summary>Whether <paramref name="file"/> is a PNG whose header says 16 bits per sample.</summary>
    public static bool IsSixteenBit(ReadOnlySpan<byte> file) =>
        file.Length > 28 && file[..8].SequenceEqual(Signature) && file.Slice(12, 4).SequenceEqual("IHDR"u8) && file[24] == 16;

    /// <summary>
    /// The samples in [0, 1] (value / 65535), pixel-interleaved, with their count per pixel: 1 gray, 2 gray and alpha,
    /// 3 RGB, 4 RGBA.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed 16-bit PNG (named by <paramref name="name"/>, a quoted path or words such as "the image data").</exception>
    public static (float[] Samples, int Channels, int Width, int Height) Read(byte[] file, string name)
    {
        if (!IsSixteenBit(file)) throw new InvalidDataException($"{name} is not a 16-bit PNG.");
        int width = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(20));
        int channels = file[25] switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => 0 };
        if (width < 1 || height < 1 || channels == 0 || file[26] != 0 || file[27] != 0 || file[28] > 1)
            throw new InvalidDataException($"{name} has a PNG header this reader does not know (size {width}x{height}, colour type {file[25]}, compression {file[26]}, filter {file[27]}, interlace {file[28]}).");
        bool interlaced = file[28] == 1;

        using var compressed = new MemoryStream();
        float[]? key = null;
        for (int at = 8; ;)
        {
            if (at + 12 > file.Length) throw Truncated(name);
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            var type = file.AsSpan(at + 4, 4);
            if (length < 0 || at + 12L + length > file.Length) throw Truncated(name);   // long: a damaged length near 2^31 overflows int
            if (type.SequenceEqual("IDAT"u8)) compressed.Write(file, at + 8, length);
            // Grey (one 16-bit level) or RGB (three): the pixels of exactly that value are transparent.
            if (type.SequenceEqual("tRNS"u8) && channels is 1 or 3 && length == 2 * channels)
                key = [.. Enumerable.Range(0, channels).Select(c => BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at + 8 + 2 * c)) / 65535f)];
            if (type.SequenceEqual("IEND"u8)) break;
            at += 12 + length;
        }

        int bytesPerPixel = 2 * channels;
        var samples = new float[(long)width * height * channels > int.MaxValue ? throw new InvalidDataException($"{name} is too large ({width}x{height}).") : width * height * channels];
        compressed.Position = 0;
        using var inflated = new ZLibStream(compressed, CompressionMode.Decompress);
        foreach (var (x0, y0, dx, dy) in interlaced ? Passes : [(0, 0, 1, 1)])
        {
            int passWidth = (width - x0 + dx - 1) / dx, passHeight = (height - y0 + dy - 1) / dy;
            if (passWidth <= 0 || passHeight <= 0) continue;
            int stride = (long)passWidth * bytesPerPixel <= Array.MaxLength ? passWidth * bytesPerPixel : throw new InvalidDataException($"{name} is too large ({width}x{height}).");
            byte[] previous = new byte[stride], row = new byte[stride];
            for (int py = 0; py < passHeight; py++)
            {
                int filter = inflated.ReadByte();
                if (filter < 0) throw Truncated(name);
                try { inflated.ReadExactly(row); }
                catch (EndOfStreamException) { throw Truncated(name); }
                Unfilter(filter, row, previous, bytesPerPixel, name);
                int y = y0 + py * dy;
                for (int px = 0; px < passWidth; px++)
                {
                    int target = ((y * width) + x0 + px * dx) * channels;
                    for (int c = 0; c < channels; c++)
                        samples[target + c] = BinaryPrimitives.ReadUInt16BigEndian(row.AsSpan(px * bytesPerPixel + 2 * c)) / 65535f;
                }
                (previous, row) = (row, previous);
            }
        }
        if (key is not null)
            for (int i = 0; i < samples.Length; i += channels)
                if (samples.AsSpan(i, channels).SequenceEqual(key)) samples.AsSpan(i, channels).Clear();
        return (samples, channels, width, height);
    }

    private static void Unfilter(int filter, byte[] row, byte[] previous, int bpp, string name)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int left = i >= bpp ? row[i - bpp] : 0, up = previous[i], upLeft = i >= bpp ? previous[i - bpp] : 0;
            row[i] += filter switch
            {
                0 => 0,
                1 => (byte)left,
                2 => (byte)up,
                3 => (byte)((left + up) / 2),
                4 => (byte)Paeth(left, up, upLeft),
                _ => throw new InvalidDataException($"{name} has an unknown PNG row filter {filter}; the file is corrupt."),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static InvalidDataException Truncated(string name) =>
        new($"{name} could not be fully decoded (IncompleteInput); the file is corrupt or truncated.");
}
