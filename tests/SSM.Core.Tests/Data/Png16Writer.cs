using System.Buffers.Binary;
using System.IO.Compression;

namespace SSM.Core.Tests.Data;

/// <summary>
/// Writes 16-bit PNG files (the way scanners and medical exports store them). SkiaSharp cannot encode them, so the few
/// chunks are written here, straight from the PNG specification, independently of the library's reader: row filters
/// cycle through all five, and Adam7 interlacing is optional.
/// </summary>
internal static class Png16Writer
{
    private static readonly (int X, int Y, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <param name="samples">Row-major, channel-interleaved samples (channels 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA).</param>
    /// <param name="transparent">A tRNS colour key: the grey level (1 channel) or RGB colour (3) that is transparent.</param>
    public static void Write(string path, int width, int height, int channels, ushort[] samples, bool interlaced = false, ushort[]? transparent = null)
    {
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels));
        if (samples.Length != width * height * channels) throw new ArgumentException("One sample per pixel and channel.", nameof(samples));
        using var file = File.Create(path);
        WriteHeader(file, width, height, bitsPerSample: 16, colourType: (byte)(channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 }), interlaced);
        if (transparent is not null)
        {
            var key = new byte[2 * transparent.Length];
            for (int c = 0; c < transparent.Length; c++) BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(2 * c), transparent[c]);
            Chunk(file, "tRNS", key);
        }
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            int bpp = 2 * channels, rowIndex = 0;
            foreach (var (x0, y0, dx, dy) in interlaced ? Adam7 : [(0, 0, 1, 1)])
            {
                int pw = (width - x0 + dx - 1) / dx, ph = (height - y0 + dy - 1) / dy;
                if (pw <= 0 || ph <= 0) continue;
                var prior = new byte[pw * bpp];
                for (int py = 0; py < ph; py++, rowIndex++)
                {
                    var line = new byte[pw * bpp];
                    for (int px = 0; px < pw; px++)
                        for (int c = 0; c < channels; c++)
                            BinaryPrimitives.WriteUInt16BigEndian(line.AsSpan(px * bpp + 2 * c), samples[((y0 + py * dy) * width + x0 + px * dx) * channels + c]);
                    int filter = rowIndex % 5;
                    var filtered = new byte[1 + line.Length];
                    filtered[0] = (byte)filter;
                    for (int i = 0; i < line.Length; i++)
                    {
                        int a = i >= bpp ? line[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
                        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                        int predictor = filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2, _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c };
                        filtered[1 + i] = (byte)(line[i] - predictor);
                    }
                    z.Write(filtered);
                    prior = line;
                }
            }
        }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    /// <summary>An 8-bit PNG, unfiltered, whatever its samples are: Skia's encoder drops the colour under a transparent pixel,
    /// which other writers keep.</summary>
    public static void Write8(string path, int width, int height, int channels, byte[] samples)
    {
        if (samples.Length != width * height * channels) throw new ArgumentException("One sample per pixel and channel.", nameof(samples));
        using var file = File.Create(path);
        WriteHeader(file, width, height, bitsPerSample: 8, colourType: (byte)(channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 }), interlaced: false);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(samples, y * width * channels, width * channels);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    /// <summary>An 8-bit RGB PNG whose header claims <paramref name="width"/> x <paramref name="height"/> but whose data holds
    /// one row: what a decoder sizes its buffers by before it finds the file truncated.</summary>
    public static void WriteClaimingSize(string path, int width, int height)
    {
        using var file = File.Create(path);
        WriteHeader(file, width, height, bitsPerSample: 8, colourType: 2, interlaced: false);   // RGB
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true)) z.Write(new byte[1 + 3 * width]);
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    /// <summary>The PNG signature and the IHDR chunk.</summary>
    private static void WriteHeader(Stream file, int width, int height, byte bitsPerSample, byte colourType, bool interlaced)
    {
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitsPerSample;
        header[9] = colourType;
        header[12] = (byte)(interlaced ? 1 : 0);
        Chunk(file, "IHDR", header);
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. head[4..], .. data]));
        s.Write(crc);
    }

    internal static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
